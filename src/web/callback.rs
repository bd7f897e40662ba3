//! ali-oss's `callback` option: after storing the object, OSS posts `body` (its `${object}`,
//! `${size}`, `${crc64}`, … and `${x:name}` filled in) to `url` and answers the upload with
//! that server's JSON, which the result carries as `data`. Sent as `x-oss-callback` and
//! `x-oss-callback-var` (base64 JSON, encoded as ali-oss does), on PutObject or on Complete.

use base64::Engine;
use js_sys::{Object, JSON};
use wasm_bindgen::{JsCast, JsValue};

use super::error::Error;
use super::js;
use super::transport::{Reply, Transport};

fn base64_json(value: &Object) -> Result<String, Error> {
    let json = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::argument("`callback` cannot be written as JSON"))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(json))
}

/// The headers for `options.callback`, if given.
pub fn headers(opts: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let Some(callback) = js::get(opts, "callback") else {
        return Ok(Vec::new());
    };
    let text = |key: &str| {
        js::get(&callback, key)
            .map(|v| {
                v.as_string()
                    .ok_or_else(|| Error::argument(format!("`callback.{key}` must be a string")))
            })
            .transpose()
    };
    let (Some(url), Some(body)) = (text("url")?, text("body")?) else {
        return Err(Error::argument(
            "`callback` needs `url` (your server's) and `body` (e.g. 'object=${object}&size=${size}')",
        ));
    };
    let config = js::object(&[
        // encodeURI, not encodeURIComponent: the URL's own `/`, `?` and `;` must stay.
        ("callbackUrl", js_sys::encode_uri(&url).into()),
        ("callbackBody", body.into()),
    ]);
    if let Some(host) = text("host")? {
        js::set(&config, "callbackHost", host);
    }
    if let Some(kind) = text("contentType")? {
        js::set(&config, "callbackBodyType", kind);
    }
    if js::get(&callback, "callbackSNI").and_then(|v| v.as_bool()) == Some(true) {
        js::set(&config, "callbackSNI", true);
    }
    let mut out = vec![("x-oss-callback".to_string(), base64_json(&config)?)];
    if let Some(values) = js::get(&callback, "customValue") {
        let vars = Object::new();
        for entry in Object::entries(values.unchecked_ref()).iter() {
            let pair = js_sys::Array::from(&entry);
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1);
            let value = value
                .as_string()
                .or_else(|| JSON::stringify(&value).ok().and_then(|s| s.as_string()))
                .unwrap_or_default();
            js::set(&vars, &format!("x:{name}"), value);
        }
        out.push(("x-oss-callback-var".to_string(), base64_json(&vars)?));
    }
    Ok(out)
}

/// What the callback server answered (its JSON, or its text if not JSON), or, when OSS stored
/// the object but the callback failed (203), a `CallbackFailedError`.
pub async fn outcome(t: &Transport, reply: &Reply) -> Result<JsValue, Error> {
    if reply.status == 203 {
        let mut e = t.read_error(reply, "POST").await;
        e.message = format!(
            "The object was stored, but its callback failed: {} Check the callback server.",
            e.message
        );
        return Err(e);
    }
    let text = reply.text().await?;
    Ok(JSON::parse(&text).unwrap_or_else(|_| text.into()))
}
