//! `new OSS({...})`: the class JavaScript uses, with ali-oss's method and option names.
//! Each method checks its arguments, then hands the work to the transport or the upload engine.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::future::LocalBoxFuture;
use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortController, AbortSignal, Blob, ReadableStream};

use crate::engine::plan::{Plan, MAX_PART_SIZE};
use crate::engine::saved::{fingerprint, FileIdentity, SavedUpload};
use crate::protocol::{messages, mime, order, presign, request::RequestParts, time};

use super::callback;
use super::checkpoint;
use super::credentials::Signer;
use super::error::Error;
use super::js;
use super::lock;
use super::options::{self, ClientOptions, DEFAULT_PARALLEL};
use super::saved::{self, SavedUploads};
use super::transport::{abort_signal_any, Body, Control, Spec, Transport};
use super::upload::{self, res, Job, Saver, Source};

thread_local! {
    static WARNED_LONG_TERM: Cell<bool> = const { Cell::new(false) };
}

struct Inner {
    transport: Transport,
    options: ClientOptions,
    /// Aborted by `cancel()`, then replaced so later uploads start clean.
    cancel: RefCell<AbortController>,
    saved: Rc<SavedUploads>,
}

/// What a picked file says about itself; a Blob has no name or date.
fn identity(file: &JsValue, blob: &Blob) -> FileIdentity {
    match file.dyn_ref::<web_sys::File>() {
        Some(f) => FileIdentity {
            name: f.name(),
            size: f.size() as u64,
            last_modified: f.last_modified(),
            mime: f.type_(),
        },
        None => FileIdentity {
            name: String::new(),
            size: blob.size() as u64,
            last_modified: 0.0,
            mime: blob.type_(),
        },
    }
}

#[wasm_bindgen(js_name = OSS)]
pub struct Client {
    inner: Rc<Inner>,
}

/// Runs `work` as a promise that rejects with a proper JS `Error`. Boxed first, so that one
/// copy of the promise machinery serves every method rather than one per method (smaller wasm).
fn promise<F>(work: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, Error>> + 'static,
{
    run_boxed(Box::pin(work))
}

fn run_boxed(work: LocalBoxFuture<'static, Result<JsValue, Error>>) -> Promise {
    future_to_promise(async move { work.await.map_err(Error::into_js) })
}

fn rejected(e: Error) -> Promise {
    Promise::reject(&e.into_js())
}

/// The data `put` accepts, as a Blob: Blob and File as they are, bytes and text wrapped.
fn to_blob(data: &JsValue) -> Result<Blob, Error> {
    if let Some(blob) = data.dyn_ref::<Blob>() {
        return Ok(blob.clone());
    }
    let ok = data.is_string()
        || data.is_instance_of::<js_sys::ArrayBuffer>()
        || js_sys::ArrayBuffer::is_view(data);
    if !ok {
        return Err(Error::argument(
            "data must be a File, Blob, ArrayBuffer, typed array or string",
        ));
    }
    Blob::new_with_u8_array_sequence(&Array::of1(data))
        .map_err(|_| Error::argument("the browser could not wrap the data in a Blob"))
}

/// The File's own type, else a guess from the object name.
fn default_type(own: &str, name: &str) -> String {
    if own.is_empty() {
        mime::from_name(name).to_string()
    } else {
        own.to_string()
    }
}

/// The upload method a job is for.
enum Call {
    Put,
    Multipart,
    Stream,
}

impl Inner {
    /// What a call runs under: aborted by the client's `cancel()` or the caller's `signal`,
    /// bounded by the caller's `timeout` or the client's.
    fn control(&self, opts: &JsValue) -> Result<Control, Error> {
        let client = self.cancel.borrow().signal();
        let signal = match js::get(opts, "signal") {
            None => client,
            Some(s) => {
                let user: AbortSignal = s
                    .dyn_into()
                    .map_err(|_| Error::argument("`signal` must be an AbortSignal"))?;
                abort_signal_any(&Array::of2(&client, &user))
            }
        };
        let timeout_ms = match options::number(opts, "timeout")? {
            None => None,
            Some(_) => Some(options::count(opts, "timeout", 0, 1..=u32::MAX)?),
        };
        Ok(Control { signal, timeout_ms })
    }

    async fn send(&self, spec: Spec, opts: &JsValue) -> Result<super::transport::Reply, Error> {
        self.transport.send(&spec, &self.control(opts)?).await
    }

    fn job(&self, name: String, data: &JsValue, opts: &JsValue, call: Call) -> Result<Job, Error> {
        let (source, size, own_type) = match call {
            Call::Stream => {
                let stream = data.dyn_ref::<ReadableStream>().ok_or_else(|| {
                    Error::argument("putStream() takes a ReadableStream (of bytes)")
                })?;
                let size = options::byte_count(opts, "contentLength")?.unwrap_or(0);
                // 0 stands for "unknown": a stream's parts are counted as they come.
                (Source::Stream(stream.clone()), size, String::new())
            }
            Call::Put | Call::Multipart => {
                let blob = to_blob(data)?;
                let size = blob.size() as u64;
                let own = blob.type_();
                (Source::Blob(blob), size, own)
            }
        };
        let checkpoint = js::get(opts, "checkpoint")
            .map(|cp| checkpoint::from_js(&cp))
            .transpose()?;
        if checkpoint.is_some() && matches!(call, Call::Stream) {
            return Err(Error::argument(
                "putStream() cannot resume from a checkpoint: a stream is read only once",
            ));
        }
        let plan = if let Call::Put = call {
            if size > MAX_PART_SIZE {
                return Err(Error::argument(
                    "put() sends one request, which OSS limits to 5 GiB: use multipartUpload() for larger files",
                ));
            }
            Plan::new(size, Some(MAX_PART_SIZE as f64)).map_err(Error::argument)?
        } else {
            // A checkpoint fixes the part size: its parts must line up with the file's.
            let part_size = match &checkpoint {
                Some(cp) => Some(cp.part_size as f64),
                None => options::number(opts, "partSize")?,
            };
            Plan::new(size, part_size).map_err(Error::argument)?
        };
        if let Some(asked) = plan.raised_from {
            web_sys::console::warn_1(
                &format!(
                    "oss-browser-upload: partSize {asked} would need more than 10000 parts for {size} bytes; using {}",
                    plan.part_size
                )
                .into(),
            );
        }
        Ok(Job {
            headers: options::object_headers(opts, &default_type(&own_type, &name))?,
            parallel: options::count(opts, "parallel", DEFAULT_PARALLEL as u32, 1..=64)? as usize,
            progress: js::function(opts, "progress"),
            control: self.control(opts)?,
            file: data.clone(),
            checkpoint,
            source,
            plan,
            name,
            saver: None,
            live: None,
            callback: callback::headers(opts)?,
            crc64: options::boolean(opts, "crc64")?.unwrap_or(self.options.crc64),
        })
    }

    /// Finds the job's saved upload (unless a checkpoint was given) and takes its lock.
    async fn saver_for(&self, job: &mut Job) -> Result<Saver, Error> {
        let Source::Blob(blob) = &job.source else {
            return Err(Error::argument("only a File or Blob upload can be saved"));
        };
        let file = identity(&job.file, blob);
        let fp = fingerprint(&self.options.bucket, &job.name, &file, job.plan.part_size);
        let lock = lock::try_acquire(&format!("oss-browser-upload:{fp}"))
            .await
            .ok_or_else(Error::in_progress)?;
        let saved = self.saved.load(&fp).await;
        if job.checkpoint.is_none() {
            job.checkpoint = saved.as_ref().map(SavedUpload::checkpoint);
        }
        let now = js::now_ms();
        Ok(Saver {
            store: self.saved.clone(),
            template: SavedUpload {
                fingerprint: fp,
                bucket: self.options.bucket.clone(),
                name: job.name.clone(),
                file,
                part_size: job.plan.part_size,
                upload_id: String::new(),
                done: Default::default(),
                created_at: saved.map_or(now, |s| s.created_at),
                updated_at: now,
            },
            _lock: lock,
        })
    }
}

impl Client {
    /// `put` and `putStream`: ali-oss answers both with `{name, url, res}`.
    fn upload_whole(&self, name: JsValue, data: JsValue, options: JsValue, call: Call) -> Promise {
        let inner = self.inner.clone();
        let job = options::check_name(&name).and_then(|n| inner.job(n, &data, &options, call));
        let job = match job {
            Ok(job) => job,
            Err(e) => return rejected(e),
        };
        promise(async move {
            let name = job.name.clone();
            let url = inner
                .options
                .endpoint
                .url(&inner.options.bucket, Some(&name), &[]);
            let done = upload::run(&inner.transport, job).await?;
            Ok(done.into_result(vec![("name", name.into()), ("url", url.into())]))
        })
    }
}

#[wasm_bindgen(js_class = OSS)]
impl Client {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Client, JsValue> {
        let options = ClientOptions::parse(&options)?;
        let signer = Rc::new(Signer::new(
            options.credentials.clone(),
            options.refresh.clone(),
            options.refresh_interval_ms,
        ));
        if signer.is_long_term() && !WARNED_LONG_TERM.replace(true) {
            web_sys::console::warn_1(
                &"oss-browser-upload: a long-term AccessKey is in this page, where anyone can read it. \
                  Give the page short-lived STS tokens from your backend (refreshSTSToken) instead."
                    .into(),
            );
        }
        let transport = Transport {
            backend: options.signer.clone(),
            endpoint: options.endpoint.clone(),
            bucket: options.bucket.clone(),
            region: options.region.clone(),
            v4: options.v4,
            timeout_ms: options.timeout_ms,
            retry: options.retry,
            signer,
            xhr: options.xhr,
        };
        let cancel =
            AbortController::new().map_err(|_| Error::argument("AbortController is missing"))?;
        let saved = Rc::new(SavedUploads::new(saved::DB_NAME, options.saved_max_age_ms));
        Ok(Client {
            inner: Rc::new(Inner {
                transport,
                options,
                cancel: RefCell::new(cancel),
                saved,
            }),
        })
    }

    /// Uploads `data` in one request.
    pub fn put(&self, name: JsValue, data: JsValue, options: JsValue) -> Promise {
        self.upload_whole(name, data, options, Call::Put)
    }

    /// Uploads what a ReadableStream gives, in one request if it fits in one part, else in
    /// parts through the same engine as files, holding at most `parallel` parts at a time.
    #[wasm_bindgen(js_name = putStream)]
    pub fn put_stream(&self, name: JsValue, stream: JsValue, options: JsValue) -> Promise {
        self.upload_whole(name, stream, options, Call::Stream)
    }

    /// Uploads a File or Blob in parts, in parallel. Resumes from `options.checkpoint`, or
    /// else from the upload of the same file saved in IndexedDB (unless `resume: false`).
    #[wasm_bindgen(js_name = multipartUpload)]
    pub fn multipart_upload(&self, name: JsValue, file: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        if !file.is_instance_of::<Blob>() {
            return rejected(Error::argument("multipartUpload() takes a File or Blob"));
        }
        let job =
            options::check_name(&name).and_then(|n| inner.job(n, &file, &options, Call::Multipart));
        let mut job = match job {
            Ok(job) => job,
            Err(e) => return rejected(e),
        };
        let resume = js::get(&options, "resume").and_then(|r| r.as_bool()) != Some(false);
        promise(async move {
            if resume && (!job.plan.single() || job.checkpoint.is_some()) {
                job.saver = Some(inner.saver_for(&mut job).await?);
            }
            let name = job.name.clone();
            let done = upload::run(&inner.transport, job).await?;
            let bucket = inner.options.bucket.as_str().into();
            Ok(done.into_result(vec![("name", name.into()), ("bucket", bucket)]))
        })
    }

    #[wasm_bindgen(js_name = initMultipartUpload)]
    pub fn init_multipart_upload(&self, name: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let name = options::check_name(&name)?;
            let mut spec = Spec::new("POST", Some(&name)).query("uploads", "");
            spec.headers = options::object_headers(&options, mime::from_name(&name))?;
            let reply = inner.send(spec, &options).await?;
            let upload_id = reply.parse(messages::parse_initiate).await?;
            Ok(js::object(&[
                ("bucket", inner.options.bucket.as_str().into()),
                ("name", name.into()),
                ("uploadId", upload_id.into()),
                ("res", res(&reply).into()),
            ])
            .into())
        })
    }

    /// Uploads bytes `start..end` of `file` as part `partNo`.
    #[wasm_bindgen(js_name = uploadPart)]
    #[allow(clippy::too_many_arguments)]
    pub fn upload_part(
        &self,
        name: JsValue,
        upload_id: String,
        part_no: u32,
        file: JsValue,
        start: f64,
        end: f64,
        options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let name = options::check_name(&name)?;
            if !(1..=10_000).contains(&part_no) {
                return Err(Error::argument("partNo must be from 1 to 10000"));
            }
            let blob = to_blob(&file)?;
            let slice = blob.slice_with_f64_and_f64(start, end).map_err(|_| {
                Error::argument("start and end must be byte offsets within the file")
            })?;
            let mut spec = Spec::new("PUT", Some(&name))
                .query("partNumber", part_no.to_string())
                .query("uploadId", upload_id);
            spec.body = Body::Blob(slice);
            let reply = inner.send(spec, &options).await?;
            let etag = reply.header("etag").ok_or_else(Error::etag_not_exposed)?;
            Ok(js::object(&[
                ("name", name.into()),
                ("etag", etag.into()),
                ("res", res(&reply).into()),
            ])
            .into())
        })
    }

    /// `parts` is `[{number, etag}]`, in any order.
    #[wasm_bindgen(js_name = completeMultipartUpload)]
    pub fn complete_multipart_upload(
        &self,
        name: JsValue,
        upload_id: String,
        parts: JsValue,
        options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let name = options::check_name(&name)?;
            let parts: Array = parts
                .dyn_into()
                .map_err(|_| Error::argument("parts must be an array of {number, etag}"))?;
            let mut list = Vec::new();
            for p in parts.iter() {
                let number = js::get(&p, "number").and_then(|n| n.as_f64());
                let etag = js::get(&p, "etag").and_then(|e| e.as_string());
                match (number, etag) {
                    (Some(n), Some(e)) => list.push((n as u32, e)),
                    _ => return Err(Error::argument("each part must be {number, etag}")),
                }
            }
            order::sort_by(&mut list, |a, b| a.0 < b.0);
            let mut spec = Spec::new("POST", Some(&name)).query("uploadId", upload_id);
            spec.headers
                .push(("content-type".into(), "application/xml".into()));
            spec.body = Body::Text(messages::complete_body(&list));
            let called_back = callback::headers(&options)?;
            let asked = !called_back.is_empty();
            spec.headers.extend(called_back);
            let reply = inner.send(spec, &options).await?;
            // With a callback, the body is the callback server's answer, not Complete's XML.
            let (etag, data) = if asked {
                let etag = reply.header("etag").ok_or_else(Error::etag_not_exposed)?;
                (etag, callback::outcome(&inner.transport, &reply).await?)
            } else {
                (
                    reply.parse(messages::parse_complete).await?,
                    JsValue::UNDEFINED,
                )
            };
            let crc64 = reply.header("x-oss-hash-crc64ecma");
            Ok(js::object(&[
                ("bucket", inner.options.bucket.as_str().into()),
                ("name", name.into()),
                ("etag", etag.into()),
                ("crc64", crc64.map_or(JsValue::NULL, JsValue::from)),
                ("res", res(&reply).into()),
                ("data", data),
            ])
            .into())
        })
    }

    /// Every part the server holds for an upload (all pages).
    #[wasm_bindgen(js_name = listParts)]
    pub fn list_parts(&self, name: JsValue, upload_id: String, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let name = options::check_name(&name)?;
            let control = inner.control(&options)?;
            let parts =
                upload::list_all_parts(&inner.transport, &name, &upload_id, &control).await?;
            let list: Array = parts
                .iter()
                .map(|p| {
                    JsValue::from(js::object(&[
                        ("PartNumber", p.number.into()),
                        ("ETag", p.etag.as_str().into()),
                        ("Size", (p.size as f64).into()),
                        (
                            "HashCrc64ecma",
                            p.crc64.map_or(JsValue::NULL, |c| c.to_string().into()),
                        ),
                    ]))
                })
                .collect();
            Ok(js::object(&[("uploadId", upload_id.into()), ("parts", list.into())]).into())
        })
    }

    /// Uploads in progress: `query` takes `prefix`, `max-uploads`, `key-marker`, `upload-id-marker`.
    #[wasm_bindgen(js_name = listUploads)]
    pub fn list_uploads(&self, query: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let spec = Spec::new("GET", None)
                .query("uploads", "")
                .query("encoding-type", "url")
                .query_from(
                    &query,
                    &["prefix", "max-uploads", "key-marker", "upload-id-marker"],
                )?;
            let reply = inner.send(spec, &options).await?;
            let page = reply.parse(messages::parse_list_uploads).await?;
            let uploads: Array = page
                .uploads
                .iter()
                .map(|u| {
                    JsValue::from(js::object(&[
                        ("name", u.key.as_str().into()),
                        ("uploadId", u.upload_id.as_str().into()),
                        ("initiated", u.initiated.as_str().into()),
                    ]))
                })
                .collect();
            Ok(js::object(&[
                ("uploads", uploads.into()),
                ("bucket", inner.options.bucket.as_str().into()),
                ("nextKeyMarker", page.next_key_marker.into()),
                ("nextUploadIdMarker", page.next_upload_id_marker.into()),
                ("isTruncated", page.truncated.into()),
                ("res", res(&reply).into()),
            ])
            .into())
        })
    }

    /// Objects in the bucket (ListObjects): `query` takes `prefix`, `marker`, `max-keys`
    /// (default 100, at most 1000). Resolves to `{objects: [{name, size, etag, lastModified,
    /// type}], nextMarker, isTruncated, res}`.
    pub fn list(&self, query: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let spec = Spec::new("GET", None)
                .query("encoding-type", "url")
                .query_from(&query, &["prefix", "marker", "max-keys"])?;
            let reply = inner.send(spec, &options).await?;
            let page = reply.parse(messages::parse_list_objects).await?;
            let objects: Array = page
                .objects
                .iter()
                .map(|o| {
                    JsValue::from(js::object(&[
                        ("name", o.key.as_str().into()),
                        ("size", (o.size as f64).into()),
                        ("etag", o.etag.as_str().into()),
                        ("lastModified", o.last_modified.as_str().into()),
                        ("type", o.kind.as_str().into()),
                    ]))
                })
                .collect();
            Ok(js::object(&[
                ("objects", objects.into()),
                ("nextMarker", page.next_marker.into()),
                ("isTruncated", page.truncated.into()),
                ("res", res(&reply).into()),
            ])
            .into())
        })
    }

    /// Aborts an upload on the server and frees its parts.
    #[wasm_bindgen(js_name = abortMultipartUpload)]
    pub fn abort_multipart_upload(
        &self,
        name: JsValue,
        upload_id: String,
        options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let name = options::check_name(&name)?;
            let spec = Spec::new("DELETE", Some(&name)).query("uploadId", upload_id.as_str());
            let reply = inner.send(spec, &options).await?;
            inner.saved.forget_upload(&upload_id).await;
            Ok(js::object(&[("res", res(&reply).into())]).into())
        })
    }

    /// `{status, meta, res}`: the object's `x-oss-meta-*` as `meta`.
    pub fn head(&self, name: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let name = options::check_name(&name)?;
            let reply = inner.send(Spec::new("HEAD", Some(&name)), &options).await?;
            let headers = reply.headers_object();
            let meta = Object::new();
            for entry in Object::entries(&headers).iter() {
                let pair: Array = entry.unchecked_into();
                if let Some(k) = pair.get(0).as_string() {
                    if let Some(short) = k.strip_prefix("x-oss-meta-") {
                        js::set(&meta, short, pair.get(1));
                    }
                }
            }
            Ok(js::object(&[
                ("status", reply.status.into()),
                ("meta", meta.into()),
                ("res", res(&reply).into()),
            ])
            .into())
        })
    }

    /// `{content: Uint8Array, res}`.
    pub fn get(&self, name: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let name = options::check_name(&name)?;
            let reply = inner.send(Spec::new("GET", Some(&name)), &options).await?;
            let content = reply.bytes().await?;
            Ok(js::object(&[("content", content.into()), ("res", res(&reply).into())]).into())
        })
    }

    pub fn delete(&self, name: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let name = options::check_name(&name)?;
            let reply = inner
                .send(Spec::new("DELETE", Some(&name)), &options)
                .await?;
            Ok(js::object(&[("res", res(&reply).into())]).into())
        })
    }

    /// A presigned URL (V1, or V4 with `authorizationV4`) with the credentials in hand:
    /// `{expires: seconds (default 1800), method: 'GET', 'Content-Type', subResource}`.
    #[wasm_bindgen(js_name = signatureUrl)]
    pub fn signature_url(&self, name: JsValue, options: JsValue) -> Result<String, JsValue> {
        let name = options::check_name(&name)?;
        let inner = &self.inner;
        let expires = options::count(&options, "expires", 1800, 1..=7 * 24 * 3600)?;
        let method = js::get(&options, "method")
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        let mut req = RequestParts {
            method,
            bucket: Some(inner.options.bucket.clone()),
            key: Some(name.clone()),
            ..RequestParts::default()
        };
        if let Some(t) = js::get(&options, "Content-Type").and_then(|t| t.as_string()) {
            req.set_header("content-type", t);
        }
        if let Some(sub) = js::get(&options, "subResource") {
            let obj: &Object = sub.unchecked_ref();
            for entry in Object::entries(obj).iter() {
                let pair: Array = entry.unchecked_into();
                req.query.push((
                    pair.get(0).as_string().unwrap_or_default(),
                    pair.get(1).as_string().unwrap_or_default(),
                ));
            }
        }
        let creds = inner
            .options
            .credentials
            .clone()
            .ok_or_else(|| Error::credentials("signatureUrl() needs credentials in hand: await an upload first, or pass accessKeyId/accessKeySecret"))?;
        let now = inner.transport.signer.now_secs();
        let mut query = req.query.clone();
        query.extend(if inner.options.v4 {
            presign::v4_query(
                &req,
                &creds,
                &time::iso8601_basic(now),
                expires.into(),
                &inner.options.region,
            )
        } else {
            presign::v1_query(&req, &creds, now + u64::from(expires))
        });
        Ok(inner
            .options
            .endpoint
            .url(&inner.options.bucket, Some(&name), &query))
    }

    /// The uploads saved for this bucket that can be resumed by picking their file again:
    /// `[{fingerprint, name, bucket, fileName, fileSize, lastModified, fileType, uploadId,
    /// partSize, bytesDone, updatedAt}]`, newest first.
    #[wasm_bindgen(js_name = listSavedUploads)]
    pub fn list_saved_uploads(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let list: Array = inner
                .saved
                .all()
                .await
                .iter()
                .filter(|s| s.bucket == inner.options.bucket)
                .map(|s| JsValue::from(saved::summary(s)))
                .collect();
            Ok(list.into())
        })
    }

    /// Forgets a saved upload (its fingerprint, or an entry of `listSavedUploads()`); with
    /// `{abort: true}` also aborts it on the server, freeing its parts.
    #[wasm_bindgen(js_name = forgetSavedUpload)]
    pub fn forget_saved_upload(&self, which: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let fp = which
                .as_string()
                .or_else(|| js::get(&which, "fingerprint").and_then(|f| f.as_string()))
                .ok_or_else(|| {
                    Error::argument("pass a fingerprint or an entry of listSavedUploads()")
                })?;
            let abort = js::get(&options, "abort").and_then(|a| a.as_bool()) == Some(true);
            if abort {
                if let Some(s) = inner
                    .saved
                    .all()
                    .await
                    .into_iter()
                    .find(|s| s.fingerprint == fp)
                {
                    let spec =
                        Spec::new("DELETE", Some(&s.name)).query("uploadId", s.upload_id.as_str());
                    match inner.send(spec, &options).await {
                        Ok(_) => {}
                        Err(e) if e.code == "NoSuchUpload" => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            inner.saved.forget(&fp).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Stops every upload and request of this client at once (ali-oss's `cancel()`); their
    /// promises reject with an error `isCancel()` recognises, checkpoints intact.
    pub fn cancel(&self) {
        let fresh = AbortController::new();
        if let Ok(fresh) = fresh {
            self.inner.cancel.replace(fresh).abort();
        } else {
            self.inner.cancel.borrow().abort();
        }
    }

    /// Whether `err` is the rejection of a cancelled upload.
    #[wasm_bindgen(js_name = isCancel)]
    pub fn is_cancel(&self, err: JsValue) -> bool {
        js::get(&err, "name").and_then(|n| n.as_string()).as_deref()
            == Some(super::error::CANCEL_NAME)
    }
}
