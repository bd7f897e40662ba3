//! postObject against the local server, in each browser: a form signed by the client itself
//! (V1, V4 with STS) and by a backend (fields, or a function returning them), stored as put
//! stores it and with no CORS preflight; every condition a policy sets refused with its
//! error and nothing stored; bad input refused before anything is sent; cancel and retry.
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use browser::*;
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KIB: usize = 1024;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(method, js_name = postObject)]
    fn post_object(this: &Client, name: JsValue, data: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = calculatePostSignature)]
    fn calculate_post_signature(this: &Client, policy: JsValue) -> JsValue;
}

/// The stored object's bytes, or its error's code.
async fn stored(c: &Client, key: &str) -> Result<Vec<u8>, String> {
    match settle(c.get(key.into(), JsValue::UNDEFINED)).await {
        Ok(got) => Ok(Uint8Array::from(prop(&got, "content")).to_vec()),
        Err(e) => Err(prop(&e, "code").as_string().unwrap_or_default()),
    }
}

/// The server's log since `from`: (op, path) of each request.
async fn ops_since(from: usize) -> Vec<(String, String)> {
    let log: Array = emulator("GET", "requests", None).await.into();
    (log.iter().skip(from))
        .map(|e| {
            (
                prop(&e, "op").as_string().unwrap_or_default(),
                prop(&e, "path").as_string().unwrap_or_default(),
            )
        })
        .collect()
}

async fn log_len() -> usize {
    Array::from(&emulator("GET", "requests", None).await).length() as usize
}

/// What a backend returns (OSS's own samples' shape): a policy for `conditions`, expiring in
/// `secs`, signed V1 with the harness's long-term key by this client's helper.
async fn backend_fields(conditions: &str, secs: i64) -> JsValue {
    let signer = client(&[]).await;
    let expiration = js_sys::Date::new(&(js_sys::Date::now() + secs as f64 * 1000.0).into());
    let policy = js_sys::JSON::parse(&format!(
        r#"{{"expiration":"{}","conditions":{conditions}}}"#,
        expiration.to_iso_string()
    ))
    .unwrap();
    let signed = signer.calculate_post_signature(policy);
    obj(&[
        ("accessid", prop(&signed, "OSSAccessKeyId")),
        ("policy", prop(&signed, "policy")),
        ("signature", prop(&signed, "Signature")),
        ("host", endpoint().into()),
        ("dir", "post/user/".into()),
    ])
}

#[wasm_bindgen_test]
async fn a_form_signed_by_the_client_is_stored_as_put_stores_it_without_a_preflight() {
    let c = client(&[]).await;
    let bytes = pattern(150 * KIB, 41);
    let before = log_len().await;
    let opts = obj(&[
        ("meta", obj(&[("case", "Mixed".into())])),
        ("mime", "image/png".into()),
    ]);
    let r = settle(c.post_object(
        "post/self.png".into(),
        file(&bytes, "self.png", "").into(),
        opts,
    ))
    .await
    .expect("posted");
    assert_eq!(
        prop(&r, "name").as_string().as_deref(),
        Some("post/self.png")
    );
    assert_eq!(prop(&prop(&r, "res"), "status").as_f64(), Some(200.0));
    assert_eq!(
        prop(&r, "etag").as_string().map(|e| e.to_ascii_lowercase()),
        Some(format!("\"{}\"", md5_hex(&bytes)))
    );
    let ops = ops_since(before).await;
    assert_eq!(
        ops.iter().filter(|(op, _)| op == "PostObject").count(),
        1,
        "{ops:?}"
    );
    assert!(
        !ops.iter().any(|(op, _)| op == "Preflight"),
        "a form is a simple request: {ops:?}"
    );
    assert_eq!(stored(&c, "post/self.png").await, Ok(bytes));
    let head = settle(c.head("post/self.png".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(
        prop(&prop(&head, "meta"), "case").as_string().as_deref(),
        Some("Mixed")
    );
    assert_eq!(
        prop(&prop(&prop(&head, "res"), "headers"), "content-type")
            .as_string()
            .as_deref(),
        Some("image/png")
    );
}

#[wasm_bindgen_test]
async fn a_form_signed_v4_with_sts_credentials_is_stored() {
    let sts = js_sys::Function::new_with_args(
        "endpoint",
        "return async () => (await fetch(`${endpoint}/_emulator/sts`, { method: 'POST' })).json()",
    )
    .call1(&JsValue::NULL, &endpoint().into())
    .unwrap();
    let options = obj(&[
        ("endpoint", endpoint().into()),
        ("bucket", "demo-bucket".into()),
        ("region", "oss-cn-hangzhou".into()),
        ("authorizationV4", true.into()),
        ("refreshSTSToken", sts),
    ]);
    let c = Client::new(options).await.expect("an STS client");
    let bytes = pattern(20 * KIB, 42);
    settle(c.post_object(
        "post/sts v4.bin".into(),
        file(&bytes, "a.bin", "").into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("posted with STS and V4");
    assert_eq!(
        stored(&client(&[]).await, "post/sts v4.bin").await,
        Ok(bytes)
    );
}

#[wasm_bindgen_test]
async fn a_backend_policy_allows_what_it_says_and_refuses_the_rest_storing_nothing() {
    let c = client(&[]).await;
    let conditions = r#"[["starts-with","$key","post/user/"],["content-length-range",10,20480]]"#;
    let fields = backend_fields(conditions, 600).await;
    // As fields, and as a function of the file that fetches them.
    let bytes = pattern(10 * KIB, 43);
    let opts = obj(&[("policy", fields.clone())]);
    settle(c.post_object(
        "post/user/ok.bin".into(),
        file(&bytes, "ok.bin", "").into(),
        opts,
    ))
    .await
    .expect("within the policy");
    assert_eq!(stored(&c, "post/user/ok.bin").await, Ok(bytes.clone()));
    let asked = Array::new();
    let policy_fn = js_sys::Function::new_with_args(
        "asked, fields",
        "return async (f) => { asked.push(f); return fields; }",
    )
    .call2(&JsValue::NULL, &asked, &fields)
    .unwrap();
    settle(c.post_object(
        "post/user/fn.bin".into(),
        file(&bytes, "fn.bin", "").into(),
        obj(&[("policy", policy_fn)]),
    ))
    .await
    .expect("fields from a function");
    assert_eq!(
        prop(&asked.get(0), "size").as_f64(),
        Some(bytes.len() as f64)
    );
    assert_eq!(
        prop(&asked.get(0), "name").as_string().as_deref(),
        Some("post/user/fn.bin")
    );

    let refused = [
        (
            "post/other/x.bin",
            pattern(10 * KIB, 44),
            fields.clone(),
            (403.0, "AccessDenied", "starts-with"),
        ),
        (
            "post/user/big.bin",
            pattern(21 * KIB, 45),
            fields.clone(),
            (400.0, "EntityTooLarge", "maximum"),
        ),
        (
            "post/user/small.bin",
            pattern(5, 46),
            fields.clone(),
            (400.0, "EntityTooSmall", "minimum"),
        ),
        (
            "post/user/late.bin",
            pattern(10 * KIB, 47),
            backend_fields(conditions, -60).await,
            (403.0, "AccessDenied", "expired"),
        ),
    ];
    for (key, bytes, fields, (status, code, says)) in refused {
        let err = settle(c.post_object(
            key.into(),
            file(&bytes, "x.bin", "").into(),
            obj(&[("policy", fields)]),
        ))
        .await
        .expect_err(key);
        assert_eq!(prop(&err, "status").as_f64(), Some(status), "{key}");
        assert_eq!(
            prop(&err, "code").as_string().as_deref(),
            Some(code),
            "{key}"
        );
        assert_eq!(
            prop(&err, "name").as_string(),
            Some(format!("{code}Error")),
            "{key}"
        );
        let message = prop(&err, "message").as_string().unwrap_or_default();
        assert!(message.contains(says), "{key}: {message}");
        assert_eq!(
            stored(&c, key).await,
            Err("NoSuchKey".into()),
            "{key}: nothing stored"
        );
    }
}

#[wasm_bindgen_test]
async fn bad_policies_are_argument_errors_before_anything_is_sent() {
    let c = client(&[]).await;
    let incomplete = obj(&[("policy", "e30=".into())]);
    for (what, policy) in [
        ("a number", JsValue::from(42)),
        ("no signature", incomplete),
    ] {
        let before = log_len().await;
        let err = settle(c.post_object(
            "post/bad.bin".into(),
            file(b"abc", "bad.bin", "").into(),
            obj(&[("policy", policy)]),
        ))
        .await
        .expect_err(what);
        assert_eq!(
            prop(&err, "name").as_string().as_deref(),
            Some("ArgumentError"),
            "{what}"
        );
        assert!(
            !ops_since(before)
                .await
                .iter()
                .any(|(op, _)| op == "PostObject"),
            "{what}: nothing sent"
        );
    }
}

#[wasm_bindgen_test]
async fn a_form_is_retried_after_a_server_error_and_stops_on_cancel() {
    set_faults(r#"{"op":"PostObject","status":500,"code":"InternalError","times":1}"#).await;
    let c = client(&[]).await;
    let bytes = pattern(30 * KIB, 48);
    settle(c.post_object(
        "post/retried.bin".into(),
        file(&bytes, "r.bin", "").into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("retried");
    assert_eq!(stored(&c, "post/retried.bin").await, Ok(bytes));
    set_faults(r#"{"op":"PostObject","bytesPerSecond":20000}"#).await;
    let slow = c.post_object(
        "post/cancelled.bin".into(),
        file(&pattern(200 * KIB, 49), "c.bin", "").into(),
        JsValue::UNDEFINED,
    );
    gloo_timers::future::TimeoutFuture::new(300).await;
    c.cancel();
    let err = settle(slow).await.expect_err("cancelled");
    assert!(c.is_cancel(err));
    emulator("DELETE", "faults", None).await;
    let _ = JsFuture::from(Promise::resolve(&JsValue::NULL)).await;
}

/// The ops the server saw for `key` since `from`, in order, forms among them (a form goes to
/// the bucket: its key is inside; the tests here send one object at a time).
async fn ops_for(from: usize, key: &str) -> Vec<String> {
    (ops_since(from).await.into_iter())
        .filter(|(op, path)| path.ends_with(key) || op == "PostObject")
        .map(|(op, _)| op)
        .collect()
}

#[wasm_bindgen_test]
async fn put_sends_a_small_object_as_a_form_without_a_preflight_and_a_large_one_by_put() {
    let c = client(&[]).await;
    let small = pattern(120 * KIB, 50);
    let before = log_len().await;
    let opts = obj(&[
        ("meta", obj(&[("case", "Form".into())])),
        ("headers", obj(&[("Cache-Control", "no-cache".into())])),
    ]);
    let r = settle(c.put(
        "post/put-small.txt".into(),
        file(&small, "a.txt", "").into(),
        opts,
    ))
    .await
    .expect("put");
    assert_eq!(prop(&prop(&r, "res"), "status").as_f64(), Some(200.0));
    assert_eq!(
        prop(&r, "etag").as_string().map(|e| e.to_ascii_lowercase()),
        Some(format!("\"{}\"", md5_hex(&small)))
    );
    let urls = Array::from(&prop(&prop(&r, "res"), "requestUrls"));
    assert!(
        urls.get(0)
            .as_string()
            .unwrap_or_default()
            .ends_with("/post/put-small.txt"),
        "the object's URL, as PutObject's: {urls:?}"
    );
    let ops = ops_for(before, "post/put-small.txt").await;
    assert_eq!(ops, ["PostObject"], "one simple request, no preflight");
    assert_eq!(stored(&c, "post/put-small.txt").await, Ok(small));
    let head = settle(c.head("post/put-small.txt".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    let headers = prop(&prop(&head, "res"), "headers");
    assert_eq!(
        prop(&prop(&head, "meta"), "case").as_string().as_deref(),
        Some("Form")
    );
    assert_eq!(
        prop(&headers, "content-type").as_string().as_deref(),
        Some("text/plain")
    );
    assert_eq!(
        prop(&headers, "cache-control").as_string().as_deref(),
        Some("no-cache")
    );

    // Over 1 MiB, with a header a form does not carry, or with the client's postObject off:
    // PutObject, after its preflight.
    let large = pattern(1024 * KIB + 1, 51);
    let forbid = obj(&[("headers", obj(&[("x-oss-forbid-overwrite", "true".into())]))]);
    let off = client(&[("postObject", false.into())]).await;
    let cases: [(&Client, &str, &[u8], JsValue); 3] = [
        (&c, "post/put-large.bin", &large, JsValue::UNDEFINED),
        (&c, "post/put-forbid.bin", &small_of(52), forbid),
        (&off, "post/put-off.bin", &small_of(53), JsValue::UNDEFINED),
    ];
    for (client, key, bytes, opts) in cases {
        let before = log_len().await;
        settle(client.put(key.into(), file(bytes, "b.bin", "").into(), opts))
            .await
            .expect("put");
        assert_eq!(
            ops_for(before, key).await,
            ["Preflight", "PutObject"],
            "{key}"
        );
        assert_eq!(stored(&c, key).await.as_deref(), Ok(bytes));
    }
}

fn small_of(seed: u32) -> Vec<u8> {
    pattern(40 * KIB, seed)
}

#[wasm_bindgen_test]
async fn a_form_the_page_cannot_read_is_sent_again_by_put_and_the_client_then_puts() {
    // As a bucket whose CORS rule lacks POST: the form is carried out, its answer unreadable.
    set_faults(r#"{"op":"PostObject","noCors":true}"#).await;
    let c = client(&[]).await;
    let first = small_of(54);
    let before = log_len().await;
    settle(c.put(
        "post/no-cors-1.bin".into(),
        file(&first, "n.bin", "").into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("stored by PutObject");
    let ops = ops_for(before, "post/no-cors-1.bin").await;
    assert_eq!(ops, ["PostObject", "Preflight", "PutObject"], "tried once");
    assert_eq!(stored(&c, "post/no-cors-1.bin").await, Ok(first));
    let second = small_of(55);
    let before = log_len().await;
    settle(c.put(
        "post/no-cors-2.bin".into(),
        file(&second, "n.bin", "").into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("put");
    let ops = ops_for(before, "post/no-cors-2.bin").await;
    assert_eq!(ops, ["Preflight", "PutObject"], "no form again");
    assert_eq!(stored(&c, "post/no-cors-2.bin").await, Ok(second));
    // Another client tries forms again.
    emulator("DELETE", "faults", None).await;
    let other = client(&[]).await;
    let before = log_len().await;
    settle(other.put(
        "post/no-cors-3.bin".into(),
        file(&small_of(56), "n.bin", "").into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("put");
    assert_eq!(ops_for(before, "post/no-cors-3.bin").await, ["PostObject"]);
}

#[wasm_bindgen_test]
async fn puts_started_together_try_one_form_until_forms_are_answered() {
    // A bucket that hides forms' answers writes at most one object twice.
    set_faults(r#"{"op":"PostObject","noCors":true}"#).await;
    let c = client(&[]).await;
    let before = log_len().await;
    let files: Vec<Vec<u8>> = (0..4).map(|i| small_of(60 + i)).collect();
    let puts: js_sys::Array = (files.iter().enumerate())
        .map(|(i, bytes)| {
            let key = format!("post/together-{i}.bin");
            JsValue::from(c.put(
                key.as_str().into(),
                file(bytes, "t.bin", "").into(),
                JsValue::UNDEFINED,
            ))
        })
        .collect();
    settle(Promise::all(&puts)).await.expect("all stored");
    let forms = (ops_since(before).await.iter())
        .filter(|(op, _)| op == "PostObject")
        .count();
    assert_eq!(forms, 1, "one form tried");
    for (i, bytes) in files.into_iter().enumerate() {
        assert_eq!(
            stored(&c, &format!("post/together-{i}.bin")).await,
            Ok(bytes)
        );
    }
    emulator("DELETE", "faults", None).await;

    // Where forms are answered, the others wait for nothing: once the first is answered,
    // puts together all go as forms.
    let c = client(&[]).await;
    settle(c.put(
        "post/first.bin".into(),
        file(&small_of(70), "f.bin", "").into(),
        JsValue::UNDEFINED,
    ))
    .await
    .expect("put");
    let before = log_len().await;
    let puts: js_sys::Array = (0..4)
        .map(|i| {
            let key = format!("post/after-{i}.bin");
            JsValue::from(c.put(
                key.as_str().into(),
                file(&small_of(71 + i), "t.bin", "").into(),
                JsValue::UNDEFINED,
            ))
        })
        .collect();
    settle(Promise::all(&puts)).await.expect("all stored");
    let ops = ops_since(before).await;
    assert_eq!(
        ops.iter().filter(|(op, _)| op == "PostObject").count(),
        4,
        "{ops:?}"
    );
}
