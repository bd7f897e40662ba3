//! Saved uploads in IndexedDB (database `oss-browser-upload`, store `uploads`, one record per
//! fingerprint), so an upload resumes after a reload. When IndexedDB cannot be used (private
//! mode, blocked, quota, a worker without it) the records live in memory for the page's life,
//! after one console warning: uploads still work, they just do not survive a reload. A record
//! that does not read back as ours is ignored and replaced, never trusted.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use idb::event::DatabaseEvent;
use idb::{Database, Factory, KeyPath, ObjectStoreParams, TransactionMode};
use js_sys::Object;
use wasm_bindgen::JsValue;

use crate::engine::saved::{FileIdentity, SavedUpload};
use crate::protocol::order;

use super::checkpoint;
use super::js;

pub const DB_NAME: &str = "oss-browser-upload";
const STORE: &str = "uploads";
const VERSION: u32 = 1;
/// Written into every record, so a record from another layout is recognised as foreign.
const FORMAT: u32 = 1;

thread_local! {
    /// The fallback, shared by every client of the page.
    static MEMORY: RefCell<Vec<SavedUpload>> = const { RefCell::new(Vec::new()) };
    static WARNED: Cell<bool> = const { Cell::new(false) };
}

fn warn_once(why: &str) {
    if !WARNED.replace(true) {
        web_sys::console::warn_1(
            &format!("oss-browser-upload: IndexedDB is unavailable ({why}); uploads resume within this page only, not after a reload.").into(),
        );
    }
}

/// The fields the stored record and `listSavedUploads()` share.
fn common_fields(s: &SavedUpload) -> Vec<(&'static str, JsValue)> {
    vec![
        ("fingerprint", s.fingerprint.as_str().into()),
        ("bucket", s.bucket.as_str().into()),
        ("name", s.name.as_str().into()),
        ("fileName", s.file.name.as_str().into()),
        ("fileSize", (s.file.size as f64).into()),
        ("lastModified", s.file.last_modified.into()),
        ("fileType", s.file.mime.as_str().into()),
        ("partSize", (s.part_size as f64).into()),
        ("uploadId", s.upload_id.as_str().into()),
        ("updatedAt", s.updated_at.into()),
    ]
}

pub fn to_js(s: &SavedUpload) -> JsValue {
    let mut fields = common_fields(s);
    fields.extend([
        ("format", FORMAT.into()),
        ("doneParts", checkpoint::done_to_js(&s.done).into()),
        ("createdAt", s.created_at.into()),
    ]);
    js::object(&fields).into()
}

/// A record read back, or `None` if it is not one of ours in full.
pub fn from_js(v: &JsValue) -> Option<SavedUpload> {
    let text = |k: &str| js::get(v, k).and_then(|x| x.as_string());
    let number = |k: &str| {
        js::get(v, k)
            .and_then(|x| x.as_f64())
            .filter(|n| n.is_finite() && *n >= 0.0)
    };
    if number("format")? as u32 != FORMAT {
        return None;
    }
    let done = checkpoint::done_from_js(&js::get(v, "doneParts")?)?;
    Some(SavedUpload {
        fingerprint: text("fingerprint")?,
        bucket: text("bucket")?,
        name: text("name")?,
        file: FileIdentity {
            name: text("fileName")?,
            size: number("fileSize")? as u64,
            last_modified: number("lastModified")?,
            mime: text("fileType")?,
        },
        part_size: number("partSize")? as u64,
        upload_id: text("uploadId").filter(|u| !u.is_empty())?,
        done,
        created_at: number("createdAt")?,
        updated_at: number("updatedAt")?,
    })
}

/// The saved uploads of one database (tests use their own names).
pub struct SavedUploads {
    db_name: String,
    max_age_ms: f64,
    /// `None` until first used; `Some(None)` once IndexedDB proved unusable.
    db: RefCell<Option<Option<Rc<Database>>>>,
}

async fn open(name: &str) -> Result<Database, String> {
    let factory = Factory::new().map_err(|e| e.to_string())?;
    let mut request = factory
        .open(name, Some(VERSION))
        .map_err(|e| e.to_string())?;
    request.on_upgrade_needed(|event| {
        if let Ok(db) = event.database() {
            if !db.store_names().iter().any(|s| s == STORE) {
                let mut params = ObjectStoreParams::new();
                params.key_path(Some(KeyPath::new_single("fingerprint")));
                let _ = db.create_object_store(STORE, params);
            }
        }
    });
    request.await.map_err(|e| e.to_string())
}

impl SavedUploads {
    pub fn new(db_name: &str, max_age_ms: f64) -> SavedUploads {
        SavedUploads {
            db_name: db_name.to_string(),
            max_age_ms,
            db: RefCell::new(None),
        }
    }

    async fn database(&self) -> Option<Rc<Database>> {
        if let Some(known) = self.db.borrow().clone() {
            return known;
        }
        let opened = match open(&self.db_name).await {
            Ok(db) => Some(Rc::new(db)),
            Err(why) => {
                warn_once(&why);
                None
            }
        };
        self.db.replace(Some(opened.clone()));
        opened
    }

    /// Gives up on IndexedDB for the rest of the page after a failed write (quota, …).
    fn fall_back(&self, why: &str) {
        warn_once(why);
        self.db.replace(Some(None));
    }

    async fn write(&self, db: &Database, value: Option<&JsValue>, key: &str) -> Result<(), String> {
        let tx = db
            .transaction(&[STORE], TransactionMode::ReadWrite)
            .map_err(|e| e.to_string())?;
        let store = tx.object_store(STORE).map_err(|e| e.to_string())?;
        match value {
            Some(v) => {
                store
                    .put(v, None)
                    .map_err(|e| e.to_string())?
                    .await
                    .map_err(|e| e.to_string())?;
            }
            None => {
                store
                    .delete(JsValue::from_str(key))
                    .map_err(|e| e.to_string())?
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        tx.await.map_err(|e| e.to_string())?;
        Ok(())
    }

    async fn read_all(&self, db: &Database) -> Result<Vec<JsValue>, String> {
        let tx = db
            .transaction(&[STORE], TransactionMode::ReadOnly)
            .map_err(|e| e.to_string())?;
        let store = tx.object_store(STORE).map_err(|e| e.to_string())?;
        store
            .get_all(None, None)
            .map_err(|e| e.to_string())?
            .await
            .map_err(|e| e.to_string())
    }

    pub async fn save(&self, record: &SavedUpload) {
        if let Some(db) = self.database().await {
            match self
                .write(&db, Some(&to_js(record)), &record.fingerprint)
                .await
            {
                Ok(()) => return,
                Err(why) => self.fall_back(&why),
            }
        }
        MEMORY.with(|m| {
            let mut memory = m.borrow_mut();
            memory.retain(|s| s.fingerprint != record.fingerprint);
            memory.push(record.clone());
        });
    }

    pub async fn forget(&self, fingerprint: &str) {
        if let Some(db) = self.database().await {
            if let Err(why) = self.write(&db, None, fingerprint).await {
                self.fall_back(&why);
            }
        }
        MEMORY.with(|m| m.borrow_mut().retain(|s| s.fingerprint != fingerprint));
    }

    /// Every record that reads back as ours and has not expired. Expired and unreadable
    /// records are deleted on the way.
    pub async fn all(&self) -> Vec<SavedUpload> {
        let now = js::now_ms();
        let mut found: Vec<SavedUpload> = MEMORY.with(|m| m.borrow().clone());
        if let Some(db) = self.database().await {
            match self.read_all(&db).await {
                Ok(values) => {
                    for v in values {
                        match from_js(&v) {
                            Some(s) if !s.expired(now, self.max_age_ms) => found.push(s),
                            other => {
                                let key = other.map(|s| s.fingerprint).or_else(|| {
                                    js::get(&v, "fingerprint").and_then(|f| f.as_string())
                                });
                                if let Some(key) = key {
                                    let _ = self.write(&db, None, &key).await;
                                }
                            }
                        }
                    }
                }
                Err(why) => self.fall_back(&why),
            }
        }
        found.retain(|s| !s.expired(now, self.max_age_ms));
        order::sort_by(&mut found, |a, b| a.updated_at > b.updated_at);
        found
    }

    /// The record for a fingerprint, if one is usable.
    pub async fn load(&self, fingerprint: &str) -> Option<SavedUpload> {
        self.all()
            .await
            .into_iter()
            .find(|s| s.fingerprint == fingerprint)
    }

    /// Forgets every record of an upload ID (after it was aborted).
    pub async fn forget_upload(&self, upload_id: &str) {
        for s in self.all().await {
            if s.upload_id == upload_id {
                self.forget(&s.fingerprint).await;
            }
        }
    }
}

/// What `listSavedUploads()` shows a page for one record.
pub fn summary(s: &SavedUpload) -> Object {
    let mut fields = common_fields(s);
    fields.push(("bytesDone", (s.bytes_done() as f64).into()));
    js::object(&fields)
}
