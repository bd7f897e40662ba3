//! The bad-input suite: each bad input gets an ArgumentError that says what to do, before any
//! request leaves the browser (the emulator's request log does not grow).
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use browser::*;
use js_sys::{Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A JS string the Rust side cannot hold as-is (a lone surrogate).
fn js_string(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

/// OSS requests the emulator has seen (its own endpoints, these calls included, aside).
async fn log_len() -> usize {
    Array::from(&emulator("GET", "requests", None).await)
        .iter()
        .filter(|e| prop(e, "op").as_string().as_deref() != Some("Emulator"))
        .count()
}

fn assert_argument_error(err: &JsValue, case: &str) {
    assert_eq!(
        prop(err, "name").as_string().as_deref(),
        Some("ArgumentError"),
        "{case}: {err:?}"
    );
    assert_eq!(
        prop(err, "code").as_string().as_deref(),
        Some("InvalidArgument"),
        "{case}"
    );
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "{case}: not an Error"
    );
    let message = prop(err, "message").as_string().unwrap_or_default();
    assert!(
        message.len() > 15,
        "{case}: message {message:?} says too little"
    );
}

#[wasm_bindgen_test]
async fn bad_uploads_are_refused_before_any_request() {
    let c = client(&[]).await;
    let f = || JsValue::from(file(&pattern(300 * 1024, 1), "f.bin", ""));
    let big_name = "a".repeat(1024);
    let names: Vec<(&str, JsValue)> = vec![
        ("empty name", "".into()),
        // ali-oss drops leading slashes ('/a.bin' names a.bin): nothing is left of this one.
        ("name of slashes only", "///".into()),
        ("name starting with \\", "\\abs.bin".into()),
        ("name of 1024 bytes", big_name.as_str().into()),
        (
            "name with a lone surrogate",
            js_string(r#""bad\ud800name""#),
        ),
        ("name that is not a string", 42.into()),
    ];
    let opts: Vec<(&str, JsValue)> = vec![
        ("partSize below 100 KiB", obj(&[("partSize", 1000.into())])),
        ("partSize above 5 GiB", obj(&[("partSize", 6.0e9.into())])),
        (
            "partSize not an integer",
            obj(&[("partSize", 150000.5.into())]),
        ),
        ("partSize NaN", obj(&[("partSize", f64::NAN.into())])),
        ("partSize a string", obj(&[("partSize", "1MB".into())])),
        ("parallel 0", obj(&[("parallel", 0.into())])),
        ("parallel negative", obj(&[("parallel", (-2).into())])),
        ("parallel NaN", obj(&[("parallel", f64::NAN.into())])),
        ("parallel not an integer", obj(&[("parallel", 2.5.into())])),
        (
            "meta key with a space",
            obj(&[("meta", obj(&[("bad key", "v".into())]))]),
        ),
        (
            "meta key with a colon",
            obj(&[("meta", obj(&[("bad:key", "v".into())]))]),
        ),
        (
            "meta value an object",
            obj(&[("meta", obj(&[("k", obj(&[]))]))]),
        ),
        (
            "meta value with a line break",
            obj(&[("meta", obj(&[("k", "a\nb".into())]))]),
        ),
        (
            "meta value outside ASCII (sent as Latin-1, signed as UTF-8)",
            obj(&[("meta", obj(&[("note", "café".into())]))]),
        ),
        (
            "header value outside ASCII",
            obj(&[(
                "headers",
                obj(&[(
                    "Content-Disposition",
                    "attachment; filename=\"résumé.pdf\"".into(),
                )]),
            )]),
        ),
        (
            "header value with CR/LF",
            obj(&[(
                "headers",
                obj(&[("Cache-Control", "a\r\nX-Evil: 1".into())]),
            )]),
        ),
        (
            "header name with a space",
            obj(&[("headers", obj(&[("Bad Header", "v".into())]))]),
        ),
        (
            "mime with a line break",
            obj(&[("mime", "text/plain\r\nX: y".into())]),
        ),
        ("timeout 0", obj(&[("timeout", 0.into())])),
        ("progress not a function", obj(&[("progress", "x".into())])),
        ("resume not a boolean", obj(&[("resume", "no".into())])),
        (
            "signal not an AbortSignal",
            obj(&[("signal", "stop".into())]),
        ),
        (
            "checkpoint without uploadId",
            obj(&[(
                "checkpoint",
                obj(&[
                    ("name", "x".into()),
                    ("fileSize", 1.into()),
                    ("partSize", 102400.into()),
                ]),
            )]),
        ),
        (
            "checkpoint for another file size",
            obj(&[(
                "checkpoint",
                obj(&[
                    ("name", "ok.bin".into()),
                    ("fileSize", 5.into()),
                    ("partSize", 102400.into()),
                    ("uploadId", "ABC".into()),
                    ("doneParts", Array::new().into()),
                ]),
            )]),
        ),
        (
            "doneParts with a bad number",
            obj(&[(
                "checkpoint",
                obj(&[
                    ("name", "ok.bin".into()),
                    ("fileSize", 307200.into()),
                    ("partSize", 102400.into()),
                    ("uploadId", "ABC".into()),
                    (
                        "doneParts",
                        Array::of1(&obj(&[("number", 0.into()), ("etag", "x".into())])).into(),
                    ),
                ]),
            )]),
        ),
    ];
    let before = log_len().await;
    let mut tried = 0;
    for (case, name) in &names {
        let err = settle(c.multipart_upload(name.clone(), f(), JsValue::UNDEFINED))
            .await
            .unwrap_err();
        assert_argument_error(&err, case);
        let err = settle(c.put(name.clone(), "x".into(), JsValue::UNDEFINED))
            .await
            .unwrap_err();
        assert_argument_error(&err, case);
        tried += 1;
    }
    for (case, o) in &opts {
        let err = settle(c.multipart_upload("ok.bin".into(), f(), o.clone()))
            .await
            .unwrap_err();
        assert_argument_error(&err, case);
        tried += 1;
    }
    for (case, data) in [
        ("data a number", JsValue::from(5)),
        ("data an object", obj(&[])),
    ] {
        let err = settle(c.put("ok.bin".into(), data, JsValue::UNDEFINED))
            .await
            .unwrap_err();
        assert_argument_error(&err, case);
        tried += 1;
    }
    let err = settle(c.multipart_upload("ok.bin".into(), "text".into(), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_argument_error(&err, "multipartUpload of a string");
    tried += 1;
    assert_eq!(log_len().await, before, "a request left the browser");
    web_sys::console::log_1(&format!("bad inputs tried: {tried}").into());
    assert_eq!(tried, 6 + 25 + 3);
}

#[wasm_bindgen_test]
async fn bad_client_options_throw_at_once() {
    let c = credentials();
    let cases: Vec<(&str, JsValue)> = vec![
        ("no options", JsValue::UNDEFINED),
        (
            "bucket not a bucket name",
            obj(&[
                ("endpoint", endpoint().into()),
                ("bucket", "Demo Bucket".into()),
                ("accessKeyId", c.access_key_id.as_str().into()),
                ("accessKeySecret", "s".into()),
            ]),
        ),
        (
            "no endpoint or region",
            obj(&[
                ("bucket", "b".into()),
                ("accessKeyId", "i".into()),
                ("accessKeySecret", "s".into()),
            ]),
        ),
        (
            "endpoint with a path",
            client_options(&[("endpoint", "http://127.0.0.1:9/x".into())]),
        ),
        (
            "endpoint scheme ftp",
            client_options(&[("endpoint", "ftp://127.0.0.1:9".into())]),
        ),
        (
            "no credentials",
            obj(&[("endpoint", endpoint().into()), ("bucket", "b".into())]),
        ),
        (
            "id without secret",
            obj(&[
                ("endpoint", endpoint().into()),
                ("bucket", "b".into()),
                ("accessKeyId", "i".into()),
            ]),
        ),
        (
            "refreshSTSToken not a function",
            client_options(&[("refreshSTSToken", "token".into())]),
        ),
        (
            "timeout negative",
            client_options(&[("timeout", (-1).into())]),
        ),
        (
            "retryMax not an integer",
            client_options(&[("retryMax", 1.5.into())]),
        ),
        ("bucket a number", client_options(&[("bucket", 7.into())])),
        (
            "postObject not a boolean",
            client_options(&[("postObject", "no".into())]),
        ),
    ];
    for (case, o) in cases {
        let err = Client::new(o)
            .await
            .err()
            .unwrap_or_else(|| panic!("{case}: accepted"));
        assert_argument_error(&err, case);
    }
}

/// `client[method](...args)`'s error, whether it throws or rejects.
async fn error_of(c: &Client, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(c, &method.into())?.into();
    let args: Array = args.iter().collect();
    match f.apply(c, &args) {
        Ok(p) => settle(p.into()).await.map(|_| JsValue::NULL).or_else(Ok),
        Err(e) => Ok(e),
    }
}

#[wasm_bindgen_test]
async fn bad_arguments_to_every_method_are_refused_before_any_request() {
    let c = client(&[]).await;
    let f = || JsValue::from(file(&pattern(1024, 2), "f.bin", ""));
    let part = |n: JsValue, etag: &str| obj(&[("number", n), ("etag", etag.into())]);
    let parts = |list: &[JsValue]| JsValue::from(list.iter().collect::<Array>());
    let big = "v".repeat(8200);
    let names: Array = (0..1001).map(|i| JsValue::from(format!("n{i}"))).collect();
    let cb = |pairs: &[(&str, JsValue)]| obj(&[("callback", obj(pairs))]);
    let cases: Vec<(&str, &str, Vec<JsValue>)> = vec![
        (
            "options a string",
            "put",
            vec!["ok.bin".into(), "x".into(), "image/png".into()],
        ),
        (
            "options a number",
            "delete",
            vec!["ok.bin".into(), 5.into()],
        ),
        (
            "putMeta's meta a string",
            "putMeta",
            vec!["ok.bin".into(), "a=1".into()],
        ),
        (
            "meta key with '_'",
            "put",
            vec![
                "ok.bin".into(),
                "x".into(),
                obj(&[("meta", obj(&[("user_id", "1".into())]))]),
            ],
        ),
        (
            "meta over 8 KB",
            "put",
            vec![
                "ok.bin".into(),
                "x".into(),
                obj(&[("meta", obj(&[("big", big.as_str().into())]))]),
            ],
        ),
        (
            "callback url empty",
            "put",
            vec![
                "ok.bin".into(),
                "x".into(),
                cb(&[("url", "".into()), ("body", "b".into())]),
            ],
        ),
        (
            "callback customValue a string",
            "put",
            vec![
                "ok.bin".into(),
                "x".into(),
                cb(&[
                    ("url", "http://cb".into()),
                    ("body", "b".into()),
                    ("customValue", "v".into()),
                ]),
            ],
        ),
        (
            "uploadPart start not a number",
            "uploadPart",
            vec![
                "ok.bin".into(),
                "UP".into(),
                1.into(),
                f(),
                "abc".into(),
                10.into(),
            ],
        ),
        (
            "uploadPart uploadId empty",
            "uploadPart",
            vec![
                "ok.bin".into(),
                "".into(),
                1.into(),
                f(),
                0.into(),
                10.into(),
            ],
        ),
        (
            "complete part number 1.5",
            "completeMultipartUpload",
            vec![
                "ok.bin".into(),
                "UP".into(),
                parts(&[part(1.5.into(), "e")]),
            ],
        ),
        (
            "complete etag empty",
            "completeMultipartUpload",
            vec!["ok.bin".into(), "UP".into(), parts(&[part(1.into(), "")])],
        ),
        (
            "complete uploadId missing",
            "completeMultipartUpload",
            vec![
                "ok.bin".into(),
                JsValue::UNDEFINED,
                parts(&[part(1.into(), "e")]),
            ],
        ),
        (
            "listParts uploadId missing",
            "listParts",
            vec!["ok.bin".into(), JsValue::UNDEFINED],
        ),
        (
            "abort uploadId empty",
            "abortMultipartUpload",
            vec!["ok.bin".into(), "".into()],
        ),
        (
            "deleteMulti of 1001 names",
            "deleteMulti",
            vec![names.into()],
        ),
        (
            "forgetSavedUpload abort a string",
            "forgetSavedUpload",
            vec!["fp".into(), obj(&[("abort", "true".into())])],
        ),
    ];
    let before = log_len().await;
    for (case, method, args) in &cases {
        let err = error_of(&c, method, args).await.unwrap();
        assert_argument_error(&err, case);
    }
    assert_eq!(log_len().await, before, "a request left the browser");
    assert_eq!(cases.len(), 16);
}

#[wasm_bindgen_test]
async fn delete_removes_the_version_asked_for() {
    let c = client(&[]).await;
    let before = Array::from(&emulator("GET", "requests", None).await).length();
    let _ = settle(c.delete("v.bin".into(), obj(&[("versionId", "CAEQ1".into())]))).await;
    let log = Array::from(&emulator("GET", "requests", None).await);
    let deletes: Vec<String> = (log.iter().skip(before as usize))
        .filter(|e| prop(e, "op").as_string().as_deref() == Some("DeleteObject"))
        .map(|e| prop(&e, "query").as_string().unwrap_or_default())
        .collect();
    assert_eq!(deletes, ["versionId=CAEQ1"]);
}

#[wasm_bindgen_test]
async fn complete_counts_a_part_given_twice_once_as_ali_oss_does() {
    let c = client(&[]).await;
    let bytes = pattern(2048, 3);
    let init = settle(c.init_multipart_upload("twice.bin".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    let id = prop(&init, "uploadId").as_string().unwrap();
    let f: JsValue = file(&bytes, "t.bin", "").into();
    let up = settle(c.upload_part(
        "twice.bin".into(),
        id.clone(),
        1,
        f,
        0.0,
        bytes.len() as f64,
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    let etag = prop(&up, "etag");
    let parts: Array = [
        obj(&[("number", 1.into()), ("etag", etag)]),
        obj(&[("number", 1.into()), ("etag", "\"NOT-IT\"".into())]),
    ]
    .iter()
    .collect();
    settle(c.complete_multipart_upload("twice.bin".into(), id, parts.into(), JsValue::UNDEFINED))
        .await
        .expect("the first of part 1 is the one");
    let got = settle(c.get("twice.bin".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(
        js_sys::Uint8Array::from(prop(&got, "content")).to_vec(),
        bytes
    );
}

#[wasm_bindgen_test]
async fn falsy_options_are_no_options_as_in_ali_oss() {
    let c = client(&[]).await;
    for (i, none) in [JsValue::FALSE, JsValue::NULL, "".into(), 0.into()]
        .into_iter()
        .enumerate()
    {
        let key = format!("falsy-{i}.txt");
        settle(c.put(key.as_str().into(), "x".into(), none))
            .await
            .expect("ali-oss reads options || {}");
    }
}
