//! The browser harness itself: a wasm test in headless Chromium reaches the emulator that
//! `scripts/with-emulator.sh` started, across origins, and a signed PUT/GET round-trips.
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use browser::{credentials, endpoint, fetch, text};
use oss_browser_upload::protocol::request::RequestParts;
use oss_browser_upload::protocol::{sign_v1, time};
use wasm_bindgen_test::*;
use web_sys::{Request, RequestInit};

wasm_bindgen_test_configure!(run_in_browser);
#[wasm_bindgen_test]
async fn reaches_the_emulator() {
    let req = Request::new_with_str(&format!("{}/_emulator/health", endpoint())).unwrap();
    let resp = fetch(&req).await;
    assert_eq!(resp.status(), 200);
    assert!(text(&resp).await.contains("\"ok\":true"));
}

fn signed(method: &str, key: &str, body: Option<&str>) -> Request {
    let mut parts = RequestParts {
        method: method.into(),
        bucket: Some("demo-bucket".into()),
        key: Some(key.into()),
        ..RequestParts::default()
    };
    // A browser adds `text/plain;charset=UTF-8` to a string body by itself, after signing,
    // unless the request names a type: so always name (and sign) one.
    parts.set_header("content-type", "text/plain");
    let creds = credentials();
    let now = (js_sys::Date::now() / 1000.0) as u64;
    sign_v1::sign(&mut parts, &creds, &time::rfc1123(now));
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&body.into());
    }
    let url = format!("{}/demo-bucket/{key}", endpoint());
    let req = Request::new_with_str_and_init(&url, &init).unwrap();
    for (k, v) in &parts.headers {
        req.headers().set(k, v).unwrap();
    }
    req
}

#[wasm_bindgen_test]
async fn signed_put_and_get_round_trip_with_readable_etag() {
    let put = fetch(&signed("PUT", "harness.txt", Some("from the browser"))).await;
    assert_eq!(put.status(), 200);
    // Only readable because the server exposes ETag to CORS.
    let etag = put.headers().get("etag").unwrap().expect("ETag exposed");
    assert_eq!(etag.len(), 34);
    let get = fetch(&signed("GET", "harness.txt", None)).await;
    assert_eq!(text(&get).await, "from the browser");
}
