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

const FORM_FAILED: &str = "oss-browser-upload: put()'s PostObject form failed where PutObject went through (POST not in the bucket's CORS rule? a server without PostObject?): PutObject from now on";

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
    /// Whether put() sends small objects as PostObject forms signed here, which need no CORS
    /// preflight.
    pub forms: Cell<Forms>,
}

/// Whether put() sends small objects as forms: learnt from the first form a client sends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Forms {
    /// Never for this client: `postObject: false`, or where a form could not go as put()'s
    /// request would (a backend signer; `transport: 'xhr'`, whose upload listeners make a
    /// preflight anyway; `headerEncoding: 'latin1'`); or a form failed where PutObject then
    /// went through (a bucket's CORS rule without POST, a server without PostObject).
    Off,
    /// The next put tries one.
    Untried,
    /// One put is trying a form; the others go by PutObject meanwhile, so that a bucket that
    /// carries forms out but hides their answers stores at most one object twice.
    Trying,
    /// A form was answered: every small put goes as one.
    Proven,
}

impl Shared {
    /// Whether a put that fits a form goes as one now: once forms were answered, or as the
    /// client's first try.
    pub fn form_turn(&self) -> bool {
        match self.forms.get() {
            Forms::Proven => true,
            Forms::Untried => {
                self.forms.set(Forms::Trying);
                true
            }
            _ => false,
        }
    }

    /// A put sent as a form ended: `failed`, the form failed and PutObject was sent; `ok`, the
    /// object is stored.
    pub fn form_tried(&self, failed: bool, ok: bool, cancelled: bool) {
        let next = match self.forms.get() {
            Forms::Off => Forms::Off,
            _ if failed && ok => {
                js::warn_once("form", || FORM_FAILED.into());
                Forms::Off
            }
            Forms::Trying if failed || cancelled => Forms::Untried,
            state if failed || cancelled => state,
            _ => Forms::Proven,
        };
        self.forms.set(next);
    }

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
        let forms = match options::boolean(options, "postObject")?.unwrap_or(true)
            && o.signer.is_none()
            && !o.byte_progress
            && !o.latin1_headers
        {
            true => Forms::Untried,
            false => Forms::Off,
        };
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
            forms: Cell::new(forms),
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
