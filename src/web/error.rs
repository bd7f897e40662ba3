//! The engine's `Error` as JavaScript sees it: an `Error` with `name`, `code`, `status`,
//! `requestId`, `hostId` and the error body's further fields, as ali-oss sets them.

use std::future::Future;
use std::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;

use crate::engine::error::Error;

use super::js;

pub fn to_js(e: &Error) -> JsValue {
    let out = js_sys::Error::new(&e.message);
    js::set(&out, "name", e.name.as_str());
    for (k, v) in &e.extra {
        js::set(&out, k, v.as_str());
    }
    js::set(&out, "code", e.code.as_str());
    js::set(&out, "status", e.status);
    js::set(&out, "requestId", e.request_id.as_str());
    js::set(&out, "hostId", e.host_id.as_str());
    if let Some(n) = e.part {
        js::set(&out, "partNum", n);
    }
    out.into()
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        to_js(&e)
    }
}

/// A future's result as a Promise (an `Error` converts with `?`). Every async method goes
/// through this one boxed future: one instance of wasm-bindgen-futures' machinery, not one
/// per method.
pub fn promise(f: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let f: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    wasm_bindgen_futures::future_to_promise(f)
}

/// A promise rejected with `e`.
pub fn reject(e: Error) -> Promise {
    Promise::reject(&to_js(&e))
}
