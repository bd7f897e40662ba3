//! Carries out one `Send`: the backend signer (if any) signs it, `fetch` (or XMLHttpRequest,
//! for byte-level progress) sends it, bounded by the engine's timeout and aborted at once by
//! a cancel, the body hashed meanwhile when asked; the answer is read into an `Outcome`.
//! What the outcome means is the engine's business.

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;

use js_sys::{Array, Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Blob, Headers, Response};

use super::options::check_header;
use super::{hash, js};
use crate::engine::error::Error;
use crate::engine::exchange::{Answer, Outcome, Outgoing, Read};
use crate::engine::link::Liveness;
use crate::text;

#[wasm_bindgen(module = "/src/web/xhr.js")]
extern "C" {
    /// `fetch` over XMLHttpRequest: the same promise of a Response, plus the request body's
    /// bytes as they go out.
    #[wasm_bindgen(js_name = xhrFetch)]
    fn xhr_fetch(
        url: &str,
        method: &str,
        headers: &Headers,
        body: &JsValue,
        signal: &AbortSignal,
        on_progress: &JsValue,
    ) -> Promise;
}

/// What a request needs beyond the engine's `Outgoing`.
pub struct Target {
    pub url: String,
    /// A Blob (a File's slice or a stream's part), a form, a string, or undefined.
    pub body: JsValue,
    /// The bytes whose CRC64 the answer's is checked against: the body, or a form's file.
    pub hashed: Option<Blob>,
    /// Or that CRC64 itself, known before sending (a stream's part, hashed as it was read).
    pub crc64: Option<u64>,
    /// For a File's part: the whole file and its planned size, to tell an unreadable file
    /// from a network failure.
    pub file: Option<(Blob, u64)>,
    pub xhr: bool,
    /// The backend signer, with the region V4 signs for.
    pub signer: Option<(Function, String)>,
    /// The operation's cancel; `None` for what a cancel must not stop.
    pub cancel: Option<AbortSignal>,
    /// Told the bytes of the body sent so far, where XHR shows them.
    pub on_sent: Option<Box<dyn Fn(u64)>>,
    /// Header values go out, and come back, as one Latin-1 character per byte of their UTF-8
    /// (ali-oss's `headerEncoding: 'latin1'`).
    pub latin1: bool,
}

/// The answer's bytes, for `get()`.
pub type Bytes = Option<Uint8Array>;

pub async fn send(o: &Outgoing, t: Target) -> (Outcome, Bytes) {
    match attempt(o, t).await {
        Ok(r) => r,
        Err(e) => (Outcome::Refused(e), None),
    }
}

async fn attempt(o: &Outgoing, mut t: Target) -> Result<(Outcome, Bytes), Error> {
    let started = js::now_ms();
    let controller = AbortController::new().map_err(|_| Error::argument("no AbortController"))?;
    let timed_out = Rc::new(Cell::new(false));
    // Stays armed after the answer, until this returns: reading its body is bounded too.
    // Where XHR shows the body going out, a request is dead only after `timeout` without a
    // byte; where fetch hides it, after its deadline for its size on this link.
    let deadline = {
        let (flag, c) = (timed_out.clone(), controller.clone());
        let ms = if t.xhr { o.timeout_ms } else { o.deadline_ms };
        Rc::new(js::Timeout::new(ms, move || {
            flag.set(true);
            c.abort();
        }))
    };
    let on_progress = t.xhr.then(|| {
        let deadline = deadline.clone();
        let on_sent = t.on_sent.take();
        let mut liveness = Liveness::new(o.body.size(), o.timeout_ms, o.deadline_ms, started);
        Closure::<dyn FnMut(f64)>::new(move |sent: f64| {
            deadline.restart(liveness.progress(sent as u64, js::now_ms()));
            if let Some(f) = &on_sent {
                f(sent as u64);
            }
        })
    });
    let signal = match &t.cancel {
        Some(cancel) => AbortSignal::any(&Array::of2(&controller.signal(), cancel)),
        None => controller.signal(),
    };
    let mut headers = o.parts.headers.clone();
    if let (Some(to_sign), Some((signer, region))) = (&o.backend, &t.signer) {
        // Bounded and cancellable like the request: a signer that never answers would hold
        // one of the client's connections for good.
        let signing = sign_by_backend(o, to_sign, signer, region);
        match until_aborted(signing, &signal).await {
            Some(signed) => headers = signed?,
            None if timed_out.get() => return Ok((Outcome::Timeout, None)),
            None => return Ok((failed(&"cancelled while signing".into(), &t).await, None)),
        }
    }
    let h = headers_of(&headers, t.latin1)?;
    let on_progress = (on_progress.as_ref()).map_or(JsValue::UNDEFINED, |p| p.as_ref().clone());
    let pending = JsFuture::from(start(o, &t, &h, &signal, &on_progress));
    let (result, crc64) = match hashing(o, &t, pending).await {
        Hashed::Unreadable => {
            controller.abort();
            return Ok((unreadable(), None));
        }
        Hashed::Failed(r) => {
            // Failed before the body was read through: what failed is the request.
            controller.abort();
            (r, None)
        }
        Hashed::Answered(r, crc64) => (r, crc64),
    };
    let outcome = match result {
        Ok(response) => read(response.unchecked_into(), o, crc64, t.latin1)
            .await
            .map(|(mut outcome, bytes)| {
                if let Outcome::Answer(a) = &mut outcome {
                    a.url = t.url.clone();
                    a.rt_ms = (js::now_ms() - started) as u32;
                }
                (outcome, bytes)
            }),
        Err(_) if timed_out.get() => Ok((Outcome::Timeout, None)),
        Err(e) => Ok((failed(&e, &t).await, None)),
    };
    match outcome {
        Err(()) if timed_out.get() => Ok((Outcome::Timeout, None)),
        Err(()) => Ok((
            Outcome::Network {
                detail: "the connection dropped while reading the answer".into(),
                offline: js::offline(),
                unreadable: false,
            },
            None,
        )),
        Ok(r) => Ok(r),
    }
}

/// `f`'s output, or `None` once `signal` aborts first.
async fn until_aborted<T>(f: impl Future<Output = T>, signal: &AbortSignal) -> Option<T> {
    let aborted = Promise::new(&mut |resolve, _| {
        let _ = signal.add_event_listener_with_callback("abort", &resolve);
    });
    if signal.aborted() {
        return None;
    }
    let (mut f, mut aborted) = (pin!(f), pin!(JsFuture::from(aborted)));
    poll_fn(|cx| match f.as_mut().poll(cx) {
        Poll::Ready(out) => Poll::Ready(Some(out)),
        Poll::Pending => aborted.as_mut().poll(cx).map(|_| None),
    })
    .await
}

/// The request's headers as the browser takes them; with `latin1`, each value outside ASCII
/// as its UTF-8 bytes, a character each, which Chromium and Firefox send as those bytes.
fn headers_of(headers: &[(String, String)], latin1: bool) -> Result<Headers, Error> {
    let h = Headers::new().map_err(|_| Error::argument("no Headers in this context"))?;
    for (k, v) in headers {
        let v = match latin1 && !v.is_ascii() {
            true => v.bytes().map(char::from).collect(),
            false => v.clone(),
        };
        h.set(k, &v).map_err(|_| {
            Error::argument(text::fill(
                "the browser refuses header {}: check its value",
                &[&js::quoted(k)],
            ))
        })?;
    }
    Ok(h)
}

/// Sends the request by fetch or XHR: the promise of its Response.
fn start(
    o: &Outgoing,
    t: &Target,
    h: &Headers,
    signal: &AbortSignal,
    on_progress: &JsValue,
) -> Promise {
    if t.xhr {
        return xhr_fetch(&t.url, &o.parts.method, h, &t.body, signal, on_progress);
    }
    // A plain object, set as web-sys's RequestInit setters would: one import for all.
    let init = js::object(&[
        ("method", o.parts.method.as_str().into()),
        ("headers", h.into()),
        ("signal", signal.into()),
        // OSS, not the browser's cache, answers: a cached object revalidated by its date
        // alone reads as unchanged when it was replaced within the same second, and a
        // downloaded object is not kept a second time on disk. A caller's own conditional
        // headers still reach OSS, and its 304 reaches the caller.
        ("cache", "no-store".into()),
    ]);
    if !t.body.is_undefined() {
        js::set(&init, "body", &t.body);
    }
    js::fetch(&t.url, &init)
}

/// How the request and the hashing of its body ended.
enum Hashed {
    /// The answer (or its failure), with our CRC64 of the body when asked for.
    Answered(Result<JsValue, JsValue>, Option<u64>),
    /// The request failed before its body was hashed through.
    Failed(Result<JsValue, JsValue>),
    /// The body could not be read.
    Unreadable,
}

/// Awaits the answer, hashing the body meanwhile when asked: the browser sends it while it
/// is read, and a request that fails first is reported at once, not after the whole body.
async fn hashing(o: &Outgoing, t: &Target, answer: JsFuture) -> Hashed {
    let mut answer = pin!(answer);
    let blob = t.hashed.as_ref().filter(|_| o.hash);
    let Some(blob) = blob else {
        return Hashed::Answered(answer.await, t.crc64.filter(|_| o.hash));
    };
    let mut answered = None;
    let mut hashing = pin!(hash::crc64_of(blob));
    // Err: the request failed before the body was hashed through.
    let hashed = poll_fn(|cx| {
        if answered.is_none() {
            if let Poll::Ready(r) = answer.as_mut().poll(cx) {
                if r.is_err() {
                    return Poll::Ready(Err(r));
                }
                answered = Some(r);
            }
        }
        hashing.as_mut().poll(cx).map(Ok)
    })
    .await;
    match hashed {
        Err(r) => Hashed::Failed(r),
        Ok(Err(_)) => Hashed::Unreadable,
        Ok(Ok(crc)) => match answered {
            Some(r) => Hashed::Answered(r, Some(crc)),
            None => Hashed::Answered(answer.await, Some(crc)),
        },
    }
}

/// A request that failed without an answer: the network, or a file no longer readable.
async fn failed(e: &JsValue, t: &Target) -> Outcome {
    let gone = match &t.file {
        Some((file, size)) => !hash::readable(file, *size).await,
        None => false,
    };
    Outcome::Network {
        detail: js::message_of(e),
        offline: js::offline(),
        unreadable: gone,
    }
}

/// A header value Chromium or Firefox read, one character per byte, back as the UTF-8 text
/// it carries (an x-oss-meta-* another client stored as UTF-8); any other value as it is.
/// With `latin1` the page reads the characters as they came, as ali-oss's does.
fn unwire(value: String, latin1: bool) -> String {
    if latin1 || value.is_ascii() || value.chars().any(|c| u32::from(c) > 0xFF) {
        return value;
    }
    let bytes: Vec<u8> = value.chars().map(|c| u32::from(c) as u8).collect();
    String::from_utf8(bytes).unwrap_or(value)
}

fn unreadable() -> Outcome {
    Outcome::Network {
        detail: String::new(),
        offline: false,
        unreadable: true,
    }
}

/// The answer as the engine reads it; `Err` when its body could not be read.
async fn read(
    r: Response,
    o: &Outgoing,
    crc64: Option<u64>,
    latin1: bool,
) -> Result<(Outcome, Bytes), ()> {
    let status = r.status();
    let mut headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&r.headers()) {
        for entry in entries.flatten() {
            let pair: Array = entry.unchecked_into();
            let (k, v) = (pair.get(0).as_string(), pair.get(1).as_string());
            if let (Some(k), Some(v)) = (k, v) {
                headers.push((k.to_ascii_lowercase(), unwire(v, latin1)));
            }
        }
    }
    let ok = (200..300).contains(&status);
    let mut bytes = None;
    let mut body = String::new();
    if ok && o.read == Read::Bytes {
        let buffer = JsFuture::from(r.array_buffer().map_err(|_| ())?)
            .await
            .map_err(|_| ())?;
        bytes = Some(Uint8Array::new(&buffer));
    } else if !ok || o.read == Read::Text {
        // A body that breaks off is an answer lost on the way, whatever its status: an error
        // read by its status alone would lose the code the engine decides by (a retried
        // Complete's NoSuchUpload would read as the object missing).
        let text = JsFuture::from(r.text().map_err(|_| ())?)
            .await
            .map_err(|_| ())?;
        body = text.as_string().unwrap_or_default();
    }
    let answer = Answer {
        status,
        headers,
        size: bytes
            .as_ref()
            .map_or(body.len() as u64, |b| b.length().into()),
        body,
        sent_crc64: crc64,
        ..Answer::default()
    };
    Ok((Outcome::Answer(answer), bytes))
}

/// Has the backend `signer` sign the request: it gets the request (with x-oss-date from this
/// page's clock, as corrected by the server) and what V1 or V4 would sign, and returns the
/// Authorization header, or `{authorization, headers}` to add headers it signed too.
async fn sign_by_backend(
    o: &Outgoing,
    to_sign: &crate::engine::exchange::ToSign,
    signer: &Function,
    region: &str,
) -> Result<Vec<(String, String)>, Error> {
    let pairs = |list: &[(String, String)], lower: bool| {
        let obj = Object::new();
        for (k, v) in list {
            let k = if lower {
                k.to_ascii_lowercase()
            } else {
                k.clone()
            };
            js::set(&obj, &k, v.as_str());
        }
        obj
    };
    let p = &o.parts;
    let request = js::object(&[
        ("method", p.method.as_str().into()),
        ("bucket", p.bucket.as_deref().unwrap_or("").into()),
        ("key", p.key.as_deref().unwrap_or("").into()),
        ("subresources", pairs(&p.query, false).into()),
        ("headers", pairs(&p.headers, true).into()),
        (
            "version",
            if to_sign.canonical_request.is_some() {
                "v4"
            } else {
                "v1"
            }
            .into(),
        ),
        ("region", region.into()),
        ("stringToSign", to_sign.string_to_sign.as_str().into()),
    ]);
    if let Some(c) = &to_sign.canonical_request {
        js::set(&request, "canonicalRequest", c.as_str());
    }
    let signed = js::call(signer, &[request.into()]).await.map_err(|e| {
        Error::credentials(text::fill("the signer failed: {}", &[&js::message_of(&e)]))
    })?;
    let authorization = signed
        .as_string()
        .or_else(|| js::get(&signed, "authorization").and_then(|a| a.as_string()))
        .ok_or_else(|| {
            Error::credentials(
                "the signer must resolve to the Authorization, or {authorization, headers}",
            )
        })?;
    let mut headers = p.headers.clone();
    let mut set = |name: String, value: String| -> Result<(), Error> {
        check_header(&name, &value, false)?;
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        headers.push((name, value));
        Ok(())
    };
    if let Some(extra) = js::get(&signed, "headers").filter(|_| !signed.is_string()) {
        for entry in Object::entries(extra.unchecked_ref()).iter() {
            let pair: Array = entry.unchecked_into();
            let value = pair.get(1);
            let value = js::text(&value);
            set(pair.get(0).as_string().unwrap_or_default(), value)?;
        }
    }
    set("authorization".into(), authorization)?;
    Ok(headers)
}
