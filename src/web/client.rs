//! `new OSS({...})`: the class pages use, with ali-oss's method and option names. Each method
//! checks its arguments, then hands the work to the engine (`crate::engine`) through the
//! driver (`drive.rs`), and shapes what comes back as ali-oss does.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortController, AbortSignal, Blob, ReadableStream};

use super::drive::{self, res, Inbox, Io, Saver, Source};
use super::options::{self, ClientOptions};
use super::saved::{done_from_js, Record, SavedUploads};
use super::stream::StreamParts;
use super::{error, js};
use crate::engine::call::Call;
use crate::engine::checkpoint::Checkpoint;
use crate::engine::error::{Error, CANCEL};
use crate::engine::exchange::{Answer, Body, Read, Request, Signing};
use crate::engine::fingerprint::{self, FileIdentity};
use crate::engine::io::{Event, Operation};
use crate::engine::keys::{Keys, Ready, Source as KeySource};
use crate::engine::plan::{Plan, MAX_PART_SIZE};
use crate::engine::upload::{complete_request, Job, Source as JobSource, Upload};
use crate::protocol::messages::{self, ListedPart};
use crate::protocol::{mime, presign, time};

#[wasm_bindgen(module = "/src/web/lock.js")]
extern "C" {
    #[wasm_bindgen(js_name = tryLock)]
    fn try_lock(name: &str) -> Promise;
}

/// What a client's operations share.
pub struct Shared {
    pub o: ClientOptions,
    pub keys: RefCell<Keys>,
    /// ali-oss's useBucket()/setBucket() change it; each call keeps the bucket it began with.
    pub bucket: RefCell<String>,
    /// ali-oss's `client.options`, as pages and ali-oss's tests read it.
    options: Object,
    pub saved: SavedUploads,
    /// Aborted by cancel(), then replaced so later uploads start clean.
    cancel: RefCell<AbortController>,
    /// ali-oss's cancel flag: set by cancel(), cleared by resetCancelFlag() and by each
    /// multipartUpload() as it starts.
    cancelled: Cell<bool>,
    /// The operations under way, told when new keys arrive.
    inboxes: RefCell<Vec<Weak<Inbox>>>,
}

thread_local! {
    static WARNED_LONG_TERM: Cell<bool> = const { Cell::new(false) };
    /// ali-oss's `OSS.Buffer` (the `buffer` package), which the entry hands over: get()'s
    /// content is one, as ali-oss's is, so `content.toString()` is the text.
    static BUFFER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// `Buffer.from(buffer)` when the entry gave a Buffer class, else the bytes as they are.
fn buffer_of(buffer: &js_sys::ArrayBuffer) -> JsValue {
    let bytes = js_sys::Uint8Array::new(buffer);
    BUFFER.with(|b| match &*b.borrow() {
        Some(class) => js::get(class, "from")
            .and_then(|from| from.dyn_into::<Function>().ok())
            .and_then(|from| from.call1(class, buffer).ok())
            .unwrap_or_else(|| bytes.into()),
        None => bytes.into(),
    })
}

impl Shared {
    pub fn listen(&self, inbox: &Rc<Inbox>) {
        let mut inboxes = self.inboxes.borrow_mut();
        inboxes.retain(|w| w.strong_count() > 0);
        inboxes.push(Rc::downgrade(inbox));
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
                    "the STS token expired and no `refreshSTSToken` was given to renew it",
                )),
                Some(f) => match js::call(f, &[]).await {
                    Ok(v) => refreshed(&v),
                    Err(e) => Err(Error::credentials(format!(
                        "refreshSTSToken() failed: {}",
                        js::message_of(&e)
                    ))),
                },
            };
            let failed = got.as_ref().err().cloned();
            me.keys.borrow_mut().refreshed(got, js::now_ms());
            for inbox in drive::live(&mut me.inboxes.borrow_mut()) {
                inbox.push(Event::Keys(failed.clone()));
            }
        });
    }
}

/// ali-oss's `{accessKeyId, accessKeySecret, stsToken}` or STS's own `{AccessKeyId, …,
/// SecurityToken}`.
fn refreshed(v: &JsValue) -> Result<crate::protocol::request::Credentials, Error> {
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
            "refreshSTSToken() must resolve to {accessKeyId, accessKeySecret, stsToken}",
        ));
    };
    Ok(crate::protocol::request::Credentials {
        access_key_id: id,
        access_key_secret: secret,
        security_token: field(&["stsToken", "SecurityToken", "securityToken"]),
    })
}

/// The data put() accepts, as a Blob: Blob and File as they are, bytes and text wrapped.
fn to_blob(data: &JsValue) -> Result<Blob, Error> {
    if let Some(b) = data.dyn_ref::<Blob>() {
        return Ok(b.clone());
    }
    if data.is_string()
        || data.is_instance_of::<js_sys::ArrayBuffer>()
        || js_sys::ArrayBuffer::is_view(data)
    {
        if let Ok(b) = Blob::new_with_u8_array_sequence(&Array::of1(data)) {
            return Ok(b);
        }
    }
    Err(Error::argument(
        "data must be a File, Blob, ArrayBuffer, typed array or string",
    ))
}

/// What a picked file says about itself; a Blob has no name or date.
fn identity(b: &Blob) -> FileIdentity {
    match b.dyn_ref::<web_sys::File>() {
        Some(f) => FileIdentity {
            name: f.name(),
            size: f.size() as u64,
            last_modified: f.last_modified(),
            mime: f.type_(),
        },
        None => FileIdentity {
            name: String::new(),
            size: b.size() as u64,
            last_modified: 0.0,
            mime: b.type_(),
        },
    }
}

/// A checkpoint the caller passed, checked.
fn checkpoint_from_js(v: &JsValue) -> Result<Checkpoint, Error> {
    let bad = |what: &str| Error::argument(format!("checkpoint.{what} is missing or not valid"));
    let whole = |k: &str| {
        js::get(v, k)
            .and_then(|n| n.as_f64())
            .filter(|n| n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(n))
            .map(|n| n as u64)
            .ok_or_else(|| bad(k))
    };
    let text = |k: &str| {
        js::get(v, k)
            .and_then(|s| s.as_string())
            .ok_or_else(|| bad(k))
    };
    let done = match js::get(v, "doneParts") {
        None => Default::default(),
        Some(d) => done_from_js(&d).ok_or_else(|| bad("doneParts"))?,
    };
    Ok(Checkpoint {
        name: text("name")?,
        file_size: whole("fileSize")?,
        part_size: whole("partSize")?,
        upload_id: text("uploadId")?,
        done,
    })
}

/// Those of `names` the caller's query object holds, as query parameters.
fn query_from(query: &JsValue, names: &[&'static str]) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for name in names {
        let Some(v) = js::get(query, name) else {
            continue;
        };
        let value = match (v.as_f64(), v.as_string(), v.as_bool()) {
            (Some(n), _, _) => (n.trunc() as i64).to_string(),
            (_, Some(s), _) => s,
            (_, _, Some(b)) => b.to_string(),
            _ => return Err(Error::argument(format!("query.{name} must be a string"))),
        };
        out.push((name.to_string(), value));
    }
    Ok(out)
}

fn reject(e: Error) -> Promise {
    Promise::reject(&error::to_js(&e))
}

/// What `signatureUrl()` takes, as ali-oss names it, besides headers to sign.
const SIGNATURE_URL_OPTIONS: [&str; 7] = [
    "expires",
    "method",
    "response",
    "process",
    "trafficLimit",
    "callback",
    "subResource",
];

/// An object's entries as strings (`String(v)`; null and undefined as empty).
fn entries_of(obj: &JsValue) -> Vec<(String, String)> {
    Object::entries(obj.unchecked_ref())
        .iter()
        .map(|entry| {
            let pair = Array::from(&entry);
            let v = pair.get(1);
            let v = if v.is_undefined() || v.is_null() {
                String::new()
            } else {
                js::text(&v)
            };
            (pair.get(0).as_string().unwrap_or_default(), v)
        })
        .collect()
}

/// What a single request brought back.
struct Got {
    answer: Answer,
    /// The bucket the call went to.
    bucket: String,
    /// `listParts`: every part listed.
    parts: Vec<ListedPart>,
    /// `get()`: the body.
    bytes: Option<js_sys::Uint8Array>,
}

/// How a method's answer becomes its result.
type Shape = Box<dyn FnOnce(Got) -> Result<JsValue, Error>>;

/// A method that is one request.
struct Single {
    request: Request,
    /// `listParts`: follow ListParts' pages for (key, upload ID).
    all_parts: Option<(String, String)>,
    /// The body, for `uploadPart`.
    body: Option<Blob>,
    /// `abortMultipartUpload`: forget the saved record of this upload ID too.
    forget: Option<String>,
}

impl Single {
    fn new(request: Request) -> Single {
        Single {
            request,
            all_parts: None,
            body: None,
            forget: None,
        }
    }
}

/// `base` (with a `/` added if it lacks one) and the name as a URL path.
fn object_url(base: &str, name: &str) -> String {
    let slash = if base.ends_with('/') { "" } else { "/" };
    // encodeURIComponent with `/` kept, as ali-oss writes these URLs.
    let path = String::from(js_sys::encode_uri_component(name)).replace("%2F", "/");
    format!("{base}{slash}{path}")
}

/// `{res}`.
fn only_res() -> Shape {
    Box::new(|g| Ok(js::object(&[("res", res(&g.answer))]).into()))
}

/// OSS's CRC64 of the object, as it reported it (a decimal string), if the bucket exposes it.
fn crc64_of(a: &Answer) -> JsValue {
    a.header("x-oss-hash-crc64ecma")
        .map_or(JsValue::NULL, JsValue::from)
}

/// The callback server's answer (its JSON, else its text); 203 means the object was stored
/// but the callback failed.
fn called_back(a: &Answer) -> Result<JsValue, Error> {
    if let Some(e) = a.callback_failed() {
        return Err(e);
    }
    Ok(js_sys::JSON::parse(&a.body).unwrap_or_else(|_| a.body.as_str().into()))
}

/// An upload checked and ready to run.
struct Prepared {
    io: Io,
    job: Job,
    /// The result's first fields: name, and url or bucket.
    first: Object,
    has_callback: bool,
    /// Whether the upload keeps a record to resume from after a reload.
    saves: bool,
    /// Whether the part size was ours to choose (no `partSize`, no checkpoint): a saved upload
    /// of the same file then resumes with the part size it was saved with.
    part_size_chosen: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Put,
    /// AppendObject at `options.position`.
    Append,
    Stream,
    Multipart,
}

#[wasm_bindgen(js_name = OSS)]
pub struct Client(Rc<Shared>);

#[wasm_bindgen(js_class = OSS)]
impl Client {
    /// The class get() gives its content as (the entry passes ali-oss's `OSS.Buffer`).
    #[wasm_bindgen(js_name = useBufferClass)]
    pub fn use_buffer_class(class: Function) {
        BUFFER.with(|b| *b.borrow_mut() = Some(class));
    }

    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Client, JsValue> {
        let o = ClientOptions::parse(&options)?;
        let bucket = options::bucket(&options)?;
        let ali_options = options::as_ali_oss(&options, &o, &bucket);
        let bucket = RefCell::new(bucket);
        let now = js::now_ms();
        let source = if o.signer.is_some() {
            KeySource::Backend
        } else if o.refresh.is_some() {
            KeySource::Refreshed {
                interval_ms: o.refresh_interval_ms,
            }
        } else {
            KeySource::Fixed
        };
        let keys = Keys::new(source, o.credentials.clone(), now);
        if keys.is_long_term() && !WARNED_LONG_TERM.with(|w| w.replace(true)) {
            js::warn("oss-browser-upload: a long-term AccessKey is in this page, where anyone can read it. Give the page short-lived STS tokens from your backend (refreshSTSToken) instead.");
        }
        let saved = SavedUploads::new(o.saved_max_age_ms, None);
        let cancel = AbortController::new()?;
        Ok(Client(Rc::new(Shared {
            o,
            keys: RefCell::new(keys),
            bucket,
            options: ali_options,
            saved,
            cancel: RefCell::new(cancel),
            cancelled: Cell::new(false),
            inboxes: RefCell::default(),
        })))
    }

    /// What a call runs under, fixed when it is made: the bucket in use, aborted by the
    /// client's cancel() or the caller's `signal`, bounded by the caller's `timeout` or the
    /// client's.
    fn io(&self, o: &JsValue) -> Result<Io, Error> {
        let bucket = self.0.bucket.borrow().clone();
        if bucket.is_empty() {
            return Err(Error::argument(
                "no bucket: pass `bucket` to new OSS() or call useBucket(name) first",
            ));
        }
        let client = self.0.cancel.borrow().signal();
        let cancel = match js::get(o, "signal") {
            None => client,
            Some(s) => {
                let s: AbortSignal = s
                    .dyn_into()
                    .map_err(|_| Error::argument("`signal` must be an AbortSignal"))?;
                AbortSignal::any(&Array::of2(&client, &s))
            }
        };
        Ok(Io {
            client: self.0.clone(),
            signing: Signing {
                bucket,
                v4: self.0.o.v4.then(|| self.0.o.region.clone()),
            },
            inbox: Rc::default(),
            cancel,
            timeout_ms: options::duration_ms(o, "timeout")?.unwrap_or(self.0.o.timeout_ms),
            source: Source::None,
            size: 0,
            progress: None,
            saver: None,
            file: JsValue::UNDEFINED,
            bytes: Rc::default(),
            done: RefCell::default(),
        })
    }

    /// One request through the engine: what came back, with every part listed for
    /// `listParts`.
    async fn exchange(&self, single: Single, mut io: Io) -> Result<Got, Error> {
        let timeout = io.timeout_ms;
        let policy = self.0.o.retry;
        let seed = (js_sys::Math::random() * 2f64.powi(53)) as u64;
        let mut call = match &single.all_parts {
            Some((key, upload_id)) => Call::all_parts(key, upload_id, policy, timeout, seed),
            None => Call::new(single.request, policy, timeout, seed),
        };
        if let Some(blob) = single.body {
            io.size = blob.size() as u64;
            io.source = Source::File(blob);
        }
        io.run(&mut call).await;
        let (answer, parts) = call
            .take_result()
            .unwrap_or_else(|| (Err(Error::cancelled()), Vec::new()));
        if let Some(upload_id) = &single.forget {
            if answer.is_ok() {
                self.0.saved.forget_upload(upload_id).await;
            }
        }
        let bytes = io.bytes.borrow_mut().take();
        Ok(Got {
            answer: answer?,
            bucket: io.signing.bucket,
            parts,
            bytes,
        })
    }

    /// A method that is one request: checked at once (`made`), then sent, its answer shaped
    /// as the method's result. One future for every such method keeps the wasm small.
    fn single(&self, o: JsValue, made: Result<(Single, Shape), Error>) -> Promise {
        let (single, shape) = match made {
            Ok(m) => m,
            Err(e) => return reject(e),
        };
        let io = match self.io(&o) {
            Ok(io) => io,
            Err(e) => return reject(e),
        };
        let me = Client(self.0.clone());
        future_to_promise(async move {
            let got = me.exchange(single, io).await?;
            Ok(shape(got)?)
        })
    }

    /// put, putStream and multipartUpload: checked, then run by the one engine.
    fn upload(&self, name: JsValue, data: JsValue, o: JsValue, kind: Kind) -> Promise {
        match self.prepare(name, data, &o, kind) {
            Ok(p) => future_to_promise(Client(self.0.clone()).run_upload(p)),
            Err(e) => reject(e),
        }
    }

    /// An upload's job, checked before anything is sent.
    fn prepare(
        &self,
        name: JsValue,
        data: JsValue,
        o: &JsValue,
        kind: Kind,
    ) -> Result<Prepared, Error> {
        let o = o.clone();
        let name = options::check_name(&name)?;
        let c = &self.0;
        let mut io = self.io(&o)?;
        let mut stream = None;
        let (size, own_type) = if kind == Kind::Stream {
            let s: ReadableStream = data
                .clone()
                .dyn_into()
                .map_err(|_| Error::argument("putStream() takes a ReadableStream (of bytes)"))?;
            stream = Some(s);
            // 0 stands for "unknown": a stream's parts are counted as they come.
            (
                options::byte_count(&o, "contentLength")?.unwrap_or(0),
                String::new(),
            )
        } else {
            let blob = to_blob(&data)?;
            // As ali-oss: a File's type by its name, then what the browser says it is.
            let own = blob
                .dyn_ref::<web_sys::File>()
                .and_then(|f| mime::lookup(&f.name()))
                .map_or_else(|| blob.type_(), String::from);
            let found = (blob.size() as u64, own);
            io.source = Source::File(blob);
            found
        };
        // A checkpoint resumes a multipart upload; a one-request upload has none to resume.
        let checkpoint = match js::get(&o, "checkpoint") {
            Some(v) if kind != Kind::Put && kind != Kind::Append => Some(checkpoint_from_js(&v)?),
            _ => None,
        };
        if checkpoint.is_some() && kind == Kind::Stream {
            return Err(Error::argument(
                "putStream() cannot resume from a checkpoint: a stream is read only once",
            ));
        }
        let one_request = matches!(kind, Kind::Put | Kind::Append);
        if one_request && size > MAX_PART_SIZE {
            return Err(Error::argument("put() sends one request, which OSS limits to 5 GiB: use multipartUpload() for larger files"));
        }
        // A checkpoint fixes the part size: its parts must line up with the file's.
        let asked = match (kind, &checkpoint) {
            _ if one_request => Some(MAX_PART_SIZE as f64),
            (_, Some(cp)) => Some(cp.part_size as f64),
            _ => options::number(&o, "partSize")?,
        };
        let parallel =
            options::count(&o, "parallel", options::DEFAULT_PARALLEL as u32, 1..=64)? as usize;
        let plan = Plan::new(size, asked, parallel).map_err(Error::argument)?;
        if let Some(from) = plan.raised_from {
            js::warn(&format!("oss-browser-upload: partSize {from} would need more than 10000 parts for {size} bytes; using {}", plan.part_size));
        }
        let default_type = if own_type.is_empty() {
            mime::from_name(&name).to_string()
        } else {
            own_type
        };
        let headers = options::object_headers(&o, &default_type)?;
        let callback = options::callback_headers(&o)?;
        let crc64 = options::boolean(&o, "crc64")?.unwrap_or(c.o.crc64);
        io.progress = js::function(&o, "progress");
        io.file = data.clone();
        io.size = size;
        if let Some(stream) = stream {
            let parts = StreamParts::new(&stream, plan.part_size)?;
            io.source = Source::Stream {
                reader: parts.reader(),
                parts: Rc::new(RefCell::new(Some(parts))),
                blobs: Rc::default(),
                read: Rc::default(),
            };
        }
        let resume = js::get(&o, "resume").and_then(|r| r.as_bool()) != Some(false);
        let saves = kind == Kind::Multipart && resume && (!plan.single() || checkpoint.is_some());
        let first = match kind {
            Kind::Multipart => js::object(&[
                ("name", name.as_str().into()),
                ("bucket", io.signing.bucket.as_str().into()),
            ]),
            _ => js::object(&[
                ("name", name.as_str().into()),
                (
                    "url",
                    c.o.endpoint
                        .url(&io.signing.bucket, Some(&name), &[])
                        .into(),
                ),
            ]),
        };
        let has_callback = !callback.is_empty();
        let job = Job {
            name,
            plan,
            source: if kind == Kind::Stream {
                JobSource::Stream {
                    expected: Some(size).filter(|s| *s > 0),
                }
            } else {
                JobSource::File
            },
            headers,
            callback,
            parallel,
            crc64,
            checkpoint,
            progress: io.progress.is_some(),
            live: c.o.xhr,
            policy: c.o.retry,
            timeout_ms: io.timeout_ms,
            seed: (js_sys::Math::random() * 2f64.powi(53)) as u64,
            append: match kind {
                // ali-oss takes the position as a number or a string.
                Kind::Append => Some(match js::get(&o, "position") {
                    None => 0,
                    Some(p) => js::text(&p).parse().map_err(|_| {
                        Error::argument("`position` must be a whole number of bytes")
                    })?,
                }),
                _ => None,
            },
        };
        Ok(Prepared {
            io,
            job,
            first,
            has_callback,
            saves,
            part_size_chosen: asked.is_none(),
        })
    }

    async fn run_upload(self, p: Prepared) -> Result<JsValue, JsValue> {
        let Prepared {
            mut io,
            mut job,
            first,
            has_callback,
            saves,
            part_size_chosen,
        } = p;
        // A picked file deleted since reads as size 0 in some browsers (WebKit at times): an
        // empty File must prove it can be read, or an empty object would replace the upload.
        if let (0, Source::File(blob)) = (job.plan.size, &io.source) {
            if blob.is_instance_of::<web_sys::File>() && !super::hash::readable(blob, 0).await {
                return Err(Error::file_unreadable().into());
            }
        }
        if let (true, Source::File(blob)) = (saves, &io.source) {
            let chosen = part_size_chosen.then_some(job.parallel);
            let (saver, saved) = self
                .saver(&io.signing.bucket, &job.name, blob, &mut job.plan, chosen)
                .await?;
            if job.checkpoint.is_none() {
                job.checkpoint = saved;
            }
            io.saver = Some(saver);
        }
        let (job_append, size) = (job.append, job.plan.size);
        let mut up = Upload::new(job);
        io.run(&mut up).await;
        let cp = up.checkpoint().cloned();
        let outcome = up.take_result().unwrap_or_else(|| Err(Error::cancelled()));
        if let (Err(_), Source::Stream { reader, .. }) = (&outcome, &io.source) {
            // A stream that already failed rejects the cancel: nothing to report.
            let cancelled = reader.cancel();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(cancelled).await;
            });
        }
        let done = outcome.map_err(|e| io.error(&e, cp.as_ref()))?;
        let a = &done.answer;
        js::set(
            &first,
            "etag",
            done.etag.map_or(JsValue::NULL, JsValue::from),
        );
        js::set(&first, "crc64", crc64_of(a));
        js::set(&first, "res", res(a));
        if let Some(position) = job_append {
            // The header, or (if the bucket's CORS rule hides it) where this data ended.
            let next = a
                .header("x-oss-next-append-position")
                .map_or_else(|| (position + size).to_string(), String::from);
            js::set(&first, "nextAppendPosition", next);
        }
        // An upload found already finished (HEAD) has no callback answer to give.
        let data = if has_callback && (a.status == 203 || !a.body.is_empty()) {
            called_back(a)?
        } else {
            JsValue::UNDEFINED
        };
        js::set(&first, "data", data);
        Ok(first.into())
    }

    /// Finds the upload's saved record and takes its lock: the saver keeps the record as the
    /// upload goes, and releases the lock when the upload ends. With `chosen` (the part size
    /// was ours to choose, for this `parallel`), a record of the same file saved with another
    /// part size is resumed with that one, and `plan` follows it.
    async fn saver(
        &self,
        bucket: &str,
        name: &str,
        blob: &Blob,
        plan: &mut Plan,
        chosen: Option<usize>,
    ) -> Result<(Saver, Option<Checkpoint>), Error> {
        let c = &self.0;
        let file = identity(blob);
        // The lock is on the file going to the object, however it is cut: two tabs whose
        // `parallel` (and so default part size) differ must not race either.
        let lock = fingerprint::fingerprint(bucket, name, &file, 0);
        let release =
            wasm_bindgen_futures::JsFuture::from(try_lock(&format!("oss-browser-upload:{lock}")))
                .await
                .ok()
                .and_then(|r| r.dyn_into::<Function>().ok())
                .ok_or_else(Error::in_progress)?;
        let mut fp = fingerprint::fingerprint(bucket, name, &file, plan.part_size);
        let mut saved = c.saved.load(&fp).await;
        if let (None, Some(parallel)) = (&saved, chosen) {
            // A default part size depends on the file, `parallel` and this package's version.
            let same_file = |r: &Record| {
                (r.bucket == bucket && r.name == name && r.file_name == file.name)
                    && (r.file_size == file.size && r.last_modified == file.last_modified)
                    && r.file_type == file.mime
            };
            let found = c.saved.all().await.into_iter().find(same_file);
            let cut = found
                .as_ref()
                .and_then(|r| Plan::new(plan.size, Some(r.part_size as f64), parallel).ok());
            if let (Some(r), Some(cut)) = (found, cut) {
                *plan = cut;
                fp = fingerprint::fingerprint(bucket, name, &file, plan.part_size);
                saved = Some(r).filter(|r| r.fingerprint == fp);
            }
        }
        let now = js::now_ms();
        let checkpoint = saved.as_ref().map(|s| Checkpoint {
            name: s.name.clone(),
            file_size: s.file_size,
            part_size: s.part_size,
            upload_id: s.upload_id.clone(),
            done: s.done.clone(),
        });
        let template = Record {
            fingerprint: fp,
            bucket: bucket.into(),
            name: name.into(),
            file_name: file.name,
            file_size: file.size,
            last_modified: file.last_modified,
            file_type: file.mime,
            part_size: plan.part_size,
            upload_id: String::new(),
            done: Default::default(),
            created_at: saved.map_or(now, |s| s.created_at),
            updated_at: now,
        };
        Ok((Saver::new(template, release), checkpoint))
    }

    /// Uploads `data` in one request.
    pub fn put(&self, name: JsValue, data: JsValue, options: JsValue) -> Promise {
        self.upload(name, data, options, Kind::Put)
    }

    /// AppendObject: adds `data` at `options.position` (default 0) of an appendable object;
    /// the result's `nextAppendPosition` is where the next append goes.
    pub fn append(&self, name: JsValue, data: JsValue, options: JsValue) -> Promise {
        self.upload(name, data, options, Kind::Append)
    }

    /// Uploads what a ReadableStream gives, in one request if it fits in one part, else in
    /// parts through the same engine as files, holding at most `parallel` parts at a time.
    #[wasm_bindgen(js_name = putStream)]
    pub fn put_stream(&self, name: JsValue, stream: JsValue, options: JsValue) -> Promise {
        self.upload(name, stream, options, Kind::Stream)
    }

    /// Uploads a File or Blob in parts, in parallel. Resumes from `options.checkpoint`, or
    /// else from the upload of the same file saved in IndexedDB (unless `resume: false`).
    #[wasm_bindgen(js_name = multipartUpload)]
    pub fn multipart_upload(&self, name: JsValue, file: JsValue, options: JsValue) -> Promise {
        // As ali-oss: a file, or bytes; text goes through put().
        if file.is_string() {
            return reject(Error::argument(
                "multipartUpload() takes a File, Blob, ArrayBuffer or typed array (OSS.Buffer): use put() for text",
            ));
        }
        self.0.cancelled.set(false);
        self.upload(name, file, options, Kind::Multipart)
    }

    #[wasm_bindgen(js_name = initMultipartUpload)]
    pub fn init_multipart_upload(&self, name: JsValue, options: JsValue) -> Promise {
        let made = (|| {
            let name = options::check_name(&name)?;
            let mut r = Request::new("POST", &name, &[("uploads", "")]).text();
            r.headers = options::object_headers(&options, mime::from_name(&name))?;
            let shape: Shape = Box::new(move |g| {
                let a = &g.answer;
                let upload_id = messages::parse_initiate(&a.body)
                    .map_err(|e| Error::bad_response(a.status, &e))?;
                Ok(js::object(&[
                    ("bucket", g.bucket.into()),
                    ("name", name.into()),
                    ("uploadId", upload_id.into()),
                    ("res", res(a)),
                ])
                .into())
            });
            Ok((Single::new(r), shape))
        })();
        self.single(options, made)
    }

    /// Uploads bytes `start..end` of `file` as part `partNo`.
    #[wasm_bindgen(js_name = uploadPart)]
    #[allow(clippy::too_many_arguments)]
    pub fn upload_part(
        &self,
        name: JsValue,
        upload_id: JsValue,
        part_no: JsValue,
        file: JsValue,
        start: JsValue,
        end: JsValue,
        options: JsValue,
    ) -> Promise {
        let made = (|| {
            let name = options::check_name(&name)?;
            let n = part_no
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (1.0..=10_000.0).contains(n))
                .ok_or_else(|| Error::argument("partNo must be from 1 to 10000"))?;
            let blob = to_blob(&file)?;
            // As Blob.slice takes them (negative counts from the end).
            let start = start.as_f64().unwrap_or(0.0);
            let end = end.as_f64().unwrap_or(blob.size());
            let slice = blob
                .slice_with_f64_and_f64(start, end)
                .map_err(|_| Error::argument("the file cannot be sliced"))?;
            let id = js::text(&upload_id);
            let n = (n as u32).to_string();
            let mut r = Request::new("PUT", &name, &[("partNumber", &n), ("uploadId", &id)]);
            r.body = Body::Part {
                number: 1,
                start: 0,
                end: slice.size() as u64,
            };
            let mut single = Single::new(r);
            single.body = Some(slice);
            let shape: Shape = Box::new(move |g| {
                Ok(js::object(&[
                    ("name", name.into()),
                    ("etag", g.answer.etag()?.into()),
                    ("res", res(&g.answer)),
                ])
                .into())
            });
            Ok((single, shape))
        })();
        self.single(options, made)
    }

    /// `parts` is `[{number, etag}]`, in any order.
    #[wasm_bindgen(js_name = completeMultipartUpload)]
    pub fn complete_multipart_upload(
        &self,
        name: JsValue,
        upload_id: JsValue,
        parts: JsValue,
        options: JsValue,
    ) -> Promise {
        let made = (|| {
            let name = options::check_name(&name)?;
            if !Array::is_array(&parts) {
                return Err(Error::argument("parts must be an array of {number, etag}"));
            }
            let mut list = Vec::new();
            for p in Array::from(&parts).iter() {
                let (Some(n), Some(etag)) = (
                    js::get(&p, "number").and_then(|n| n.as_f64()),
                    js::get(&p, "etag").and_then(|e| e.as_string()),
                ) else {
                    return Err(Error::argument("each part must be {number, etag}"));
                };
                list.push((n as u32, etag));
            }
            crate::protocol::order::sort_by(&mut list, |a, b| a.0 < b.0);
            let callback = options::callback_headers(&options)?;
            let id = js::text(&upload_id);
            // The caller's headers, as ali-oss sends them: all but those only Initiate takes.
            let mut headers = options::headers(&options)?;
            headers.retain(|(k, _)| {
                !["x-oss-server-side-encryption", "x-oss-storage-class"]
                    .iter()
                    .any(|only| k.eq_ignore_ascii_case(only))
            });
            headers.extend(callback.iter().cloned());
            let r = complete_request(&name, &id, &list, &headers);
            let shape: Shape = Box::new(move |g| {
                let a = &g.answer;
                let (etag, data) = if callback.is_empty() {
                    let etag = messages::parse_complete(&a.body)
                        .map_err(|e| Error::bad_response(a.status, &e))?;
                    (etag, JsValue::UNDEFINED)
                } else {
                    let etag = a.header("etag").unwrap_or_default().to_string();
                    (etag, called_back(a)?)
                };
                Ok(js::object(&[
                    ("bucket", g.bucket.into()),
                    ("name", name.into()),
                    ("etag", etag.into()),
                    ("crc64", crc64_of(a)),
                    ("res", res(a)),
                    ("data", data),
                ])
                .into())
            });
            Ok((Single::new(r), shape))
        })();
        self.single(options, made)
    }

    /// Every part the server holds for an upload: all pages, so `isTruncated` is false and
    /// ali-oss's `query` (max-parts, part-number-marker) is not needed.
    #[wasm_bindgen(js_name = listParts)]
    pub fn list_parts(
        &self,
        name: JsValue,
        upload_id: JsValue,
        _query: JsValue,
        options: JsValue,
    ) -> Promise {
        let made = options::check_name(&name).map(|name| {
            let mut single = Single::new(Request::new("GET", &name, &[]));
            single.all_parts = Some((name.clone(), js::text(&upload_id)));
            let shape: Shape = Box::new(move |g| {
                let list: Array = g
                    .parts
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
                Ok(js::object(&[
                    ("res", res(&g.answer)),
                    ("uploadId", upload_id),
                    ("bucket", g.bucket.into()),
                    ("name", name.into()),
                    ("isTruncated", false.into()),
                    ("parts", list.into()),
                ])
                .into())
            });
            (single, shape)
        });
        self.single(options, made)
    }

    /// Uploads in progress: `query` takes prefix, max-uploads, key-marker, upload-id-marker.
    #[wasm_bindgen(js_name = listUploads)]
    pub fn list_uploads(&self, query: JsValue, options: JsValue) -> Promise {
        let names = ["prefix", "max-uploads", "key-marker", "upload-id-marker"];
        let made = query_from(&query, &names).map(|q| {
            let mut r =
                Request::new("GET", "", &[("uploads", ""), ("encoding-type", "url")]).text();
            r.query.extend(q);
            let shape: Shape = Box::new(|g| {
                let a = &g.answer;
                let page = messages::parse_list_uploads(&a.body)
                    .map_err(|e| Error::bad_response(a.status, &e))?;
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
                    ("bucket", g.bucket.into()),
                    ("nextKeyMarker", page.next_key_marker.into()),
                    ("nextUploadIdMarker", page.next_upload_id_marker.into()),
                    ("isTruncated", page.truncated.into()),
                    ("res", res(a)),
                ])
                .into())
            });
            (Single::new(r), shape)
        });
        self.single(options, made)
    }

    /// Objects in the bucket (ListObjects): `query` takes prefix, marker, max-keys (default
    /// 100, at most 1000), delimiter.
    pub fn list(&self, query: JsValue, options: JsValue) -> Promise {
        let made = query_from(&query, &["prefix", "marker", "max-keys", "delimiter"])
            .map(|q| self.listing(q, false));
        self.single(options, made)
    }

    /// Objects in the bucket (ListObjectsV2): `query` takes prefix, continuation-token (or
    /// continuationToken), start-after, max-keys, delimiter, fetch-owner.
    #[wasm_bindgen(js_name = listV2)]
    pub fn list_v2(&self, query: JsValue, options: JsValue) -> Promise {
        let names = [
            "prefix",
            "continuation-token",
            "start-after",
            "max-keys",
            "delimiter",
            "fetch-owner",
        ];
        let made = query_from(&query, &names).map(|mut q| {
            if let Some(t) = js::get(&query, "continuationToken") {
                q.push(("continuation-token".into(), js::text(&t)));
            }
            q.push(("list-type".into(), "2".into()));
            self.listing(q, true)
        });
        self.single(options, made)
    }

    /// A ListObjects request and its result in ali-oss's shape, V1 or V2.
    fn listing(&self, query: Vec<(String, String)>, v2: bool) -> (Single, Shape) {
        let mut r = Request::new("GET", "", &[("encoding-type", "url")]).text();
        r.query.extend(query);
        let endpoint = self.0.o.endpoint.clone();
        let shape: Shape = Box::new(move |g| {
            let a = &g.answer;
            let page = messages::parse_list_objects(&a.body)
                .map_err(|e| Error::bad_response(a.status, &e))?;
            let objects: Array = page
                .objects
                .iter()
                .map(|o| {
                    let owner = o.owner.as_ref().map_or(JsValue::NULL, |(id, name)| {
                        js::object(&[
                            ("id", id.as_str().into()),
                            ("displayName", name.as_str().into()),
                        ])
                        .into()
                    });
                    JsValue::from(js::object(&[
                        ("name", o.key.as_str().into()),
                        ("url", endpoint.url(&g.bucket, Some(&o.key), &[]).into()),
                        ("lastModified", o.last_modified.as_str().into()),
                        ("etag", o.etag.as_str().into()),
                        ("type", o.kind.as_str().into()),
                        ("size", (o.size as f64).into()),
                        ("storageClass", o.storage_class.as_str().into()),
                        ("owner", owner),
                    ]))
                })
                .collect();
            let text_or_null = |s: &str| {
                if s.is_empty() {
                    JsValue::NULL
                } else {
                    s.into()
                }
            };
            let prefixes = if page.prefixes.is_empty() {
                JsValue::NULL
            } else {
                page.prefixes
                    .iter()
                    .map(|p| JsValue::from(p.as_str()))
                    .collect::<Array>()
                    .into()
            };
            let out = js::object(&[
                ("res", res(a)),
                ("objects", objects.into()),
                ("prefixes", prefixes),
                ("isTruncated", page.truncated.into()),
            ]);
            if v2 {
                js::set(&out, "keyCount", page.key_count as f64);
                js::set(
                    &out,
                    "continuationToken",
                    text_or_null(&page.continuation_token),
                );
                js::set(&out, "nextContinuationToken", text_or_null(&page.next));
            } else {
                js::set(&out, "nextMarker", text_or_null(&page.next));
            }
            Ok(out.into())
        });
        (Single::new(r), shape)
    }

    /// Aborts an upload on the server and frees its parts.
    #[wasm_bindgen(js_name = abortMultipartUpload)]
    pub fn abort_multipart_upload(
        &self,
        name: JsValue,
        upload_id: JsValue,
        options: JsValue,
    ) -> Promise {
        // As ali-oss: an abort sets the cancel flag that isCancel() reads.
        self.0.cancelled.set(true);
        let made = options::check_name(&name).map(|name| {
            let id = js::text(&upload_id);
            let mut single = Single::new(Request::new("DELETE", &name, &[("uploadId", &id)]));
            single.forget = Some(id);
            (single, only_res())
        });
        self.single(options, made)
    }

    /// `{status, meta, res}`: the object's x-oss-meta-* as `meta`. `options` takes headers
    /// (If-Modified-Since …: a 304 is a result), versionId.
    pub fn head(&self, name: JsValue, options: JsValue) -> Promise {
        let made = (|| {
            let name = options::check_name(&name)?;
            let shape: Shape = Box::new(|g| {
                let a = &g.answer;
                // As ali-oss: null when the object has no x-oss-meta-*.
                let mut meta = None;
                for (k, v) in &a.headers {
                    if let Some(m) = k.strip_prefix("x-oss-meta-") {
                        js::set(meta.get_or_insert_with(Object::new), m, v.as_str());
                    }
                }
                Ok(js::object(&[
                    ("status", a.status.into()),
                    ("meta", meta.map_or(JsValue::NULL, JsValue::from)),
                    ("res", res(a)),
                ])
                .into())
            });
            let mut r = Request::new("HEAD", &name, &[]);
            r.headers = options::headers(&options)?;
            r.query = options::subresources(&options)?;
            r.conditional = true;
            Ok((Single::new(r), shape))
        })();
        self.single(options, made)
    }

    /// `{content, res}`: `content` is a Buffer (ali-oss's `OSS.Buffer`), so toString() gives
    /// the text. `options` (the second argument, or the third as ali-oss's get(name, file,
    /// options)) takes headers (Range, If-Match …), subres (e.g. `response-content-type`),
    /// versionId, process, responseCacheControl.
    pub fn get(&self, name: JsValue, file_or_options: JsValue, options: JsValue) -> Promise {
        let options = if file_or_options.is_object() {
            file_or_options
        } else {
            options
        };
        let made = (|| {
            let name = options::check_name(&name)?;
            let mut r = Request::new("GET", &name, &[]);
            // As ali-oss in a browser: `response-cache-control=no-cache`, so that the
            // browser's cache never answers for an object overwritten since, unless
            // `responseCacheControl: null` (or the caller's own subres) says otherwise.
            let cache_as_is = options.is_object()
                && js_sys::Reflect::get(&options, &"responseCacheControl".into())
                    .is_ok_and(|v| v.is_null());
            if !cache_as_is {
                r.query
                    .push(("response-cache-control".into(), "no-cache".into()));
            }
            for (k, v) in options::subresources(&options)? {
                r.query.retain(|(q, _)| *q != k);
                r.query.push((k, v));
            }
            r.headers = options::headers(&options)?;
            r.read = Read::Bytes;
            r.conditional = true;
            let shape: Shape = Box::new(|g| {
                // A 304 has no body: empty content, as ali-oss gives.
                let buffer = g
                    .bytes
                    .map_or_else(|| js_sys::ArrayBuffer::new(0), |b| b.buffer());
                let content = buffer_of(&buffer);
                Ok(js::object(&[("content", content), ("res", res(&g.answer))]).into())
            });
            Ok((Single::new(r), shape))
        })();
        self.single(options, made)
    }

    /// `{status, res}` of HEAD ?objectMeta: the object's size, ETag and dates without its
    /// metadata.
    #[wasm_bindgen(js_name = getObjectMeta)]
    pub fn get_object_meta(&self, name: JsValue, options: JsValue) -> Promise {
        let made = (|| {
            let name = options::check_name(&name)?;
            let mut r = Request::new("HEAD", &name, &[("objectMeta", "")]);
            r.query.extend(options::subresources(&options)?);
            let shape: Shape = Box::new(|g| {
                Ok(
                    js::object(&[("status", g.answer.status.into()), ("res", res(&g.answer))])
                        .into(),
                )
            });
            Ok((Single::new(r), shape))
        })();
        self.single(options, made)
    }

    /// DeleteMultipleObjects: `names` are strings or `{key, versionId}`; `{quiet}` leaves the
    /// deleted keys out of the answer. `{deleted: [{Key}], res}`.
    #[wasm_bindgen(js_name = deleteMulti)]
    pub fn delete_multi(&self, names: JsValue, options: JsValue) -> Promise {
        let made = (|| {
            if !Array::is_array(&names) || Array::from(&names).length() == 0 {
                return Err(Error::argument(
                    "deleteMulti() takes a non-empty array of names",
                ));
            }
            let mut keys = Vec::new();
            for n in Array::from(&names).iter() {
                let (key, version) = match js::get(&n, "key") {
                    Some(k) => (k, js::get(&n, "versionId").map(|v| js::text(&v))),
                    None => (n, None),
                };
                keys.push((options::check_name(&key)?, version));
            }
            let quiet = options::boolean(&options, "quiet")?.unwrap_or(false);
            let body = messages::delete_body(&keys, quiet);
            let md5 = {
                use base64::Engine;
                use md5::Digest;
                base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&body))
            };
            let mut r =
                Request::new("POST", "", &[("delete", ""), ("encoding-type", "url")]).text();
            r.headers = vec![
                ("content-type".into(), "application/xml".into()),
                ("content-md5".into(), md5),
            ];
            r.body = Body::Text(body);
            let shape: Shape = Box::new(|g| {
                let a = &g.answer;
                let deleted = if a.body.is_empty() {
                    Vec::new()
                } else {
                    messages::parse_delete(&a.body)
                        .map_err(|e| Error::bad_response(a.status, &e))?
                };
                let deleted: Array = deleted
                    .iter()
                    .map(|k| JsValue::from(js::object(&[("Key", k.as_str().into())])))
                    .collect();
                Ok(js::object(&[("res", res(a)), ("deleted", deleted.into())]).into())
            });
            Ok((Single::new(r), shape))
        })();
        self.single(options, made)
    }

    /// CopyObject: `name` from `source` (in `sourceBucket`, or this bucket); `options` take
    /// headers, meta (which replace the source's), versionId. `{data: {etag, lastModified}, res}`.
    pub fn copy(
        &self,
        name: JsValue,
        source: JsValue,
        source_bucket: JsValue,
        options: JsValue,
    ) -> Promise {
        // As ali-oss: copy(name, source, options) when the third argument is the options.
        let (source_bucket, options) = match source_bucket.as_string() {
            Some(b) => (Some(b), options),
            None if source_bucket.is_object() => (None, source_bucket),
            None => (None, options),
        };
        let made = (|| {
            let name = options::check_name(&name)?;
            // As ali-oss: a source starting with `/` is `/bucket/key`.
            let (bucket, source) = match (source_bucket, source.as_string()) {
                (Some(b), _) if !crate::protocol::endpoint::valid_bucket(&b) => {
                    return Err(Error::argument(format!(
                        "the source bucket {} is not a bucket name",
                        js::quoted(&b)
                    )))
                }
                (None, Some(s)) if s.starts_with('/') => {
                    let (b, k) = s[1..]
                        .split_once('/')
                        .filter(|(b, _)| crate::protocol::endpoint::valid_bucket(b))
                        .ok_or_else(|| {
                            Error::argument("a copy source starting with '/' must be /bucket/key")
                        })?;
                    (b.to_string(), options::check_name(&k.into())?)
                }
                (b, _) => (
                    b.unwrap_or_else(|| self.0.bucket.borrow().clone()),
                    options::check_name(&source)?,
                ),
            };
            let mut r = Request::new("PUT", &name, &[]).text();
            let mut headers = options::headers(&options)?;
            let replaced = [
                "content-type",
                "content-encoding",
                "content-language",
                "content-disposition",
                "cache-control",
                "expires",
            ];
            let mut replace = headers
                .iter()
                .any(|(k, _)| replaced.contains(&k.to_ascii_lowercase().as_str()));
            if js::get(&options, "meta").is_some() {
                replace = true;
                headers.extend(options::meta_headers(&options)?);
            }
            let mut from = format!("/{bucket}/{}", crate::protocol::encode::uri_encode(&source));
            if let Some(v) = options::string(&options, "versionId")? {
                from.push_str(&format!("?versionId={v}"));
            }
            headers.push(("x-oss-copy-source".into(), from));
            // OSS checks a copy's conditions against the source under these names.
            let conditions: Vec<(String, String)> = headers
                .iter()
                .filter(|(k, _)| k.to_ascii_lowercase().starts_with("if-"))
                .map(|(k, v)| {
                    (
                        format!("x-oss-copy-source-{}", k.to_ascii_lowercase()),
                        v.clone(),
                    )
                })
                .collect();
            headers.extend(conditions);
            r.conditional = true;
            if replace {
                headers.push(("x-oss-metadata-directive".into(), "REPLACE".into()));
                // As ali-oss: a replace without a type gets the name's, not OSS's default
                // application/octet-stream (putMeta must not turn an image into a download).
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                {
                    headers.push(("content-type".into(), mime::from_name(&name).into()));
                }
            }
            r.headers = headers;
            let shape: Shape = Box::new(|g| {
                let a = &g.answer;
                let data = if a.body.is_empty() {
                    JsValue::NULL
                } else {
                    let (etag, modified) = messages::parse_copy(&a.body)
                        .map_err(|e| Error::bad_response(a.status, &e))?;
                    js::object(&[("etag", etag.into()), ("lastModified", modified.into())]).into()
                };
                Ok(js::object(&[("data", data), ("res", res(a))]).into())
            });
            Ok((Single::new(r), shape))
        })();
        self.single(options, made)
    }

    /// Replaces an object's x-oss-meta-* (a copy onto itself), as ali-oss's putMeta.
    #[wasm_bindgen(js_name = putMeta)]
    pub fn put_meta(&self, name: JsValue, meta: JsValue, options: JsValue) -> Promise {
        let o = Object::new();
        js::set(
            &o,
            "meta",
            if meta.is_object() {
                meta
            } else {
                Object::new().into()
            },
        );
        for key in ["timeout", "signal"] {
            if let Some(v) = js::get(&options, key) {
                js::set(&o, key, v);
            }
        }
        self.copy(name.clone(), name, o.into(), JsValue::UNDEFINED)
    }

    pub fn delete(&self, name: JsValue, options: JsValue) -> Promise {
        let made = options::check_name(&name)
            .map(|name| (Single::new(Request::new("DELETE", &name, &[])), only_res()));
        self.single(options, made)
    }

    /// A presigned URL (V1, or V4 with authorizationV4) with the credentials in hand, as
    /// ali-oss's: `{expires: seconds (default 1800), method: 'GET', 'Content-Type',
    /// 'Content-MD5', 'x-oss-*' (signed headers the request must then send), response,
    /// process, trafficLimit, callback, subResource}`.
    /// As ali-oss, a name starting with `?` is refused unless `strict` is false.
    #[wasm_bindgen(js_name = signatureUrl)]
    pub fn signature_url(
        &self,
        name: JsValue,
        options: JsValue,
        strict: JsValue,
    ) -> Result<String, JsValue> {
        let bucket = self.0.bucket.borrow().clone();
        Ok(self.url_for(name, options, strict, bucket)?)
    }

    /// signatureUrl() for `bucket`, the one in use when the call was made.
    fn url_for(
        &self,
        name: JsValue,
        options: JsValue,
        strict: JsValue,
        bucket: String,
    ) -> Result<String, Error> {
        if strict.as_bool() != Some(false) && name.as_string().is_some_and(|n| n.starts_with('?')) {
            return Err(Error::argument(format!(
                "Invalid object name {}",
                js::text(&name)
            )));
        }
        let name = options::check_name(&name)?;
        let expires = options::count(&options, "expires", 1800, 1..=7 * 24 * 3600)?;
        let method = options::string(&options, "method")?
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        let mut headers = Vec::new();
        if options.is_object() {
            for (key, value) in entries_of(&options) {
                let lower = key.to_ascii_lowercase();
                if lower.starts_with("x-oss-") || lower == "content-type" || lower == "content-md5"
                {
                    headers.push((lower, value));
                } else if !SIGNATURE_URL_OPTIONS.contains(&key.as_str()) {
                    let known = [&SIGNATURE_URL_OPTIONS[..], &["Content-Type", "Content-MD5"]];
                    let meant = presign::meant(&key, &known.concat())
                        .filter(|_| js::get(&options, &key).is_some());
                    if let Some(meant) = meant {
                        // A near miss would sign a URL other than the one asked for (`expire`
                        // signs for 1800 s): refused, not ignored. One left undefined (an
                        // object spread) asks for nothing.
                        return Err(Error::argument(format!(
                            "signatureUrl() has no option {}: did you mean {}?",
                            js::quoted(&key),
                            js::quoted(meant)
                        )));
                    }
                    // ali-oss ignores other options it does not know, and its own tests pass
                    // some (`filename`); a console note names them.
                    js::warn(&format!(
                        "oss-browser-upload: signatureUrl() ignores the option {}; it knows {}, Content-Type, Content-MD5 and x-oss-* headers",
                        js::quoted(&key),
                        SIGNATURE_URL_OPTIONS.join(", ")
                    ));
                }
            }
        }
        // ali-oss's `response` ({'content-disposition': …}) rides as `response-*` parameters,
        // which OSS signs as subresources; `process`, `trafficLimit` and `callback` likewise.
        let mut params = Vec::new();
        if let Some(response) = js::get(&options, "response") {
            for (k, v) in entries_of(&response) {
                let header = k.to_ascii_lowercase();
                if !presign::RESPONSE_OVERRIDES.contains(&header.as_str()) {
                    return Err(Error::argument(format!(
                        "signatureUrl()'s response option overrides only {}; OSS would ignore {}",
                        presign::RESPONSE_OVERRIDES.join(", "),
                        js::quoted(&k)
                    )));
                }
                params.push((format!("response-{header}"), v));
            }
        }
        if let Some(p) = js::get(&options, "process") {
            params.push(("x-oss-process".into(), js::text(&p)));
        }
        if let Some(t) = js::get(&options, "trafficLimit") {
            params.push(("x-oss-traffic-limit".into(), js::text(&t)));
        }
        for (k, v) in options::callback_headers(&options)? {
            params.push((k.trim_start_matches("x-oss-").to_string(), v));
        }
        if let Some(sub) = js::get(&options, "subResource") {
            params.extend(entries_of(&sub));
        }
        self.presigned(&bucket, method, &name, headers, params, expires, None)
    }

    /// signatureUrl() after refreshing the STS token if it is due, as ali-oss's.
    #[wasm_bindgen(js_name = asyncSignatureUrl)]
    pub fn async_signature_url(&self, name: JsValue, options: JsValue, strict: JsValue) -> Promise {
        let me = Client(self.0.clone());
        let bucket = self.0.bucket.borrow().clone();
        future_to_promise(async move {
            me.keys_in_hand().await?;
            Ok(me.url_for(name, options, strict, bucket)?.into())
        })
    }

    /// ali-oss's signatureUrlV4(method, expires (s), {headers, queries}, objectName,
    /// additionalHeaders): a V4 presigned URL, whatever the client's signing version.
    #[wasm_bindgen(js_name = signatureUrlV4)]
    pub fn signature_url_v4(
        &self,
        method: JsValue,
        expires: JsValue,
        request: JsValue,
        name: JsValue,
        additional: JsValue,
    ) -> Promise {
        let me = Client(self.0.clone());
        let bucket = self.0.bucket.borrow().clone();
        future_to_promise(async move {
            me.keys_in_hand().await?;
            if bucket.is_empty() {
                return Err(Error::argument(
                    "Please ensure that bucketName is passed into getCanonicalRequest.",
                )
                .into());
            }
            // Without a name, the bucket's own URL.
            let name = if name.is_undefined() || name.is_null() {
                String::new()
            } else {
                options::check_name(&name)?
            };
            let expires = expires
                .as_f64()
                .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n <= 7.0 * 24.0 * 3600.0)
                .ok_or_else(|| {
                    Error::argument("expires must be a whole number of seconds, at most 7 days")
                })?;
            let headers = match js::get(&request, "headers") {
                Some(h) => entries_of(&h)
                    .into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v))
                    .collect(),
                None => Vec::new(),
            };
            let params = js::get(&request, "queries").map_or_else(Vec::new, |q| entries_of(&q));
            let mut extra: Vec<String> = Vec::new();
            if Array::is_array(&additional) {
                for h in Array::from(&additional).iter() {
                    let h = js::text(&h).to_ascii_lowercase();
                    let signed_anyway =
                        h.starts_with("x-oss-") || h == "content-type" || h == "content-md5";
                    if signed_anyway || extra.contains(&h) {
                        continue;
                    }
                    if !headers.iter().any(|(k, _)| *k == h) {
                        return Err(Error::argument(format!(
                            "Can't find additional header {h} in request headers."
                        ))
                        .into());
                    }
                    extra.push(h);
                }
            }
            let method = js::text(&method).to_ascii_uppercase();
            let url = me.presigned(
                &bucket,
                method,
                &name,
                headers,
                params,
                expires as u32,
                Some(extra),
            )?;
            Ok(url.into())
        })
    }

    /// Waits until the keys are in hand, refreshing them if they are due (or absent).
    async fn keys_in_hand(&self) -> Result<(), Error> {
        loop {
            if !matches!(self.0.keys.borrow_mut().ready(js::now_ms()), Ready::Wait) {
                return Ok(());
            }
            let inbox = Rc::new(Inbox::default());
            self.0.listen(&inbox);
            self.0.refresh_if_wanted();
            if let Event::Keys(Some(e)) = inbox.next().await {
                return Err(e);
            }
        }
    }

    /// A presigned URL for `name`: V4 when `v4_additional` is given or the client signs V4.
    #[allow(clippy::too_many_arguments)]
    fn presigned(
        &self,
        bucket: &str,
        method: String,
        name: &str,
        headers: Vec<(String, String)>,
        params: Vec<(String, String)>,
        expires: u32,
        v4_additional: Option<Vec<String>>,
    ) -> Result<String, Error> {
        let c = &self.0;
        if bucket.is_empty() {
            return Err(Error::argument(
                "no bucket: pass `bucket` to new OSS() or call useBucket(name) first",
            ));
        }
        let parts = crate::protocol::request::RequestParts {
            method,
            bucket: Some(bucket.to_string()),
            key: Some(name.to_string()).filter(|n| !n.is_empty()),
            query: params,
            headers,
        };
        let keys = c.keys.borrow();
        let creds = keys.current().ok_or_else(|| {
            Error::credentials("signatureUrl() needs credentials in hand: await an upload first, use asyncSignatureUrl(), or pass accessKeyId/accessKeySecret")
        })?;
        let now = keys.now_secs(js::now_ms());
        let mut query = parts.query.clone();
        let v4 = v4_additional.or_else(|| c.o.v4.then(Vec::new));
        query.extend(match v4 {
            Some(additional) => presign::v4_query(
                &parts,
                creds,
                &time::iso8601_basic(now),
                expires.into(),
                &c.o.region,
                &additional,
            ),
            None => presign::v1_query(&parts, creds, now + u64::from(expires)),
        });
        let key = Some(name).filter(|n| !n.is_empty());
        Ok(c.o.endpoint.url(bucket, key, &query))
    }

    /// ali-oss's getObjectUrl: `baseUrl` (default: the endpoint, no bucket) and the name.
    #[wasm_bindgen(js_name = getObjectUrl)]
    pub fn get_object_url(&self, name: JsValue, base_url: JsValue) -> Result<String, JsValue> {
        let name = options::check_name(&name)?;
        let e = &self.0.o.endpoint;
        let base = base_url
            .as_string()
            .unwrap_or_else(|| format!("{}://{}/", e.scheme, e.host));
        Ok(object_url(&base, &name))
    }

    /// ali-oss's generateObjectUrl: as getObjectUrl, but the default base is the bucket's.
    #[wasm_bindgen(js_name = generateObjectUrl)]
    pub fn generate_object_url(&self, name: JsValue, base_url: JsValue) -> Result<String, JsValue> {
        let name = options::check_name(&name)?;
        Ok(match base_url.as_string() {
            Some(base) => object_url(&base, &name),
            None => self
                .0
                .o
                .endpoint
                .url(&self.0.bucket.borrow(), Some(&name), &[]),
        })
    }

    /// The uploads saved for this bucket that resume when their file is picked again,
    /// newest first.
    #[wasm_bindgen(js_name = listSavedUploads)]
    pub fn list_saved_uploads(&self) -> Promise {
        let c = self.0.clone();
        future_to_promise(async move {
            let list: Array = c
                .saved
                .all()
                .await
                .iter()
                .filter(|r| *r.bucket == *c.bucket.borrow())
                .map(Record::summary)
                .collect();
            Ok(list.into())
        })
    }

    /// Forgets a saved upload (its fingerprint, or an entry of listSavedUploads()); with
    /// `{abort: true}` also aborts it on the server, freeing its parts.
    #[wasm_bindgen(js_name = forgetSavedUpload)]
    pub fn forget_saved_upload(&self, which: JsValue, options: JsValue) -> Promise {
        let me = Client(self.0.clone());
        future_to_promise(async move {
            let fp = which
                .as_string()
                .or_else(|| js::get(&which, "fingerprint").and_then(|f| f.as_string()))
                .ok_or_else(|| {
                    Error::argument("pass a fingerprint or an entry of listSavedUploads()")
                })?;
            if js::get(&options, "abort").and_then(|a| a.as_bool()) == Some(true) {
                let saved =
                    me.0.saved
                        .all()
                        .await
                        .into_iter()
                        .find(|r| r.fingerprint == fp);
                if let Some(s) = saved {
                    let r = Request::new("DELETE", &s.name, &[("uploadId", &s.upload_id)]);
                    // The bucket the upload was saved in, whatever the client uses now.
                    let mut io = me.io(&options)?;
                    io.signing.bucket = s.bucket.clone();
                    match me.exchange(Single::new(r), io).await {
                        Err(e) if e.code != "NoSuchUpload" => return Err(e.into()),
                        _ => {}
                    }
                }
            }
            me.0.saved.forget(&fp).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Stops every upload and request of this client at once (ali-oss's cancel()); their
    /// promises reject with an error isCancel() recognises, checkpoints intact.
    ///
    /// As ali-oss: `cancel({name, uploadId, options})` also aborts that upload on the server.
    pub fn cancel(&self, abort: JsValue) {
        self.0.cancelled.set(true);
        if let Ok(fresh) = AbortController::new() {
            let old = self.0.cancel.replace(fresh);
            old.abort();
        }
        // After the swap, so that this cancel does not stop the abort itself.
        if let (Some(name), Some(id)) = (js::get(&abort, "name"), js::get(&abort, "uploadId")) {
            let options = js::get(&abort, "options").unwrap_or(JsValue::UNDEFINED);
            let aborting = self.abort_multipart_upload(name, id, options);
            // Its failure has no one to tell (ali-oss does not wait either).
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(aborting).await;
            });
        }
    }

    /// With no argument, ali-oss's flag: whether cancel() was called since the last
    /// multipartUpload() began (or resetCancelFlag()). With an error, whether it is the
    /// rejection of a cancelled call.
    #[wasm_bindgen(js_name = isCancel)]
    pub fn is_cancel(&self, err: JsValue) -> bool {
        if err.is_undefined() {
            return self.0.cancelled.get();
        }
        js::get(&err, "name").and_then(|n| n.as_string()).as_deref() == Some(CANCEL)
    }

    #[wasm_bindgen(js_name = resetCancelFlag)]
    pub fn reset_cancel_flag(&self) {
        self.0.cancelled.set(false);
    }

    /// The bucket later calls go to (ali-oss's useBucket); calls under way keep theirs.
    #[wasm_bindgen(js_name = useBucket)]
    pub fn use_bucket(&self, name: JsValue) -> Result<(), JsValue> {
        let name = name
            .as_string()
            .filter(|b| crate::protocol::endpoint::valid_bucket(b))
            .ok_or_else(|| {
                Error::argument("the bucket name must be 3 to 63 lower-case letters, digits, '-' and '_', not starting or ending with '-'")
            })?;
        js::set(&self.0.options, "bucket", name.as_str());
        *self.0.bucket.borrow_mut() = name;
        Ok(())
    }

    #[wasm_bindgen(js_name = setBucket)]
    pub fn set_bucket(&self, name: JsValue) -> Result<(), JsValue> {
        self.use_bucket(name)
    }

    /// ali-oss's `client.options`: the options as this client reads them.
    #[wasm_bindgen(getter)]
    pub fn options(&self) -> Object {
        self.0.options.clone()
    }

    /// The bucket in use; undefined when none was given.
    #[wasm_bindgen(js_name = getBucket)]
    pub fn get_bucket(&self) -> Option<String> {
        Some(self.0.bucket.borrow().clone()).filter(|b| !b.is_empty())
    }
}
