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
use oss_browser_upload::engine::saved::{FileIdentity, SavedUpload};
use oss_browser_upload::web::saved::SavedUploads;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DAY: f64 = 24.0 * 3600.0 * 1000.0;

fn record(fp: &str, updated_at: f64) -> SavedUpload {
    SavedUpload {
        fingerprint: fp.into(),
        bucket: "demo-bucket".into(),
        name: "videos/holiday.mp4".into(),
        file: FileIdentity {
            name: "holiday.mp4".into(),
            size: 3 * 1024 * 1024,
            last_modified: 1_700_000_000_000.0,
            mime: "video/mp4".into(),
        },
        part_size: 1024 * 1024,
        upload_id: "0123456789ABCDEF0123456789ABCDEF".into(),
        done: DoneParts::from_iter([
            (
                1,
                DonePart {
                    etag: "\"AA\"".into(),
                    crc64: Some(u64::MAX - 1),
                },
            ),
            (
                3,
                DonePart {
                    etag: "\"CC\"".into(),
                    crc64: None,
                },
            ),
        ]),
        created_at: updated_at - 1000.0,
        updated_at,
    }
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
    let db = Factory::new()
        .unwrap()
        .open(db_name, None)
        .unwrap()
        .await
        .unwrap();
    let tx = db
        .transaction(&["uploads"], TransactionMode::ReadOnly)
        .unwrap();
    let all = tx
        .object_store("uploads")
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
    let store = SavedUploads::new("saved-test-rw", 7.0 * DAY);
    let r = record("v1-rw", js_sys::Date::now());
    store.save(&r).await;
    assert_eq!(store.load("v1-rw").await, Some(r.clone()));
    assert_eq!(raw_all("saved-test-rw").await.len(), 1);
    store.forget("v1-rw").await;
    assert_eq!(store.load("v1-rw").await, None);
    assert!(raw_all("saved-test-rw").await.is_empty());
}

#[wasm_bindgen_test]
async fn expired_records_are_dropped() {
    let store = SavedUploads::new("saved-test-expiry", 7.0 * DAY);
    let now = js_sys::Date::now();
    store.save(&record("v1-old", now - 8.0 * DAY)).await;
    store.save(&record("v1-new", now - 6.0 * DAY)).await;
    let left: Vec<String> = store
        .all()
        .await
        .into_iter()
        .map(|s| s.fingerprint)
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
    let store = SavedUploads::new(db, 7.0 * DAY);
    assert!(store.all().await.is_empty());
    assert!(
        raw_all(db).await.is_empty(),
        "unreadable records are deleted"
    );
    let good = record("v1-bad", js_sys::Date::now());
    store.save(&good).await;
    assert_eq!(store.load("v1-bad").await, Some(good));
}

#[wasm_bindgen_test]
async fn without_indexeddb_records_live_in_memory() {
    // A database already at a higher version cannot be opened at ours: IndexedDB is unusable.
    let db = "saved-test-fallback";
    let mut open = Factory::new().unwrap().open(db, Some(5)).unwrap();
    open.on_upgrade_needed(|_| {});
    open.await.unwrap().close();
    let store = SavedUploads::new(db, 7.0 * DAY);
    let r = record("v1-mem", js_sys::Date::now());
    store.save(&r).await;
    assert_eq!(store.load("v1-mem").await, Some(r));
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
    assert_eq!(store.load("v1-mem").await, None);
}

fn part_uploads(log: &[JsValue], status: f64) -> usize {
    log.iter()
        .filter(|e| {
            prop(e, "op").as_string().as_deref() == Some("UploadPart")
                && prop(e, "status").as_f64() == Some(status)
        })
        .count()
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
    let c = client(&[]);
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
    // The same file to the same object while the first runs: refused, not raced.
    let twin = settle(c.multipart_upload("saved/auto.bin".into(), f.clone().into(), opts()))
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
    // No checkpoint passed: the saved one is found by the file's fingerprint.
    settle(c.multipart_upload("saved/auto.bin".into(), f.into(), opts()))
        .await
        .expect("resumed");
    let got = settle(c.get("saved/auto.bin".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(
        md5_hex(&Uint8Array::from(prop(&got, "content")).to_vec()),
        md5_hex(&bytes)
    );
    let log = log_for("saved/auto.bin").await;
    assert_eq!(
        part_uploads(&log, 200.0),
        12,
        "no part that was done was sent again"
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
    let c = client(&[]);
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
    let c = client(&[]);
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
    let done: DoneParts = bytes
        .chunks(part)
        .enumerate()
        .map(|(i, chunk)| {
            let part = DonePart {
                etag: format!("\"{}\"", md5_hex(chunk).to_uppercase()),
                crc64: Some(oss_browser_upload::protocol::crc64::checksum(chunk)),
            };
            (i as u32 + 1, part)
        })
        .collect();
    let now = js_sys::Date::now();
    let fingerprint =
        oss_browser_upload::engine::saved::fingerprint("demo-bucket", key, &identity, part as u64);
    let store = SavedUploads::new(oss_browser_upload::web::saved::DB_NAME, 7.0 * DAY);
    store
        .save(&SavedUpload {
            fingerprint: fingerprint.clone(),
            bucket: "demo-bucket".into(),
            name: key.into(),
            file: identity,
            part_size: part as u64,
            upload_id,
            done,
            created_at: now,
            updated_at: now,
        })
        .await;
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
    assert_eq!(store.load(&fingerprint).await, None, "the record is gone");
}
