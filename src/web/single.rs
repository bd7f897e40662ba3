//! The methods that are one request (head, get, delete, copy, the list calls, the low-level
//! multipart calls): checked at once, sent through the engine's `Call` with the same retries,
//! waits and keys as an upload's requests, and the answer shaped as the method's result.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::Blob;

use super::drive::{Data, Driver, Run};
use super::error::{promise, reject};
use super::js;
use super::shape::res;
use super::shared::Shared;
use crate::engine::call::Call;
use crate::engine::error::Error;
use crate::engine::exchange::{Answer, Request};
use crate::protocol::messages::ListedPart;

/// What a single request brought back.
pub struct Got {
    pub answer: Answer,
    /// The bucket the call went to.
    pub bucket: String,
    /// `listParts`: every part listed.
    pub parts: Vec<ListedPart>,
    /// `get()`: the body.
    pub bytes: Option<js_sys::Uint8Array>,
}

/// How a method's answer becomes its result.
pub type Shape = Box<dyn FnOnce(Got) -> Result<JsValue, Error>>;

/// What a one-request method asks for.
enum Ask {
    One(Request),
    /// `listParts`: follow ListParts' pages for (key, upload ID).
    AllParts(String, String),
}

/// A method that is one request.
pub struct Single {
    ask: Ask,
    /// The body, for `uploadPart`.
    body: Option<Blob>,
    /// `abortMultipartUpload`: forget the saved record of this upload ID too.
    forget: Option<String>,
}

impl Single {
    pub fn new(request: Request) -> Single {
        Single {
            ask: Ask::One(request),
            body: None,
            forget: None,
        }
    }

    /// Every part of upload `upload_id` of `key`, following ListParts' pages.
    pub fn all_parts(key: &str, upload_id: String) -> Single {
        Single {
            ask: Ask::AllParts(key.into(), upload_id),
            body: None,
            forget: None,
        }
    }

    pub fn with_body(mut self, body: Blob) -> Single {
        self.body = Some(body);
        self
    }

    /// Forgets the saved record of `upload_id` once the request succeeds.
    pub fn forgetting(mut self, upload_id: String) -> Single {
        self.forget = Some(upload_id);
        self
    }
}

/// `{res}`.
pub fn only_res() -> Shape {
    Box::new(|g| Ok(js::object(&[("res", res(&g.answer))]).into()))
}

/// A method that is one request: `made` is checked at once, then the request sent and its
/// answer shaped as the method's result.
pub fn call(shared: &Rc<Shared>, o: JsValue, made: Result<(Single, Shape), Error>) -> Promise {
    let made = made.and_then(|m| Ok((m, Run::new(shared, &o)?)));
    match made {
        Ok(((single, shape), run)) => promise(async move { Ok(shape(send(single, run).await?)?) }),
        Err(e) => reject(e),
    }
}

/// One request through the engine: what came back, with every part listed for
/// `listParts`.
pub async fn send(single: Single, run: Run) -> Result<Got, Error> {
    let (policy, timeout) = (run.shared.o.retry, run.timeout_ms);
    let mut call = match single.ask {
        Ask::AllParts(key, upload_id) => {
            Call::all_parts(&key, &upload_id, policy, timeout, js::seed())
        }
        Ask::One(request) => Call::new(request, policy, timeout, js::seed()),
    };
    let (shared, bucket) = (run.shared.clone(), run.signing.bucket.clone());
    let data = single.body.map_or(Data::None, Data::file);
    let driver = Driver::new(run, data).first();
    driver.run(&mut call).await;
    let (answer, parts) = call
        .take_result()
        .unwrap_or_else(|| (Err(Error::cancelled()), Vec::new()));
    if let (Some(upload_id), true) = (&single.forget, answer.is_ok()) {
        shared.saved.forget_upload(upload_id).await;
    }
    Ok(Got {
        answer: answer?,
        bucket,
        parts,
        bytes: driver.take_bytes(),
    })
}
