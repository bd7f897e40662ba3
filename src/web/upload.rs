//! The one upload engine. `put`, `multipartUpload` and resuming all come here: a file that fits
//! in one part is a single PutObject, anything larger is Initiate (or a checkpoint checked
//! against ListParts), up to `parallel` UploadParts at a time, then Complete.
//!
//! A File's parts are `Blob.slice`s handed to `fetch` as they are: the file's bytes are never
//! copied into wasm memory or the JS heap. A stream's parts are read one at a time as the
//! engine asks for them (`stream.rs`). A part that fails for good does not stop the parts in
//! flight; the checkpoint holds every part that succeeded and travels with the error.

use futures::stream::{FuturesUnordered, StreamExt};
use js_sys::{Function, Object};
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, Blob, ReadableStream};

use std::cell::Cell;
use std::rc::Rc;

use crate::engine::checkpoint::{reconcile, Checkpoint, DonePart, DoneParts};
use crate::engine::plan::Plan;
use crate::engine::saved::SavedUpload;
use crate::protocol::messages;

use super::callback;
use super::checkpoint;
use super::error::Error;
use super::hash;
use super::js;
use super::live::Live;
use super::lock::Held;
use super::saved::SavedUploads;
use super::stream::StreamParts;
use super::transport::{Body, Control, Reply, Spec, Transport};

/// Where an upload's bytes come from.
pub enum Source {
    /// A File or Blob: any part can be sliced at any time, so the upload can resume.
    Blob(Blob),
    /// A stream: read once, in order. Its plan's size is `contentLength`, or 0 when unknown.
    Stream(ReadableStream),
}

pub struct Job {
    pub name: String,
    pub source: Source,
    /// What the user passed, returned as the checkpoint's `file`.
    pub file: JsValue,
    pub plan: Plan,
    /// Object headers (type, meta, user headers), sent with PutObject or Initiate.
    pub headers: Vec<(String, String)>,
    pub parallel: usize,
    pub progress: Option<Function>,
    pub checkpoint: Option<Checkpoint>,
    pub control: Control,
    /// Check each part's and the object's CRC64 against the server's.
    pub crc64: bool,
    /// Keeps the checkpoint in IndexedDB as the upload goes, unless `resume: false`.
    pub saver: Option<Saver>,
    /// Byte-level progress, when the transport can tell it (XHR).
    pub live: Option<Live>,
    /// `x-oss-callback` (and `-var`), sent with the request that makes the object.
    pub callback: Vec<(String, String)>,
}

/// Writes the upload's record after init and after every part, and drops it once the object
/// exists. Holds the upload's cross-tab lock for as long as it lives.
pub struct Saver {
    pub store: Rc<SavedUploads>,
    /// Everything but the upload ID, the done parts and the time.
    pub template: SavedUpload,
    pub _lock: Held,
}

impl Saver {
    async fn save(&self, cp: &Checkpoint) {
        let mut record = self.template.clone();
        record.upload_id = cp.upload_id.clone();
        record.done = cp.done.clone();
        record.updated_at = js::now_ms();
        self.store.save(&record).await;
    }

    async fn forget(&self) {
        self.store.forget(&self.template.fingerprint).await;
    }
}

impl Job {
    /// Whether the File can still be read as planned (a stream's parts are Blobs in memory).
    async fn still_readable(&self) -> bool {
        match &self.source {
            Source::Blob(blob) => hash::readable(blob, self.plan.size).await,
            Source::Stream(_) => true,
        }
    }
}

/// The parts still to send, in order.
enum Parts {
    File { blob: Blob, plan: Plan, next: u32 },
    Stream(StreamParts),
}

impl Parts {
    fn of(job: &Job) -> Result<Parts, Error> {
        Ok(match &job.source {
            Source::Blob(blob) => Parts::File {
                blob: blob.clone(),
                plan: job.plan,
                next: 1,
            },
            Source::Stream(stream) => {
                let expected = Some(job.plan.size).filter(|s| *s > 0);
                Parts::Stream(StreamParts::new(stream, job.plan.part_size, expected)?)
            }
        })
    }

    /// The whole upload as one body, if it fits in one request.
    async fn whole(&mut self, signal: &AbortSignal) -> Result<Option<Blob>, Error> {
        match self {
            Parts::File { blob, plan, .. } => Ok(plan.single().then(|| blob.clone())),
            Parts::Stream(stream) => stream.whole(signal).await,
        }
    }

    /// The next part not in `done`, with its number.
    async fn next(
        &mut self,
        done: &DoneParts,
        signal: &AbortSignal,
    ) -> Result<Option<(u32, Blob)>, Error> {
        match self {
            Parts::File { blob, plan, next } => {
                while done.contains(*next) {
                    *next += 1;
                }
                if *next > plan.count() {
                    return Ok(None);
                }
                let number = *next;
                *next += 1;
                let (offset, len) = plan.part(number);
                let slice = blob
                    .slice_with_f64_and_f64(offset as f64, (offset + len) as f64)
                    .map_err(|_| {
                        Error::argument("the file cannot be sliced: was it closed or removed?")
                    })?;
                Ok(Some((number, slice)))
            }
            Parts::Stream(stream) => stream.next(signal).await,
        }
    }

    /// The plan the parts actually followed: a stream's length is known only at its end.
    fn actual(&self, plan: Plan) -> Plan {
        match self {
            Parts::File { .. } => plan,
            Parts::Stream(stream) => Plan {
                size: stream.total,
                ..plan
            },
        }
    }
}

pub struct Done {
    pub etag: String,
    pub reply: Reply,
    /// The callback server's answer, when the upload asked for a callback.
    pub data: Option<JsValue>,
}

impl Done {
    /// The upload's result: `first` (name, url or bucket), then `etag`, `crc64` (as OSS
    /// reported it, a decimal string, if the bucket exposes it), `res` and the callback's `data`.
    pub fn into_result(self, mut first: Vec<(&str, JsValue)>) -> JsValue {
        let crc64 = self.reply.header("x-oss-hash-crc64ecma");
        first.extend([
            ("etag", self.etag.into()),
            ("crc64", crc64.map_or(JsValue::NULL, JsValue::from)),
            ("res", res(&self.reply).into()),
            ("data", self.data.unwrap_or(JsValue::UNDEFINED)),
        ]);
        js::object(&first).into()
    }
}

thread_local! {
    static WARNED_CRC_HIDDEN: Cell<bool> = const { Cell::new(false) };
}

/// How many times a body whose CRC64 the server disputes is sent before giving up.
const CRC_TRIES: u32 = 3;

/// Sends a request whose body is `blob`, hashing the blob meanwhile when CRC64 checks are on,
/// and sends it again when the server's CRC64 of what it received differs from ours.
/// Returns the answer and our CRC64 of the body.
async fn send_checked(
    t: &Transport,
    job: &Job,
    spec: &Spec,
    blob: &Blob,
    what: &str,
) -> Result<(Reply, Option<u64>), Error> {
    let mut last = None;
    for _ in 0..CRC_TRIES {
        let (sent, ours) = if job.crc64 {
            let (sent, ours) = futures::join!(t.send(spec, &job.control), hash::crc64_of(blob));
            (sent, Some(ours?))
        } else {
            (t.send(spec, &job.control).await, None)
        };
        let reply = match sent {
            Ok(reply) => reply,
            Err(e) if e.name == "RequestError" && !job.still_readable().await => {
                return Err(Error::file_unreadable())
            }
            Err(e) => return Err(e),
        };
        let theirs = reply
            .header("x-oss-hash-crc64ecma")
            .and_then(|c| c.trim().parse::<u64>().ok());
        match (ours, theirs) {
            (Some(ours), Some(theirs)) if ours != theirs => {
                last = Some(Error::inconsistent(what, ours, theirs));
                continue;
            }
            (Some(_), None) if !WARNED_CRC_HIDDEN.replace(true) => {
                web_sys::console::warn_1(&"oss-browser-upload: OSS's x-oss-hash-crc64ecma header is not exposed by the bucket's CORS rule, so uploads cannot be checked end to end: add it to ExposeHeaders.".into());
            }
            _ => {}
        }
        return Ok((reply, ours));
    }
    Err(last.unwrap_or_else(|| Error::inconsistent(what, 0, 0)))
}

/// `res` as ali-oss gives it: `{status, headers, requestId}`.
pub fn res(reply: &Reply) -> Object {
    js::object(&[
        ("status", reply.status.into()),
        ("headers", reply.headers_object().into()),
        ("requestId", reply.request_id().into()),
    ])
}

/// Calls `progress(p, checkpoint, res)`, awaiting it if it returns a promise. `p` reaches 1
/// only once Complete succeeded.
async fn report(
    job: &Job,
    p: f64,
    cp: Option<&Checkpoint>,
    reply: Option<&Reply>,
) -> Result<(), Error> {
    let Some(f) = &job.progress else {
        return Ok(());
    };
    let cp = cp.map_or(JsValue::NULL, |cp| checkpoint::to_js(cp, &job.file));
    let p = match &job.live {
        Some(live) => live.per_part(p, &cp),
        None => p,
    };
    let res = reply.map_or(JsValue::NULL, |r| res(r).into());
    js::call_and_await(f, &[p.into(), cp, res])
        .await
        .map(|_| ())
        .map_err(|e| {
            let message = js_sys::Error::from(e)
                .message()
                .as_string()
                .unwrap_or_default();
            Error::argument(format!("the progress callback threw: {message}"))
        })
}

fn fraction(cp: &Checkpoint, plan: &Plan) -> f64 {
    if plan.size == 0 {
        return 0.0;
    }
    // Never 1 before Complete has answered: 100 % means the object exists.
    (cp.bytes_done(plan) as f64 / plan.size as f64).min(0.9999)
}

pub async fn run(t: &Transport, mut job: Job) -> Result<Done, Error> {
    let mut parts = Parts::of(&job)?;
    if t.xhr && job.plan.size > 0 {
        job.live = job.progress.clone().map(|f| Live::new(f, job.plan.size));
    }
    if job.checkpoint.is_none() {
        if let Some(body) = parts.whole(&job.control.signal).await? {
            return single(t, &job, body).await;
        }
    }
    match multipart(t, job, &mut parts).await {
        Ok(done) => Ok(done),
        Err(e) => {
            if let Parts::Stream(stream) = &parts {
                stream.cancel();
            }
            Err(e)
        }
    }
}

async fn single(t: &Transport, job: &Job, body: Blob) -> Result<Done, Error> {
    let mut spec = Spec::new("PUT", Some(&job.name));
    spec.headers = job.headers.clone();
    spec.headers.extend(job.callback.iter().cloned());
    spec.body = Body::Blob(body.clone());
    spec.on_progress = job.live.as_ref().map(|l| l.hook(1));
    let (reply, _) = send_checked(t, job, &spec, &body, "the object").await?;
    let etag = reply.header("etag").ok_or_else(Error::etag_not_exposed)?;
    let data = called_back(t, job, &reply).await?;
    report(job, 1.0, None, Some(&reply)).await?;
    Ok(Done { etag, reply, data })
}

/// The callback server's answer, if the job asked for a callback.
async fn called_back(t: &Transport, job: &Job, reply: &Reply) -> Result<Option<JsValue>, Error> {
    if job.callback.is_empty() {
        return Ok(None);
    }
    callback::outcome(t, reply).await.map(Some)
}

/// Every part the server holds for an upload, following ListParts' pages.
pub async fn list_all_parts(
    t: &Transport,
    name: &str,
    upload_id: &str,
    control: &Control,
) -> Result<Vec<messages::ListedPart>, Error> {
    let mut parts = Vec::new();
    let mut marker = 0;
    loop {
        let spec = Spec::new("GET", Some(name))
            .query("uploadId", upload_id)
            .query("max-parts", "1000")
            .query("part-number-marker", marker.to_string());
        let reply = t.send(&spec, control).await?;
        let page = reply.parse(messages::parse_list_parts).await?;
        parts.extend(page.parts);
        if !page.truncated || page.next_marker <= marker {
            return Ok(parts);
        }
        marker = page.next_marker;
    }
}

/// Where a saved or given checkpoint stands on the server.
enum Resumed {
    /// The upload goes on; its done parts are the server's.
    Continue(Checkpoint),
    /// The upload is gone: start afresh.
    Gone,
    /// The upload was completed, though whoever completed it (a page reloaded just after
    /// Complete) never learnt it: the object is there with the checkpoint's size and CRC64.
    Finished(Done),
}

async fn resume(t: &Transport, job: &Job, mut cp: Checkpoint) -> Result<Resumed, Error> {
    cp.fits(&job.name, job.plan.size).map_err(Error::argument)?;
    match list_all_parts(t, &job.name, &cp.upload_id, &job.control).await {
        Ok(listed) => {
            cp.done = reconcile(&job.plan, &listed);
            Ok(Resumed::Continue(cp))
        }
        Err(e) if e.code == "NoSuchUpload" => Ok(match finished_already(t, job, &cp).await {
            Some(done) => Resumed::Finished(done),
            None => Resumed::Gone,
        }),
        Err(e) => Err(e),
    }
}

/// The completed object, if it is exactly what the checkpoint's parts make up.
async fn finished_already(t: &Transport, job: &Job, cp: &Checkpoint) -> Option<Done> {
    let expected = cp.combined_crc64(&job.plan)?;
    let reply = t
        .send(&Spec::new("HEAD", Some(&job.name)), &job.control)
        .await
        .ok()?;
    let size: u64 = reply.header("content-length")?.trim().parse().ok()?;
    let crc: u64 = reply.header("x-oss-hash-crc64ecma")?.trim().parse().ok()?;
    if size != job.plan.size || crc != expected {
        return None;
    }
    let etag = reply.header("etag")?;
    Some(Done {
        etag,
        reply,
        data: None,
    })
}

async fn initiate(t: &Transport, job: &Job) -> Result<(Checkpoint, Reply), Error> {
    let mut spec = Spec::new("POST", Some(&job.name)).query("uploads", "");
    spec.headers = job.headers.clone();
    let reply = t.send(&spec, &job.control).await?;
    let upload_id = reply.parse(messages::parse_initiate).await?;
    let cp = Checkpoint {
        name: job.name.clone(),
        file_size: job.plan.size,
        part_size: job.plan.part_size,
        upload_id,
        done: Default::default(),
    };
    Ok((cp, reply))
}

async fn upload_part(
    t: &Transport,
    job: &Job,
    upload_id: &str,
    number: u32,
    slice: Blob,
) -> Result<(DonePart, Reply), Error> {
    let mut spec = Spec::new("PUT", Some(&job.name))
        .query("partNumber", number.to_string())
        .query("uploadId", upload_id);
    spec.body = Body::Blob(slice.clone());
    spec.on_progress = job.live.as_ref().map(|l| l.hook(number));
    let what = format!("part {number}");
    let (reply, crc64) = send_checked(t, job, &spec, &slice, &what).await?;
    let etag = reply.header("etag").ok_or_else(Error::etag_not_exposed)?;
    Ok((DonePart { etag, crc64 }, reply))
}

async fn multipart(t: &Transport, mut job: Job, parts: &mut Parts) -> Result<Done, Error> {
    let resumed = match job.checkpoint.take() {
        Some(cp) => resume(t, &job, cp).await?,
        None => Resumed::Gone,
    };
    let (mut cp, first) = match resumed {
        Resumed::Continue(cp) => (cp, None),
        Resumed::Gone => {
            let (cp, reply) = initiate(t, &job).await?;
            (cp, Some(reply))
        }
        Resumed::Finished(done) => {
            if let Some(saver) = &job.saver {
                saver.forget().await;
            }
            report(&job, 1.0, None, Some(&done.reply)).await?;
            return Ok(done);
        }
    };
    if let Some(saver) = &job.saver {
        saver.save(&cp).await;
    }
    report(&job, fraction(&cp, &job.plan), Some(&cp), first.as_ref()).await?;

    let upload_id = cp.upload_id.clone();
    let mut running = FuturesUnordered::new();
    let mut failure: Option<Error> = None;
    let mut spent = false;
    // The answer of the part that just finished, reported once the next part is on its way:
    // saving the checkpoint and the progress callback must not hold a slot idle.
    let mut finished: Option<Reply> = None;
    loop {
        while !spent && failure.is_none() && running.len() < job.parallel {
            match parts.next(&cp.done, &job.control.signal).await {
                Ok(Some((number, slice))) => {
                    let (job, upload_id) = (&job, upload_id.as_str());
                    let len = slice.size() as u64;
                    running.push(async move {
                        let outcome = upload_part(t, job, upload_id, number, slice).await;
                        (number, len, outcome)
                    });
                }
                Ok(None) => spent = true,
                Err(e) => {
                    failure = Some(e);
                }
            }
        }
        if let Some(reply) = finished.take() {
            if let Some(saver) = &job.saver {
                saver.save(&cp).await;
            }
            if let Err(e) = report(&job, fraction(&cp, &job.plan), Some(&cp), Some(&reply)).await {
                failure.get_or_insert(e);
            }
        }
        let Some((number, len, outcome)) = running.next().await else {
            break;
        };
        match outcome {
            Ok((part, reply)) => {
                cp.done.insert(number, part);
                if let Some(live) = &job.live {
                    live.part_done(number, len);
                }
                finished = Some(reply);
            }
            // The first failure is the one to report; a cancel wins so isCancel() holds.
            Err(e) if e.is_cancel() => failure = Some(e),
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    if let Some(e) = failure {
        return Err(failed(t, &job, &cp, e).await);
    }
    let plan = parts.actual(job.plan);

    let parts: Vec<(u32, String)> = cp
        .done
        .iter()
        .map(|(n, part)| (n, part.etag.clone()))
        .collect();
    let mut spec = Spec::new("POST", Some(&job.name)).query("uploadId", upload_id.as_str());
    spec.headers
        .push(("content-type".into(), "application/xml".into()));
    spec.headers.extend(job.callback.iter().cloned());
    spec.body = Body::Text(messages::complete_body(&parts));
    let reply = match t.send(&spec, &job.control).await {
        Ok(r) => r,
        Err(e) => return Err(failed(t, &job, &cp, e).await),
    };
    if let Some(saver) = &job.saver {
        saver.forget().await;
    }
    let ours = cp.combined_crc64(&plan).filter(|_| job.crc64);
    let theirs = reply
        .header("x-oss-hash-crc64ecma")
        .and_then(|c| c.trim().parse::<u64>().ok());
    if let (Some(ours), Some(theirs)) = (ours, theirs) {
        if ours != theirs {
            return Err(Error::inconsistent("the completed object", ours, theirs));
        }
    }
    // With a callback, the body is the callback server's answer, not Complete's XML.
    let (etag, data) = if job.callback.is_empty() {
        (reply.parse(messages::parse_complete).await?, None)
    } else {
        let etag = reply.header("etag").ok_or_else(Error::etag_not_exposed)?;
        (etag, called_back(t, &job, &reply).await?)
    };
    report(&job, 1.0, Some(&cp), Some(&reply)).await?;
    Ok(Done { etag, reply, data })
}

/// What a multipart upload that failed leaves: a File's checkpoint travels with the error to
/// resume from; a stream cannot be read again, so its parts are dropped.
async fn failed(t: &Transport, job: &Job, cp: &Checkpoint, mut e: Error) -> Error {
    match job.source {
        Source::Blob(_) => e.checkpoint = Some(checkpoint::to_js(cp, &job.file)),
        Source::Stream(_) => abort(t, &job.name, &cp.upload_id).await,
    }
    e
}

/// Drops an upload's parts, on a best-effort basis: the error that led here is what matters.
async fn abort(t: &Transport, name: &str, upload_id: &str) {
    let spec = Spec::new("DELETE", Some(name)).query("uploadId", upload_id);
    let control = Control {
        signal: web_sys::AbortController::new()
            .map(|c| c.signal())
            .unwrap_or_else(|_| AbortSignal::abort()),
        timeout_ms: None,
    };
    let _ = t.send(&spec, &control).await;
}
