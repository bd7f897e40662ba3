//! Backend signing: a client with no key at all, whose `signer` asks a backend (here the
//! emulator's `POST /_emulator/sign`) to sign each request.
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use std::cell::RefCell;
use std::rc::Rc;

use browser::*;
use js_sys::{Promise, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A signer that forwards the request to the example backend, remembering what it was given.
fn backend_signer(seen: Rc<RefCell<Vec<JsValue>>>) -> Closure<dyn FnMut(JsValue) -> Promise> {
    Closure::new(move |request: JsValue| {
        seen.borrow_mut().push(request.clone());
        future_to_promise(async move {
            let body = JSON::stringify(&request).unwrap().as_string().unwrap();
            Ok(emulator("POST", "sign", Some(&body)).await)
        })
    })
}

async fn keyless(signer: &Closure<dyn FnMut(JsValue) -> Promise>, v4: bool) -> Client {
    Client::new(obj(&[
        ("endpoint", endpoint().into()),
        ("bucket", "demo-bucket".into()),
        ("authorizationV4", v4.into()),
        ("signer", signer.as_ref().clone()),
    ]))
    .await
    .unwrap()
}

#[wasm_bindgen_test]
async fn uploads_with_no_key_in_the_page() {
    emulator("DELETE", "faults", None).await;
    for v4 in [false, true] {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let signer = backend_signer(seen.clone());
        let c = keyless(&signer, v4).await;
        let key = if v4 { "signer/v4.bin" } else { "signer/v1.bin" };
        let bytes = pattern(700 * 1024, 41);
        let opts = obj(&[("partSize", (256.0 * 1024.0).into())]);
        let r = settle(c.multipart_upload(key.into(), file(&bytes, "s.bin", "").into(), opts))
            .await
            .expect("upload");
        assert!(prop(&r, "etag").as_string().unwrap().ends_with("-3\""));
        let got = settle(c.get(key.into(), JsValue::UNDEFINED))
            .await
            .expect("get");
        assert_eq!(
            md5_hex(&Uint8Array::from(prop(&got, "content")).to_vec()),
            md5_hex(&bytes)
        );
        // Initiate, 3 parts, Complete, Get: each signed by the backend.
        let seen = seen.borrow();
        assert_eq!(seen.len(), 6, "v4 = {v4}");
        let part = &seen[1];
        assert_eq!(prop(part, "method").as_string().as_deref(), Some("PUT"));
        assert_eq!(prop(part, "key").as_string().as_deref(), Some(key));
        assert_eq!(
            prop(&prop(part, "subresources"), "partNumber")
                .as_string()
                .as_deref(),
            Some("1")
        );
        assert!(prop(&prop(part, "headers"), "x-oss-date").is_string());
        let sts = prop(part, "stringToSign").as_string().unwrap();
        assert!(if v4 {
            sts.starts_with("OSS4-HMAC-SHA256\n")
        } else {
            sts.starts_with("PUT\n")
        });
        assert_eq!(prop(part, "canonicalRequest").is_string(), v4);
    }
}

#[wasm_bindgen_test]
async fn a_failing_signer_gives_a_credentials_error() {
    let signer = Closure::<dyn FnMut(JsValue) -> Promise>::new(|_| {
        Promise::reject(&js_sys::Error::new("backend said no").into())
    });
    let c = keyless(&signer, false).await;
    let err = settle(c.put("signer/refused.txt".into(), "x".into(), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(
        prop(&err, "name").as_string().as_deref(),
        Some("CredentialsError")
    );
    assert!(prop(&err, "message")
        .as_string()
        .unwrap()
        .contains("backend said no"));
    let url = c
        .signature_url("signer/x".into(), JsValue::UNDEFINED)
        .unwrap_err();
    assert_eq!(
        prop(&url, "name").as_string().as_deref(),
        Some("CredentialsError")
    );
}
