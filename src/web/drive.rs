//! Runs an operation of the engine: carries out its commands (sends, timers, reads, saves,
//! progress) and feeds it what comes back, in one loop per operation. Each request, timer
//! and read runs as its own task and posts its result to the operation's inbox.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};

use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AbortSignal, Blob};

use super::client::Shared;
use super::fetch::{self, Target};
use super::saved::{done_to_js, part_to_js, stored_part, Batch, Record};
use super::stream::StreamParts;
use super::{error, js};
use crate::engine::checkpoint::Checkpoint;
use crate::engine::error::Error;
use crate::engine::exchange::{Answer, Body, Env, Outgoing, Signing};
use crate::engine::io::{Command, Event, Operation};

/// Where an operation's tasks post their results.
#[derive(Default)]
pub struct Inbox {
    queue: RefCell<VecDeque<Event>>,
    waker: RefCell<Option<Waker>>,
}

impl Inbox {
    pub fn push(&self, e: Event) {
        self.queue.borrow_mut().push_back(e);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    pub async fn next(&self) -> Event {
        poll_fn(|cx| match self.queue.borrow_mut().pop_front() {
            Some(e) => Poll::Ready(e),
            None => {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// Where an upload's bytes come from.
pub enum Source {
    None,
    File(Blob),
    Stream {
        /// Taken by the read under way.
        parts: Rc<RefCell<Option<StreamParts>>>,
        /// To cancel the stream when the upload ends badly.
        reader: web_sys::ReadableStreamDefaultReader,
        /// The parts read and not yet stored, by number.
        blobs: Rc<RefCell<Vec<(u32, Blob)>>>,
        read: Rc<Cell<u32>>,
    },
}

/// Keeps an upload's record while it goes, and holds its cross-tab lock. Each save writes
/// the record and the parts done since the last; saves are coalesced: while one is written,
/// and for [`SAVE_GAP_MS`] after, those waiting merge into one, so a fast run of parts costs
/// a few writes a second, not one per part.
pub struct Saver {
    pub template: Record,
    pub release: Function,
    queue: Rc<SaveQueue>,
    /// The upload ID and done-parts array last queued, and how many of its parts were.
    queued: RefCell<(String, Option<Array>, u32)>,
}

/// The least time between two writes of one upload's record. What a reload loses of it is
/// on the server already: a resume takes its done parts from ListParts, the record only says
/// which upload to ask about (and, for CRC64, what each part hashed to).
const SAVE_GAP_MS: u32 = 100;

#[derive(Default)]
struct SaveQueue {
    next: RefCell<Option<Batch>>,
    /// A writer is running (writing, or waiting out the gap).
    busy: Cell<bool>,
    writing: Cell<bool>,
    /// Resolvers of those waiting for the write under way to end.
    idle: RefCell<Vec<Function>>,
    /// Ends the gap early: when the upload ends, its last state is written at once.
    wake: RefCell<Option<Function>>,
}

impl Saver {
    pub fn new(template: Record, release: Function) -> Saver {
        Saver {
            template,
            release,
            queue: Rc::default(),
            queued: RefCell::default(),
        }
    }

    /// Queues the parts of `done` not yet queued, or all of them when the upload or the
    /// array changed (initiated, resumed: those stored may no longer hold).
    fn save(&self, client: &Rc<Shared>, cp: &Checkpoint, done: &Array) {
        let mut queued = self.queued.borrow_mut();
        let same = queued.0 == cp.upload_id && queued.1.as_ref().is_some_and(|a| a == done);
        let from = if same { queued.2 } else { 0 };
        let fp = &self.template.fingerprint;
        let parts = (from..done.length())
            .filter_map(|i| {
                let n = js::get(&done.get(i), "number")?.as_f64()? as u32;
                Some(stored_part(fp, n, cp.done.get(n)?))
            })
            .collect();
        *queued = (cp.upload_id.clone(), Some(done.clone()), done.length());
        let batch = Batch {
            fingerprint: fp.clone(),
            record: self.template.to_js_with(&cp.upload_id, js::now_ms()),
            reset: !same,
            parts,
            all: done.clone(),
        };
        let q = &self.queue;
        let mut next = q.next.borrow_mut();
        match next.as_mut() {
            Some(waiting) => waiting.merge(batch),
            None => *next = Some(batch),
        }
        drop(next);
        if q.busy.replace(true) {
            return;
        }
        let (q, client) = (q.clone(), client.clone());
        spawn_local(async move {
            loop {
                let next = q.next.borrow_mut().take();
                let Some(batch) = next else { break };
                q.writing.set(true);
                client.saved.put(batch).await;
                q.writing.set(false);
                for resolve in q.idle.borrow_mut().drain(..) {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                let gap = Promise::new(&mut |resolve, _| {
                    js::set_timeout(&resolve, SAVE_GAP_MS);
                    *q.wake.borrow_mut() = Some(resolve);
                });
                let _ = JsFuture::from(gap).await;
                q.wake.borrow_mut().take();
            }
            q.busy.set(false);
        });
    }

    /// Waits for the write under way, then drops the record.
    async fn forget(&self, client: &Shared) {
        let q = &self.queue;
        q.next.borrow_mut().take();
        if q.writing.get() {
            let idle = Promise::new(&mut |resolve, _| q.idle.borrow_mut().push(resolve));
            let _ = JsFuture::from(idle).await;
        }
        client.saved.forget(&self.template.fingerprint).await;
    }
}

impl Drop for Saver {
    fn drop(&mut self) {
        if let Some(wake) = self.queue.wake.borrow_mut().take() {
            let _ = wake.call0(&JsValue::NULL);
        }
        let _ = self.release.call0(&JsValue::NULL);
    }
}

/// What an operation's commands are carried out with.
pub struct Io {
    pub client: Rc<Shared>,
    /// The bucket this operation addresses and how its requests are signed.
    pub signing: Signing,
    pub inbox: Rc<Inbox>,
    /// Aborted by the client's cancel() or the caller's signal.
    pub cancel: AbortSignal,
    pub timeout_ms: u32,
    pub source: Source,
    /// The object's size as planned, for telling an unreadable file from a network failure.
    pub size: u64,
    pub progress: Option<Function>,
    pub saver: Option<Saver>,
    /// What the caller passed, returned as the checkpoint's `file`.
    pub file: JsValue,
    /// `get()`'s bytes.
    pub bytes: Rc<RefCell<Option<Uint8Array>>>,
    /// The checkpoint's done parts as JavaScript sees them, grown a part at a time and
    /// shared by every progress call and saved record, so that a part's cost does not grow
    /// with the parts already done. `None` until first needed, or after the engine's
    /// checkpoint was replaced (initiated, resumed).
    pub done: RefCell<Option<Array>>,
}

thread_local! {
    static WARNED: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// ali-oss's `res`: `{status, statusCode, headers (lower-case names), size, rt,
/// requestUrls}`, and `requestId`.
pub fn res(a: &Answer) -> JsValue {
    let headers = js_sys::Object::new();
    for (k, v) in &a.headers {
        js::set(&headers, k, v.as_str());
    }
    js::object(&[
        ("status", a.status.into()),
        ("statusCode", a.status.into()),
        ("headers", headers.into()),
        ("size", (a.size as f64).into()),
        ("rt", a.rt_ms.into()),
        ("requestUrls", Array::of1(&a.url.as_str().into()).into()),
        ("requestId", a.request_id().into()),
    ])
    .into()
}

/// A checkpoint in ali-oss's shape, with the caller's file and its done parts.
pub fn checkpoint_to_js(cp: &Checkpoint, file: &JsValue, done: &Array) -> JsValue {
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

impl Io {
    /// The done parts as JavaScript sees them, rebuilt only when they no longer match.
    fn done_js(&self, cp: &Checkpoint) -> Array {
        let mut done = self.done.borrow_mut();
        match &*done {
            Some(a) if a.length() as usize == cp.done.len() => a.clone(),
            _ => done.insert(done_to_js(&cp.done)).clone(),
        }
    }

    fn env_step<R>(&self, f: impl FnOnce(&mut Env) -> R) -> R {
        let r = {
            let mut keys = self.client.keys.borrow_mut();
            let mut env = Env {
                keys: &mut keys,
                signing: &self.signing,
                now_ms: js::now_ms(),
            };
            f(&mut env)
        };
        self.client.refresh_if_wanted();
        r
    }

    /// Runs `op` until it is over.
    pub async fn run(&self, op: &mut dyn Operation) {
        let inbox = self.inbox.clone();
        let on_abort = Closure::<dyn FnMut()>::new(move || inbox.push(Event::Cancel));
        let _ = self
            .cancel
            .add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        if self.cancel.aborted() {
            self.inbox.push(Event::Cancel);
        }
        self.client.listen(&self.inbox);
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
        let _ = self
            .cancel
            .remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
    }

    async fn perform(&self, c: Command, op: &mut dyn Operation) {
        match c {
            Command::Send(o) => self.send(o),
            Command::Sleep { id, ms } => {
                let inbox = self.inbox.clone();
                spawn_local(async move {
                    js::sleep(ms).await;
                    inbox.push(Event::Woke(id));
                });
            }
            Command::WaitOnline => {
                let inbox = self.inbox.clone();
                spawn_local(async move {
                    if js::offline() {
                        let online = Promise::new(&mut |resolve, _| {
                            let g = js_sys::global();
                            if let Some(add) = js::function(&g, "addEventListener") {
                                let once = js::object(&[("once", true.into())]);
                                let _ = add.call3(&g, &"online".into(), &resolve, &once);
                            }
                        });
                        let _ = JsFuture::from(online).await;
                    }
                    inbox.push(Event::Online);
                });
            }
            Command::ReadPart => self.read_part(),
            Command::Stored(n) => {
                if let Source::Stream { blobs, .. } = &self.source {
                    blobs.borrow_mut().retain(|(k, _)| *k != n);
                }
                let part = op
                    .checkpoint()
                    .and_then(|cp| cp.done.get(n).map(|p| (cp, p)));
                if let (Some(a), Some((cp, p))) = (&*self.done.borrow(), part) {
                    if a.length() as usize + 1 == cp.done.len() {
                        a.push(&part_to_js(n, p));
                    }
                }
            }
            Command::Save => {
                if let (Some(saver), Some(cp)) = (&self.saver, op.checkpoint()) {
                    saver.save(&self.client, cp, &self.done_js(cp));
                }
            }
            Command::Forget => {
                if let Some(saver) = &self.saver {
                    saver.forget(&self.client).await;
                }
            }
            Command::Progress {
                fraction,
                checkpoint,
                res: answer,
                live,
            } => {
                let Some(f) = &self.progress else { return };
                let cp = match (checkpoint, op.checkpoint()) {
                    (true, Some(cp)) => checkpoint_to_js(cp, &self.file, &self.done_js(cp)),
                    _ => JsValue::NULL,
                };
                let r = answer.as_ref().map_or(JsValue::NULL, res);
                if live {
                    let (f, fraction) = (f.clone(), fraction.into());
                    spawn_local(async move {
                        let _ = js::call_progress(&f, &[fraction, cp, r]).await;
                    });
                    return;
                }
                if let Err(e) = js::call_progress(f, &[fraction.into(), cp, r]).await {
                    let e = Error::argument(format!(
                        "the progress callback threw: {}",
                        js::message_of(&e)
                    ));
                    self.env_step(|env| op.handle(Event::ProgressFailed(e), env));
                }
            }
            Command::Warn(message) => {
                let first = WARNED.with(|w| {
                    let mut w = w.borrow_mut();
                    let first = !w.contains(&message);
                    if first {
                        w.push(message);
                    }
                    first
                });
                if first {
                    js::warn(message);
                }
            }
        }
    }

    fn send(&self, o: Outgoing) {
        let c = &self.client;
        let url =
            c.o.endpoint
                .url(&self.signing.bucket, o.parts.key.as_deref(), &o.parts.query);
        let mut file = None;
        let body = match &o.body {
            Body::Empty => JsValue::UNDEFINED,
            Body::Text(t) => t.as_str().into(),
            Body::Part { number, start, end } => match &self.source {
                Source::File(blob) => {
                    file = Some((blob.clone(), self.size));
                    // The whole file goes as itself: a browser reads a file deleted since it
                    // was picked as empty, and only the file itself then fails to send.
                    if *start == 0 && *end == self.size {
                        blob.clone().into()
                    } else {
                        let slice = gloo_file::Blob::from(blob.clone()).slice(*start, *end);
                        JsValue::from(web_sys::Blob::from(slice))
                    }
                }
                Source::Stream { blobs, .. } => blobs
                    .borrow()
                    .iter()
                    .find(|(k, _)| k == number)
                    .map_or(JsValue::UNDEFINED, |(_, b)| b.clone().into()),
                Source::None => JsValue::UNDEFINED,
            },
        };
        let inbox = self.inbox.clone();
        let id = o.id;
        // XHR is for the bytes going out; a read goes through fetch, which can keep the
        // browser's cache out of it.
        let xhr = c.o.xhr && !body.is_undefined();
        let on_progress = xhr.then(|| {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(f64)>::new(move |sent: f64| {
                inbox.push(Event::Sent(id, sent as u64))
            })
        });
        let target = Target {
            url,
            body,
            file,
            xhr,
            signer: c.o.signer.clone().map(|s| (s, c.o.region.clone())),
            cancel: o.cancellable.then(|| self.cancel.clone()),
            on_progress: on_progress
                .as_ref()
                .map_or(JsValue::UNDEFINED, |p| p.as_ref().clone()),
        };
        let bytes = self.bytes.clone();
        spawn_local(async move {
            let (outcome, got) = fetch::send(&o, target).await;
            drop(on_progress);
            if got.is_some() {
                *bytes.borrow_mut() = got;
            }
            inbox.push(Event::Answer(id, outcome));
        });
    }

    fn read_part(&self) {
        let Source::Stream {
            parts, blobs, read, ..
        } = &self.source
        else {
            return;
        };
        let (parts, blobs, read, inbox) = (
            parts.clone(),
            blobs.clone(),
            read.clone(),
            self.inbox.clone(),
        );
        spawn_local(async move {
            let Some(mut reader) = parts.borrow_mut().take() else {
                return;
            };
            let got = reader.next().await;
            *parts.borrow_mut() = Some(reader);
            inbox.push(match got {
                Ok(Some((blob, last))) => {
                    read.set(read.get() + 1);
                    let len = blob.size() as u64;
                    blobs.borrow_mut().push((read.get(), blob));
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
        if let (Some(cp), Source::File(_)) = (cp, &self.source) {
            let done = self.done_js(cp);
            let cp = checkpoint_to_js(cp, &self.file, &done);
            js::set(out.unchecked_ref(), "checkpoint", cp);
        }
        out
    }
}

/// Drops the inboxes of operations that are over.
pub fn live(inboxes: &mut Vec<Weak<Inbox>>) -> Vec<Rc<Inbox>> {
    inboxes.retain(|w| w.strong_count() > 0);
    inboxes.iter().filter_map(Weak::upgrade).collect()
}
