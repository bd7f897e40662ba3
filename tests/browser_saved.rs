//! Saved uploads in IndexedDB, in headless Chromium: the store on its own, then the client
//! resuming by itself, refusing a second upload of the same file, listing and forgetting.
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use browser::*;
use gloo_timers::future::TimeoutFuture;
use idb::event::DatabaseEvent;
use idb::{Factory, KeyPath, ObjectStoreParams, TransactionMode};
use js_sys::{Array, Uint8Array};
use oss_browser_upload::engine::checkpoint::{DonePart, DoneParts};
use oss_browser_upload::engine::fingerprint::FileIdentity;
use oss_browser_upload::engine::plan::Plan;
use oss_browser_upload::web::saved::store::{stored_part, Batch, Record, SavedUploads};
use oss_browser_upload::web::shape::done_to_js;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DAY: f64 = 24.0 * 3600.0 * 1000.0;

/// The package's store of saved uploads, on a database of the test's.
fn store(db_name: &str) -> SavedUploads {
    SavedUploads::new(7.0 * DAY, Some(db_name))
}

/// A record as the client keeps it: `done` is `[(number, etag, crc64 or "")]`.
fn record_of(
    (fingerprint, name, upload_id): (&str, &str, &str),
    file: &FileIdentity,
    part_size: u64,
    updated_at: f64,
    done: &[(u32, String, String)],
) -> Record {
    Record {
        fingerprint: fingerprint.into(),
        bucket: "demo-bucket".into(),
        name: name.into(),
        file_name: file.name.clone(),
        plan: Plan::new(file.size, Some(part_size as f64), 5).expect("a valid part size"),
        last_modified: file.last_modified,
        file_type: file.mime.clone(),
        upload_id: upload_id.into(),
        done: done
            .iter()
            .map(|(n, etag, crc)| {
                let crc64 = crc.parse().ok();
                (
                    *n,
                    DonePart {
                        etag: etag.clone(),
                        crc64,
                    },
                )
            })
            .collect::<DoneParts>(),
        created_at: updated_at - 1000.0,
        updated_at,
        handle: None,
    }
}

fn record(fp: &str, updated_at: f64) -> Record {
    let file = FileIdentity {
        name: "holiday.mp4".into(),
        size: 3 * 1024 * 1024,
        last_modified: 1_700_000_000_000.0,
        mime: "video/mp4".into(),
    };
    let mut r = record_of(
        (fp, "videos/holiday.mp4", "0123456789ABCDEF0123456789ABCDEF"),
        &file,
        1024 * 1024,
        updated_at,
        &[
            (1, "\"AA\"".into(), (u64::MAX - 1).to_string()),
            (3, "\"CC\"".into(), String::new()),
        ],
    );
    // Parts sized by the link: the record keeps where the size changed.
    r.plan.follows_link = true;
    r.plan.resize_from(2, 512 * 1024);
    r
}

/// A record as text, to compare two.
fn shown(r: Option<&Record>) -> String {
    r.map_or("none".into(), |r| format!("{r:?}"))
}

/// Plain IndexedDB access, as another script on the page would have.
async fn raw_put(db_name: &str, value: JsValue) {
    let factory = Factory::new().unwrap();
    let mut open = factory.open(db_name, Some(1)).unwrap();
    open.on_upgrade_needed(|e| {
        let db = e.database().unwrap();
        let mut params = ObjectStoreParams::new();
        params.key_path(Some(KeyPath::new_single("fingerprint")));
        db.create_object_store("uploads", params).unwrap();
    });
    let db = open.await.unwrap();
    let tx = db
        .transaction(&["uploads"], TransactionMode::ReadWrite)
        .unwrap();
    tx.object_store("uploads")
        .unwrap()
        .put(&value, None)
        .unwrap()
        .await
        .unwrap();
    tx.await.unwrap();
    db.close();
}

async fn raw_all(db_name: &str) -> Vec<JsValue> {
    raw_store(db_name, "uploads").await
}

async fn raw_store(db_name: &str, store: &str) -> Vec<JsValue> {
    let db = Factory::new()
        .unwrap()
        .open(db_name, None)
        .unwrap()
        .await
        .unwrap();
    let tx = db.transaction(&[store], TransactionMode::ReadOnly).unwrap();
    let all = tx
        .object_store(store)
        .unwrap()
        .get_all(None, None)
        .unwrap()
        .await
        .unwrap();
    db.close();
    all
}

#[wasm_bindgen_test]
async fn write_read_and_forget() {
    let store = store("saved-test-rw");
    let r = record("v1-rw", js_sys::Date::now());
    store.put(whole(&r)).await;
    assert_eq!(shown(store.load("v1-rw").await.as_ref()), shown(Some(&r)));
    assert_eq!(raw_all("saved-test-rw").await.len(), 1);
    assert_eq!(raw_store("saved-test-rw", "parts").await.len(), 2);
    store.forget("v1-rw").await;
    assert_eq!(shown(store.load("v1-rw").await.as_ref()), "none");
    assert!(raw_all("saved-test-rw").await.is_empty());
    assert!(raw_store("saved-test-rw", "parts").await.is_empty());
}

#[wasm_bindgen_test]
async fn a_handle_the_browser_cannot_store_is_left_out_not_the_record() {
    let db = "saved-test-uncloneable";
    let store = store(db);
    let mut r = record("v1-uncloneable", js_sys::Date::now());
    // What IndexedDB cannot clone (as a browser without storable file handles refuses one).
    r.handle = Some(js_sys::Function::new_no_args("").into());
    store.put(whole(&r)).await;
    r.handle = None;
    assert_eq!(
        shown(store.load("v1-uncloneable").await.as_ref()),
        shown(Some(&r))
    );
    assert_eq!(
        raw_all(db).await.len(),
        1,
        "written to IndexedDB, not kept in memory"
    );
}

/// The record as a save writes it: the parts since the last save, or all after a reset.
/// A record and all its parts as one write.
fn whole(r: &Record) -> Batch {
    Batch {
        fingerprint: r.fingerprint.clone(),
        record: r.to_js_with(&r.upload_id, &r.plan, r.updated_at),
        reset: true,
        parts: (r.done.iter())
            .map(|(n, p)| stored_part(&r.fingerprint, *n, p))
            .collect(),
        all: done_to_js(&r.done),
    }
}

fn batch_of(r: &Record, parts: &[u32], reset: bool) -> Batch {
    let mut b = whole(r);
    b.reset = reset;
    b.parts = (r.done.iter())
        .filter(|(n, _)| parts.contains(n))
        .map(|(n, p)| stored_part(&r.fingerprint, *n, p))
        .collect();
    b
}

#[wasm_bindgen_test]
async fn each_save_adds_its_parts_and_a_reset_replaces_them() {
    let db = "saved-test-parts";
    let store = store(db);
    let mut r = record("v1-parts", js_sys::Date::now());
    store.put(batch_of(&r, &[1], true)).await;
    store.put(batch_of(&r, &[3], false)).await;
    assert_eq!(
        shown(store.load("v1-parts").await.as_ref()),
        shown(Some(&r))
    );
    // A part is written once: the upload's record holds none.
    assert!(
        js_sys::Reflect::get(&raw_all(db).await[0], &"doneParts".into())
            .unwrap()
            .is_undefined()
    );
    // A new upload ID: the parts stored for the old one go.
    r.upload_id = "FEDCBA9876543210FEDCBA9876543210".into();
    store.put(batch_of(&r, &[3], true)).await;
    let loaded = store.load("v1-parts").await.unwrap();
    assert_eq!(loaded.upload_id, r.upload_id);
    assert_eq!(loaded.done.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3]);
    assert_eq!(raw_store(db, "parts").await.len(), 1);
}

#[wasm_bindgen_test]
async fn a_record_of_the_first_layout_still_resumes() {
    // Version 1 kept the parts in the record; the store opened at version 2 reads it.
    let db = "saved-test-format-1";
    let parts = Array::of2(
        &obj(&[
            ("number", 1.into()),
            ("etag", "\"AA\"".into()),
            ("crc64", "42".into()),
        ]),
        &obj(&[("number", 2.into()), ("etag", "\"BB\"".into())]),
    );
    let now = js_sys::Date::now();
    raw_put(
        db,
        obj(&[
            ("fingerprint", "v1-old-layout".into()),
            ("format", 1.into()),
            ("bucket", "demo-bucket".into()),
            ("name", "a.bin".into()),
            ("fileName", "a.bin".into()),
            ("fileSize", (3.0 * 1024.0 * 1024.0).into()),
            ("lastModified", 1.into()),
            ("fileType", "".into()),
            ("partSize", (1024.0 * 1024.0).into()),
            ("uploadId", "0123456789ABCDEF".into()),
            ("doneParts", parts.into()),
            ("createdAt", now.into()),
            ("updatedAt", now.into()),
        ]),
    )
    .await;
    let loaded = store(db).load("v1-old-layout").await.unwrap();
    let done: Vec<_> = loaded
        .done
        .iter()
        .map(|(n, p)| (*n, p.etag.clone(), p.crc64))
        .collect();
    assert_eq!(
        done,
        [(1, "\"AA\"".into(), Some(42)), (2, "\"BB\"".into(), None)]
    );
}

#[wasm_bindgen_test]
async fn expired_records_are_dropped() {
    let store = store("saved-test-expiry");
    let now = js_sys::Date::now();
    store.put(whole(&record("v1-old", now - 8.0 * DAY))).await;
    store.put(whole(&record("v1-new", now - 6.0 * DAY))).await;
    let left: Vec<String> = store
        .all()
        .await
        .iter()
        .map(|s| s.fingerprint.clone())
        .collect();
    assert_eq!(left, ["v1-new"]);
    assert_eq!(
        raw_all("saved-test-expiry").await.len(),
        1,
        "the expired record was deleted"
    );
}

#[wasm_bindgen_test]
async fn corrupt_and_foreign_records_are_ignored_and_replaced() {
    let db = "saved-test-corrupt";
    raw_put(
        db,
        obj(&[
            ("fingerprint", "v1-bad".into()),
            ("format", 1.into()),
            ("doneParts", "nope".into()),
        ]),
    )
    .await;
    raw_put(
        db,
        obj(&[("fingerprint", "v1-foreign".into()), ("format", 99.into())]),
    )
    .await;
    raw_put(
        db,
        obj(&[
            ("fingerprint", "v1-partial".into()),
            ("format", 1.into()),
            ("uploadId", "".into()),
        ]),
    )
    .await;
    let store = store(db);
    assert_eq!(store.all().await.len(), 0);
    assert!(
        raw_all(db).await.is_empty(),
        "unreadable records are deleted"
    );
    let good = record("v1-bad", js_sys::Date::now());
    store.put(whole(&good)).await;
    assert_eq!(
        shown(store.load("v1-bad").await.as_ref()),
        shown(Some(&good))
    );
}

#[wasm_bindgen_test]
async fn without_indexeddb_records_live_in_memory() {
    // A database already at a higher version cannot be opened at ours: IndexedDB is unusable.
    let db = "saved-test-fallback";
    let mut open = Factory::new().unwrap().open(db, Some(5)).unwrap();
    open.on_upgrade_needed(|_| {});
    open.await.unwrap().close();
    let store = store(db);
    let r = record("v1-mem", js_sys::Date::now());
    store.put(whole(&r)).await;
    assert_eq!(shown(store.load("v1-mem").await.as_ref()), shown(Some(&r)));
    // It is in memory, not in IndexedDB: the database still has no store at all.
    let raw = Factory::new()
        .unwrap()
        .open(db, None)
        .unwrap()
        .await
        .unwrap();
    assert!(raw.store_names().is_empty());
    raw.close();
    store.forget("v1-mem").await;
    assert_eq!(shown(store.load("v1-mem").await.as_ref()), "none");
}

#[wasm_bindgen_test]
async fn an_older_version_holding_the_database_open_does_not_stall_uploads() {
    // Another tab with the first layout's package keeps the database open at version 1 and
    // does not give way: the upgrade is blocked, and records live in memory instead.
    let db = "saved-test-blocked";
    let mut open = Factory::new().unwrap().open(db, Some(1)).unwrap();
    open.on_upgrade_needed(|_| {});
    let older = open.await.unwrap();
    // Two saves at once, as two uploads starting together: a second open request would
    // queue behind the blocked first without ever hearing why.
    let now = js_sys::Date::now();
    let (a, b) = (record("v1-blocked-a", now), record("v1-blocked-b", now));
    let both = [a.clone(), b.clone()].map(|r| {
        wasm_bindgen_futures::future_to_promise(async move {
            store(db).put(whole(&r)).await;
            Ok(JsValue::TRUE)
        })
    });
    JsFuture::from(js_sys::Promise::all(&Array::of2(&both[0], &both[1])))
        .await
        .unwrap();
    let s = store(db);
    assert_eq!(
        shown(s.load("v1-blocked-a").await.as_ref()),
        shown(Some(&a))
    );
    assert_eq!(
        shown(s.load("v1-blocked-b").await.as_ref()),
        shown(Some(&b))
    );
    older.close();
}

/// `got` is `bytes`; if not, says where they first differ and what the server was sent, so a
/// failure seen once can be told apart: a read cut short, or a part at the wrong place.
fn assert_same_bytes(got: &[u8], bytes: &[u8], log: &[JsValue]) {
    if got == bytes {
        return;
    }
    let at = got.iter().zip(bytes).position(|(a, b)| a != b);
    let sent: Vec<String> = (log.iter())
        .map(|e| {
            let n = prop(e, "partNumber").as_f64().unwrap_or(0.0);
            let op = prop(e, "op").as_string().unwrap_or_default();
            let bytes = prop(e, "bytesReceived").as_f64().unwrap_or(0.0);
            let status = prop(e, "status").as_f64().unwrap_or(0.0);
            format!("{op} {n} {bytes} B {status}")
        })
        .collect();
    panic!(
        "the object read back is not the file: {} bytes for {}, first difference at {at:?}; the server saw {sent:#?}",
        got.len(),
        bytes.len()
    );
}

/// The numbers of the parts stored (answered 200).
fn stored_parts(log: &[JsValue]) -> Vec<f64> {
    (log.iter())
        .filter(|e| prop(e, "op").as_string().as_deref() == Some("UploadPart"))
        .filter(|e| prop(e, "status").as_f64() == Some(200.0))
        .filter_map(|e| prop(e, "partNumber").as_f64())
        .collect()
}

#[wasm_bindgen_test]
async fn the_client_resumes_a_saved_upload_by_itself() {
    emulator("DELETE", "faults", None).await;
    emulator(
        "POST",
        "faults",
        Some(r#"{"op":"UploadPart","key":"saved/auto.bin","bytesPerSecond":500000}"#),
    )
    .await;
    let c = client(&[]).await;
    let bytes = pattern(3 * 1024 * 1024, 21);
    let f = file(&bytes, "auto.bin", "application/x-test");
    let opts = || {
        obj(&[
            ("partSize", (256.0 * 1024.0).into()),
            ("parallel", 2.into()),
        ])
    };
    let first = c.multipart_upload("saved/auto.bin".into(), f.clone().into(), opts());
    TimeoutFuture::new(1200).await;
    // The same file to the same object while the first runs, even cut otherwise: refused,
    // not raced.
    let twin = settle(c.multipart_upload(
        "saved/auto.bin".into(),
        f.clone().into(),
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap_err();
    assert_eq!(
        prop(&twin, "name").as_string().as_deref(),
        Some("UploadInProgressError")
    );
    c.cancel();
    assert!(c.is_cancel(settle(first).await.unwrap_err()));

    let saved: Array = settle(c.list_saved_uploads()).await.unwrap().into();
    let entry = saved
        .iter()
        .find(|s| prop(s, "name").as_string().as_deref() == Some("saved/auto.bin"))
        .expect("the cancelled upload is listed");
    assert_eq!(
        prop(&entry, "fileName").as_string().as_deref(),
        Some("auto.bin")
    );
    let done_before = prop(&entry, "bytesDone").as_f64().unwrap();
    assert!(done_before >= 256.0 * 1024.0 && done_before < bytes.len() as f64);

    emulator("DELETE", "faults", None).await;
    // No checkpoint and no partSize passed: the saved upload is found by the file, and goes
    // on with the parts it was saved with (the default would have been 1 MiB); the parts
    // after the last one done are cut as the link says.
    let stored_before = stored_parts(&log_for("saved/auto.bin").await);
    let before = log_for("saved/auto.bin").await.len();
    settle(c.multipart_upload("saved/auto.bin".into(), f.into(), JsValue::UNDEFINED))
        .await
        .expect("resumed");
    let got = settle(c.get("saved/auto.bin".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    let log = log_for("saved/auto.bin").await;
    assert_same_bytes(
        &Uint8Array::from(prop(&got, "content")).to_vec(),
        &bytes,
        &log,
    );
    let again = stored_parts(&log[before..]);
    assert!(!stored_before.is_empty() && !again.is_empty());
    assert!(
        again.iter().all(|n| !stored_before.contains(n)),
        "no part that was done was sent again: {stored_before:?} then {again:?}"
    );
    let after: Array = settle(c.list_saved_uploads()).await.unwrap().into();
    assert!(!after
        .iter()
        .any(|s| prop(&s, "name").as_string().as_deref() == Some("saved/auto.bin")));
}

#[wasm_bindgen_test]
async fn forget_with_abort_frees_the_server_side_too() {
    emulator(
        "POST",
        "faults",
        Some(r#"{"op":"UploadPart","key":"saved/forget.bin","bytesPerSecond":400000}"#),
    )
    .await;
    let c = client(&[]).await;
    let f = file(&pattern(2 * 1024 * 1024, 22), "forget.bin", "");
    let opts = obj(&[("partSize", (256.0 * 1024.0).into())]);
    let up = c.multipart_upload("saved/forget.bin".into(), f.into(), opts);
    TimeoutFuture::new(1000).await;
    c.cancel();
    let err = settle(up).await.unwrap_err();
    let upload_id = prop(&prop(&err, "checkpoint"), "uploadId")
        .as_string()
        .unwrap();
    let saved: Array = settle(c.list_saved_uploads()).await.unwrap().into();
    let entry = saved
        .iter()
        .find(|s| prop(s, "uploadId").as_string() == Some(upload_id.clone()))
        .expect("listed");
    settle(c.forget_saved_upload(entry, obj(&[("abort", true.into())])))
        .await
        .expect("forget");
    let gone = settle(c.list_parts(
        "saved/forget.bin".into(),
        upload_id.clone(),
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap_err();
    assert_eq!(
        prop(&gone, "code").as_string().as_deref(),
        Some("NoSuchUpload")
    );
    let saved: Array = settle(c.list_saved_uploads()).await.unwrap().into();
    assert!(!saved
        .iter()
        .any(|s| prop(&s, "uploadId").as_string() == Some(upload_id.clone())));
    emulator("DELETE", "faults", None).await;
}

#[wasm_bindgen_test]
async fn a_record_left_behind_by_a_reload_just_after_complete_is_not_uploaded_again() {
    emulator("DELETE", "faults", None).await;
    let c = client(&[]).await;
    let key = "saved/after-complete.bin";
    let part = 256 * 1024;
    let bytes = pattern(3 * part + 100, 23);
    let f = file(&bytes, "after-complete.bin", "application/x-test");
    let opts = || obj(&[("partSize", (part as f64).into())]);
    let first = settle(c.multipart_upload(key.into(), f.clone().into(), opts()))
        .await
        .unwrap();
    // What a page reloaded between Complete's answer and deleting its record leaves behind:
    // the record with every part done (and their CRC64s), for an upload that is gone.
    let upload_id = log_for(key)
        .await
        .iter()
        .filter_map(|e| prop(e, "query").as_string())
        .find_map(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("uploadId=").map(String::from))
        })
        .expect("the upload's ID in the request log");
    let identity = FileIdentity {
        name: f.name(),
        size: bytes.len() as u64,
        last_modified: f.last_modified(),
        mime: f.type_(),
    };
    let parts: Vec<(u32, String, String)> = bytes
        .chunks(part)
        .enumerate()
        .map(|(i, chunk)| {
            let etag = format!("\"{}\"", md5_hex(chunk).to_uppercase());
            let crc = oss_browser_upload::protocol::crc64::checksum(chunk).to_string();
            (i as u32 + 1, etag, crc)
        })
        .collect();
    let now = js_sys::Date::now();
    let fingerprint = oss_browser_upload::engine::fingerprint::fingerprint(
        "demo-bucket",
        key,
        &identity,
        part as u64,
    );
    let store = store("oss-browser-upload");
    let left = record_of(
        (&fingerprint, key, &upload_id),
        &identity,
        part as u64,
        now,
        &parts,
    );
    store.put(whole(&left)).await;
    emulator("DELETE", "requests", None).await;

    let again = settle(c.multipart_upload(key.into(), f.into(), opts()))
        .await
        .expect("recognised as done");
    assert_eq!(
        prop(&again, "etag").as_string(),
        prop(&first, "etag").as_string()
    );
    let log = log_for(key).await;
    let ops: Vec<String> = log
        .iter()
        .filter_map(|e| prop(e, "op").as_string())
        .collect();
    assert_eq!(ops, ["ListParts", "HeadObject"], "nothing was sent again");
    assert_eq!(
        shown(store.load(&fingerprint).await.as_ref()),
        "none",
        "the record is gone"
    );
}

/// A file of the origin's private file system holding `bytes` (a real FileSystemFileHandle,
/// as a picker or a drop gives), or `None` where a page cannot write one (WebKit's OPFS is
/// written from workers only).
async fn handle_of(name: &str, bytes: &[u8]) -> Option<JsValue> {
    let write = js_sys::Function::new_with_args(
        "name, bytes",
        "return (async () => {
            if (!navigator.storage?.getDirectory) return null;
            const dir = await navigator.storage.getDirectory();
            const h = await dir.getFileHandle(name, { create: true });
            if (!h.createWritable) return null;
            const w = await h.createWritable();
            await w.write(bytes);
            await w.close();
            return h;
        })()",
    );
    let p = write.call2(&JsValue::NULL, &name.into(), &Uint8Array::from(bytes));
    let h = JsFuture::from(js_sys::Promise::from(p.unwrap()))
        .await
        .unwrap();
    if h.is_null() {
        web_sys::console::log_1(
            &"skipped: this browser cannot write a file handle from a page".into(),
        );
        return None;
    }
    Some(h)
}

async fn same_entry(a: &JsValue, b: &JsValue) -> bool {
    let f: js_sys::Function = prop(a, "isSameEntry").into();
    let p = js_sys::Promise::from(f.call1(a, b).unwrap());
    JsFuture::from(p).await.unwrap().as_bool() == Some(true)
}

/// Starts uploading `handle` as `key` in 256 KiB parts through a throttled link, and cancels
/// it once some parts are done: its saved upload's listSavedUploads() entry.
async fn cancelled_from_handle(c: &Client, key: &str, handle: &JsValue) -> JsValue {
    let rule = format!(r#"{{"op":"UploadPart","key":"{key}","bytesPerSecond":500000}}"#);
    emulator("POST", "faults", Some(&rule)).await;
    let opts = obj(&[
        ("partSize", (256.0 * 1024.0).into()),
        ("parallel", 2.into()),
    ]);
    let first = c.multipart_upload(key.into(), handle.clone(), opts);
    TimeoutFuture::new(1200).await;
    c.cancel();
    assert!(c.is_cancel(settle(first).await.unwrap_err()));
    emulator("DELETE", "faults", None).await;
    let saved: Array = settle(c.list_saved_uploads()).await.unwrap().into();
    saved
        .iter()
        .find(|s| prop(s, "name").as_string().as_deref() == Some(key))
        .expect("the cancelled upload is listed")
}

#[wasm_bindgen_test]
async fn an_upload_from_a_file_handle_resumes_from_the_handle_it_saved() {
    emulator("DELETE", "faults", None).await;
    let key = "saved/handle.bin";
    let bytes = pattern(3 * 1024 * 1024, 24);
    let Some(h) = handle_of("handle.bin", &bytes).await else {
        return;
    };
    let c = client(&[]).await;
    let entry = cancelled_from_handle(&c, key, &h).await;
    // The entry carries the handle, read back from IndexedDB: the same file.
    let saved_handle = prop(&entry, "handle");
    assert!(
        same_entry(&saved_handle, &h).await,
        "the saved handle is the file's"
    );
    let done_before = prop(&entry, "bytesDone").as_f64().unwrap();
    assert!(done_before >= 256.0 * 1024.0 && done_before < bytes.len() as f64);

    let stored_before = stored_parts(&log_for(key).await);
    let before = log_for(key).await.len();
    settle(c.multipart_upload(key.into(), saved_handle, JsValue::UNDEFINED))
        .await
        .expect("resumed from the handle");
    let got = settle(c.get(key.into(), JsValue::UNDEFINED)).await.unwrap();
    let content = Uint8Array::from(prop(&got, "content")).to_vec();
    assert_eq!(
        (content.len(), md5_hex(&content)),
        (bytes.len(), md5_hex(&bytes))
    );
    let log = log_for(key).await;
    let again = stored_parts(&log[before..]);
    assert!(
        !again.is_empty() && again.iter().all(|n| !stored_before.contains(n)),
        "no part that was done was sent again: {stored_before:?} then {again:?}"
    );
    let after: Array = settle(c.list_saved_uploads()).await.unwrap().into();
    assert!(!after
        .iter()
        .any(|s| prop(&s, "name").as_string().as_deref() == Some(key)));
}

#[wasm_bindgen_test]
async fn a_file_changed_since_its_handle_was_saved_starts_afresh_and_its_old_upload_is_aborted() {
    emulator("DELETE", "faults", None).await;
    let key = "saved/changed.bin";
    let Some(h) = handle_of("changed.bin", &pattern(2 * 1024 * 1024, 25)).await else {
        return;
    };
    let c = client(&[]).await;
    let entry = cancelled_from_handle(&c, key, &h).await;
    let old_upload = prop(&entry, "uploadId").as_string().unwrap();
    // The file written again, as an editor would save it: another size and date.
    TimeoutFuture::new(20).await;
    let changed = pattern(2 * 1024 * 1024 + 4097, 26);
    handle_of("changed.bin", &changed).await.unwrap();
    settle(c.multipart_upload(key.into(), prop(&entry, "handle"), JsValue::UNDEFINED))
        .await
        .expect("uploaded afresh");
    let got = settle(c.get(key.into(), JsValue::UNDEFINED)).await.unwrap();
    let content = Uint8Array::from(prop(&got, "content")).to_vec();
    assert_eq!(md5_hex(&content), md5_hex(&changed));
    let gone = settle(c.list_parts(key.into(), old_upload.clone(), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(
        prop(&gone, "code").as_string().as_deref(),
        Some("NoSuchUpload")
    );
    let after: Array = settle(c.list_saved_uploads()).await.unwrap().into();
    assert!(!after
        .iter()
        .any(|s| prop(&s, "name").as_string().as_deref() == Some(key)));
}

#[wasm_bindgen_test]
async fn a_handle_whose_file_is_gone_fails_saying_so_and_sends_nothing() {
    let key = "saved/gone.bin";
    let Some(h) = handle_of("gone.bin", &pattern(1024, 27)).await else {
        return;
    };
    let remove = js_sys::Function::new_no_args(
        "return navigator.storage.getDirectory().then((d) => d.removeEntry('gone.bin'))",
    );
    JsFuture::from(js_sys::Promise::from(remove.call0(&JsValue::NULL).unwrap()))
        .await
        .unwrap();
    let c = client(&[]).await;
    let err = settle(c.multipart_upload(key.into(), h, JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(
        prop(&err, "name").as_string().as_deref(),
        Some("FileUnreadableError")
    );
    assert!(log_for(key).await.is_empty(), "nothing was sent");
}
