//! Saved uploads in IndexedDB (database `oss-browser-upload`: store `uploads`, one record per
//! fingerprint, and store `parts`, one record per done part keyed `[fingerprint, number]`), so
//! an upload resumes after a reload. A part is written once, when it is done: a save costs the
//! same at the 10,000th part as at the first, where a record holding every done part would
//! grow the structured clone of each write with the parts done. When IndexedDB cannot be used (private
//! mode, blocked, quota, a context without it) the records live in memory for the page's
//! life, after one console warning: uploads still work, they just do not survive a reload. A
//! record that does not read back as ours is ignored and deleted, never trusted.

use std::cell::RefCell;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbKeyRange, IdbRequest, IdbTransactionMode};

use crate::engine::checkpoint::{DonePart, DoneParts};
use crate::engine::plan::Plan;
use crate::text;
use crate::web::js;
use crate::web::shape::{done_from_js, part_from_js, part_to_js, plan_from_js, plan_to_js};

const DB_NAME: &str = "oss-browser-upload";
const STORE: &str = "uploads";
const PARTS: &str = "parts";
/// Version 1 had only `uploads`.
const VERSION: u32 = 2;
/// Written into every record, so a record from another layout is recognised as foreign.
/// Format 1 records (version 1's) hold their parts in `doneParts`, and still resume; format 2
/// ones have one part size. Format 3 may list where the part size changed
/// (`partSizeChanges`), which a reader of format 2 would take for parts at other places: it
/// drops them instead.
const FORMAT: u32 = 3;

/// One saved upload.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub fingerprint: String,
    pub bucket: String,
    pub name: String,
    pub file_name: String,
    /// The file's size, and where its parts lie.
    pub plan: Plan,
    pub last_modified: f64,
    pub file_type: String,
    pub upload_id: String,
    pub done: DoneParts,
    pub created_at: f64,
    pub updated_at: f64,
    /// The file's `FileSystemFileHandle`, when it was given one: it resumes without the file
    /// being picked again.
    pub handle: Option<JsValue>,
}

thread_local! {
    /// The fallback, shared by every client of the page: each record as stored, with its
    /// done parts (the upload's own growing array, so keeping it costs nothing per part).
    static MEMORY: RefCell<Vec<(JsValue, Array)>> = const { RefCell::new(Vec::new()) };
}

fn warn_once(why: &str) {
    js::warn_once("indexeddb", || {
        text::fill("oss-browser-upload: no IndexedDB ({}); uploads resume in this page only, not after a reload.", &[why])
    });
}

/// A stored record's fingerprint.
fn fingerprint_of(record: &JsValue) -> Option<String> {
    js::get(record, "fingerprint")?.as_string()
}

/// A part as stored in `parts`: `{fingerprint, number, etag, crc64?}`.
pub fn stored_part(fingerprint: &str, n: u32, p: &DonePart) -> JsValue {
    let part = part_to_js(n, p);
    js::set(part.unchecked_ref(), "fingerprint", fingerprint);
    part
}

/// One write of an upload's progress: its record, and the parts done since the last write —
/// or, after `reset` (a new upload ID, parts dropped on resume), all of them, replacing those
/// stored.
pub struct Batch {
    pub fingerprint: String,
    pub record: JsValue,
    pub reset: bool,
    pub parts: Vec<JsValue>,
    /// Every done part (`{number, etag, crc64?}`), for the in-memory fallback.
    pub all: Array,
}

impl Batch {
    /// This batch and a later one as one write.
    pub fn merge(&mut self, later: Batch) {
        if later.reset {
            self.reset = true;
            self.parts = later.parts;
        } else {
            self.parts.extend(later.parts);
        }
        self.record = later.record;
        self.all = later.all;
    }
}

impl Record {
    /// The fields a record and a listSavedUploads() entry share.
    fn common(&self) -> Object {
        let o = js::object(&[
            ("fingerprint", self.fingerprint.as_str().into()),
            ("bucket", self.bucket.as_str().into()),
            ("name", self.name.as_str().into()),
            ("fileName", self.file_name.as_str().into()),
            ("lastModified", self.last_modified.into()),
            ("fileType", self.file_type.as_str().into()),
            ("uploadId", self.upload_id.as_str().into()),
            ("updatedAt", self.updated_at.into()),
        ]);
        if let Some(h) = &self.handle {
            js::set(&o, "handle", h);
        }
        o
    }

    /// What listSavedUploads() shows of a record.
    pub fn summary(&self) -> JsValue {
        let o = self.common();
        plan_to_js(&o, &self.plan);
        let bytes = crate::engine::checkpoint::bytes_done(&self.plan, &self.done);
        js::set(&o, "bytesDone", bytes as f64);
        o.into()
    }

    /// This record, as stored (its parts apart), for upload `upload_id` whose parts lie as
    /// `plan` says, updated at `updated_at`.
    pub fn to_js_with(&self, upload_id: &str, plan: &Plan, updated_at: f64) -> JsValue {
        let o = self.common();
        js::set(&o, "uploadId", upload_id);
        plan_to_js(&o, plan);
        js::set(&o, "updatedAt", updated_at);
        js::set(&o, "format", FORMAT);
        js::set(&o, "createdAt", self.created_at);
        o.into()
    }

    /// A stored record read back with its parts (`None` where reading them failed), or
    /// `None` if it is not one of ours.
    fn from_js(v: &JsValue, parts: Option<DoneParts>) -> Option<Record> {
        let done = match js::get(v, "format")?.as_f64()? as u32 {
            1 => done_from_js(&js::get(v, "doneParts")?)?,
            2 | FORMAT => parts?,
            _ => return None,
        };
        let text = |k| js::get(v, k)?.as_string();
        let num = |k| {
            js::get(v, k)?
                .as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
        };
        let upload_id = text("uploadId").filter(|u| !u.is_empty())?;
        Some(Record {
            fingerprint: text("fingerprint")?,
            bucket: text("bucket")?,
            name: text("name")?,
            file_name: text("fileName")?,
            plan: plan_from_js(v).ok()?,
            last_modified: num("lastModified")?,
            file_type: text("fileType")?,
            upload_id,
            done,
            created_at: num("createdAt")?,
            updated_at: num("updatedAt")?,
            handle: js::get(v, "handle").filter(|h| h.is_object()),
        })
    }
}

/// Handlers on an IDBRequest (or transaction, with `oncomplete`), set at once: a request
/// whose handlers were set only after awaiting another would have finished unheard.
fn watch(target: &JsValue, ok: &str) -> JsFuture {
    JsFuture::from(Promise::new(&mut |resolve, reject| {
        let obj: &Object = target.unchecked_ref();
        js::set(obj, ok, resolve);
        js::set(obj, "onerror", reject.clone());
        js::set(obj, "onabort", reject);
    }))
}

/// What a watched request ended with.
async fn outcome(target: &JsValue, watched: JsFuture) -> Result<JsValue, JsValue> {
    // The handlers get an event; what went wrong is the request's `error`.
    if watched.await.is_err() {
        return Err(js::get(target, "error").unwrap_or(JsValue::NULL));
    }
    Ok(js::get(target, "result").unwrap_or(JsValue::UNDEFINED))
}

/// An IDBRequest (or transaction) as a future of its result.
async fn settled(target: &JsValue, ok: &str) -> Result<JsValue, JsValue> {
    outcome(target, watch(target, ok)).await
}

/// The keys of one upload's parts.
fn parts_of(fingerprint: &str) -> Result<JsValue, JsValue> {
    let key = |n: u32| Array::of2(&fingerprint.into(), &n.into());
    IdbKeyRange::bound(&key(0), &key(10_001)).map(JsValue::from)
}

/// Stored parts, by the fingerprint of their upload; `None` for an upload with a part that
/// does not read back. (A list: a page has few saved uploads, and a map's code costs 2 KB.)
fn group_parts(values: &JsValue) -> Vec<(String, Option<DoneParts>)> {
    let mut by_upload: Vec<(String, Option<DoneParts>)> = Vec::new();
    for v in Array::from(values).iter() {
        let Some(fp) = fingerprint_of(&v) else {
            continue;
        };
        let i = match by_upload.iter().position(|(f, _)| *f == fp) {
            Some(i) => i,
            None => {
                by_upload.push((fp, Some(DoneParts::default())));
                by_upload.len() - 1
            }
        };
        let entry = &mut by_upload[i].1;
        match (entry.as_mut(), part_from_js(&v)) {
            (Some(done), Some((n, p))) => done.insert(n, p),
            _ => *entry = None,
        }
    }
    by_upload
}

/// How long an open may take: a request queued behind another tab's blocked upgrade hears
/// nothing until that tab closes.
const OPEN_TIMEOUT_MS: u32 = 10_000;

#[derive(Clone)]
enum Db {
    /// An open under way, which every caller awaits: a second open request would queue
    /// behind a blocked first one without ever hearing why.
    Opening(Promise),
    Open(IdbDatabase),
    Memory,
}

thread_local! {
    /// Each database's state, by name, shared by every client of the page.
    static DATABASES: RefCell<Vec<(String, Db)>> = const { RefCell::new(Vec::new()) };
}

fn state(name: &str) -> Option<Db> {
    DATABASES.with(|d| {
        d.borrow()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
    })
}

fn set_state(name: &str, state: Db) {
    DATABASES.with(|d| {
        let mut d = d.borrow_mut();
        d.retain(|(n, _)| n != name);
        d.push((name.into(), state));
    });
}

async fn open(name: &str) -> Result<IdbDatabase, JsValue> {
    let factory: IdbFactory = js::get(&js_sys::global(), "indexedDB")
        .ok_or_else(|| JsValue::from("no indexedDB in this context"))?
        .unchecked_into();
    let req = factory.open_with_u32(name, VERSION)?;
    let upgrade = {
        let req = req.clone();
        // Kept until called, which may be after this open was given up (see below).
        Closure::once_into_js(move || {
            // From nothing both stores are made; from version 1, `uploads` is there already
            // (creating it again fails harmlessly) and its records stay.
            if let Some(db) = req
                .result()
                .ok()
                .and_then(|d| d.dyn_into::<IdbDatabase>().ok())
            {
                let params = js::object(&[("keyPath", "fingerprint".into())]);
                let _ =
                    db.create_object_store_with_optional_parameters(STORE, params.unchecked_ref());
                let key = Array::of2(&"fingerprint".into(), &"number".into());
                js::set(&params, "keyPath", key);
                let _ =
                    db.create_object_store_with_optional_parameters(PARTS, params.unchecked_ref());
            }
        })
    };
    js::set(&req, "onupgradeneeded", upgrade);
    // An older version of the package in another tab, holding the database open at its
    // version, blocks the upgrade until it closes: this page keeps its records in memory
    // rather than wait.
    let opened = Promise::new(&mut |resolve, reject| {
        js::set(&req, "onsuccess", resolve);
        js::set(&req, "onerror", &reject);
        js::set(&req, "onblocked", &reject);
        js::set_timeout(&reject, OPEN_TIMEOUT_MS);
    });
    if let Err(event) = JsFuture::from(opened).await {
        // Given up, the request may still succeed later: its connection is closed then, so
        // that it blocks no one else's upgrade.
        let late = req.clone();
        let on_success = Closure::once_into_js(move || {
            if let Ok(db) = late.result() {
                db.unchecked_into::<IdbDatabase>().close();
            }
        });
        js::set(&req, "onsuccess", on_success);
        let kind = js::get(&event, "type").and_then(|t| t.as_string());
        return Err(match kind.as_deref() {
            Some("blocked") => "blocked by an older version of this page in another tab".into(),
            None => "it did not open within 10 s".into(),
            Some(_) => req
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::NULL, JsValue::from),
        });
    }
    let db: IdbDatabase = req.result()?.unchecked_into();
    // And this page gives way to a newer version in another tab: its writes fail from then
    // on, and fall back to memory.
    let closing = db.clone();
    js::set(
        &db,
        "onversionchange",
        Closure::once_into_js(move || closing.close()),
    );
    Ok(db)
}

#[derive(Clone)]
pub struct SavedUploads {
    max_age_ms: f64,
    name: String,
}

impl SavedUploads {
    /// `name`: the database's, other than the package's own only in tests.
    pub fn new(max_age_ms: f64, name: Option<&str>) -> SavedUploads {
        SavedUploads {
            max_age_ms,
            name: name.unwrap_or(DB_NAME).into(),
        }
    }

    /// The database, or `None` when the records live in memory.
    async fn database(&self) -> Option<IdbDatabase> {
        let opening = match state(&self.name) {
            Some(Db::Open(db)) => return Some(db),
            Some(Db::Memory) => return None,
            Some(Db::Opening(p)) => p,
            None => {
                let name = self.name.clone();
                // Through the one boxed future_to_promise every method uses.
                let p =
                    crate::web::error::promise(async move { open(&name).await.map(JsValue::from) });
                set_state(&self.name, Db::Opening(p.clone()));
                p
            }
        };
        match JsFuture::from(opening).await {
            Ok(db) => {
                let db: IdbDatabase = db.unchecked_into();
                if let Some(Db::Opening(_)) = state(&self.name) {
                    set_state(&self.name, Db::Open(db.clone()));
                }
                Some(db)
            }
            Err(e) => {
                self.fall_back(&e);
                None
            }
        }
    }

    fn fall_back(&self, e: &JsValue) {
        warn_once(&js::message_of(e));
        set_state(&self.name, Db::Memory);
    }

    /// Writes `batch`, or (with none) deletes the upload `fingerprint` and its parts.
    async fn write(
        db: &IdbDatabase,
        batch: Option<&Batch>,
        fingerprint: &str,
    ) -> Result<(), JsValue> {
        let stores = Array::of2(&STORE.into(), &PARTS.into());
        let tx =
            db.transaction_with_str_sequence_and_mode(&stores, IdbTransactionMode::Readwrite)?;
        let issue = || -> Result<(), JsValue> {
            let (uploads, parts) = (tx.object_store(STORE)?, tx.object_store(PARTS)?);
            match batch {
                Some(b) => {
                    if b.reset {
                        parts.delete(&parts_of(fingerprint)?)?;
                    }
                    if uploads.put(&b.record).is_err() {
                        // A browser that cannot store a file handle (DataCloneError) keeps the
                        // upload without it: it resumes when the file is picked again.
                        let record: &Object = b.record.unchecked_ref();
                        let _ = js_sys::Reflect::delete_property(record, &"handle".into());
                        uploads.put(&b.record)?;
                    }
                    for p in &b.parts {
                        parts.put(p)?;
                    }
                }
                None => {
                    uploads.delete(&fingerprint.into())?;
                    parts.delete(&parts_of(fingerprint)?)?;
                }
            }
            Ok(())
        };
        // A write is whole or not at all: what was issued before a failure is undone.
        if let Err(e) = issue() {
            let _ = tx.abort();
            return Err(e);
        }
        settled(&tx, "oncomplete").await.map(|_| ())
    }

    /// Writes an upload's progress.
    pub async fn put(&self, batch: Batch) {
        if let Some(db) = self.database().await {
            match Self::write(&db, Some(&batch), &batch.fingerprint).await {
                Ok(()) => return,
                Err(e) => self.fall_back(&e),
            }
        }
        MEMORY.with(|m| {
            let mut m = m.borrow_mut();
            m.retain(|(r, _)| fingerprint_of(r).as_deref() != Some(&batch.fingerprint));
            m.push((batch.record, batch.all));
        });
    }

    pub async fn forget(&self, fingerprint: &str) {
        if let Some(db) = self.database().await {
            if let Err(e) = Self::write(&db, None, fingerprint).await {
                self.fall_back(&e);
            }
        }
        MEMORY.with(|m| {
            m.borrow_mut()
                .retain(|(r, _)| fingerprint_of(r).as_deref() != Some(fingerprint))
        });
    }

    /// The stored records (of one upload, or all) and their parts, read in one transaction.
    async fn read(db: &IdbDatabase, only: Option<&str>) -> Result<(JsValue, JsValue), JsValue> {
        let stores = Array::of2(&STORE.into(), &PARTS.into());
        let tx = db.transaction_with_str_sequence(&stores)?;
        let (uploads, parts) = (tx.object_store(STORE)?, tx.object_store(PARTS)?);
        let (records, stored): (IdbRequest, IdbRequest) = match only {
            Some(fp) => (
                uploads.get_all_with_key(&fp.into())?,
                parts.get_all_with_key(&parts_of(fp)?)?,
            ),
            None => (uploads.get_all()?, parts.get_all()?),
        };
        let (r, p) = (watch(&records, "onsuccess"), watch(&stored, "onsuccess"));
        Ok((outcome(&records, r).await?, outcome(&stored, p).await?))
    }

    /// Every saved upload that has not expired, newest first; expired and foreign records
    /// are deleted.
    pub async fn all(&self) -> Vec<Record> {
        self.records(None).await
    }

    pub async fn load(&self, fingerprint: &str) -> Option<Record> {
        self.records(Some(fingerprint)).await.into_iter().next()
    }

    /// The saved uploads (`only` one, or all) that have not expired, newest first; expired
    /// and foreign records are deleted.
    async fn records(&self, only: Option<&str>) -> Vec<Record> {
        let now = js::now_ms();
        let fresh = |r: &Record| now - r.updated_at <= self.max_age_ms;
        let wanted = |r: &JsValue| only.is_none() || fingerprint_of(r).as_deref() == only;
        let mut found: Vec<Record> = Vec::new();
        MEMORY.with(|m| {
            for (r, all) in m.borrow().iter().filter(|(r, _)| wanted(r)) {
                found.extend(Record::from_js(r, done_from_js(all)));
            }
        });
        if let Some(db) = self.database().await {
            match Self::read(&db, only).await {
                Ok((values, parts)) => {
                    let mut parts = group_parts(&parts);
                    for v in Array::from(&values).iter() {
                        let fp = fingerprint_of(&v);
                        let i = parts.iter().position(|(f, _)| Some(f) == fp.as_ref());
                        let done = match i {
                            Some(i) => parts.swap_remove(i).1,
                            None => Some(DoneParts::default()),
                        };
                        match Record::from_js(&v, done) {
                            Some(r) if fresh(&r) => found.push(r),
                            _ => {
                                if let Some(fp) = fp {
                                    let _ = Self::write(&db, None, &fp).await;
                                }
                            }
                        }
                    }
                    // Parts whose upload record is gone (deleted by an older version).
                    if only.is_none() {
                        for (fp, _) in &parts {
                            let _ = Self::write(&db, None, fp).await;
                        }
                    }
                }
                Err(e) => self.fall_back(&e),
            }
        }
        found.retain(fresh);
        // Newest first: an insertion sort, as the list is short.
        crate::protocol::order::sort_by(&mut found, |a, b| a.updated_at > b.updated_at);
        found
    }

    pub async fn forget_upload(&self, upload_id: &str) {
        for r in self.all().await {
            if r.upload_id == upload_id {
                self.forget(&r.fingerprint).await;
            }
        }
    }
}
