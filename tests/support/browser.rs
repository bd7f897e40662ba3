//! What browser tests need from the harness (`scripts/with-emulator.sh`), which passes the
//! emulator's URL and keys at build time: a wasm test cannot read the environment when it runs.
#![allow(dead_code)]

use oss_browser_upload::protocol::request::Credentials;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, Response};

const MISSING: &str = "run the browser tests through scripts/with-emulator.sh (make test)";

/// A value the harness set at build time. Built without it (say by clippy), the tests still
/// compile and fail when run, saying how to run them.
fn from_harness(value: Option<&'static str>) -> &'static str {
    value.unwrap_or_else(|| panic!("{MISSING}"))
}

pub fn endpoint() -> &'static str {
    from_harness(option_env!("OSS_TEST_ENDPOINT"))
}

pub fn credentials() -> Credentials {
    Credentials {
        access_key_id: from_harness(option_env!("OSS_TEST_ACCESS_KEY_ID")).into(),
        access_key_secret: from_harness(option_env!("OSS_TEST_ACCESS_KEY_SECRET")).into(),
        security_token: None,
    }
}

pub async fn fetch(req: &Request) -> Response {
    let window = web_sys::window().expect("a window");
    JsFuture::from(window.fetch_with_request(req))
        .await
        .expect("fetch resolves")
        .dyn_into()
        .expect("a Response")
}

pub async fn text(resp: &Response) -> String {
    JsFuture::from(resp.text().expect("a body"))
        .await
        .expect("text resolves")
        .as_string()
        .expect("a string")
}
