//! The client in headless Chromium against the emulator: what issue 4 must show.
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use std::cell::Cell;
use std::rc::Rc;

use browser::*;
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

async fn clear() {
    emulator("DELETE", "faults", None).await;
}

async fn fetched_md5(c: &Client, key: &str) -> String {
    let got = settle(c.get(key.into(), JsValue::UNDEFINED))
        .await
        .expect("get");
    let content: Uint8Array = prop(&got, "content").into();
    md5_hex(&content.to_vec())
}

async fn round_trip(c: &Client, key: &str, bytes: &[u8], extra: &[(&str, JsValue)]) {
    let f = file(bytes, "picked", "application/x-test");
    let mut opts = vec![("meta", obj(&[("case", "round-trip".into())]))];
    opts.extend_from_slice(extra);
    let r = settle(c.multipart_upload(key.into(), f.into(), obj(&opts)))
        .await
        .unwrap_or_else(|e| panic!("{key} ({} bytes): {e:?}", bytes.len()));
    assert_eq!(prop(&r, "name").as_string().as_deref(), Some(key));
    assert_eq!(prop(&prop(&r, "res"), "status").as_f64(), Some(200.0));
    assert_eq!(fetched_md5(c, key).await, md5_hex(bytes), "{key}");
    let head = settle(c.head(key.into(), JsValue::UNDEFINED))
        .await
        .expect("head");
    assert_eq!(
        prop(&prop(&head, "meta"), "case").as_string().as_deref(),
        Some("round-trip")
    );
    let headers = prop(&prop(&head, "res"), "headers");
    assert_eq!(
        prop(&headers, "content-type").as_string().as_deref(),
        Some("application/x-test")
    );
    assert_eq!(
        prop(&headers, "content-length").as_string(),
        Some(bytes.len().to_string())
    );
}

#[wasm_bindgen_test]
async fn round_trips_sizes_and_awkward_keys() {
    clear().await;
    let c = client(&[]).await;
    let part = 256 * KIB;
    let small = [("partSize", JsValue::from(part as f64))];
    type Case<'a> = (&'a str, usize, &'a [(&'a str, JsValue)]);
    let cases: [Case; 7] = [
        ("sizes/empty file.bin", 0, &small),
        ("sizes/one+byte.bin", 1, &small),
        ("sizes/100KiB-1 %41.bin", 100 * KIB - 1, &small),
        ("sizes/exactly#part.bin", part, &small),
        ("sizes/part+1?.bin", part + 1, &small),
        ("中文/文件 😀.bin", 3 * part + 7, &small),
        ("sizes/25 MiB.bin", 25 * MIB, &[]),
    ];
    for (i, (key, len, extra)) in cases.iter().enumerate() {
        round_trip(&c, key, &pattern(*len, i as u32), extra).await;
    }
    // By default a file of over 20 MiB starts with parts of its size over 4 × parallel (5),
    // in whole MiB: 2 MiB here; later parts follow the link, 1 MiB or more, and shrink
    // toward the end.
    let parts = log_for("sizes/25 MiB.bin").await;
    let sizes: Vec<f64> = (parts.iter())
        .filter(|e| prop(e, "op").as_string().as_deref() == Some("UploadPart"))
        .filter_map(|e| prop(e, "bytesReceived").as_f64())
        .collect();
    assert_eq!(sizes.first(), Some(&(2.0 * MIB as f64)), "{sizes:?}");
    assert!((13..=25).contains(&sizes.len()), "{sizes:?}");
    let last = sizes.len() - 1;
    assert!(sizes[..last].iter().all(|s| *s >= MIB as f64), "{sizes:?}");
}

#[wasm_bindgen_test]
async fn names_with_dot_segments_are_stored_under_exactly_that_name() {
    // Browsers resolve `.` and `..` path segments away: these names must still reach (and be
    // signed for) exactly the object named.
    let c = client(&[]).await;
    let small = [("partSize", JsValue::from(100.0 * 1024.0))];
    let names = [
        "dots/q1/../summary.txt",
        "dots/a/./b.txt",
        "../dots-start.txt",
        "./dots-dot.txt",
        "dots/end/..",
        "dots/mid/../../x.bin",
    ];
    for (i, name) in names.iter().enumerate() {
        round_trip(&c, name, &pattern(250 * KIB + i, 70 + i as u32), &small).await;
        let log = log_for(name).await;
        assert!(
            log.iter()
                .any(|e| prop(e, "op").as_string().as_deref() == Some("CompleteMultipartUpload")),
            "{name}: the server saw no Complete for this very name"
        );
        let url = c
            .signature_url((*name).into(), obj(&[("expires", 60.into())]))
            .expect("url");
        let resp = fetch(&web_sys::Request::new_with_str(&url).unwrap()).await;
        assert_eq!(resp.status(), 200, "{name}: {url}");
    }
    for bad in [".", ".."] {
        let err = settle(c.put(bad.into(), "x".into(), JsValue::UNDEFINED))
            .await
            .unwrap_err();
        assert_eq!(
            prop(&err, "name").as_string().as_deref(),
            Some("ArgumentError")
        );
    }
}

/// With no `mime` and bytes without a type, the object name's extension decides, by the `mime`
/// package's table of every extension (ali-oss's): a module, an icon, a manifest and subtitles
/// are stored as what a browser needs them to be, not as octet-stream.
#[wasm_bindgen_test]
async fn content_type_comes_from_any_known_extension() {
    let c = client(&[]).await;
    for (name, ty) in [
        ("types/app/main.mjs", "text/javascript"),
        ("types/site/favicon.ico", "image/vnd.microsoft.icon"),
        ("types/clip.MKV", "video/x-matroska"),
        ("types/film.SRT", "application/x-subrip"),
        (
            "types/sheet.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("types/data.unknownext", "application/octet-stream"),
    ] {
        settle(c.put(
            name.into(),
            Uint8Array::from(&b"x"[..]).into(),
            JsValue::UNDEFINED,
        ))
        .await
        .expect("put");
        let head = settle(c.head(name.into(), JsValue::UNDEFINED))
            .await
            .unwrap();
        let headers = prop(&prop(&head, "res"), "headers");
        assert_eq!(
            prop(&headers, "content-type").as_string().as_deref(),
            Some(ty),
            "{name}"
        );
    }
}

#[wasm_bindgen_test]
async fn put_takes_bytes_text_and_blobs() {
    let c = client(&[]).await;
    let text = "hello from put ✓";
    let r = settle(c.put("put/text.txt".into(), text.into(), JsValue::UNDEFINED))
        .await
        .expect("put text");
    assert!(prop(&r, "etag").as_string().unwrap().starts_with('"'));
    assert_eq!(
        fetched_md5(&c, "put/text.txt").await,
        md5_hex(text.as_bytes())
    );
    let bytes = pattern(5000, 9);
    // Entries left undefined or null (an object spread of optional values) are absent.
    let opts = obj(&[
        ("mime", "image/x-raw".into()),
        (
            "headers",
            obj(&[
                ("Cache-Control", "no-cache".into()),
                ("Content-Disposition", JsValue::UNDEFINED),
                ("Expires", JsValue::NULL),
            ]),
        ),
        ("meta", obj(&[("note", JsValue::UNDEFINED)])),
    ]);
    settle(c.put(
        "put/bytes.raw".into(),
        Uint8Array::from(&bytes[..]).into(),
        opts,
    ))
    .await
    .expect("put bytes");
    let head = settle(c.head("put/bytes.raw".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    let headers = prop(&prop(&head, "res"), "headers");
    assert_eq!(
        prop(&headers, "content-type").as_string().as_deref(),
        Some("image/x-raw")
    );
    assert_eq!(
        prop(&headers, "cache-control").as_string().as_deref(),
        Some("no-cache")
    );
    for absent in ["content-disposition", "expires", "x-oss-meta-note"] {
        assert!(prop(&headers, absent).is_undefined(), "{absent}");
    }
    assert_eq!(fetched_md5(&c, "put/bytes.raw").await, md5_hex(&bytes));
    settle(c.delete("put/bytes.raw".into(), JsValue::UNDEFINED))
        .await
        .expect("delete");
    let gone = settle(c.head("put/bytes.raw".into(), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(
        prop(&gone, "code").as_string().as_deref(),
        Some("NoSuchKey")
    );
    assert_eq!(prop(&gone, "status").as_f64(), Some(404.0));
}

#[wasm_bindgen_test]
async fn get_reads_the_object_from_oss_not_the_browser_cache() {
    // Replaced within the same second, an object keeps its Last-Modified: a browser cache
    // revalidating by date would keep answering with the first version.
    let c = client(&[]).await;
    let key = "cache/replaced.txt";
    let text = |got: &JsValue| {
        let bytes = Uint8Array::from(prop(got, "content")).to_vec();
        String::from_utf8(bytes).unwrap_or_default()
    };
    for version in ["first", "second"] {
        settle(c.put(key.into(), version.into(), JsValue::UNDEFINED))
            .await
            .expect("put");
        for _ in 0..2 {
            let got = settle(c.get(key.into(), JsValue::UNDEFINED))
                .await
                .expect("get");
            assert_eq!(text(&got), version);
        }
    }
    // Each get reached OSS and was answered whole: none was the browser's revalidation.
    let gets: Vec<f64> = log_for(key)
        .await
        .iter()
        .filter(|e| prop(e, "op").as_string().as_deref() == Some("GetObject"))
        .filter_map(|e| prop(e, "status").as_f64())
        .collect();
    assert_eq!(gets, [200.0; 4]);
    // A caller's own condition still reaches OSS, and its 304 the caller.
    let etag = prop(
        &settle(c.head(key.into(), JsValue::UNDEFINED))
            .await
            .unwrap(),
        "res",
    );
    let etag = prop(&prop(&etag, "headers"), "etag");
    let opts = obj(&[("headers", obj(&[("If-None-Match", etag)]))]);
    let same = settle(c.get(key.into(), opts))
        .await
        .expect("a 304 is a result");
    assert_eq!(prop(&prop(&same, "res"), "status").as_f64(), Some(304.0));
}

/// The most requests for `key` the server had in flight at once.
async fn max_in_flight(key: &str, op: &str) -> usize {
    let entries: Vec<(f64, f64)> = log_for(key)
        .await
        .iter()
        .filter(|e| prop(e, "op").as_string().as_deref() == Some(op))
        .map(|e| {
            (
                prop(e, "startMs").as_f64().unwrap(),
                prop(e, "endMs").as_f64().unwrap(),
            )
        })
        .collect();
    entries
        .iter()
        .map(|(start, _)| {
            entries
                .iter()
                .filter(|(s, e)| s <= start && e > start)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[wasm_bindgen_test]
async fn parts_really_go_in_parallel() {
    set_faults(r#"{"op":"UploadPart","key":"parallel.bin","bytesPerSecond":1000000}"#).await;
    let c = client(&[]).await;
    let bytes = pattern(2 * MIB, 3);
    let opts = obj(&[
        ("partSize", (256.0 * 1024.0).into()),
        ("parallel", 4.into()),
    ]);
    settle(c.multipart_upload("parallel.bin".into(), file(&bytes, "p", "").into(), opts))
        .await
        .expect("upload");
    assert!(max_in_flight("parallel.bin", "UploadPart").await >= 4);
    clear().await;
}

#[wasm_bindgen_test]
async fn v4_signing_uploads_and_presigns() {
    let c = client(&[
        ("authorizationV4", true.into()),
        ("region", "oss-cn-hangzhou".into()),
    ])
    .await;
    round_trip(
        &c,
        "v4/object name+.bin",
        &pattern(600 * KIB, 4),
        &[("partSize", (200.0 * 1024.0).into())],
    )
    .await;
    for v4 in [false, true] {
        let c = client(&[("authorizationV4", v4.into())]).await;
        let url = c
            .signature_url("v4/object name+.bin".into(), obj(&[("expires", 60.into())]))
            .expect("url");
        let resp = fetch(&web_sys::Request::new_with_str(&url).unwrap()).await;
        assert_eq!(resp.status(), 200, "{url}");
        // ali-oss's `response`: the download renamed and retyped, signed as OSS signs it.
        let renamed = obj(&[
            ("expires", 60.into()),
            (
                "response",
                obj(&[
                    (
                        "content-disposition",
                        "attachment; filename=\"r.bin\"".into(),
                    ),
                    ("content-type", "application/x-renamed".into()),
                ]),
            ),
        ]);
        let url = c
            .signature_url("v4/object name+.bin".into(), renamed)
            .expect("url");
        let resp = fetch(&web_sys::Request::new_with_str(&url).unwrap()).await;
        assert_eq!(resp.status(), 200, "{url}");
        let header = |name| resp.headers().get(name).ok().flatten();
        assert_eq!(
            header("content-disposition").as_deref(),
            Some("attachment; filename=\"r.bin\"")
        );
        assert_eq!(
            header("content-type").as_deref(),
            Some("application/x-renamed")
        );
        // A near miss of a known option is refused (`expire` would sign for 1800 s) ...
        for (typo, meant) in [("expire", "expires"), ("contentType", "Content-Type")] {
            let err = c
                .signature_url("x".into(), obj(&[(typo, 60.into())]))
                .unwrap_err();
            let e: js_sys::Error = err.into();
            assert_eq!(e.name(), "ArgumentError");
            let message = String::from(e.message());
            assert!(message.contains(meant), "{message}");
        }
        // ... other names are ignored, as ali-oss's own test of `filename` and `testParameters`
        // expects.
        let extras = obj(&[
            ("expires", 60.into()),
            ("filename", "test.js".into()),
            ("testParameters", "xxx".into()),
        ]);
        let url = c
            .signature_url("v4/object name+.bin".into(), extras)
            .expect("url");
        assert!(!url.contains("test.js") && !url.contains("xxx"), "{url}");
        let resp = fetch(&web_sys::Request::new_with_str(&url).unwrap()).await;
        assert_eq!(resp.status(), 200, "{url}");
        // A `response` header OSS cannot override is refused, not sent to be ignored.
        let camel = obj(&[("response", obj(&[("contentDisposition", "x".into())]))]);
        let err = c.signature_url("x".into(), camel).unwrap_err();
        let e: js_sys::Error = err.into();
        assert_eq!(e.name(), "ArgumentError");
        assert!(String::from(e.message()).contains("contentDisposition"));
    }
}

#[wasm_bindgen_test]
async fn wrong_secret_rejects_with_signature_error() {
    let bad = client(&[("accessKeySecret", "not-the-secret".into())]).await;
    let err = settle(bad.put("x.txt".into(), "x".into(), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    let e: js_sys::Error = err.clone().into();
    assert_eq!(e.name(), "SignatureDoesNotMatchError");
    assert_eq!(
        prop(&err, "code").as_string().as_deref(),
        Some("SignatureDoesNotMatch")
    );
    assert_eq!(prop(&err, "status").as_f64(), Some(403.0));
    assert_eq!(
        prop(&err, "requestId").as_string().map(|s| s.len()),
        Some(24)
    );
    assert!(!String::from(e.message()).contains("not-the-secret"));
}

async fn sts(seconds: u32) -> JsValue {
    emulator(
        "POST",
        "sts",
        Some(&format!(r#"{{"durationSeconds":{seconds}}}"#)),
    )
    .await
}

#[wasm_bindgen_test]
async fn an_sts_token_expiring_mid_upload_is_refreshed_once() {
    set_faults(r#"{"op":"UploadPart","key":"sts.bin","bytesPerSecond":300000}"#).await;
    let first = sts(1).await;
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    let refresh = Closure::<dyn FnMut() -> Promise>::new(move || {
        counter.set(counter.get() + 1);
        future_to_promise(async { Ok(sts(3600).await) })
    });
    let s = |k: &str| prop(&first, k).as_string().unwrap();
    let c = client(&[
        ("accessKeyId", s("AccessKeyId").into()),
        ("accessKeySecret", s("AccessKeySecret").into()),
        ("stsToken", s("SecurityToken").into()),
        ("refreshSTSToken", refresh.as_ref().clone()),
    ])
    .await;
    let bytes = pattern(3 * MIB, 5);
    let opts = obj(&[
        ("partSize", (256.0 * 1024.0).into()),
        ("parallel", 3.into()),
    ]);
    settle(c.multipart_upload("sts.bin".into(), file(&bytes, "s", "").into(), opts))
        .await
        .expect("upload");
    assert_eq!(fetched_md5(&c, "sts.bin").await, md5_hex(&bytes));
    assert_eq!(calls.get(), 1, "refreshSTSToken calls");
    let expired = log_for("sts.bin")
        .await
        .iter()
        .filter(|e| prop(e, "status").as_f64() == Some(403.0))
        .count();
    assert!(expired >= 1, "the token did expire mid-upload");
    clear().await;
}

#[wasm_bindgen_test]
async fn injected_faults_are_retried_and_the_object_is_whole() {
    set_faults(
        r#"[{"op":"UploadPart","key":"faults.bin","partNumber":2,"times":1,"resetAfterBytes":50000},
                {"op":"UploadPart","key":"faults.bin","partNumber":3,"times":2,"status":503,"code":"SlowDown"},
                {"op":"UploadPart","key":"faults.bin","partNumber":4,"times":1,"delayMs":2500}]"#,
    )
    .await;
    // The client's default timeout is 60 s; this call's own is 1 s.
    let c = client(&[]).await;
    let bytes = pattern(5 * 256 * KIB - 3, 6);
    let opts = obj(&[
        ("partSize", (256.0 * 1024.0).into()),
        ("timeout", 1000.into()),
    ]);
    settle(c.multipart_upload("faults.bin".into(), file(&bytes, "f", "").into(), opts))
        .await
        .expect("upload");
    assert_eq!(fetched_md5(&c, "faults.bin").await, md5_hex(&bytes));
    let tries = |n: f64, log: &[JsValue]| {
        log.iter()
            .filter(|e| prop(e, "partNumber").as_f64() == Some(n))
            .count()
    };
    let log = log_for("faults.bin").await;
    assert_eq!(tries(1.0, &log), 1);
    assert_eq!(tries(2.0, &log), 2, "reset once, then sent again");
    assert_eq!(tries(3.0, &log), 3, "503 twice, then sent again");
    assert_eq!(tries(4.0, &log), 2, "timed out once, then sent again");
    clear().await;
}

#[wasm_bindgen_test]
async fn cancel_stops_requests_at_once_and_the_checkpoint_resumes() {
    set_faults(r#"{"op":"UploadPart","key":"cancel.bin","bytesPerSecond":400000}"#).await;
    let c = client(&[]).await;
    let bytes = pattern(3 * MIB, 7);
    let f = file(&bytes, "c", "");
    let opts = obj(&[
        ("partSize", (256.0 * 1024.0).into()),
        ("parallel", 3.into()),
    ]);
    // The client's promises run from the moment they are made.
    let pending = c.multipart_upload("cancel.bin".into(), f.clone().into(), opts);
    TimeoutFuture::new(1500).await;
    let cancelled_at = js_sys::Date::now();
    c.cancel();
    let err = settle(pending).await.unwrap_err();
    let rejected_after = js_sys::Date::now() - cancelled_at;
    assert!(
        rejected_after < 100.0,
        "rejected {rejected_after} ms after cancel()"
    );
    assert!(c.is_cancel(err.clone()));
    let checkpoint = prop(&err, "checkpoint");
    let done = Array::from(&prop(&checkpoint, "doneParts")).length();
    assert!((1..12).contains(&done), "{done} parts done before cancel");
    // No part request in flight was left to finish: each one that was still going at the
    // cancel ended cut off (never a 200), as the server saw it once it noticed. Only a part
    // whose answer was already on its way back when cancel() ran (within a few ms, on a loaded
    // machine) may end well: nobody could stop it.
    const ON_ITS_WAY_MS: f64 = 30.0;
    TimeoutFuture::new(2000).await;
    let in_flight: Vec<JsValue> = log_for("cancel.bin")
        .await
        .into_iter()
        .filter(|e| {
            prop(e, "endMs").as_f64() == Some(0.0)
                || prop(e, "endMs").as_f64().unwrap() > cancelled_at
        })
        .collect();
    assert!(!in_flight.is_empty(), "parts were in flight at the cancel");
    for e in &in_flight {
        let end = prop(e, "endMs").as_f64().unwrap();
        assert!(end > 0.0, "a request is still open on the server");
        if end > cancelled_at + ON_ITS_WAY_MS {
            assert_ne!(
                prop(e, "status").as_f64(),
                Some(200.0),
                "a request finished after cancel()"
            );
            assert_eq!(prop(e, "reset").as_bool(), Some(true));
        }
    }
    clear().await;
    // The part size passed again: every part keeps 256 KiB, so the count below is exact.
    let opts = obj(&[
        ("checkpoint", checkpoint),
        ("parallel", 3.into()),
        ("partSize", (256.0 * 1024.0).into()),
    ]);
    settle(c.multipart_upload("cancel.bin".into(), f.into(), opts))
        .await
        .expect("resumed");
    assert_eq!(fetched_md5(&c, "cancel.bin").await, md5_hex(&bytes));
    // Parts done before the cancel were not sent again.
    let ok_parts = log_for("cancel.bin")
        .await
        .iter()
        .filter(|e| {
            prop(e, "op").as_string().as_deref() == Some("UploadPart")
                && prop(e, "status").as_f64() == Some(200.0)
        })
        .count();
    assert_eq!(ok_parts, 12);
}

#[wasm_bindgen_test]
async fn an_abort_signal_stops_only_its_own_upload() {
    set_faults(r#"{"op":"UploadPart","key":"signal-a.bin","bytesPerSecond":300000}"#).await;
    let c = client(&[]).await;
    let controller = web_sys::AbortController::new().unwrap();
    let a = c.multipart_upload(
        "signal-a.bin".into(),
        file(&pattern(2 * MIB, 8), "a", "").into(),
        obj(&[("signal", controller.signal().into())]),
    );
    let b_bytes = pattern(2 * MIB + 5, 9);
    let b = c.multipart_upload(
        "signal-b.bin".into(),
        file(&b_bytes, "b", "").into(),
        JsValue::UNDEFINED,
    );
    TimeoutFuture::new(300).await;
    controller.abort();
    assert!(c.is_cancel(settle(a).await.unwrap_err()));
    settle(b).await.expect("the other upload finishes");
    assert_eq!(fetched_md5(&c, "signal-b.bin").await, md5_hex(&b_bytes));
    clear().await;
}

#[wasm_bindgen_test]
async fn forbid_overwrite_holds_to_the_end_of_a_multipart_upload() {
    let c = client(&[]).await;
    let bytes = pattern(300 * KIB, 41);
    let forbid = || {
        obj(&[
            ("partSize", (100.0 * KIB as f64).into()),
            ("parallel", 1.into()),
            ("headers", obj(&[("x-oss-forbid-overwrite", "true".into())])),
        ])
    };
    let refused = |e: &JsValue| {
        assert_eq!(
            prop(e, "name").as_string().as_deref(),
            Some("FileAlreadyExistsError")
        );
        assert_eq!(prop(e, "status").as_f64(), Some(409.0));
    };
    // There before the upload starts: refused, the object as it was.
    settle(c.put(
        "forbid/taken.txt".into(),
        "taken".into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("put");
    let f = file(&bytes, "f.bin", "");
    let e = settle(c.multipart_upload("forbid/taken.txt".into(), f.clone().into(), forbid()))
        .await
        .expect_err("an object is in the way");
    refused(&e);
    assert_eq!(fetched_md5(&c, "forbid/taken.txt").await, md5_hex(b"taken"));
    // Made by someone else while the parts go up: Complete is refused too.
    let other: Client = c.clone().unchecked_into();
    let progress = Closure::<dyn FnMut(f64) -> Promise>::new(move |p: f64| {
        let c: Client = other.clone().unchecked_into();
        future_to_promise(async move {
            if p == 0.0 {
                return Ok(JsValue::UNDEFINED);
            }
            settle(c.put("forbid/late.txt".into(), "late".into(), JsValue::UNDEFINED)).await
        })
    });
    let opts = forbid();
    js_sys::Reflect::set(&opts, &"progress".into(), progress.as_ref()).unwrap();
    let e = settle(c.multipart_upload("forbid/late.txt".into(), f.into(), opts))
        .await
        .expect_err("an object came in the way");
    refused(&e);
    assert!(
        prop(&e, "checkpoint").is_object(),
        "resumable once the way is clear"
    );
    assert_eq!(fetched_md5(&c, "forbid/late.txt").await, md5_hex(b"late"));
    let completes: Vec<f64> = log_for("forbid/late.txt")
        .await
        .iter()
        .filter(|e| prop(e, "op").as_string().as_deref() == Some("CompleteMultipartUpload"))
        .filter_map(|e| prop(e, "status").as_f64())
        .collect();
    assert_eq!(completes, [409.0]);
    // completeMultipartUpload() sends the caller's headers, as ali-oss does.
    let key = "forbid/low-level.txt";
    let init = settle(c.init_multipart_upload(key.into(), JsValue::UNDEFINED))
        .await
        .expect("init");
    let id = prop(&init, "uploadId").as_string().unwrap_or_default();
    let one = file(b"part", "p", "");
    let part = settle(c.upload_part(
        key.into(),
        id.clone(),
        1,
        one.into(),
        0.0,
        4.0,
        JsValue::UNDEFINED,
    ))
    .await
    .expect("part");
    settle(c.put(key.into(), "there first".into(), JsValue::UNDEFINED))
        .await
        .expect("put");
    let parts: Array = [obj(&[("number", 1.into()), ("etag", prop(&part, "etag"))])]
        .into_iter()
        .collect();
    let headers = obj(&[("headers", obj(&[("x-oss-forbid-overwrite", "true".into())]))]);
    let e = settle(c.complete_multipart_upload(key.into(), id, parts.into(), headers))
        .await
        .expect_err("an object is in the way");
    refused(&e);
    assert_eq!(fetched_md5(&c, key).await, md5_hex(b"there first"));
}

#[wasm_bindgen_test]
async fn low_level_multipart_calls() {
    let c = client(&[]).await;
    let key = "low/level.bin";
    let bytes = pattern(300 * KIB, 10);
    let f = file(&bytes, "l", "");
    let init = settle(c.init_multipart_upload(key.into(), JsValue::UNDEFINED))
        .await
        .expect("init");
    let id = prop(&init, "uploadId").as_string().unwrap();
    let mut parts = Vec::new();
    for (n, (start, end)) in [(0, 200 * KIB), (200 * KIB, 300 * KIB)]
        .into_iter()
        .enumerate()
    {
        let r = settle(c.upload_part(
            key.into(),
            id.clone(),
            n as u32 + 1,
            f.clone().into(),
            start as f64,
            end as f64,
            JsValue::UNDEFINED,
        ))
        .await
        .expect("part");
        parts.push(obj(&[
            ("number", (n as u32 + 1).into()),
            ("etag", prop(&r, "etag")),
        ]));
    }
    let listed = settle(c.list_parts(key.into(), id.clone(), JsValue::UNDEFINED))
        .await
        .expect("listParts");
    assert_eq!(Array::from(&prop(&listed, "parts")).length(), 2);
    let uploads = settle(c.list_uploads(obj(&[("prefix", "low/".into())]), JsValue::UNDEFINED))
        .await
        .expect("listUploads");
    let found = Array::from(&prop(&uploads, "uploads"))
        .iter()
        .any(|u| prop(&u, "uploadId").as_string() == Some(id.clone()));
    assert!(found);
    let parts: Array = parts.into_iter().rev().collect();
    settle(c.complete_multipart_upload(key.into(), id, parts.into(), JsValue::UNDEFINED))
        .await
        .expect("complete");
    assert_eq!(fetched_md5(&c, key).await, md5_hex(&bytes));

    let init = settle(c.init_multipart_upload("low/aborted.bin".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    let id = prop(&init, "uploadId").as_string().unwrap();
    settle(c.abort_multipart_upload("low/aborted.bin".into(), id.clone(), JsValue::UNDEFINED))
        .await
        .expect("abort");
    let err = settle(c.list_parts("low/aborted.bin".into(), id, JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(
        prop(&err, "name").as_string().as_deref(),
        Some("NoSuchUploadError")
    );
}

/// ali-oss's `headerEncoding: 'latin1'`: Chinese meta goes out as the bytes of its UTF-8 and
/// comes back as they came, one character per byte, as ali-oss's own suite expects of put,
/// copy (to a Chinese name too) and putMeta. (`case` is the meta the test bucket's CORS rule
/// exposes.)
#[wasm_bindgen_test]
async fn header_encoding_latin1_sends_utf8_meta_as_ali_oss_does() {
    let text = "阿达的大多";
    let as_latin1: String = text.bytes().map(char::from).collect();
    let c = client(&[("headerEncoding", "latin1".into())]).await;
    let meta = || obj(&[("meta", obj(&[("case", text.into())]))]);
    let read_meta = |c: &Client, key: &'static str| {
        let head = c.head(key.into(), JsValue::UNDEFINED);
        async move {
            let info = settle(head).await.expect("head");
            prop(&prop(&info, "meta"), "case").as_string()
        }
    };
    let key = "latin1/put.txt";
    let put = settle(c.put(key.into(), "123".into(), meta())).await;
    let webkit = navigator_says("AppleWebKit") && !navigator_says("Chrome");
    if webkit {
        // WebKit sends header text as UTF-8 itself: the bytes of each Latin-1 character go
        // out as two, and OSS refuses the signature (as it would ali-oss's).
        let e = put.expect_err("WebKit garbles the value");
        assert_eq!(
            prop(&e, "code").as_string().as_deref(),
            Some("SignatureDoesNotMatch")
        );
        return;
    }
    put.expect("put with Chinese meta");
    assert_eq!(read_meta(&c, key).await, Some(as_latin1.clone()));
    let copied = "latin1/复制.txt";
    settle(c.copy(copied.into(), key.into(), JsValue::UNDEFINED, meta()))
        .await
        .expect("copy with Chinese meta to a Chinese name");
    assert_eq!(read_meta(&c, copied).await, Some(as_latin1.clone()));
    let other = obj(&[("case", "另一个".into())]);
    settle(c.put_meta(key.into(), other, JsValue::UNDEFINED))
        .await
        .expect("putMeta");
    let expected: String = "另一个".bytes().map(char::from).collect();
    assert_eq!(read_meta(&c, key).await, Some(expected));
    // Without it, such a value is refused before anything is sent, saying how to send it.
    let plain = client(&[]).await;
    let e = settle(plain.put("latin1/refused.txt".into(), "1".into(), meta()))
        .await
        .expect_err("refused");
    assert_eq!(
        prop(&e, "name").as_string().as_deref(),
        Some("ArgumentError")
    );
}

fn navigator_says(what: &str) -> bool {
    let ua = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"userAgent".into()))
        .ok()
        .and_then(|u| u.as_string())
        .unwrap_or_default();
    ua.contains(what)
}
