//! Keeps an upload's record while it goes, and holds its cross-tab lock.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::store::{stored_part, Batch, Record, SavedUploads};
use crate::engine::checkpoint::Checkpoint;
use crate::web::js;

/// Each save writes the record and the parts done since the last; saves are coalesced:
/// while one is written, and for [`SAVE_GAP_MS`] after, those waiting merge into one, so a
/// fast run of parts costs a few writes a second, not one per part.
pub struct Saver {
    template: Record,
    release: Function,
    saved: SavedUploads,
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
    /// Saves into `saved` records like `template`; `release` frees the upload's lock.
    pub fn new(template: Record, release: Function, saved: &SavedUploads) -> Saver {
        Saver {
            template,
            release,
            saved: saved.clone(),
            queue: Rc::default(),
            queued: RefCell::default(),
        }
    }

    /// Queues the parts of `done` not yet queued, or all of them when the upload or the
    /// array changed (initiated, resumed: those stored may no longer hold).
    pub fn save(&self, cp: &Checkpoint, done: &Array) {
        let mut queued = self.queued.borrow_mut();
        let same = queued.0 == cp.upload_id && queued.1.as_ref().is_some_and(|a| a == done);
        let from = if same { queued.2 } else { 0 };
        let fp = &self.template.fingerprint;
        let mut parts = Vec::new();
        for i in from..done.length() {
            let n = js::get(&done.get(i), "number").and_then(|n| n.as_f64());
            if let Some(p) = n.and_then(|n| cp.done.get(n as u32).map(|p| (n as u32, p))) {
                parts.push(stored_part(fp, p.0, p.1));
            }
        }
        *queued = (cp.upload_id.clone(), Some(done.clone()), done.length());
        let batch = Batch {
            fingerprint: fp.clone(),
            record: self
                .template
                .to_js_with(&cp.upload_id, &cp.plan, js::now_ms()),
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
        if !q.busy.replace(true) {
            spawn_local(write_all(q.clone(), self.saved.clone()));
        }
    }

    /// Waits for the write under way, then drops the record.
    pub async fn forget(&self) {
        let q = &self.queue;
        q.next.borrow_mut().take();
        if q.writing.get() {
            let idle = Promise::new(&mut |resolve, _| q.idle.borrow_mut().push(resolve));
            let _ = JsFuture::from(idle).await;
        }
        self.saved.forget(&self.template.fingerprint).await;
    }
}

/// Writes what is queued, a gap between writes, until nothing is.
async fn write_all(q: Rc<SaveQueue>, saved: SavedUploads) {
    loop {
        let next = q.next.borrow_mut().take();
        let Some(batch) = next else { break };
        q.writing.set(true);
        saved.put(batch).await;
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
}

impl Drop for Saver {
    fn drop(&mut self) {
        if let Some(wake) = self.queue.wake.borrow_mut().take() {
            let _ = wake.call0(&JsValue::NULL);
        }
        let _ = self.release.call0(&JsValue::NULL);
    }
}
