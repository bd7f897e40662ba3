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
use oss_browser_upload::web::saved::{Record, SavedUploads};
use wasm_bindgen::prelude::*;
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
        file_size: file.size,
        last_modified: file.last_modified,
        file_type: file.mime.clone(),
        part_size,
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
    }
}

fn record(fp: &str, updated_at: f64) -> Record {
    let file = FileIdentity {
        name: "holiday.mp4".into(),
        size: 3 * 1024 * 1024,
        last_modified: 1_700_000_000_000.0,
        mime: "video/mp4".into(),
    };
    record_of(
        (fp, "videos/holiday.mp4", "0123456789ABCDEF0123456789ABCDEF"),
        &file,
        1024 * 1024,
        updated_at,
        &[
            (1, "\"AA\"".into(), (u64::MAX - 1).to_string()),
            (3, "\"CC\"".into(), String::new()),
        ],
    )
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
    let store = store("saved-test-rw");
    let r = record("v1-rw", js_sys::Date::now());
    store.save(&r).await;
    assert_eq!(shown(store.load("v1-rw").await.as_ref()), shown(Some(&r)));
    assert_eq!(raw_all("saved-test-rw").await.len(), 1);
    store.forget("v1-rw").await;
    assert_eq!(shown(store.load("v1-rw").await.as_ref()), "none");
    assert!(raw_all("saved-test-rw").await.is_empty());
}

#[wasm_bindgen_test]
async fn expired_records_are_dropped() {
    let store = store("saved-test-expiry");
    let now = js_sys::Date::now();
    store.save(&record("v1-old", now - 8.0 * DAY)).await;
    store.save(&record("v1-new", now - 6.0 * DAY)).await;
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
    store.save(&good).await;
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
    store.save(&r).await;
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
    store.save(&left).await;
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
