//! The keys requests are signed with, and the page's clock as OSS sees it.
//!
//! STS refresh is single-flight: however many parts fail at once with an expired token, one
//! call to `refreshSTSToken` is made and every part waits for it (ali-oss #1363 and #1391
//! describe the race this avoids: parallel parts each refreshing, and some signing with a
//! token already replaced). A part that failed with a token someone else already replaced
//! just retries with the new one.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use js_sys::Function;
use wasm_bindgen::JsValue;

use crate::protocol::request::Credentials;
use crate::protocol::time;

use super::error::Error;
use super::js;

type Refresh = Shared<LocalBoxFuture<'static, Result<Credentials, Error>>>;

pub struct Signer {
    current: RefCell<Option<Credentials>>,
    refresh: Option<Function>,
    interval_ms: f64,
    refreshed_at: Cell<f64>,
    in_flight: RefCell<Option<Refresh>>,
    /// Server time minus page time, learnt from `RequestTimeTooSkewed`.
    clock_offset_ms: Cell<f64>,
}

fn field(v: &JsValue, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| js::get(v, n).and_then(|x| x.as_string()))
        .filter(|s| !s.is_empty())
}

/// Reads what `refreshSTSToken` resolved to: ali-oss's `{accessKeyId, accessKeySecret,
/// stsToken}` or STS's own `{AccessKeyId, AccessKeySecret, SecurityToken}`.
fn parse_refreshed(v: &JsValue) -> Result<Credentials, Error> {
    let id = field(v, &["accessKeyId", "AccessKeyId"]);
    let secret = field(v, &["accessKeySecret", "AccessKeySecret"]);
    match (id, secret) {
        (Some(access_key_id), Some(access_key_secret)) => Ok(Credentials {
            access_key_id,
            access_key_secret,
            security_token: field(v, &["stsToken", "SecurityToken", "securityToken"]),
        }),
        _ => Err(Error::credentials(
            "refreshSTSToken() must resolve to {accessKeyId, accessKeySecret, stsToken}",
        )),
    }
}

impl Signer {
    pub fn new(
        current: Option<Credentials>,
        refresh: Option<Function>,
        interval_ms: f64,
    ) -> Signer {
        Signer {
            refreshed_at: Cell::new(if current.is_some() {
                js::now_ms()
            } else {
                f64::NEG_INFINITY
            }),
            current: RefCell::new(current),
            refresh,
            interval_ms,
            in_flight: RefCell::new(None),
            clock_offset_ms: Cell::new(0.0),
        }
    }

    pub fn can_refresh(&self) -> bool {
        self.refresh.is_some()
    }

    /// Whether the keys in use are long-term ones (no STS token and nothing to refresh them).
    pub fn is_long_term(&self) -> bool {
        self.refresh.is_none()
            && self
                .current
                .borrow()
                .as_ref()
                .is_some_and(|c| c.security_token.is_none())
    }

    /// The credentials to sign with now, refreshed first when they are due.
    pub async fn credentials(self: &Rc<Self>) -> Result<Credentials, Error> {
        let due =
            self.refresh.is_some() && js::now_ms() - self.refreshed_at.get() >= self.interval_ms;
        let current = self.current.borrow().clone();
        match current {
            Some(c) if !due => Ok(c),
            _ => self.refresh(None).await,
        }
    }

    /// New credentials. `stale` is the token a failed request used: if it was replaced
    /// meanwhile, the replacement is returned without another refresh.
    pub async fn refresh(self: &Rc<Self>, stale: Option<&str>) -> Result<Credentials, Error> {
        if let (Some(stale), Some(current)) = (stale, self.current.borrow().as_ref()) {
            if current.security_token.as_deref() != Some(stale) {
                return Ok(current.clone());
            }
        }
        let existing = self.in_flight.borrow().clone();
        let refresh = match existing {
            Some(r) => r,
            None => {
                let Some(f) = self.refresh.clone() else {
                    return Err(Error::credentials(
                        "the STS token expired and no `refreshSTSToken` was given to renew it",
                    ));
                };
                let this = self.clone();
                let fut = async move {
                    let result = js::call_and_await(&f, &[])
                        .await
                        .map_err(|e| {
                            Error::credentials(format!(
                                "refreshSTSToken() failed: {}",
                                js_sys::Error::from(e).message()
                            ))
                        })
                        .and_then(|v| parse_refreshed(&v));
                    if let Ok(c) = &result {
                        this.current.replace(Some(c.clone()));
                        this.refreshed_at.set(js::now_ms());
                    }
                    this.in_flight.replace(None);
                    result
                }
                .boxed_local()
                .shared();
                self.in_flight.replace(Some(fut.clone()));
                fut
            }
        };
        refresh.await
    }

    /// Seconds since the epoch by the server's clock, as far as we know it.
    pub fn now_secs(&self) -> u64 {
        ((js::now_ms() + self.clock_offset_ms.get()) / 1000.0).max(0.0) as u64
    }

    /// Learns the server's clock from a `RequestTimeTooSkewed` answer. `false` if unreadable.
    pub fn correct_clock(&self, server_time: Option<&str>) -> bool {
        match server_time.and_then(time::parse_iso8601) {
            Some(server) => {
                self.clock_offset_ms
                    .set(server as f64 * 1000.0 - js::now_ms());
                true
            }
            None => false,
        }
    }
}
