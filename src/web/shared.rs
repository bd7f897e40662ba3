//! What a client's operations share: its options, keys (and their refresh), the bucket in
//! use, the saved uploads, cancel, and the inboxes of the operations under way.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Object;
use wasm_bindgen::prelude::*;
use web_sys::AbortController;

use super::connections::Connections;
use super::inbox::{Inbox, Inboxes};
use super::js;
use super::options::{self, ClientOptions};
use super::saved::store::SavedUploads;
use crate::engine::error::Error;
use crate::engine::io::Event;
use crate::engine::keys::{Keys, Origin, Ready};
use crate::engine::link::Link;
use crate::protocol::request::Credentials;
use crate::text;

pub struct Shared {
    pub o: ClientOptions,
    pub keys: RefCell<Keys>,
    /// What the client's requests measured of the link.
    pub link: RefCell<Link>,
    /// ali-oss's useBucket()/setBucket() change it; each call keeps the bucket it began with.
    pub bucket: RefCell<String>,
    /// ali-oss's `client.options`, as pages and ali-oss's tests read it.
    pub options: Object,
    pub saved: SavedUploads,
    /// Aborted by cancel(), then replaced so later uploads start clean.
    pub cancel: RefCell<AbortController>,
    /// ali-oss's cancel flag: set by cancel(), cleared by resetCancelFlag() and by each
    /// multipartUpload() as it starts.
    pub cancelled: Cell<bool>,
    /// The operations under way, told when new keys arrive.
    pub inboxes: Inboxes,
    /// One budget of connections for every request of the client.
    pub connections: Rc<Connections>,
    /// put() may send a small object as a PostObject form signed here, which needs no CORS
    /// preflight: the client's `postObject` option, off for good once a form went unanswered
    /// (a bucket's CORS rule without POST), and never where the form could not go as put()'s
    /// request would (a backend signer, `transport: 'xhr'`, whose upload listeners make a
    /// preflight anyway, `headerEncoding: 'latin1'`).
    pub put_by_form: Cell<bool>,
}

impl Shared {
    /// A client's state from `new OSS(options)`, the options checked.
    pub fn new(options: &JsValue) -> Result<Shared, Error> {
        let o = ClientOptions::parse(options)?;
        let bucket = options::bucket(options)?;
        let ali_options = options::as_ali_oss(options, &o, &bucket);
        let origin = if o.signer.is_some() {
            Origin::Backend
        } else if o.refresh.is_some() {
            Origin::Refreshed {
                interval_ms: o.refresh_interval_ms,
            }
        } else {
            Origin::Fixed
        };
        let keys = Keys::new(origin, o.credentials.clone(), js::now_ms());
        if keys.is_long_term() {
            js::warn_once("long-term", || {
                "oss-browser-upload: a long-term AccessKey is in this page, where anyone can read it: give it STS tokens from your backend (refreshSTSToken).".into()
            });
        }
        let put_by_form = options::boolean(options, "postObject")?.unwrap_or(true)
            && o.signer.is_none()
            && !o.byte_progress
            && !o.latin1_headers;
        let saved = SavedUploads::new(o.saved_max_age_ms, None);
        let per_origin = o.max_connections;
        let cancel = AbortController::new().map_err(|_| Error::argument("no AbortController"))?;
        Ok(Shared {
            o,
            keys: RefCell::new(keys),
            link: RefCell::default(),
            bucket: RefCell::new(bucket),
            options: ali_options,
            saved,
            cancel: RefCell::new(cancel),
            cancelled: Cell::new(false),
            inboxes: Inboxes::default(),
            connections: Rc::new(Connections::new(per_origin)),
            put_by_form: Cell::new(put_by_form),
        })
    }

    /// The bucket in use, or the error for a call that needs one.
    pub fn bucket(&self) -> Result<String, Error> {
        needed(self.bucket.borrow().clone())
    }

    /// Calls `refreshSTSToken` when the keys asked for it; every operation waiting is told
    /// how it went.
    pub fn refresh_if_wanted(self: &Rc<Self>) {
        if !self.keys.borrow_mut().take_refresh() {
            return;
        }
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let got = match &me.o.refresh {
                None => Err(Error::credentials(
                    "the STS token expired, and no `refreshSTSToken` renews it",
                )),
                Some(f) => match js::call(f, &[]).await {
                    Ok(v) => refreshed(&v),
                    Err(e) => Err(Error::credentials(text::fill(
                        "refreshSTSToken() failed: {}",
                        &[&js::message_of(&e)],
                    ))),
                },
            };
            let failed = got.as_ref().err().cloned();
            me.keys.borrow_mut().refreshed(got, js::now_ms());
            me.inboxes.tell_all(|| Event::Keys(failed.clone()));
        });
    }

    /// Waits until the keys are in hand, refreshing them if they are due (or absent).
    pub async fn keys_in_hand(self: &Rc<Self>) -> Result<(), Error> {
        loop {
            if !matches!(self.keys.borrow_mut().ready(js::now_ms()), Ready::Wait) {
                return Ok(());
            }
            let inbox = Rc::new(Inbox::default());
            self.inboxes.add(&inbox);
            self.refresh_if_wanted();
            if let Event::Keys(Some(e)) = inbox.next().await {
                return Err(e);
            }
        }
    }
}

/// `bucket`, or the error for a call made without one.
pub fn needed(bucket: String) -> Result<String, Error> {
    if bucket.is_empty() {
        return Err(Error::argument(
            "no bucket: pass `bucket` to new OSS(), or useBucket(name)",
        ));
    }
    Ok(bucket)
}

/// ali-oss's `{accessKeyId, accessKeySecret, stsToken}` or STS's own `{AccessKeyId, …,
/// SecurityToken}`.
fn refreshed(v: &JsValue) -> Result<Credentials, Error> {
    let field = |names: &[&str]| {
        names.iter().find_map(|n| {
            js::get(v, n)
                .and_then(|x| x.as_string())
                .filter(|s| !s.is_empty())
        })
    };
    let (Some(id), Some(secret)) = (
        field(&["accessKeyId", "AccessKeyId"]),
        field(&["accessKeySecret", "AccessKeySecret"]),
    ) else {
        return Err(Error::credentials(
            "refreshSTSToken() must give {accessKeyId, accessKeySecret, stsToken}",
        ));
    };
    Ok(Credentials {
        access_key_id: id,
        access_key_secret: secret,
        security_token: field(&["stsToken", "SecurityToken", "securityToken"]),
    })
}
