//! Finding a file's saved upload again, under a cross-tab lock.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::Blob;

use super::saver::Saver;
use super::store::{Record, SavedUploads};
use crate::engine::checkpoint::Checkpoint;
use crate::engine::error::Error;
use crate::engine::fingerprint::{self, FileIdentity};
use crate::engine::plan::Plan;
use crate::text;
use crate::web::js;

#[wasm_bindgen(module = "/src/web/lock.js")]
extern "C" {
    #[wasm_bindgen(js_name = tryLock)]
    fn try_lock(name: &str) -> Promise;
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

/// Takes the lock on `blob` going to `name`, or fails with InProgress: the lock is on the file
/// going to the object however it is cut, so two tabs whose `parallel` (and so default part
/// size) differ do not race either. Resolves to the lock's release.
async fn lock(bucket: &str, name: &str, file: &FileIdentity) -> Result<Function, Error> {
    let lock = fingerprint::fingerprint(bucket, name, file, 0);
    wasm_bindgen_futures::JsFuture::from(try_lock(&text::fill("oss-browser-upload:{}", &[&lock])))
        .await
        .ok()
        .and_then(|r| r.dyn_into::<Function>().ok())
        .ok_or_else(Error::in_progress)
}

/// What a file's saved upload was found to be.
pub struct Found {
    pub saver: Saver,
    pub checkpoint: Option<Checkpoint>,
    /// Saved uploads of an earlier version of the file (kept with a handle, since changed):
    /// they can never resume, and are for the caller to abort and forget.
    pub stale: Vec<Record>,
}

/// Finds the upload's saved record and takes its lock: the saver keeps the record as the
/// upload goes, and releases the lock when the upload ends. With `chosen` (the part size
/// was ours to choose), a record of the same file saved with another part size is resumed
/// with that one. `plan` becomes the saved upload's, part size changes and all. `handle`, the
/// file's handle if it came with one, is kept in the record.
pub async fn find_or_start(
    saved_uploads: &SavedUploads,
    (bucket, name): (&str, &str),
    blob: &Blob,
    handle: Option<JsValue>,
    plan: &mut Plan,
    chosen: bool,
) -> Result<Found, Error> {
    let file = identity(blob);
    let release = lock(bucket, name, &file).await?;
    let mut fp = fingerprint::fingerprint(bucket, name, &file, plan.part_size);
    let mut saved = saved_uploads.load(&fp).await;
    let mut stale = Vec::new();
    let same_target = |r: &Record| r.bucket == bucket && r.name == name && r.file_name == file.name;
    if saved.is_none() && (chosen || handle.is_some()) {
        for r in saved_uploads.all().await.into_iter().filter(same_target) {
            let same_version = (r.plan.size == file.size && r.last_modified == file.last_modified)
                && r.file_type == file.mime;
            if same_version && chosen && saved.is_none() {
                // A default part size depends on the file, `parallel` and this package's version.
                fp = r.fingerprint.clone();
                saved = Some(r);
            } else if !same_version && r.handle.is_some() && handle.is_some() {
                // The same name going to the same object from a handle: an earlier version of
                // this file (any other would be overwritten by this upload anyway).
                stale.push(r);
            }
        }
    }
    let now = js::now_ms();
    let checkpoint = saved.as_ref().map(|s| Checkpoint {
        name: s.name.clone(),
        plan: s.plan.clone(),
        upload_id: s.upload_id.clone(),
        done: s.done.clone(),
    });
    if let Some(cp) = &checkpoint {
        *plan = cp.plan.clone();
    }
    let template = Record {
        fingerprint: fp,
        bucket: bucket.into(),
        name: name.into(),
        file_name: file.name,
        plan: plan.clone(),
        last_modified: file.last_modified,
        file_type: file.mime,
        upload_id: String::new(),
        done: Default::default(),
        created_at: saved.as_ref().map_or(now, |s| s.created_at),
        updated_at: now,
        handle: handle.or_else(|| saved.and_then(|s| s.handle)),
    };
    Ok(Found {
        saver: Saver::new(template, release, saved_uploads),
        checkpoint,
        stale,
    })
}
