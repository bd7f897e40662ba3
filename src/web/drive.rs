//! Runs an operation of the engine: carries out its commands (sends, timers, reads, saves,
//! progress) and feeds it what comes back, in one loop per operation. Each request, timer
//! and read runs as its own task and posts its result to the operation's inbox.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{AbortSignal, Blob};

use super::fetch::{self, Target};
use super::inbox::Inbox;
use super::saved::saver::Saver;
use super::shape::{checkpoint_to_js, done_to_js, part_to_js, res};
use super::shared::Shared;
use super::stream::StreamParts;
use super::{error, js, options};
use crate::engine::checkpoint::Checkpoint;
use crate::engine::error::Error;
use crate::engine::exchange::{Answer, Body, Env, Outgoing, Signing};
use crate::engine::io::{Command, Event, Operation};
use crate::text;

/// What a call runs under, fixed when it is made: the bucket in use, aborted by the client's
/// cancel() or the caller's `signal`, bounded by the caller's `timeout` or the client's.
pub struct Run {
    pub shared: Rc<Shared>,
    /// The bucket this call addresses and how its requests are signed.
    pub signing: Signing,
    pub cancel: AbortSignal,
    pub timeout_ms: u32,
    /// The call's place in line for the client's connections, taken when it was made.
    op: u64,
}

impl Run {
    /// A call's run from its options (`signal`, `timeout`), in the bucket in use.
    pub fn new(shared: &Rc<Shared>, o: &JsValue) -> Result<Run, Error> {
        // Not ignored: `put(name, file, 'image/png')` would send another type than meant. A
        // falsy value is none, as ali-oss reads it (`options || {}`).
        if o.is_truthy() && !o.is_object() && !o.is_function() {
            return Err(Error::argument(text::fill(
                "the options must be an object, got {}",
                &[&js::text(o)],
            )));
        }
        let bucket = shared.bucket()?;
        let client = shared.cancel.borrow().signal();
        let cancel = match js::get(o, "signal") {
            None => client,
            Some(s) => {
                let s: AbortSignal = s
                    .dyn_into()
                    .map_err(|_| Error::argument("`signal` must be an AbortSignal"))?;
                AbortSignal::any(&Array::of2(&client, &s))
            }
        };
        Ok(Run {
            shared: shared.clone(),
            signing: Signing {
                bucket,
                v4: shared.o.v4.then(|| shared.o.region.clone()),
            },
            cancel,
            timeout_ms: options::duration_ms(o, "timeout")?.unwrap_or(shared.o.timeout_ms),
            op: shared.connections.next_op(),
        })
    }
}

/// Where an operation's part bodies come from.
pub enum Data {
    None,
    /// A File or Blob, with its size as planned: a browser reads a file deleted since it was
    /// picked as empty.
    File {
        blob: Blob,
        size: u64,
    },
    Stream(Stream),
}

impl Data {
    pub fn file(blob: Blob) -> Data {
        let size = blob.size() as u64;
        Data::File { blob, size }
    }
}

/// A ReadableStream's parts as they are read.
pub struct Stream {
    /// Taken by the read under way.
    parts: Rc<RefCell<Option<StreamParts>>>,
    /// To cancel the stream when the upload ends badly.
    pub reader: web_sys::ReadableStreamDefaultReader,
    /// The parts read and not yet stored, by number, with their CRC64 as read.
    blobs: Rc<RefCell<Vec<(u32, Blob, u64)>>>,
    read: Rc<Cell<u32>>,
}

impl Stream {
    pub fn new(parts: StreamParts) -> Stream {
        Stream {
            reader: parts.reader(),
            parts: Rc::new(RefCell::new(Some(parts))),
            blobs: Rc::default(),
            read: Rc::default(),
        }
    }
}

/// A request's body, the bytes its CRC64 is checked against, the file it is a slice of (and
/// the file's size), and a CRC64 known before sending.
type BodyOf = (JsValue, Option<Blob>, Option<(Blob, u64)>, Option<u64>);

/// Carries out an operation's commands.
pub struct Driver {
    run: Run,
    /// A one-request call's: its request goes before uploads' parts.
    first: bool,
    data: Data,
    inbox: Rc<Inbox>,
    progress: Option<Function>,
    /// What the caller passed, returned as the checkpoint's `file`.
    file: JsValue,
    saver: Option<Saver>,
    /// `get()`'s bytes.
    bytes: Rc<RefCell<Option<Uint8Array>>>,
    /// The checkpoint's done parts as JavaScript sees them, grown a part at a time and
    /// shared by every progress call and saved record, so that a part's cost does not grow
    /// with the parts already done. `None` until first needed, or after the engine's
    /// checkpoint was replaced (initiated, resumed).
    done: RefCell<Option<Array>>,
}

impl Driver {
    pub fn new(run: Run, data: Data) -> Driver {
        Driver {
            first: false,
            run,
            data,
            inbox: Rc::default(),
            progress: None,
            file: JsValue::UNDEFINED,
            saver: None,
            bytes: Rc::default(),
            done: RefCell::default(),
        }
    }

    /// Sends before uploads' parts: a one-request call, which a page waits on.
    pub fn first(mut self) -> Driver {
        self.first = true;
        self
    }

    /// Calls `progress` as the operation reports, with `file` as the checkpoint's.
    pub fn reporting(mut self, progress: Option<Function>, file: JsValue) -> Driver {
        self.progress = progress;
        self.file = file;
        self
    }

    /// Keeps the operation's checkpoint with `saver`.
    pub fn saving(mut self, saver: Option<Saver>) -> Driver {
        self.saver = saver;
        self
    }

    pub fn data(&self) -> &Data {
        &self.data
    }

    /// The bytes a `Read::Bytes` answer brought.
    pub fn take_bytes(&self) -> Option<Uint8Array> {
        self.bytes.borrow_mut().take()
    }

    /// Runs `op` until it is over.
    pub async fn run(&self, op: &mut dyn Operation) {
        let inbox = self.inbox.clone();
        let _listening =
            js::Listener::new(&self.run.cancel, "abort", move || inbox.push(Event::Cancel));
        if self.run.cancel.aborted() {
            self.inbox.push(Event::Cancel);
        }
        self.run.shared.inboxes.add(&self.inbox);
        loop {
            while let Some(c) = self.env_step(|env| op.poll(env)) {
                self.perform(c, op).await;
            }
            if op.is_over() {
                break;
            }
            let e = self.inbox.next().await;
            self.env_step(|env| op.handle(e, env));
        }
    }

    fn env_step<R>(&self, f: impl FnOnce(&mut Env) -> R) -> R {
        let shared = &self.run.shared;
        let r = {
            let mut keys = shared.keys.borrow_mut();
            let mut link = shared.link.borrow_mut();
            let mut env = Env {
                keys: &mut keys,
                signing: &self.run.signing,
                link: &mut link,
                now_ms: js::now_ms(),
            };
            f(&mut env)
        };
        shared.refresh_if_wanted();
        r
    }

    async fn perform(&self, c: Command, op: &mut dyn Operation) {
        match c {
            Command::Send(o) => self.send(o),
            Command::Sleep { id, ms } => self.post_when(js::sleep(ms), Event::Woke(id)),
            Command::WaitOnline => self.post_when(js::online(), Event::Online),
            Command::ReadPart => self.read_part(),
            Command::Stored(n) => self.stored(n, op.checkpoint()),
            Command::Save => {
                if let (Some(saver), Some(cp)) = (&self.saver, op.checkpoint()) {
                    saver.save(cp, &self.done_js(cp));
                }
            }
            Command::Forget => {
                if let Some(saver) = &self.saver {
                    saver.forget().await;
                }
            }
            Command::Progress {
                fraction,
                checkpoint,
                res: answer,
                live,
            } => {
                let cp = op.checkpoint().filter(|_| checkpoint);
                if let Err(e) = self.report(fraction, cp, answer.as_ref(), live).await {
                    self.env_step(|env| op.handle(Event::ProgressFailed(e), env));
                }
            }
            Command::Warn(message) => js::warn_once(message, || message.into()),
        }
    }

    /// Posts `event` once `done` is.
    fn post_when(&self, done: impl std::future::Future<Output = ()> + 'static, event: Event) {
        let inbox = self.inbox.clone();
        spawn_local(async move {
            done.await;
            inbox.push(event);
        });
    }

    /// Part `n` is in the checkpoint: a stream's bytes for it go, and the done parts grow.
    fn stored(&self, n: u32, cp: Option<&Checkpoint>) {
        if let Data::Stream(s) = &self.data {
            s.blobs.borrow_mut().retain(|(k, _, _)| *k != n);
        }
        let part = cp.and_then(|cp| cp.done.get(n).map(|p| (cp, p)));
        if let (Some(a), Some((cp, p))) = (&*self.done.borrow(), part) {
            if a.length() as usize + 1 == cp.done.len() {
                a.push(&part_to_js(n, p));
            }
        }
    }

    /// Calls `progress(fraction, checkpoint, res)`. A live report (bytes going out) is not
    /// awaited and what it throws is ignored; a per-part one's error is the upload's.
    async fn report(
        &self,
        fraction: f64,
        cp: Option<&Checkpoint>,
        answer: Option<&Answer>,
        live: bool,
    ) -> Result<(), Error> {
        let Some(f) = &self.progress else {
            return Ok(());
        };
        let cp = cp.map_or(JsValue::NULL, |cp| {
            checkpoint_to_js(cp, &self.file, &self.done_js(cp))
        });
        let args = [fraction.into(), cp, answer.map_or(JsValue::NULL, res)];
        if live {
            let f = f.clone();
            spawn_local(async move {
                let _ = js::call_progress(&f, &args).await;
            });
            return Ok(());
        }
        js::call_progress(f, &args).await.map(|_| ()).map_err(|e| {
            Error::argument(text::fill(
                "the progress callback threw: {}",
                &[&js::message_of(&e)],
            ))
        })
    }

    /// The done parts as JavaScript sees them, rebuilt only when they no longer match.
    fn done_js(&self, cp: &Checkpoint) -> Array {
        let mut done = self.done.borrow_mut();
        match &*done {
            Some(a) if a.length() as usize == cp.done.len() => a.clone(),
            _ => done.insert(done_to_js(&cp.done)).clone(),
        }
    }

    /// A request's body: a File's slice, a stream's part, a form, or text; the bytes of it a
    /// CRC64 covers, or (a stream's part) the CRC64 itself, known as the part was read.
    #[inline(never)]
    fn body_of(&self, body: &Body) -> BodyOf {
        match (body, &self.data) {
            (Body::Text(t), _) => (t.as_str().into(), None, None, None),
            (Body::Part { start, end, .. }, Data::File { blob, size }) => {
                // The whole file goes as itself: a browser reads a file deleted since it was
                // picked as empty, and only the file itself then fails to send.
                let bytes = match *start == 0 && end == size {
                    true => blob.clone(),
                    false => Blob::from(gloo_file::Blob::from(blob.clone()).slice(*start, *end)),
                };
                (
                    bytes.clone().into(),
                    Some(bytes),
                    Some((blob.clone(), *size)),
                    None,
                )
            }
            (Body::Form { form, start, end }, Data::File { blob, size }) => {
                // The file part says the object's type: OSS takes it over the field.
                let ty = (form.fields.iter())
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    .map_or("", |(_, v)| v.as_str());
                let bytes =
                    blob.slice_with_f64_and_f64_and_content_type(*start as f64, *end as f64, ty);
                let Ok(bytes) = bytes else {
                    return (JsValue::UNDEFINED, None, None, None);
                };
                let sent = form_of(&form.fields, &bytes, blob);
                (sent, Some(bytes), Some((blob.clone(), *size)), None)
            }
            (Body::Part { number, .. }, Data::Stream(s)) => {
                let blobs = s.blobs.borrow();
                match blobs.iter().find(|(k, _, _)| k == number) {
                    Some((_, blob, crc)) => (blob.into(), None, None, Some(*crc)),
                    None => (JsValue::UNDEFINED, None, None, None),
                }
            }
            _ => (JsValue::UNDEFINED, None, None, None),
        }
    }

    fn send(&self, o: Outgoing) {
        let shared = &self.run.shared;
        let (bucket, key) = (&self.run.signing.bucket, o.parts.key.as_deref());
        let url = shared.o.endpoint.url(bucket, key, &o.parts.query);
        let (body, hashed, file, crc64) = self.body_of(&o.body);
        let (inbox, id) = (self.inbox.clone(), o.id);
        // XHR is for the bytes going out; a read goes through fetch, which can keep the
        // browser's cache out of it.
        // A form by fetch is a simple request; XHR's upload listeners make the browser
        // preflight it, so a form takes XHR only where byte-level progress was asked for.
        let form = matches!(o.body, Body::Form { .. });
        let xhr = shared.o.xhr && !body.is_undefined() && (!form || shared.o.byte_progress);
        let on_sent = shared.o.byte_progress.then(|| {
            let inbox = inbox.clone();
            Box::new(move |sent| inbox.push(Event::Sent(id, sent))) as Box<dyn Fn(u64)>
        });
        let target = Target {
            url,
            body,
            hashed,
            crc64,
            file,
            xhr,
            signer: (shared.o.signer.clone()).map(|s| (s, shared.o.region.clone())),
            cancel: o.cancellable.then(|| self.run.cancel.clone()),
            on_sent,
            latin1: shared.o.latin1_headers,
        };
        let bytes = self.bytes.clone();
        let connections = &shared.connections;
        connections.queue(
            (self.run.op, self.first),
            &target.url.clone(),
            move |connection| {
                spawn_local(async move {
                    let (outcome, got) = fetch::send(&o, target).await;
                    if got.is_some() {
                        *bytes.borrow_mut() = got;
                    }
                    inbox.push(Event::Answer(id, outcome));
                    drop(connection);
                })
            },
        );
    }

    fn read_part(&self) {
        let Data::Stream(s) = &self.data else {
            return;
        };
        let (parts, blobs, read, inbox) = (
            s.parts.clone(),
            s.blobs.clone(),
            s.read.clone(),
            self.inbox.clone(),
        );
        spawn_local(async move {
            let Some(mut reader) = parts.borrow_mut().take() else {
                return;
            };
            let got = reader.next().await;
            *parts.borrow_mut() = Some(reader);
            inbox.push(match got {
                Ok(Some((blob, last, crc))) => {
                    read.set(read.get() + 1);
                    let len = blob.size() as u64;
                    blobs.borrow_mut().push((read.get(), blob, crc));
                    Event::Part { len, last }
                }
                Ok(None) => Event::SourceEnd,
                Err(e) => Event::SourceFailed(e),
            });
        });
    }

    /// The operation's error as JavaScript sees it, with the checkpoint to resume from when
    /// there is one.
    pub fn error(&self, e: &Error, cp: Option<&Checkpoint>) -> JsValue {
        let out = error::to_js(e);
        if let (Some(cp), Data::File { .. }) = (cp, &self.data) {
            let cp = checkpoint_to_js(cp, &self.file, &self.done_js(cp));
            js::set(out.unchecked_ref(), "checkpoint", cp);
        }
        out
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.run.shared.connections.withdraw(self.run.op);
    }
}

/// A PostObject form: `fields` in order, then `file` as the `file` field, named as the picked
/// file is (OSS puts that name in for `${filename}` in the key).
fn form_of(fields: &[(String, String)], file: &Blob, source: &Blob) -> JsValue {
    let Ok(form) = web_sys::FormData::new() else {
        return JsValue::UNDEFINED;
    };
    for (k, v) in fields {
        let _ = form.append_with_str(k, v);
    }
    let name = source
        .dyn_ref::<web_sys::File>()
        .map_or_else(|| "blob".into(), |f| f.name());
    let _ = form.append_with_blob_and_filename("file", file, &name);
    form.into()
}
