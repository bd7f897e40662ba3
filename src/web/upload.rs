//! The one upload engine. `put`, `multipartUpload` and resuming all come here: a file that fits
//! in one part is a single PutObject, anything larger is Initiate (or a checkpoint checked
//! against ListParts), up to `parallel` UploadParts at a time, then Complete.
//!
//! Parts are `Blob.slice`s handed to `fetch` as they are: the file's bytes are never copied
//! into wasm memory or the JS heap. A part that fails for good does not stop the parts in
//! flight; the checkpoint holds every part that succeeded and travels with the error.

use futures::stream::{FuturesUnordered, StreamExt};
use js_sys::{Array, Function, Object};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use std::rc::Rc;

use crate::engine::checkpoint::{reconcile, Checkpoint};
use crate::engine::plan::Plan;
use crate::engine::saved::SavedUpload;
use crate::protocol::messages;

use super::error::Error;
use super::js;
use super::lock::Held;
use super::saved::SavedUploads;
use super::transport::{Body, Control, Reply, Spec, Transport};

pub struct Job {
    pub name: String,
    pub blob: Blob,
    /// What the user passed, returned as the checkpoint's `file`.
    pub file: JsValue,
    pub plan: Plan,
    /// Object headers (type, meta, user headers), sent with PutObject or Initiate.
    pub headers: Vec<(String, String)>,
    pub parallel: usize,
    pub progress: Option<Function>,
    pub checkpoint: Option<Checkpoint>,
    pub control: Control,
    /// Keeps the checkpoint in IndexedDB as the upload goes, unless `resume: false`.
    pub saver: Option<Saver>,
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

pub struct Done {
    pub etag: String,
    pub reply: Reply,
}

/// `res` as ali-oss gives it: `{status, headers, requestId}`.
pub fn res(reply: &Reply) -> Object {
    js::object(&[
        ("status", reply.status.into()),
        ("headers", reply.headers_object().into()),
        ("requestId", reply.request_id().into()),
    ])
}

pub fn checkpoint_to_js(cp: &Checkpoint, file: &JsValue) -> JsValue {
    let done: Array = cp
        .done
        .iter()
        .map(|(n, etag)| {
            JsValue::from(js::object(&[
                ("number", (*n).into()),
                ("etag", etag.into()),
            ]))
        })
        .collect();
    js::object(&[
        ("file", file.clone()),
        ("name", cp.name.as_str().into()),
        ("fileSize", (cp.file_size as f64).into()),
        ("partSize", (cp.part_size as f64).into()),
        ("uploadId", cp.upload_id.as_str().into()),
        ("doneParts", done.into()),
    ])
    .into()
}

/// Reads a checkpoint in ali-oss's shape; what is missing or mistyped is an argument error.
pub fn checkpoint_from_js(v: &JsValue) -> Result<Checkpoint, Error> {
    let bad = |what: &str| Error::argument(format!("checkpoint.{what} is missing or not valid"));
    let num = |key: &str| {
        js::get(v, key)
            .and_then(|n| n.as_f64())
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as u64)
            .ok_or_else(|| bad(key))
    };
    let mut done = std::collections::BTreeMap::new();
    if let Some(parts) = js::get(v, "doneParts") {
        let parts: Array = parts.dyn_into().map_err(|_| bad("doneParts"))?;
        for p in parts.iter() {
            let number = js::get(&p, "number")
                .and_then(|n| n.as_f64())
                .ok_or_else(|| bad("doneParts[].number"))?;
            let etag = js::get(&p, "etag")
                .and_then(|e| e.as_string())
                .ok_or_else(|| bad("doneParts[].etag"))?;
            done.insert(number as u32, etag);
        }
    }
    Ok(Checkpoint {
        name: js::get(v, "name")
            .and_then(|n| n.as_string())
            .ok_or_else(|| bad("name"))?,
        file_size: num("fileSize")?,
        part_size: num("partSize")?,
        upload_id: js::get(v, "uploadId")
            .and_then(|n| n.as_string())
            .ok_or_else(|| bad("uploadId"))?,
        done,
    })
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
    let cp = cp.map_or(JsValue::NULL, |cp| checkpoint_to_js(cp, &job.file));
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

pub async fn run(t: &Transport, job: Job) -> Result<Done, Error> {
    if job.plan.single() && job.checkpoint.is_none() {
        single(t, &job).await
    } else {
        multipart(t, job).await
    }
}

async fn single(t: &Transport, job: &Job) -> Result<Done, Error> {
    let mut spec = Spec::new("PUT", Some(&job.name));
    spec.headers = job.headers.clone();
    spec.body = Body::Blob(job.blob.clone());
    let reply = t.send(&spec, &job.control).await?;
    let etag = reply.header("etag").ok_or_else(Error::etag_not_exposed)?;
    report(job, 1.0, None, Some(&reply)).await?;
    Ok(Done { etag, reply })
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
        let page = messages::parse_list_parts(&reply.text().await?)
            .map_err(|e| Error::bad_response(reply.status, &e))?;
        parts.extend(page.parts);
        if !page.truncated || page.next_marker <= marker {
            return Ok(parts);
        }
        marker = page.next_marker;
    }
}

/// A checkpoint made current by the server's part list; `None` if the upload is gone.
async fn resume(t: &Transport, job: &Job, mut cp: Checkpoint) -> Result<Option<Checkpoint>, Error> {
    cp.fits(&job.name, job.plan.size).map_err(Error::argument)?;
    match list_all_parts(t, &job.name, &cp.upload_id, &job.control).await {
        Ok(listed) => {
            cp.done = reconcile(&job.plan, &listed);
            Ok(Some(cp))
        }
        Err(e) if e.code == "NoSuchUpload" => Ok(None),
        Err(e) => Err(e),
    }
}

async fn initiate(t: &Transport, job: &Job) -> Result<(Checkpoint, Reply), Error> {
    let mut spec = Spec::new("POST", Some(&job.name)).query("uploads", "");
    spec.headers = job.headers.clone();
    let reply = t.send(&spec, &job.control).await?;
    let upload_id = messages::parse_initiate(&reply.text().await?)
        .map_err(|e| Error::bad_response(reply.status, &e))?;
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
) -> Result<(String, Reply), Error> {
    let (offset, len) = job.plan.part(number);
    let slice = job
        .blob
        .slice_with_f64_and_f64(offset as f64, (offset + len) as f64)
        .map_err(|_| Error::argument("the file cannot be sliced: was it closed or removed?"))?;
    let mut spec = Spec::new("PUT", Some(&job.name))
        .query("partNumber", number.to_string())
        .query("uploadId", upload_id);
    spec.body = Body::Blob(slice);
    let reply = t.send(&spec, &job.control).await?;
    let etag = reply.header("etag").ok_or_else(Error::etag_not_exposed)?;
    Ok((etag, reply))
}

async fn multipart(t: &Transport, mut job: Job) -> Result<Done, Error> {
    let resumed = match job.checkpoint.take() {
        Some(cp) => resume(t, &job, cp).await?,
        None => None,
    };
    let (mut cp, first) = match resumed {
        Some(cp) => (cp, None),
        None => {
            let (cp, reply) = initiate(t, &job).await?;
            (cp, Some(reply))
        }
    };
    if let Some(saver) = &job.saver {
        saver.save(&cp).await;
    }
    report(&job, fraction(&cp, &job.plan), Some(&cp), first.as_ref()).await?;

    let upload_id = cp.upload_id.clone();
    let pending: Vec<u32> = (1..=job.plan.count())
        .filter(|n| !cp.done.contains_key(n))
        .collect();
    let mut queue = pending.into_iter();
    let mut running = FuturesUnordered::new();
    let mut failure: Option<Error> = None;
    loop {
        while failure.is_none() && running.len() < job.parallel {
            let Some(number) = queue.next() else { break };
            let (job, upload_id) = (&job, upload_id.as_str());
            running.push(async move { (number, upload_part(t, job, upload_id, number).await) });
        }
        let Some((number, outcome)) = running.next().await else {
            break;
        };
        match outcome {
            Ok((etag, reply)) => {
                cp.done.insert(number, etag);
                if let Some(saver) = &job.saver {
                    saver.save(&cp).await;
                }
                if let Err(e) =
                    report(&job, fraction(&cp, &job.plan), Some(&cp), Some(&reply)).await
                {
                    failure.get_or_insert(e);
                }
            }
            // The first failure is the one to report; a cancel wins so isCancel() holds.
            Err(e) if e.is_cancel() => failure = Some(e),
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    if let Some(mut e) = failure {
        e.checkpoint = Some(checkpoint_to_js(&cp, &job.file));
        return Err(e);
    }

    let parts: Vec<(u32, String)> = cp.done.iter().map(|(n, e)| (*n, e.clone())).collect();
    let mut spec = Spec::new("POST", Some(&job.name)).query("uploadId", upload_id.as_str());
    spec.headers
        .push(("content-type".into(), "application/xml".into()));
    spec.body = Body::Text(messages::complete_body(&parts));
    let reply = match t.send(&spec, &job.control).await {
        Ok(r) => r,
        Err(mut e) => {
            e.checkpoint = Some(checkpoint_to_js(&cp, &job.file));
            return Err(e);
        }
    };
    if let Some(saver) = &job.saver {
        saver.forget().await;
    }
    let etag = messages::parse_complete(&reply.text().await?)
        .map_err(|e| Error::bad_response(reply.status, &e))?;
    report(&job, 1.0, Some(&cp), Some(&reply)).await?;
    Ok(Done { etag, reply })
}
