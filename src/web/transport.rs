//! One OSS request: signed, sent with `fetch` (the global one, so it works in workers too),
//! bounded by a timeout, aborted at once by the caller's signal, read into an [`Error`] when
//! OSS refuses it, and retried as `engine::retry` decides.

use std::cell::Cell;
use std::rc::Rc;

use base64::Engine;
use futures::future::{select, Either};
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Blob, Headers, Request, RequestInit, Response};

use crate::engine::retry::{Decision, Failed, Policy};
use crate::protocol::endpoint::Endpoint;
use crate::protocol::error::OssError;
use crate::protocol::request::{Credentials, RequestParts};
use crate::protocol::{sign_v1, sign_v4, time};

use super::credentials::Signer;
use super::error::Error;
use super::js;
use super::options::check_header;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> Promise;

    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any)]
    pub(crate) fn abort_signal_any(signals: &js_sys::Array) -> AbortSignal;
}

#[wasm_bindgen(module = "/src/web/xhr.js")]
extern "C" {
    #[wasm_bindgen(js_name = xhrFetch)]
    fn xhr_fetch(
        url: &str,
        method: &str,
        headers: &Headers,
        body: &JsValue,
        signal: &AbortSignal,
        on_progress: Option<&js_sys::Function>,
    ) -> Promise;
}

pub enum Body {
    Empty,
    Blob(Blob),
    Text(String),
}

/// A request before signing. `key` is `None` for bucket-level requests.
pub struct Spec {
    pub method: &'static str,
    pub key: Option<String>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Told the body's bytes sent so far, as they go (XHR transport only).
    pub on_progress: Option<js_sys::Function>,
}

impl Spec {
    pub fn new(method: &'static str, key: Option<&str>) -> Spec {
        Spec {
            method,
            key: key.map(String::from),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            on_progress: None,
        }
    }

    pub fn query(mut self, name: &str, value: impl Into<String>) -> Spec {
        self.query.push((name.to_string(), value.into()));
        self
    }

    /// Adds those of `names` that the caller's `options` object holds, as query parameters.
    pub fn query_from(mut self, options: &JsValue, names: &[&str]) -> Result<Spec, Error> {
        for name in names {
            if let Some(v) = super::js::get(options, name) {
                let v = v
                    .as_string()
                    .or_else(|| v.as_f64().map(|n| (n as u64).to_string()))
                    .ok_or_else(|| Error::argument(format!("query.{name} must be a string")))?;
                self = self.query(name, v);
            }
        }
        Ok(self)
    }
}

/// A successful answer. The timeout stays armed until it is dropped, so reading the body
/// is bounded too.
pub struct Reply {
    pub status: u16,
    pub response: Response,
    _timer: Timeout,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.response.headers().get(name).ok().flatten()
    }

    pub fn request_id(&self) -> String {
        self.header("x-oss-request-id").unwrap_or_default()
    }

    pub async fn text(&self) -> Result<String, Error> {
        let promise = self
            .response
            .text()
            .map_err(|_| Error::bad_response(self.status, "the body was already read"))?;
        JsFuture::from(promise)
            .await
            .map_err(|_| Error::network("the connection dropped while reading the answer"))?
            .as_string()
            .ok_or_else(|| Error::bad_response(self.status, "the body is not text"))
    }

    /// The body read as text and parsed by one of `protocol::messages`' readers.
    pub async fn parse<T>(&self, read: fn(&str) -> Result<T, String>) -> Result<T, Error> {
        read(&self.text().await?).map_err(|e| Error::bad_response(self.status, &e))
    }

    pub async fn bytes(&self) -> Result<js_sys::Uint8Array, Error> {
        let promise = self
            .response
            .array_buffer()
            .map_err(|_| Error::bad_response(self.status, "the body was already read"))?;
        let buffer = JsFuture::from(promise)
            .await
            .map_err(|_| Error::network("the connection dropped while reading the answer"))?;
        Ok(js_sys::Uint8Array::new(&buffer))
    }

    /// The answer's headers as a plain object with lower-case names, like ali-oss's `res.headers`.
    pub fn headers_object(&self) -> js_sys::Object {
        let out = js_sys::Object::new();
        if let Ok(Some(iter)) = js_sys::try_iter(&self.response.headers()) {
            for entry in iter.flatten() {
                let pair: js_sys::Array = entry.unchecked_into();
                let _ = js_sys::Reflect::set(&out, &pair.get(0), &pair.get(1));
            }
        }
        out
    }
}

/// What one call (an upload, a head, …) runs under: its abort signal and timeout.
#[derive(Clone)]
pub struct Control {
    pub signal: AbortSignal,
    /// Per-request timeout for this call, overriding the client's.
    pub timeout_ms: Option<u32>,
}

pub struct Transport {
    /// Signs requests for keys the page does not hold (the `signer` option).
    pub backend: Option<js_sys::Function>,
    pub endpoint: Endpoint,
    pub bucket: String,
    pub region: String,
    pub v4: bool,
    pub timeout_ms: u32,
    pub retry: Policy,
    pub signer: Rc<Signer>,
    /// Send with XMLHttpRequest rather than fetch, for byte-level upload progress.
    pub xhr: bool,
}

/// A request's own outcome, before retrying.
enum Attempt {
    Done(Reply),
    Failed(Error, Failed),
}

/// Sleeps, but wakes at once if `signal` aborts. `false` if it was aborted.
async fn sleep(ms: u64, signal: &AbortSignal) -> bool {
    if signal.aborted() {
        return false;
    }
    let aborted = Promise::new(&mut |resolve, _| {
        let _ = signal.add_event_listener_with_callback("abort", &resolve);
    });
    let timer = TimeoutFuture::new(ms.min(u64::from(u32::MAX)) as u32);
    matches!(
        select(Box::pin(timer), JsFuture::from(aborted)).await,
        Either::Left(_)
    )
}

impl Transport {
    /// Sends `spec`, retrying as the policy says, until it succeeds, fails for good, or
    /// `signal` aborts (then the request in flight is aborted too, at once).
    pub async fn send(&self, spec: &Spec, control: &Control) -> Result<Reply, Error> {
        let signal = &control.signal;
        let timeout_ms = control.timeout_ms.unwrap_or(self.timeout_ms);
        let (mut retries, mut refreshes, mut corrections) = (0u32, 0u32, 0u32);
        loop {
            if signal.aborted() {
                return Err(Error::cancelled());
            }
            let creds = match self.backend {
                Some(_) => None,
                None => Some(self.signer.credentials().await?),
            };
            let outcome = self
                .attempt(spec, creds.as_ref(), signal, timeout_ms)
                .await?;
            let (error, failed) = match outcome {
                Attempt::Done(reply) => return Ok(reply),
                Attempt::Failed(error, failed) => (error, failed),
            };
            // A backend signs afresh each time, so an expired token it added is mended by
            // simply trying again.
            let can_refresh = self.backend.is_some() || self.signer.can_refresh();
            let decision = self
                .retry
                .decide(&failed, retries, js_sys::Math::random(), can_refresh);
            match decision {
                Decision::RetryAfter(ms) => {
                    retries += 1;
                    if !sleep(ms, signal).await {
                        return Err(Error::cancelled());
                    }
                }
                Decision::RefreshCredentials if refreshes < 2 => {
                    refreshes += 1;
                    if let Some(creds) = &creds {
                        self.signer.refresh(creds.security_token.as_deref()).await?;
                    }
                }
                Decision::CorrectClock
                    if corrections < 1 && self.signer.correct_clock(error.extra("ServerTime")) =>
                {
                    corrections += 1;
                }
                _ => return Err(error),
            }
        }
    }

    /// The request as it will be signed: its parts, with a Content-Type named for any body.
    fn prepare(&self, spec: &Spec) -> RequestParts {
        let mut parts = RequestParts {
            method: spec.method.to_string(),
            bucket: Some(self.bucket.clone()),
            key: spec.key.clone(),
            query: spec.query.clone(),
            headers: spec.headers.clone(),
        };
        // A browser gives a body without a Content-Type one of its own after signing;
        // naming (and so signing) one keeps the signature valid.
        if !matches!(spec.body, Body::Empty) && parts.header("content-type").is_none() {
            parts.set_header("content-type", "application/octet-stream");
        }
        parts
    }

    fn sign_locally(&self, mut parts: RequestParts, creds: &Credentials) -> RequestParts {
        let now = self.signer.now_secs();
        if self.v4 {
            sign_v4::sign(&mut parts, creds, &time::iso8601_basic(now), &self.region);
        } else {
            sign_v1::sign(&mut parts, creds, &time::rfc1123(now));
        }
        parts
    }

    /// Has the `signer` sign the request: it gets the request (with `x-oss-date` from this
    /// page's clock, as corrected by the server) and what V1 or V4 would sign, and returns the
    /// `Authorization` header, or `{authorization, headers}` to add headers it signed too
    /// (an STS token, say).
    async fn sign_by_backend(
        &self,
        signer: &js_sys::Function,
        mut parts: RequestParts,
    ) -> Result<RequestParts, Error> {
        let now = self.signer.now_secs();
        let date = if self.v4 {
            parts.set_header("x-oss-content-sha256", sign_v4::UNSIGNED_PAYLOAD);
            time::iso8601_basic(now)
        } else {
            time::rfc1123(now)
        };
        parts.set_header("x-oss-date", date.clone());
        let headers = js_sys::Object::new();
        for (k, v) in &parts.headers {
            js::set(&headers, &k.to_ascii_lowercase(), v.as_str());
        }
        let subresources = js_sys::Object::new();
        for (k, v) in &parts.query {
            js::set(&subresources, k, v.as_str());
        }
        let (string_to_sign, canonical) = if self.v4 {
            let canonical = sign_v4::canonical_request(&parts, &[]);
            (
                sign_v4::string_to_sign(&canonical, &date, &self.region),
                canonical,
            )
        } else {
            (sign_v1::string_to_sign(&parts, &date), String::new())
        };
        let request = js::object(&[
            ("method", parts.method.as_str().into()),
            ("bucket", self.bucket.as_str().into()),
            ("key", parts.key.as_deref().unwrap_or("").into()),
            ("subresources", subresources.into()),
            ("headers", headers.into()),
            ("version", if self.v4 { "v4" } else { "v1" }.into()),
            ("region", self.region.as_str().into()),
            ("stringToSign", string_to_sign.into()),
        ]);
        if self.v4 {
            js::set(&request, "canonicalRequest", canonical);
        }
        let signed = js::call_and_await(signer, &[request.into()])
            .await
            .map_err(|e| {
                let why = js_sys::Error::from(e)
                    .message()
                    .as_string()
                    .unwrap_or_default();
                Error::credentials(format!("the signer failed: {why}"))
            })?;
        let authorization = signed
            .as_string()
            .or_else(|| js::get(&signed, "authorization").and_then(|a| a.as_string()))
            .ok_or_else(|| {
                Error::credentials(
                    "the signer must resolve to the Authorization header, or {authorization, headers}",
                )
            })?;
        if let Some(extra) = js::get(&signed, "headers") {
            let extra: &js_sys::Object = extra.unchecked_ref();
            for entry in js_sys::Object::entries(extra).iter() {
                let pair: js_sys::Array = entry.unchecked_into();
                let (name, value) = (
                    pair.get(0).as_string().unwrap_or_default(),
                    pair.get(1).as_string().unwrap_or_default(),
                );
                check_header(&name, &value)?;
                parts.set_header(&name, value);
            }
        }
        check_header("authorization", &authorization)?;
        parts.set_header("authorization", authorization);
        Ok(parts)
    }

    /// One try. `Err` only for what no retry can mend (a header the browser refuses).
    async fn attempt(
        &self,
        spec: &Spec,
        creds: Option<&Credentials>,
        signal: &AbortSignal,
        timeout_ms: u32,
    ) -> Result<Attempt, Error> {
        let prepared = self.prepare(spec);
        let parts = match (creds, &self.backend) {
            (Some(creds), _) => self.sign_locally(prepared, creds),
            (None, Some(signer)) => self.sign_by_backend(signer, prepared).await?,
            (None, None) => return Err(Error::credentials("no credentials and no signer")),
        };
        let headers = Headers::new().map_err(|_| Error::argument("cannot create Headers"))?;
        for (name, value) in &parts.headers {
            headers.set(name, value).map_err(|_| {
                Error::argument(format!(
                    "the browser refuses header {name:?}: check its value"
                ))
            })?;
        }
        let controller =
            AbortController::new().map_err(|_| Error::argument("AbortController is missing"))?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let (flag, controller) = (timed_out.clone(), controller.clone());
            Timeout::new(timeout_ms, move || {
                flag.set(true);
                controller.abort();
            })
        };
        let signals = js_sys::Array::of2(&controller.signal(), signal);
        let either = abort_signal_any(&signals);
        let body = match &spec.body {
            Body::Empty => JsValue::UNDEFINED,
            Body::Blob(blob) => blob.into(),
            Body::Text(text) => JsValue::from_str(text),
        };
        let url = self
            .endpoint
            .url(&self.bucket, spec.key.as_deref(), &spec.query);
        let sent = if self.xhr {
            let progress = spec.on_progress.as_ref();
            xhr_fetch(&url, spec.method, &headers, &body, &either, progress)
        } else {
            let init = RequestInit::new();
            init.set_method(spec.method);
            init.set_headers(&headers);
            init.set_signal(Some(&either));
            if !body.is_undefined() {
                init.set_body(&body);
            }
            let request = Request::new_with_str_and_init(&url, &init)
                .map_err(|_| Error::argument(format!("the browser refuses the URL {url}")))?;
            global_fetch(&request)
        };
        let response = match JsFuture::from(sent).await {
            Ok(r) => r.unchecked_into::<Response>(),
            Err(e) => {
                return Ok(if signal.aborted() {
                    return Err(Error::cancelled());
                } else if timed_out.get() {
                    Attempt::Failed(Error::timeout(timeout_ms), Failed::Timeout)
                } else {
                    let detail = js_sys::Error::from(e)
                        .message()
                        .as_string()
                        .unwrap_or_default();
                    Attempt::Failed(Error::network(&detail), Failed::Network)
                });
            }
        };
        let reply = Reply {
            status: response.status(),
            response,
            _timer: timer,
        };
        if (200..300).contains(&reply.status) {
            return Ok(Attempt::Done(reply));
        }
        let error = self.read_error(&reply, spec.method).await;
        let failed = Failed::Http {
            status: error.status,
            code: error.code.clone(),
        };
        Ok(Attempt::Failed(
            scrub(error, parts.header("x-oss-security-token")),
            failed,
        ))
    }

    pub async fn read_error(&self, reply: &Reply, method: &str) -> Error {
        let xml = if method == "HEAD" {
            reply
                .header("x-oss-err")
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok())
        } else {
            reply.text().await.ok()
        };
        match xml.and_then(|x| OssError::parse(reply.status, &x)) {
            Some(e) => Error::from_oss(e),
            None => Error::from_status(reply.status, reply.request_id()),
        }
    }
}

/// OSS echoes the string it signed, which holds the STS token: keep it out of errors.
fn scrub(mut error: Error, token: Option<&str>) -> Error {
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        error.message = error.message.replace(token, "<security-token>");
        for (_, v) in error.extra.iter_mut() {
            *v = v.replace(token, "<security-token>");
        }
    }
    error
}
