//! What browser tests need from the harness (`scripts/with-emulator.sh`), which passes the
//! emulator's URL and keys at build time: a wasm test cannot read the environment when it runs.
#![allow(dead_code)]

use js_sys::Promise;
use oss_browser_upload::protocol::request::Credentials;
use wasm_bindgen::prelude::*;
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

/// Awaits a promise the client returned.
pub async fn settle(p: js_sys::Promise) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    JsFuture::from(p).await
}

/// Calls one of the emulator's own endpoints; `body` is JSON.
pub async fn emulator(method: &str, path: &str, body: Option<&str>) -> wasm_bindgen::JsValue {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&b.into());
    }
    let req = Request::new_with_str_and_init(&format!("{}/_emulator/{path}", endpoint()), &init)
        .expect("a request");
    let resp = fetch(&req).await;
    assert!(resp.ok(), "emulator {method} {path}: {}", resp.status());
    if resp.status() == 204 {
        return wasm_bindgen::JsValue::NULL;
    }
    JsFuture::from(resp.json().expect("json"))
        .await
        .expect("JSON body")
}

/// `obj[key]`.
pub fn prop(obj: &wasm_bindgen::JsValue, key: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(obj, &key.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
}

/// A plain object from pairs.
pub fn obj(pairs: &[(&str, wasm_bindgen::JsValue)]) -> wasm_bindgen::JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &(*k).into(), v).expect("set");
    }
    o.into()
}

/// Deterministic bytes: byte i of a file seeded `seed`.
pub fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// A File with those bytes (copied into the JS heap once, as a picked file would be on disk).
pub fn file(bytes: &[u8], name: &str, mime: &str) -> web_sys::File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let bag = web_sys::FilePropertyBag::new();
    bag.set_type(mime);
    web_sys::File::new_with_u8_array_sequence_and_options(&parts, name, &bag).expect("a File")
}

pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(bytes))
}

/// The request log entries for one object key.
pub async fn log_for(key: &str) -> Vec<wasm_bindgen::JsValue> {
    let log: js_sys::Array = emulator("GET", "requests", None).await.into();
    log.iter()
        .filter(|e| prop(e, "key").as_string().as_deref() == Some(key))
        .collect()
}

/// Options for a client of the harness's emulator with its long-term keys; `extra` pairs are
/// set after, so they override.
pub fn client_options(extra: &[(&str, wasm_bindgen::JsValue)]) -> wasm_bindgen::JsValue {
    let c = credentials();
    let mut pairs = vec![
        ("endpoint", endpoint().into()),
        ("bucket", "demo-bucket".into()),
        ("accessKeyId", c.access_key_id.as_str().into()),
        ("accessKeySecret", c.access_key_secret.as_str().into()),
    ];
    pairs.extend_from_slice(extra);
    obj(&pairs)
}

/// The harness's static server (the repository's root), where `pkg/` and `js/src/` are.
pub fn web() -> &'static str {
    from_harness(option_env!("OSS_TEST_WEB"))
}

/// A module of the package or its sources, imported from the harness's static server.
pub async fn import(path: &str) -> wasm_bindgen::JsValue {
    let import = js_sys::Function::new_with_args("url", "return import(url)");
    let url = format!("{}/{path}", web());
    let promise: js_sys::Promise = import
        .call1(&wasm_bindgen::JsValue::NULL, &url.as_str().into())
        .expect("import() starts")
        .unchecked_into();
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("importing {url}: {e:?} (did make pkg run?)"))
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The package's `OSS` class, as pages use it (`pkg/index.js`), with its methods' names in
    /// Rust's spelling.
    pub type Client;
    #[wasm_bindgen(method)]
    pub fn put(this: &Client, name: JsValue, data: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = putStream)]
    pub fn put_stream(this: &Client, name: JsValue, stream: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = multipartUpload)]
    pub fn multipart_upload(
        this: &Client,
        name: JsValue,
        file: JsValue,
        options: JsValue,
    ) -> Promise;
    #[wasm_bindgen(method, js_name = initMultipartUpload)]
    pub fn init_multipart_upload(this: &Client, name: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = uploadPart)]
    #[allow(clippy::too_many_arguments)]
    pub fn upload_part(
        this: &Client,
        name: JsValue,
        upload_id: String,
        part_no: u32,
        file: JsValue,
        start: f64,
        end: f64,
        options: JsValue,
    ) -> Promise;
    #[wasm_bindgen(method, js_name = completeMultipartUpload)]
    pub fn complete_multipart_upload(
        this: &Client,
        name: JsValue,
        upload_id: String,
        parts: JsValue,
        options: JsValue,
    ) -> Promise;
    #[wasm_bindgen(method, js_name = listParts)]
    pub fn list_parts(this: &Client, name: JsValue, upload_id: String, options: JsValue)
        -> Promise;
    #[wasm_bindgen(method, js_name = listUploads)]
    pub fn list_uploads(this: &Client, query: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method)]
    pub fn list(this: &Client, query: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = abortMultipartUpload)]
    pub fn abort_multipart_upload(
        this: &Client,
        name: JsValue,
        upload_id: String,
        options: JsValue,
    ) -> Promise;
    #[wasm_bindgen(method)]
    pub fn head(this: &Client, name: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method)]
    pub fn get(this: &Client, name: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method)]
    pub fn delete(this: &Client, name: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method)]
    pub fn copy(
        this: &Client,
        name: JsValue,
        source: JsValue,
        source_bucket: JsValue,
        options: JsValue,
    ) -> Promise;
    #[wasm_bindgen(method, js_name = putMeta)]
    pub fn put_meta(this: &Client, name: JsValue, meta: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method, catch, js_name = signatureUrl)]
    pub fn signature_url(this: &Client, name: JsValue, options: JsValue)
        -> Result<String, JsValue>;
    #[wasm_bindgen(method, js_name = listSavedUploads)]
    pub fn list_saved_uploads(this: &Client) -> Promise;
    #[wasm_bindgen(method, js_name = forgetSavedUpload)]
    pub fn forget_saved_upload(this: &Client, which: JsValue, options: JsValue) -> Promise;
    #[wasm_bindgen(method)]
    pub fn cancel(this: &Client);
    #[wasm_bindgen(method, js_name = isCancel)]
    pub fn is_cancel(this: &Client, err: JsValue) -> bool;
}

impl Client {
    /// `new OSS(options)`, its wasm core loaded and its options checked.
    pub async fn new(options: JsValue) -> Result<Client, JsValue> {
        let module = import("pkg/index.js").await;
        let class: js_sys::Function = prop(&module, "default").unchecked_into();
        let client = js_sys::Reflect::construct(&class, &js_sys::Array::of1(&options))?;
        let ready: Promise = prop(&client, "ready").unchecked_into();
        JsFuture::from(ready).await?;
        Ok(client.unchecked_into())
    }
}

pub async fn client(extra: &[(&str, JsValue)]) -> Client {
    Client::new(client_options(extra)).await.expect("a client")
}

/// Replaces the emulator's fault rules with `rules` (JSON: one rule or an array).
pub async fn set_faults(rules: &str) {
    emulator("DELETE", "faults", None).await;
    emulator("POST", "faults", Some(rules)).await;
}
