//! The saved uploads as pages see them: listSavedUploads() and forgetSavedUpload().

use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::engine::requests;
use crate::web::drive::Run;
use crate::web::error::promise;
use crate::web::saved::store::Record;
use crate::web::shared::Shared;
use crate::web::single::{self, Single};
use crate::web::{js, options};

/// listSavedUploads(): the saved uploads of the bucket in use, newest first.
pub fn list(shared: &Rc<Shared>) -> Promise {
    let shared = shared.clone();
    promise(async move {
        let bucket = shared.bucket.borrow().clone();
        let list = Array::new();
        for r in shared.saved.all().await {
            if r.bucket == bucket {
                list.push(&r.summary());
            }
        }
        Ok(list.into())
    })
}

/// forgetSavedUpload(): by fingerprint or listSavedUploads() entry; with `{abort: true}`
/// also aborts the upload on the server, in the bucket it was saved in.
pub fn forget(shared: &Rc<Shared>, which: JsValue, options: JsValue) -> Promise {
    let shared = shared.clone();
    promise(async move {
        let fp = (which.as_string())
            .or_else(|| js::get(&which, "fingerprint").and_then(|f| f.as_string()))
            .ok_or_else(|| {
                Error::argument("pass a fingerprint or an entry of listSavedUploads()")
            })?;
        let aborting = options::boolean(&options, "abort")?.unwrap_or(false);
        let saved = match aborting {
            true => shared
                .saved
                .all()
                .await
                .into_iter()
                .find(|r| r.fingerprint == fp),
            false => None,
        };
        if let Some(s) = saved {
            abort(&shared, &s, &options).await?;
        }
        shared.saved.forget(&fp).await;
        Ok(JsValue::UNDEFINED)
    })
}

/// Aborts saved upload `s` on the server, in the bucket it was saved in (already gone is
/// fine).
pub async fn abort(shared: &Rc<Shared>, s: &Record, options: &JsValue) -> Result<(), Error> {
    let mut run = Run::new(shared, options)?;
    run.signing.bucket = s.bucket.clone();
    let single = Single::new(requests::abort(&s.name, &s.upload_id));
    match single::send(single, run).await {
        Err(e) if e.code != "NoSuchUpload" => Err(e),
        _ => Ok(()),
    }
}
