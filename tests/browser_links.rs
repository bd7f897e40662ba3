//! Links slower than loopback, scaled down to run in seconds: a slow uplink whose parts
//! outlive `timeout` but keep moving, and many files started together sharing the client's
//! connections. The emulator throttles each request's body (`bytesPerSecond`).
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use browser::*;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KIB: usize = 1024;
const PART: usize = 16 * 1024 * KIB;

async fn stored_md5(c: &Client, key: &str) -> String {
    let got = settle(c.get(key.into(), JsValue::UNDEFINED))
        .await
        .expect("get");
    md5_hex(&Uint8Array::from(prop(&got, "content")).to_vec())
}

fn parts_sent(log: &[JsValue]) -> usize {
    (log.iter())
        .filter(|e| prop(e, "op").as_string().as_deref() == Some("UploadPart"))
        .count()
}

/// Two parts of 16 MiB at 2 MB/s each: about 8 s a part, past a 4 s timeout. Parts much larger
/// than what loopback's socket buffers take at once (a few MB): a part the buffers took whole
/// would say nothing of the link, and wait out the deadline its measured rate gives.
async fn slow_uplink(key: &str, transport: Option<&str>) -> (String, String, Vec<JsValue>) {
    let rule = format!(r#"{{"op":"UploadPart","key":"{key}","bytesPerSecond":2000000}}"#);
    set_faults(&rule).await;
    let mut options = vec![("timeout", 4000.into())];
    if let Some(t) = transport {
        options.push(("transport", t.into()));
    }
    let c = client(&options).await;
    let bytes = pattern(2 * PART, 29);
    let up = c.multipart_upload(
        key.into(),
        file(&bytes, "slow.bin", "").into(),
        obj(&[("partSize", (PART as f64).into())]),
    );
    settle(up)
        .await
        .expect("an upload that keeps moving never fails for slowness");
    emulator("DELETE", "faults", None).await;
    (
        stored_md5(&c, key).await,
        md5_hex(&bytes),
        log_for(key).await,
    )
}

#[wasm_bindgen_test]
async fn parts_that_outlive_the_timeout_but_keep_moving_are_not_sent_again() {
    let (stored, sent, log) = slow_uplink("links/slow-auto.bin", None).await;
    let has_xhr = js_sys::Reflect::has(&js_sys::global(), &"XMLHttpRequest".into()) == Ok(true);
    assert_eq!(stored, sent);
    if has_xhr {
        assert_eq!(parts_sent(&log), 2, "each part once: its bytes kept moving");
    }
}

#[wasm_bindgen_test]
async fn with_fetch_a_slow_part_gets_a_longer_deadline_until_it_goes_through() {
    let (stored, sent, log) = slow_uplink("links/slow-fetch.bin", Some("fetch")).await;
    assert_eq!(stored, sent);
    assert!(parts_sent(&log) >= 2);
}

/// The most requests the server had at once for keys under `prefix`.
fn most_at_once(log: &[JsValue], prefix: &str) -> usize {
    let mut edges: Vec<(f64, i32)> = Vec::new();
    for e in log {
        let key = prop(e, "key").as_string().unwrap_or_default();
        if !key.starts_with(prefix) {
            continue;
        }
        edges.push((prop(e, "startMs").as_f64().unwrap_or(0.0), 1));
        edges.push((prop(e, "endMs").as_f64().unwrap_or(0.0), -1));
    }
    // An end and a start in the same millisecond: the end first.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0, 0);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as usize
}

#[wasm_bindgen_test]
async fn twelve_files_started_together_share_the_connections_and_finish_one_after_another() {
    let prefix = "links/many/";
    set_faults(r#"{"op":"UploadPart","bytesPerSecond":1000000}"#).await;
    let c = client(&[("timeout", 2000.into())]).await;
    let finished = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let mut all = Vec::new();
    let mut files = Vec::new();
    for i in 0..12u32 {
        let bytes = pattern(600 * KIB, 40 + i);
        let key = format!("{prefix}{i:02}.bin");
        let up = c.multipart_upload(
            key.as_str().into(),
            file(&bytes, "f.bin", "").into(),
            obj(&[
                ("partSize", ((200 * KIB) as f64).into()),
                ("parallel", 3.into()),
            ]),
        );
        let seen = finished.clone();
        all.push(JsValue::from(wasm_bindgen_futures::future_to_promise(
            async move {
                let got = JsFuture::from(up).await;
                seen.borrow_mut().push(i);
                got
            },
        )));
        files.push((key, bytes));
    }
    let all = js_sys::Promise::all(&all.into_iter().collect::<Array>());
    JsFuture::from(all).await.expect("every upload");
    emulator("DELETE", "faults", None).await;
    let log: Array = emulator("GET", "requests", None).await.into();
    let log: Vec<JsValue> = log.iter().collect();
    let most = most_at_once(&log, prefix);
    assert!(most <= 6, "{most} requests at once: more than the budget");
    // One after another: each file done within one place of where it started (two finishing
    // together may resolve in either order); without one queue they all end together.
    let order = finished.borrow().clone();
    let out_of_place = (order.iter().enumerate()).find(|(k, i)| k.abs_diff(**i as usize) > 1);
    assert!(
        out_of_place.is_none(),
        "files finish in the order they started: {order:?}"
    );
    let parts: usize = (files.iter())
        .map(|(k, _)| parts_sent(&log_of(&log, k)))
        .sum();
    assert_eq!(parts, 12 * 3, "no part sent again");
    for (key, bytes) in &files {
        assert_eq!(stored_md5(&c, key).await, md5_hex(bytes), "{key}");
    }
}

fn log_of(log: &[JsValue], key: &str) -> Vec<JsValue> {
    (log.iter())
        .filter(|e| prop(e, "key").as_string().as_deref() == Some(key))
        .cloned()
        .collect()
}

/// Parts cut at several sizes (the defaults on loopback: they grow with the measured rate and
/// shrink toward the end) store the file, and the checkpoint says where each lies: a resume
/// from it after a cancel sends only the parts not done, each with its own bytes.
#[wasm_bindgen_test]
async fn parts_of_several_sizes_resume_from_their_checkpoint() {
    let key = "links/sizes.bin";
    emulator("DELETE", "faults", None).await;
    let c = client(&[]).await;
    let bytes = pattern(40 * 1024 * KIB, 31);
    let f = file(&bytes, "sizes.bin", "");
    let canceller: Client = c.clone().unchecked_into();
    let progress = Closure::<dyn FnMut(f64, JsValue)>::new(move |_: f64, cp: JsValue| {
        let done = Array::from(&prop(&cp, "doneParts")).length();
        // Present from the start (the size follows the link); cancelled once it changed.
        let changed = Array::from(&prop(&cp, "partSizeChanges")).length() > 0;
        if changed && done >= 4 {
            canceller.cancel();
        }
    });
    let opts = obj(&[("progress", progress.as_ref().clone())]);
    let up = c.multipart_upload(key.into(), f.clone().into(), opts);
    let err = settle(up)
        .await
        .expect_err("cancelled once the part size changed");
    assert!(c.is_cancel(err.clone()), "the parts never changed size");
    let cp = prop(&err, "checkpoint");
    let changes = Array::from(&prop(&cp, "partSizeChanges"));
    assert!(changes.length() >= 1 && prop(&changes.get(0), "from").as_f64() > Some(1.0));
    let done: Vec<f64> = (Array::from(&prop(&cp, "doneParts")).iter())
        .filter_map(|p| prop(&p, "number").as_f64())
        .collect();
    let before = log_for(key).await.len();
    let opts = obj(&[("checkpoint", cp)]);
    settle(c.multipart_upload(key.into(), f.into(), opts))
        .await
        .expect("resumed from the checkpoint");
    assert_eq!(stored_md5(&c, key).await, md5_hex(&bytes));
    let again = (log_for(key).await.iter().skip(before))
        .filter(|e| prop(e, "op").as_string().as_deref() == Some("UploadPart"))
        .filter(|e| done.contains(&prop(e, "partNumber").as_f64().unwrap_or(0.0)))
        .count();
    assert_eq!(again, 0, "no part done before the cancel is sent again");
}
