//! The `callback` option: OSS (here the emulator) posts the object's name, size and CRC64 to
//! the application's callback server (the emulator's example one) and the upload's result
//! carries that server's answer as `data`; a failed callback is a `CallbackFailedError`.
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use browser::*;
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KIB: usize = 1024;

fn sink(path: &str) -> String {
    format!("{}/_emulator/{path}", endpoint())
}

/// `a=1&b=2` as pairs, decoded.
fn form_fields(body: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        js_sys::decode_uri_component(&s.replace('+', " "))
            .ok()
            .and_then(|d| d.as_string())
            .unwrap_or_default()
    };
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

async fn last_callback() -> JsValue {
    let all: Array = emulator("GET", "callbacks", None).await.into();
    all.get(all.length().wrapping_sub(1))
}

#[wasm_bindgen_test]
async fn put_and_multipart_callbacks_receive_name_size_and_crc64() {
    emulator("DELETE", "faults", None).await;
    emulator("DELETE", "callbacks", None).await;
    let c = client(&[]).await;
    let form = obj(&[
        ("url", sink("callback").into()),
        (
            "body",
            "object=${object}&size=${size}&crc64=${crc64}&user=${x:user}".into(),
        ),
        ("customValue", obj(&[("user", "ana 李".into())])),
    ]);

    let key = "callback/put 文件.txt";
    let bytes = pattern(5 * KIB, 40);
    let r = settle(c.put(
        key.into(),
        file(&bytes, "a.txt", "text/plain").into(),
        obj(&[("callback", form.clone())]),
    ))
    .await
    .expect("put with a callback");
    assert_eq!(
        prop(&prop(&r, "data"), "Status").as_string().as_deref(),
        Some("OK")
    );
    let crc = prop(&r, "crc64").as_string().expect("crc64");
    let got = last_callback().await;
    assert_eq!(
        prop(&got, "contentType").as_string().as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let fields = form_fields(&prop(&got, "body").as_string().unwrap_or_default());
    let expected: Vec<(String, String)> = [
        ("object", key.to_string()),
        ("size", bytes.len().to_string()),
        ("crc64", crc),
        ("user", "ana 李".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(fields, expected);

    // Multipart: the callback rides on Complete; a JSON body this time.
    let key = "callback/multipart.bin";
    let bytes = pattern(3 * 256 * KIB + 5, 41);
    let json = obj(&[
        ("url", sink("callback").into()),
        (
            "body",
            r#"{"object":"${object}","size":${size},"crc64":"${crc64}"}"#.into(),
        ),
        ("contentType", "application/json".into()),
    ]);
    let r = settle(c.multipart_upload(
        key.into(),
        file(&bytes, "m.bin", "").into(),
        obj(&[
            ("partSize", ((256 * KIB) as f64).into()),
            ("callback", json.clone()),
        ]),
    ))
    .await
    .expect("multipartUpload with a callback");
    let crc = prop(&r, "crc64").as_string().expect("crc64");
    let sent = js_sys::JSON::parse(
        &prop(&prop(&r, "data"), "received")
            .as_string()
            .unwrap_or_default(),
    )
    .expect("the callback server saw JSON");
    assert_eq!(prop(&sent, "object").as_string().as_deref(), Some(key));
    assert_eq!(prop(&sent, "size").as_f64(), Some(bytes.len() as f64));
    assert_eq!(prop(&sent, "crc64").as_string(), Some(crc));
    assert_eq!(md5_of_stored(&c, key).await, md5_hex(&bytes));

    // putStream goes through the same engine: the callback comes with its Complete too.
    let stream = Function::new_no_args(
        "const b = new Uint8Array(600 * 1024).fill(7);
         return new ReadableStream({ start(c) { c.enqueue(b); c.close(); } });",
    )
    .call0(&JsValue::NULL)
    .expect("a stream");
    let r = settle(c.put_stream(
        "callback/stream.bin".into(),
        stream,
        obj(&[
            ("partSize", ((256 * KIB) as f64).into()),
            ("callback", json),
        ]),
    ))
    .await
    .expect("putStream with a callback");
    let sent = js_sys::JSON::parse(
        &prop(&prop(&r, "data"), "received")
            .as_string()
            .unwrap_or_default(),
    )
    .expect("JSON");
    assert_eq!(prop(&sent, "size").as_f64(), Some((600 * KIB) as f64));
}

async fn md5_of_stored(c: &Client, key: &str) -> String {
    let got = settle(c.get(key.into(), JsValue::UNDEFINED))
        .await
        .expect("get");
    md5_hex(&js_sys::Uint8Array::from(prop(&got, "content")).to_vec())
}

#[wasm_bindgen_test]
async fn a_failed_callback_is_an_error_though_the_object_is_stored() {
    emulator("DELETE", "faults", None).await;
    let c = client(&[]).await;
    for (path, key) in [
        ("callback/fail", "callback/failed.bin"),
        ("callback/not-json", "callback/not-json.bin"),
    ] {
        let bytes = pattern(2 * 256 * KIB + 1, 42);
        let e = settle(c.multipart_upload(
            key.into(),
            file(&bytes, "f.bin", "").into(),
            obj(&[
                ("partSize", ((256 * KIB) as f64).into()),
                (
                    "callback",
                    obj(&[
                        ("url", sink(path).into()),
                        ("body", "object=${object}".into()),
                    ]),
                ),
            ]),
        ))
        .await
        .expect_err("the callback failed");
        assert_eq!(
            prop(&e, "name").as_string().as_deref(),
            Some("CallbackFailedError"),
            "{path}"
        );
        assert_eq!(prop(&e, "status").as_f64(), Some(203.0));
        assert!(!prop(&e, "requestId")
            .as_string()
            .unwrap_or_default()
            .is_empty());
        assert_eq!(md5_of_stored(&c, key).await, md5_hex(&bytes), "{key}");
    }
    // Nothing is left to resume: the object exists.
    let saved: Array = settle(c.list_saved_uploads())
        .await
        .expect("listSavedUploads")
        .into();
    assert!(
        !saved
            .iter()
            .any(|s| prop(&s, "name").as_string().as_deref() == Some("callback/failed.bin")),
        "a saved upload was left for a stored object"
    );
    let e = settle(c.put(
        "callback/bad-option.txt".into(),
        "x".into(),
        obj(&[("callback", obj(&[("url", sink("callback").into())]))]),
    ))
    .await
    .expect_err("no body");
    assert_eq!(
        prop(&e, "name").as_string().as_deref(),
        Some("ArgumentError")
    );
}
