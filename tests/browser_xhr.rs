//! `transport: 'xhr'`: byte-level progress through the same callback, with the same retries,
//! timeouts, cancel and errors as the fetch transport.
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use std::cell::RefCell;
use std::rc::Rc;

use browser::*;
use gloo_timers::future::TimeoutFuture;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

async fn xhr_client() -> Client {
    client(&[("transport", "xhr".into())]).await
}

async fn stored_md5(c: &Client, key: &str) -> String {
    let got = settle(c.get(key.into(), JsValue::UNDEFINED))
        .await
        .expect("get");
    md5_hex(&Uint8Array::from(prop(&got, "content")).to_vec())
}

/// Each progress call's `p`, and whether a checkpoint came with it.
type Seen = Rc<RefCell<Vec<(f64, bool)>>>;

/// A progress callback that records its calls.
fn recorder() -> (JsValue, Seen) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let f = Closure::<dyn FnMut(f64, JsValue)>::new(move |p: f64, cp: JsValue| {
        sink.borrow_mut().push((p, cp.is_object()));
    });
    (f.into_js_value(), seen)
}

#[wasm_bindgen_test]
async fn one_20_mib_part_reports_its_bytes_as_they_go() {
    set_faults(r#"{"op":"PutObject","key":"xhr/20MiB.bin","bytesPerSecond":8000000}"#).await;
    let c = xhr_client().await;
    let bytes = pattern(20 * MIB, 20);
    let (progress, seen) = recorder();
    settle(c.multipart_upload(
        "xhr/20MiB.bin".into(),
        file(&bytes, "big.bin", "").into(),
        obj(&[
            ("partSize", ((20 * MIB) as f64).into()),
            ("progress", progress),
        ]),
    ))
    .await
    .expect("upload");
    emulator("DELETE", "faults", None).await;
    assert_eq!(stored_md5(&c, "xhr/20MiB.bin").await, md5_hex(&bytes));
    let seen = seen.borrow();
    let before_end: Vec<f64> = seen.iter().map(|s| s.0).filter(|p| *p < 1.0).collect();
    assert!(
        before_end.len() > 5,
        "progress advanced {} times within the one request: {before_end:?}",
        before_end.len()
    );
    assert!(
        before_end.windows(2).all(|w| w[0] < w[1]),
        "progress goes forward: {before_end:?}"
    );
    assert_eq!(seen.last().map(|s| s.0), Some(1.0), "ends at 1");
}

#[wasm_bindgen_test]
async fn multipart_over_xhr_retries_faults_and_keeps_giving_checkpoints() {
    set_faults(
        r#"[{"op":"UploadPart","key":"xhr/faults.bin","partNumber":2,"times":1,"resetAfterBytes":50000},
            {"op":"UploadPart","key":"xhr/faults.bin","partNumber":3,"times":2,"status":503,"code":"SlowDown"},
            {"op":"UploadPart","key":"xhr/faults.bin","partNumber":4,"times":1,"delayMs":2500},
            {"op":"UploadPart","key":"xhr/faults.bin","bytesPerSecond":2000000}]"#,
    )
    .await;
    let c = xhr_client().await;
    let bytes = pattern(8 * 256 * KIB - 3, 21);
    let (progress, seen) = recorder();
    settle(c.multipart_upload(
        "xhr/faults.bin".into(),
        file(&bytes, "f", "").into(),
        obj(&[
            ("partSize", ((256 * KIB) as f64).into()),
            ("timeout", 1000.into()),
            ("progress", progress),
        ]),
    ))
    .await
    .expect("upload");
    emulator("DELETE", "faults", None).await;
    assert_eq!(stored_md5(&c, "xhr/faults.bin").await, md5_hex(&bytes));
    let log = log_for("xhr/faults.bin").await;
    let tries = |n: f64| {
        log.iter()
            .filter(|e| prop(e, "partNumber").as_f64() == Some(n))
            .count()
    };
    assert_eq!(
        (tries(1.0), tries(2.0), tries(3.0), tries(4.0)),
        (1, 2, 3, 2)
    );
    let seen = seen.borrow();
    // Byte-level calls came between the per-part ones, each with the latest checkpoint (the
    // first per-part call, right after Initiate, has one too).
    assert!(seen.len() > 8 + 2, "{} progress calls", seen.len());
    assert!(
        seen.iter().all(|(_, has_checkpoint)| *has_checkpoint),
        "a call without a checkpoint"
    );
    let ps: Vec<f64> = seen.iter().map(|s| s.0).collect();
    assert!(ps.windows(2).all(|w| w[0] <= w[1]), "{ps:?}");
}

#[wasm_bindgen_test]
async fn cancel_aborts_xhr_requests_at_once() {
    set_faults(r#"{"op":"UploadPart","key":"xhr/cancel.bin","bytesPerSecond":400000}"#).await;
    let c = xhr_client().await;
    let bytes = pattern(3 * MIB, 22);
    let pending = c.multipart_upload(
        "xhr/cancel.bin".into(),
        file(&bytes, "c", "").into(),
        obj(&[
            ("partSize", ((256 * KIB) as f64).into()),
            ("parallel", 3.into()),
        ]),
    );
    TimeoutFuture::new(1000).await;
    let cancelled_at = js_sys::Date::now();
    c.cancel();
    let err = settle(pending).await.expect_err("cancelled");
    let after = js_sys::Date::now() - cancelled_at;
    assert!(after < 100.0, "rejected {after} ms after cancel()");
    assert!(c.is_cancel(err.clone()));
    TimeoutFuture::new(1500).await;
    let finished_late = log_for("xhr/cancel.bin")
        .await
        .iter()
        .filter(|e| {
            prop(e, "status").as_f64() == Some(200.0)
                && prop(e, "endMs").as_f64().unwrap_or(0.0) > cancelled_at
        })
        .count();
    assert_eq!(finished_late, 0, "a part finished after cancel()");
    emulator("DELETE", "faults", None).await;
    settle(c.multipart_upload(
        "xhr/cancel.bin".into(),
        file(&bytes, "c", "").into(),
        obj(&[("checkpoint", prop(&err, "checkpoint"))]),
    ))
    .await
    .expect("resumed");
    assert_eq!(stored_md5(&c, "xhr/cancel.bin").await, md5_hex(&bytes));
}

#[wasm_bindgen_test]
async fn xhr_errors_carry_the_same_fields() {
    emulator("DELETE", "faults", None).await;
    let bad = client(&[
        ("transport", "xhr".into()),
        ("accessKeySecret", "not-the-secret".into()),
    ])
    .await;
    let e = settle(bad.put("xhr/denied.txt".into(), "x".into(), JsValue::UNDEFINED))
        .await
        .expect_err("refused");
    assert_eq!(
        prop(&e, "name").as_string().as_deref(),
        Some("SignatureDoesNotMatchError")
    );
    assert_eq!(prop(&e, "status").as_f64(), Some(403.0));
    assert!(!prop(&e, "requestId")
        .as_string()
        .unwrap_or_default()
        .is_empty());

    let c = xhr_client().await;
    let e = settle(c.head("xhr/missing.bin".into(), JsValue::UNDEFINED))
        .await
        .expect_err("missing");
    assert_eq!(prop(&e, "status").as_f64(), Some(404.0));
    assert_eq!(prop(&e, "code").as_string().as_deref(), Some("NoSuchKey"));

    let refused = Client::new(client_options(&[("transport", "carrier-pigeon".into())])).await;
    let e = refused.err().expect("refused");
    assert_eq!(
        prop(&e, "name").as_string().as_deref(),
        Some("ArgumentError")
    );
}
