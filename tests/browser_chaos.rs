//! The chaos suite: uploads driven through the emulator's faults. Each ends with an object
//! identical to the file (checked by MD5 here and CRC64 by the client) or with the documented
//! error and a checkpoint to resume from.
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use std::cell::Cell;
use std::rc::Rc;

use browser::*;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use oss_browser_upload::protocol::crc64;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KIB: usize = 1024;
const PART: f64 = 128.0 * 1024.0;

async fn upload(c: &Client, key: &str, bytes: &[u8]) -> Result<JsValue, JsValue> {
    let opts = obj(&[("partSize", PART.into()), ("resume", false.into())]);
    settle(c.multipart_upload(key.into(), file(bytes, "chaos.bin", "").into(), opts)).await
}

/// The error an upload with the default client ends in (the test's faults make it fail).
async fn failure(key: &str, bytes: &[u8]) -> JsValue {
    upload(&client(&[]).await, key, bytes)
        .await
        .expect_err("the upload should fail")
}

async fn assert_stored(c: &Client, key: &str, bytes: &[u8], result: &JsValue) {
    let got = settle(c.get(key.into(), JsValue::UNDEFINED))
        .await
        .expect("get");
    assert_eq!(
        md5_hex(&Uint8Array::from(prop(&got, "content")).to_vec()),
        md5_hex(bytes),
        "{key}"
    );
    assert_eq!(
        prop(result, "crc64").as_string(),
        Some(crc64::checksum(bytes).to_string()),
        "{key}"
    );
}

fn tries(log: &[JsValue], part: f64) -> usize {
    log.iter()
        .filter(|e| {
            prop(e, "op").as_string().as_deref() == Some("UploadPart")
                && prop(e, "partNumber").as_f64() == Some(part)
        })
        .count()
}

#[wasm_bindgen_test]
async fn a_part_answered_with_a_wrong_crc_is_sent_again() {
    set_faults(r#"{"op":"UploadPart","key":"chaos/crc-once.bin","partNumber":2,"times":1,"wrongCrc":true}"#).await;
    let c = client(&[]).await;
    let bytes = pattern(5 * 128 * KIB, 31);
    let r = upload(&c, "chaos/crc-once.bin", &bytes)
        .await
        .expect("upload");
    assert_stored(&c, "chaos/crc-once.bin", &bytes, &r).await;
    let log = log_for("chaos/crc-once.bin").await;
    assert_eq!((tries(&log, 1.0), tries(&log, 2.0)), (1, 2));
}

#[wasm_bindgen_test]
async fn a_part_always_answered_with_a_wrong_crc_fails_with_inconsistent_error() {
    set_faults(
        r#"{"op":"UploadPart","key":"chaos/crc-always.bin","partNumber":3,"wrongCrc":true}"#,
    )
    .await;
    let err = failure("chaos/crc-always.bin", &pattern(4 * 128 * KIB, 32)).await;
    assert_eq!(
        prop(&err, "name").as_string().as_deref(),
        Some("InconsistentError")
    );
    let done = js_sys::Array::from(&prop(&prop(&err, "checkpoint"), "doneParts"));
    assert_eq!(done.length(), 3, "the other parts are kept");
    assert_eq!(tries(&log_for("chaos/crc-always.bin").await, 3.0), 3);
    // Off, the same upload goes through: the check is what caught it.
    let off = client(&[("crc64", false.into())]).await;
    upload(&off, "chaos/crc-always.bin", &pattern(4 * 128 * KIB, 32))
        .await
        .expect("crc64: false");
}

#[wasm_bindgen_test]
async fn a_complete_answered_with_a_wrong_crc_is_reported() {
    set_faults(
        r#"{"op":"CompleteMultipartUpload","key":"chaos/crc-complete.bin","wrongCrc":true}"#,
    )
    .await;
    let err = failure("chaos/crc-complete.bin", &pattern(3 * 128 * KIB, 33)).await;
    assert_eq!(
        prop(&err, "name").as_string().as_deref(),
        Some("InconsistentError")
    );
    assert!(prop(&err, "message")
        .as_string()
        .unwrap()
        .contains("completed object"));
}

#[wasm_bindgen_test]
async fn a_single_put_answered_with_a_wrong_crc_is_sent_again() {
    // By PutObject, and as put() sends a small object by default, a PostObject form (whose
    // key is inside its body, so the fault matches every form).
    for (op, options) in [("PutObject", false), ("PostObject", true)] {
        let key = format!("chaos/crc-{op}.bin");
        let rule = match op {
            "PutObject" => {
                format!(r#"{{"op":"PutObject","key":"{key}","times":1,"wrongCrc":true}}"#)
            }
            _ => r#"{"op":"PostObject","times":1,"wrongCrc":true}"#.to_string(),
        };
        set_faults(&rule).await;
        let before = Array::from(&emulator("GET", "requests", None).await).length();
        let c = client(&[("postObject", options.into())]).await;
        let bytes = pattern(50 * KIB, 34);
        let r = settle(c.put(
            key.as_str().into(),
            Uint8Array::from(&bytes[..]).into(),
            JsValue::UNDEFINED,
        ))
        .await
        .expect("put");
        assert_stored(&c, &key, &bytes, &r).await;
        let log = Array::from(&emulator("GET", "requests", None).await);
        let sent = (log.iter().skip(before as usize))
            .filter(|e| prop(e, "op").as_string().as_deref() == Some(op))
            .count();
        assert_eq!(sent, 2, "{op}");
    }
}

#[wasm_bindgen_test]
async fn server_errors_are_retried() {
    set_faults(
        r#"[{"op":"UploadPart","key":"chaos/5xx.bin","partNumber":1,"times":2,"status":500,"code":"InternalError"},
            {"op":"InitiateMultipartUpload","key":"chaos/5xx.bin","times":1,"status":503,"code":"SlowDown"},
            {"op":"CompleteMultipartUpload","key":"chaos/5xx.bin","times":1,"status":503,"code":"SlowDown"}]"#,
    )
    .await;
    let c = client(&[]).await;
    let bytes = pattern(3 * 128 * KIB + 5, 35);
    let r = upload(&c, "chaos/5xx.bin", &bytes).await.expect("upload");
    assert_stored(&c, "chaos/5xx.bin", &bytes, &r).await;
    assert_eq!(tries(&log_for("chaos/5xx.bin").await, 1.0), 3);
}

#[wasm_bindgen_test]
async fn expired_tokens_on_some_parts_are_refreshed() {
    set_faults(
        r#"[{"op":"UploadPart","key":"chaos/sts.bin","partNumber":2,"times":1,"status":403,"code":"SecurityTokenExpired"},
            {"op":"UploadPart","key":"chaos/sts.bin","partNumber":4,"times":1,"status":403,"code":"SecurityTokenExpired"}]"#,
    )
    .await;
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    let refresh = Closure::<dyn FnMut() -> Promise>::new(move || {
        counter.set(counter.get() + 1);
        future_to_promise(async { Ok(emulator("POST", "sts", Some("{}")).await) })
    });
    let c = Client::new(obj(&[
        ("endpoint", endpoint().into()),
        ("bucket", "demo-bucket".into()),
        ("refreshSTSToken", refresh.as_ref().clone()),
    ]))
    .await
    .unwrap();
    let bytes = pattern(5 * 128 * KIB, 36);
    let r = upload(&c, "chaos/sts.bin", &bytes).await.expect("upload");
    assert_stored(&c, "chaos/sts.bin", &bytes, &r).await;
    // One to start, then at most one per injected expiry.
    assert!((2..=3).contains(&calls.get()), "{} refreshes", calls.get());
}

/// Sets the page's clock `offset_ms` off until the guard is dropped.
struct SkewedClock {
    date: JsValue,
    real: Function,
    _fake: Closure<dyn Fn() -> f64>,
}

impl SkewedClock {
    fn new(offset_ms: f64) -> SkewedClock {
        let date = Reflect::get(&js_sys::global(), &"Date".into()).unwrap();
        let real: Function = Reflect::get(&date, &"now".into()).unwrap().into();
        let inner = real.clone();
        let fake = Closure::<dyn Fn() -> f64>::new(move || {
            inner.call0(&JsValue::NULL).unwrap().as_f64().unwrap() + offset_ms
        });
        Reflect::set(&date, &"now".into(), fake.as_ref()).unwrap();
        SkewedClock {
            date,
            real,
            _fake: fake,
        }
    }
}

impl Drop for SkewedClock {
    fn drop(&mut self) {
        Reflect::set(&self.date, &"now".into(), &self.real).unwrap();
    }
}

#[wasm_bindgen_test]
async fn a_page_clock_an_hour_off_is_corrected_from_the_server() {
    emulator("DELETE", "faults", None).await;
    emulator("DELETE", "requests", None).await;
    let bytes = pattern(3 * 128 * KIB, 37);
    let result = {
        let _skew = SkewedClock::new(-3600.0 * 1000.0);
        let c = client(&[("authorizationV4", true.into())]).await;
        upload(&c, "chaos/skew.bin", &bytes).await
    };
    let r = result.expect("upload with the clock an hour slow");
    assert_stored(&client(&[]).await, "chaos/skew.bin", &bytes, &r).await;
    let skewed = log_for("chaos/skew.bin")
        .await
        .iter()
        .filter(|e| prop(e, "status").as_f64() == Some(403.0))
        .count();
    assert!(skewed >= 1, "the server did refuse the skewed clock first");
}

#[wasm_bindgen_test]
async fn an_upload_aborted_elsewhere_fails_complete_with_no_such_upload() {
    set_faults(r#"{"op":"CompleteMultipartUpload","key":"chaos/gone.bin","status":404,"code":"NoSuchUpload","message":"The specified upload does not exist."}"#).await;
    let err = failure("chaos/gone.bin", &pattern(3 * 128 * KIB, 38)).await;
    assert_eq!(
        prop(&err, "name").as_string().as_deref(),
        Some("NoSuchUploadError")
    );
    assert_eq!(prop(&err, "status").as_f64(), Some(404.0));
    assert!(prop(&err, "checkpoint").is_object());
    emulator("DELETE", "faults", None).await;
}

/// Uploads `len` bytes to `key` under the fault `rule`, which the upload must ride out: the
/// object is whole, and the server saw these calls besides parts and reads (op, status).
async fn rides_out(rule: &str, key: &str, len: usize, seed: u32) -> Vec<(String, f64)> {
    set_faults(rule).await;
    let c = client(&[]).await;
    let bytes = pattern(len, seed);
    let r = upload(&c, key, &bytes).await.expect("resolved, not failed");
    assert_stored(&c, key, &bytes, &r).await;
    emulator("DELETE", "faults", None).await;
    log_for(key)
        .await
        .iter()
        .map(|e| {
            let op = prop(e, "op").as_string().unwrap_or_default();
            (op, prop(e, "status").as_f64().unwrap_or(0.0))
        })
        .filter(|(op, _)| op != "UploadPart" && op != "GetObject")
        .collect()
}

#[wasm_bindgen_test]
async fn a_complete_whose_answer_is_lost_resolves_once_the_object_is_found() {
    // The server completes the upload, then drops the connection: the client's retry of
    // Complete meets NoSuchUpload, and the object (same size, same combined CRC64) is the answer.
    let rule = r#"{"op":"CompleteMultipartUpload","key":"chaos/lost-answer.bin","times":1,"dropAnswer":true}"#;
    let calls = rides_out(rule, "chaos/lost-answer.bin", 3 * 128 * KIB + 5, 39).await;
    let ops: Vec<&str> = calls.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        ops,
        [
            "InitiateMultipartUpload",
            "CompleteMultipartUpload",
            "CompleteMultipartUpload",
            "HeadObject"
        ]
    );
}

#[wasm_bindgen_test]
async fn an_answer_broken_off_is_an_answer_lost_whatever_its_status() {
    // Complete's answers arrive cut off twice: the first, a 200, after the object was stored;
    // the second, NoSuchUpload, whose code is in the part that never came. Read by its status
    // alone, that 404 would fail the upload as a missing object; it is a lost answer, retried.
    let rule = r#"{"op":"CompleteMultipartUpload","key":"chaos/cut-answer.bin","times":2,"cutAnswer":true}"#;
    let calls = rides_out(rule, "chaos/cut-answer.bin", 3 * 128 * KIB + 7, 40).await;
    let complete = |status| ("CompleteMultipartUpload".to_string(), status);
    assert_eq!(
        calls,
        [
            ("InitiateMultipartUpload".to_string(), 200.0),
            complete(200.0),
            complete(404.0),
            complete(404.0),
            ("HeadObject".to_string(), 200.0)
        ]
    );
}
