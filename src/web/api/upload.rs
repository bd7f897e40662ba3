//! put, append, putStream and multipartUpload: checked before anything is sent, then run by
//! the engine's one `Upload`, resumed from a checkpoint or a saved upload, and shaped as
//! ali-oss's result.

use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use web_sys::ReadableStream;

use crate::engine::checkpoint::Checkpoint;
use crate::engine::error::Error;
use crate::engine::io::Operation;
use crate::engine::plan::{Plan, MAX_PART_SIZE};
use crate::engine::upload::{fits_a_form, Job, Source, Upload};
use crate::protocol::mime;
use crate::text;
use crate::web::api::post_object::{self, PolicyFrom};
use crate::web::api::saved;
use crate::web::drive::{Data, Driver, Run, Stream};
use crate::web::error::{promise, reject};
use crate::web::file_handle;
use crate::web::saved::resume;
use crate::web::shape::{called_back, checkpoint_from_js, crc64_of, res, to_blob};
use crate::web::shared::{Forms, Shared};
use crate::web::stream::StreamParts;
use crate::web::{hash, js, options};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Put,
    /// AppendObject at `options.position`.
    Append,
    Stream,
    Multipart,
    /// PostObject: one form POST, authorised by a policy.
    Post,
}

impl Kind {
    fn one_request(self) -> bool {
        matches!(self, Kind::Put | Kind::Append | Kind::Post)
    }
}

/// An upload checked and ready to run.
struct Prepared {
    run: Run,
    data: Data,
    job: Job,
    progress: Option<Function>,
    /// What the caller passed, returned as the checkpoint's `file`.
    file: JsValue,
    /// The file's handle, when it was given as one: kept with the saved upload.
    handle: Option<JsValue>,
    /// For PostObject, where the form's policy comes from.
    post: Option<PolicyFrom>,
    /// The result's first fields: name, and url or bucket.
    first: Object,
    has_callback: bool,
    /// Whether the upload keeps a record to resume from after a reload.
    saves: bool,
    /// Whether the part size was ours to choose (no `partSize`, no checkpoint): a saved upload
    /// of the same file then resumes with the part size it was saved with.
    part_size_chosen: bool,
}

/// Checks the upload, then runs it.
pub fn upload(
    shared: &Rc<Shared>,
    name: JsValue,
    data: JsValue,
    o: JsValue,
    kind: Kind,
) -> Promise {
    // The call's bucket and cancel are taken now, whatever it awaits first.
    let run = match Run::new(shared, &o) {
        Ok(run) => run,
        Err(e) => return reject(e),
    };
    if let (Some(handle), false) = (file_handle::file_handle(&data), kind == Kind::Stream) {
        // A file given by its handle is checked once the handle is read, which may need the
        // person's permission.
        return promise(async move {
            let file = file_handle::file_of(&handle).await?;
            let mut p = prepare(run, name, file.into(), &o, kind)?;
            p.handle = Some(handle);
            run_upload(p).await
        });
    }
    match prepare(run, name, data, &o, kind) {
        Ok(p) => promise(run_upload(p)),
        Err(e) => reject(e),
    }
}

/// What the caller gave to upload.
enum Given {
    Blob(web_sys::Blob),
    /// Locked by a reader only once the upload is checked.
    Stream(ReadableStream),
}

/// What the bytes come from, their size (0: a stream of unknown length) and their own type.
fn given(kind: Kind, data: &JsValue, o: &JsValue) -> Result<(Given, u64, String), Error> {
    if kind == Kind::Stream {
        let s: ReadableStream = (data.clone().dyn_into())
            .map_err(|_| Error::argument("putStream() takes a ReadableStream (of bytes)"))?;
        let size = options::byte_count(o, "contentLength")?.unwrap_or(0);
        return Ok((Given::Stream(s), size, String::new()));
    }
    let blob = to_blob(data)?;
    // As ali-oss: a File's type by its name, then what the browser says it is.
    let own = (blob.dyn_ref::<web_sys::File>())
        .and_then(|f| mime::lookup(&f.name()))
        .map_or_else(|| blob.type_(), String::from);
    let size = blob.size() as u64;
    Ok((Given::Blob(blob), size, own))
}

/// The checkpoint to resume from, and the plan: a checkpoint fixes the part size, since its
/// parts must line up with the file's. The part size asked for, if any.
fn plan_of(
    kind: Kind,
    size: u64,
    o: &JsValue,
) -> Result<(Option<Checkpoint>, Plan, usize, Option<f64>), Error> {
    // A checkpoint resumes a multipart upload; a one-request upload has none to resume.
    let checkpoint = match js::get(o, "checkpoint") {
        Some(v) if !kind.one_request() => Some(checkpoint_from_js(&v)?),
        _ => None,
    };
    if checkpoint.is_some() && kind == Kind::Stream {
        return Err(Error::argument(
            "putStream() cannot resume: a stream is read once",
        ));
    }
    if kind.one_request() && size > MAX_PART_SIZE {
        let method = if kind == Kind::Post {
            "postObject()"
        } else {
            "put()"
        };
        return Err(Error::argument(text::fill(
            "{} sends one request, at most 5 GiB: use multipartUpload()",
            &[method],
        )));
    }
    let asked = match &checkpoint {
        _ if kind.one_request() => Some(MAX_PART_SIZE as f64),
        Some(cp) => Some(cp.plan.part_size as f64),
        None => options::number(o, "partSize")?,
    };
    let parallel =
        options::count(o, "parallel", options::DEFAULT_PARALLEL as u32, 1..=64)? as usize;
    let plan = Plan::new(size, asked, parallel).map_err(Error::argument)?;
    if let Some(from) = plan.raised_from {
        js::warn(&text::fill(
            "oss-browser-upload: partSize {} needs over 10000 parts for {} bytes; using {}",
            &[
                &text::int(from),
                &text::int(size),
                &text::int(plan.part_size),
            ],
        ));
    }
    Ok((checkpoint, plan, parallel, asked))
}

/// An upload's job, checked before anything is sent.
fn prepare(
    run: Run,
    name: JsValue,
    data: JsValue,
    o: &JsValue,
    kind: Kind,
) -> Result<Prepared, Error> {
    let name = options::check_name(&name)?;
    let shared = &run.shared.clone();
    let (given, size, own_type) = given(kind, &data, o)?;
    let (checkpoint, plan, parallel, asked) = plan_of(kind, size, o)?;
    let default_type = if own_type.is_empty() {
        mime::from_name(&name).to_string()
    } else {
        own_type
    };
    let headers = options::object_headers(o, &default_type, shared.o.latin1_headers)?;
    let callback = options::callback_headers(o)?;
    let crc64 = options::boolean(o, "crc64")?.unwrap_or(shared.o.crc64);
    // A callback or switch of the wrong type is refused, not ignored.
    let progress = options::function(o, "progress")?;
    let resume = options::boolean(o, "resume")?.unwrap_or(true);
    let saves = kind == Kind::Multipart && resume && (!plan.single() || checkpoint.is_some());
    let bucket = run.signing.bucket.as_str();
    let first = match kind {
        Kind::Multipart => js::object(&[("name", name.as_str().into()), ("bucket", bucket.into())]),
        _ => {
            let url = shared.o.endpoint.url(bucket, Some(&name), &[]);
            js::object(&[("name", name.as_str().into()), ("url", url.into())])
        }
    };
    let has_callback = !callback.is_empty();
    let mut post = match (kind, js::get(o, "policy")) {
        (Kind::Post, Some(p)) if !p.is_object() && !p.is_function() => {
            return Err(Error::argument(post_object::POLICY_SHAPE));
        }
        (Kind::Post, Some(p)) => Some(PolicyFrom::Backend(p)),
        (Kind::Post, None) => Some(PolicyFrom::Engine),
        _ => None,
    };
    let append = match kind {
        Kind::Append => Some(position(o)?),
        _ => None,
    };
    let source = match given {
        Given::Blob(blob) => Data::file(blob),
        Given::Stream(s) => Data::Stream(Stream::new(StreamParts::new(&s, plan.part_size)?)),
    };
    let job = Job {
        headers,
        crc64,
        name,
        plan,
        source: match kind {
            Kind::Stream => Source::Stream {
                expected: Some(size).filter(|s| *s > 0),
            },
            _ => Source::File,
        },
        callback,
        parallel,
        // The link decides what the caller left open (a checkpoint's part size is where its
        // done parts lie, not a choice for the parts still to cut).
        choose_part_size: js::get(o, "partSize").is_none(),
        choose_parallel: js::get(o, "parallel").is_none(),
        checkpoint,
        progress: progress.is_some(),
        live: shared.o.byte_progress,
        watched: shared.o.xhr,
        policy: shared.o.retry,
        timeout_ms: run.timeout_ms,
        seed: js::seed(),
        append,
        form: None,
    };
    // Tentative: whether it goes as a form is decided as it starts (`Shared::form_turn`).
    if kind == Kind::Put && shared.forms.get() != Forms::Off && fits_a_form(&job) {
        post = Some(PolicyFrom::InsteadOfPut);
    }
    Ok(Prepared {
        run,
        data: source,
        job,
        progress,
        file: data,
        handle: None,
        post,
        first,
        has_callback,
        saves,
        part_size_chosen: asked.is_none(),
    })
}

/// AppendObject's position: ali-oss takes it as a number or a string.
fn position(o: &JsValue) -> Result<u64, Error> {
    match js::get(o, "position") {
        None => Ok(0),
        Some(p) => js::text(&p)
            .parse()
            .map_err(|_| Error::argument("`position` must be a whole number of bytes")),
    }
}

async fn run_upload(p: Prepared) -> Result<JsValue, JsValue> {
    let Prepared {
        run,
        data,
        mut job,
        progress,
        file,
        handle,
        post,
        first,
        mut has_callback,
        saves,
        part_size_chosen,
    } = p;
    let mut saver = None;
    if let Data::File { blob, .. } = &data {
        // A picked file deleted since reads as size 0 in some browsers (WebKit at times): an
        // empty File must prove it can be read, or an empty object would replace the upload.
        let is_file = blob.is_instance_of::<web_sys::File>();
        if job.plan.size == 0 && is_file && !hash::readable(blob, 0).await {
            return Err(Error::file_unreadable().into());
        }
        if saves {
            let target = (run.signing.bucket.as_str(), job.name.as_str());
            let chosen = part_size_chosen;
            let found = resume::find_or_start(
                &run.shared.saved,
                target,
                blob,
                handle,
                &mut job.plan,
                chosen,
            );
            let found = found.await?;
            for old in &found.stale {
                // It can never resume: forgotten whether or not the server could abort it (a
                // role without AbortMultipartUpload), so it is not offered again.
                let _ = saved::abort(&run.shared, old, &JsValue::UNDEFINED).await;
                run.shared.saved.forget(&old.fingerprint).await;
            }
            job.checkpoint = job.checkpoint.or(found.checkpoint);
            saver = Some(found.saver);
        }
    }
    let post = match post {
        Some(PolicyFrom::InsteadOfPut) if !run.shared.form_turn() => None,
        p => p,
    };
    let by_form = matches!(post, Some(PolicyFrom::InsteadOfPut));
    if let Some(from) = post {
        let form = post_object::form(&run.shared, &job, from).await?;
        // A backend's callback answers as ours does.
        has_callback |= form.fields.iter().any(|(k, _)| k == "callback");
        job.form = Some(form);
    }
    let (append, size) = (job.append, job.plan.size);
    let shared = run.shared.clone();
    let driver = Driver::new(run, data)
        .reporting(progress, file)
        .saving(saver);
    let mut up = Upload::new(job);
    driver.run(&mut up).await;
    let cp = up.checkpoint().cloned();
    let outcome = up.take_result().unwrap_or_else(|| Err(Error::cancelled()));
    if by_form {
        let cancelled = outcome.as_ref().is_err_and(Error::is_cancel);
        shared.form_tried(up.form_failed(), outcome.is_ok(), cancelled);
    }
    if let (Err(_), Data::Stream(s)) = (&outcome, driver.data()) {
        // A stream that already failed rejects the cancel: nothing to report.
        let cancelled = s.reader.cancel();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(cancelled).await;
        });
    }
    let mut done = outcome.map_err(|e| driver.error(&e, cp.as_ref()))?;
    if by_form {
        // As PutObject reports it: the object's URL, not the bucket's the form went to.
        done.answer.url = js::text(&js::get(&first, "url").unwrap_or_default());
    }
    let a = &done.answer;
    js::set(
        &first,
        "etag",
        done.etag.map_or(JsValue::NULL, JsValue::from),
    );
    js::set(&first, "crc64", crc64_of(a));
    js::set(&first, "res", res(a));
    if let Some(position) = append {
        // The header, or (if the bucket's CORS rule hides it) where this data ended.
        let next = a
            .header("x-oss-next-append-position")
            .map_or_else(|| text::int(position + size), String::from);
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
