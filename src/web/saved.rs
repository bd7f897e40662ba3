//! Saved uploads in IndexedDB (database `oss-browser-upload`, store `uploads`, one record per
//! fingerprint), so an upload resumes after a reload. When IndexedDB cannot be used (private
//! mode, blocked, quota, a context without it) the records live in memory for the page's
//! life, after one console warning: uploads still work, they just do not survive a reload. A
//! record that does not read back as ours is ignored and deleted, never trusted.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbObjectStoreParameters, IdbRequest, IdbTransactionMode};

use super::js;
use crate::engine::checkpoint::{DonePart, DoneParts};

const DB_NAME: &str = "oss-browser-upload";
const STORE: &str = "uploads";
/// Written into every record, so a record from another layout is recognised as foreign.
const FORMAT: u32 = 1;

/// One saved upload.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub fingerprint: String,
    pub bucket: String,
    pub name: String,
    pub file_name: String,
    pub file_size: u64,
    pub last_modified: f64,
    pub file_type: String,
    pub part_size: u64,
    pub upload_id: String,
    pub done: DoneParts,
    pub created_at: f64,
    pub updated_at: f64,
}

thread_local! {
    /// The fallback, shared by every client of the page.
    static MEMORY: RefCell<Vec<Record>> = const { RefCell::new(Vec::new()) };
    static WARNED: Cell<bool> = const { Cell::new(false) };
}

fn warn_once(why: &str) {
    if !WARNED.with(|w| w.replace(true)) {
        js::warn(&format!("oss-browser-upload: IndexedDB is unavailable ({why}); uploads resume within this page only, not after a reload."));
    }
}

/// `{number, etag, crc64?}`, a part of ali-oss's `doneParts`.
pub fn part_to_js(n: u32, p: &DonePart) -> JsValue {
    let part = js::object(&[("number", n.into()), ("etag", p.etag.as_str().into())]);
    if let Some(crc) = p.crc64 {
        js::set(&part, "crc64", crc.to_string());
    }
    part.into()
}

/// ali-oss's `doneParts`.
pub fn done_to_js(done: &DoneParts) -> Array {
    done.iter().map(|(n, p)| part_to_js(*n, p)).collect()
}

/// `[{number, etag, crc64?}]` read back, or `None` if it is not that.
pub fn done_from_js(v: &JsValue) -> Option<DoneParts> {
    if !Array::is_array(v) {
        return None;
    }
    let mut done = DoneParts::default();
    for p in Array::from(v).iter() {
        let number = js::get(&p, "number")?.as_f64()?;
        if number.fract() != 0.0 || !(1.0..=10_000.0).contains(&number) {
            return None;
        }
        let etag = js::get(&p, "etag")?.as_string()?;
        let crc64 = match js::get(&p, "crc64") {
            None => None,
            Some(c) => {
                let text = c.as_string()?;
                if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some(text.parse().ok()?)
            }
        };
        done.insert(number as u32, DonePart { etag, crc64 });
    }
    Some(done)
}

impl Record {
    /// The fields a record and a listSavedUploads() entry share.
    fn common(&self) -> Object {
        js::object(&[
            ("fingerprint", self.fingerprint.as_str().into()),
            ("bucket", self.bucket.as_str().into()),
            ("name", self.name.as_str().into()),
            ("fileName", self.file_name.as_str().into()),
            ("fileSize", (self.file_size as f64).into()),
            ("lastModified", self.last_modified.into()),
            ("fileType", self.file_type.as_str().into()),
            ("partSize", (self.part_size as f64).into()),
            ("uploadId", self.upload_id.as_str().into()),
            ("updatedAt", self.updated_at.into()),
        ])
    }

    /// What listSavedUploads() shows of a record.
    pub fn summary(&self) -> JsValue {
        let o = self.common();
        let plan = crate::engine::plan::Plan {
            size: self.file_size,
            part_size: self.part_size.max(1),
            raised_from: None,
        };
        let bytes = crate::engine::checkpoint::bytes_done(&plan, &self.done);
        js::set(&o, "bytesDone", bytes as f64);
        o.into()
    }

    fn to_js(&self) -> JsValue {
        self.to_js_with(&self.upload_id, &done_to_js(&self.done), self.updated_at)
    }

    /// This record, as stored, for upload `upload_id` with these done parts, updated at
    /// `updated_at`.
    pub fn to_js_with(&self, upload_id: &str, done: &Array, updated_at: f64) -> JsValue {
        let o = self.common();
        js::set(&o, "uploadId", upload_id);
        js::set(&o, "updatedAt", updated_at);
        js::set(&o, "format", FORMAT);
        js::set(&o, "doneParts", done);
        js::set(&o, "createdAt", self.created_at);
        o.into()
    }

    /// A stored record read back, or `None` if it is not one of ours.
    fn from_js(v: &JsValue) -> Option<Record> {
        if js::get(v, "format")?.as_f64()? != f64::from(FORMAT) {
            return None;
        }
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
            file_size: num("fileSize")? as u64,
            last_modified: num("lastModified")?,
            file_type: text("fileType")?,
            part_size: num("partSize")? as u64,
            upload_id,
            done: done_from_js(&js::get(v, "doneParts")?)?,
            created_at: num("createdAt")?,
            updated_at: num("updatedAt")?,
        })
    }
}

/// An IDBRequest (or transaction, with `oncomplete`) as a future of its result.
async fn settled(target: &JsValue, ok: &str) -> Result<JsValue, JsValue> {
    let p = Promise::new(&mut |resolve, reject| {
        let obj: &Object = target.unchecked_ref();
        js::set(obj, ok, resolve);
        js::set(obj, "onerror", reject.clone());
        js::set(obj, "onabort", reject);
    });
    // The handlers get an event; what went wrong is the request's `error`.
    if JsFuture::from(p).await.is_err() {
        return Err(js::get(target, "error").unwrap_or(JsValue::NULL));
    }
    Ok(js::get(target, "result").unwrap_or(JsValue::UNDEFINED))
}

enum Db {
    Unopened,
    Open(IdbDatabase),
    Memory,
}

pub struct SavedUploads {
    max_age_ms: f64,
    name: String,
    db: RefCell<Db>,
}

impl SavedUploads {
    /// `name`: the database's, other than the package's own only in tests.
    pub fn new(max_age_ms: f64, name: Option<&str>) -> SavedUploads {
        SavedUploads {
            max_age_ms,
            name: name.unwrap_or(DB_NAME).into(),
            db: RefCell::new(Db::Unopened),
        }
    }

    async fn open(&self) -> Result<IdbDatabase, JsValue> {
        let factory: IdbFactory = js::get(&js_sys::global(), "indexedDB")
            .ok_or_else(|| JsValue::from("no indexedDB in this context"))?
            .unchecked_into();
        let req = factory.open_with_u32(&self.name, 1)?;
        let upgrade = {
            let req = req.clone();
            Closure::<dyn FnMut()>::new(move || {
                // Version 1 is the only one: an upgrade always starts from an empty database.
                if let Some(db) = req
                    .result()
                    .ok()
                    .and_then(|d| d.dyn_into::<IdbDatabase>().ok())
                {
                    let params = IdbObjectStoreParameters::new();
                    params.set_key_path(&"fingerprint".into());
                    let _ = db.create_object_store_with_optional_parameters(STORE, &params);
                }
            })
        };
        req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = settled(&req, "onsuccess").await?;
        drop(upgrade);
        Ok(db.unchecked_into())
    }

    /// The database, or `None` when the records live in memory.
    async fn database(&self) -> Option<IdbDatabase> {
        let unopened = matches!(*self.db.borrow(), Db::Unopened);
        if unopened {
            let state = match self.open().await {
                Ok(db) => Db::Open(db),
                Err(e) => {
                    warn_once(&js::message_of(&e));
                    Db::Memory
                }
            };
            let mut slot = self.db.borrow_mut();
            if matches!(*slot, Db::Unopened) {
                *slot = state;
            }
        }
        match &*self.db.borrow() {
            Db::Open(db) => Some(db.clone()),
            _ => None,
        }
    }

    fn fall_back(&self, e: &JsValue) {
        warn_once(&js::message_of(e));
        *self.db.borrow_mut() = Db::Memory;
    }

    /// Puts `record`, or deletes the record of fingerprint `key`.
    async fn write(db: &IdbDatabase, record: Option<&JsValue>, key: &str) -> Result<(), JsValue> {
        let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
        let store = tx.object_store(STORE)?;
        match record {
            Some(r) => store.put(r)?,
            None => store.delete(&key.into())?,
        };
        settled(&tx, "oncomplete").await.map(|_| ())
    }

    pub async fn save(&self, record: &Record) {
        self.put(record.to_js()).await;
    }

    /// Saves a record already in its stored shape.
    pub async fn put(&self, record: JsValue) {
        if let Some(db) = self.database().await {
            match Self::write(&db, Some(&record), "").await {
                Ok(()) => return,
                Err(e) => self.fall_back(&e),
            }
        }
        if let Some(record) = Record::from_js(&record) {
            MEMORY.with(|m| {
                let mut m = m.borrow_mut();
                m.retain(|r| r.fingerprint != record.fingerprint);
                m.push(record);
            });
        }
    }

    pub async fn forget(&self, fingerprint: &str) {
        if let Some(db) = self.database().await {
            if let Err(e) = Self::write(&db, None, fingerprint).await {
                self.fall_back(&e);
            }
        }
        MEMORY.with(|m| m.borrow_mut().retain(|r| r.fingerprint != fingerprint));
    }

    /// Every saved upload that has not expired, newest first; expired and foreign records
    /// are deleted.
    pub async fn all(&self) -> Vec<Record> {
        let now = js::now_ms();
        let fresh = |r: &Record| now - r.updated_at <= self.max_age_ms;
        let mut found: Vec<Record> = MEMORY.with(|m| m.borrow().clone());
        if let Some(db) = self.database().await {
            let read = async {
                let tx = db.transaction_with_str(STORE)?;
                let req: IdbRequest = tx.object_store(STORE)?.get_all()?;
                settled(&req, "onsuccess").await
            };
            match read.await {
                Ok(values) => {
                    for v in Array::from(&values).iter() {
                        match Record::from_js(&v) {
                            Some(r) if fresh(&r) => found.push(r),
                            _ => {
                                if let Some(fp) =
                                    js::get(&v, "fingerprint").and_then(|f| f.as_string())
                                {
                                    let _ = Self::write(&db, None, &fp).await;
                                }
                            }
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

    pub async fn load(&self, fingerprint: &str) -> Option<Record> {
        self.all()
            .await
            .into_iter()
            .find(|r| r.fingerprint == fingerprint)
    }

    pub async fn forget_upload(&self, upload_id: &str) {
        for r in self.all().await {
            if r.upload_id == upload_id {
                self.forget(&r.fingerprint).await;
            }
        }
    }
}
