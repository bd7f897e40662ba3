//! URLs: signatureUrl (V1, or V4 with authorizationV4), asyncSignatureUrl, signatureUrlV4,
//! getObjectUrl and generateObjectUrl.

use std::rc::Rc;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::protocol::request::RequestParts;
use crate::protocol::{presign, time};
use crate::text;
use crate::web::error::promise;
use crate::web::shared::{self, Shared};
use crate::web::{js, options};

/// What `signatureUrl()` takes, as ali-oss names it, besides headers to sign.
const SIGNATURE_URL_OPTIONS: [&str; 7] = [
    "expires",
    "method",
    "response",
    "process",
    "trafficLimit",
    "callback",
    "subResource",
];

/// An object's entries as strings (`String(v)`; null and undefined as empty).
fn entries_of(obj: &JsValue) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in Object::entries(obj.unchecked_ref()).iter() {
        let pair = Array::from(&entry);
        let v = pair.get(1);
        let v = if v.is_undefined() || v.is_null() {
            String::new()
        } else {
            js::text(&v)
        };
        out.push((pair.get(0).as_string().unwrap_or_default(), v));
    }
    out
}

/// What a presigned URL is for.
struct Presign {
    bucket: String,
    method: String,
    name: String,
    headers: Vec<(String, String)>,
    params: Vec<(String, String)>,
    expires: u32,
    /// V4 with these additional headers signed; `None`: the client's signing version.
    v4_additional: Option<Vec<String>>,
}

/// signatureUrl() for `bucket`, the one in use when the call was made.
pub fn signature_url(
    shared: &Shared,
    name: JsValue,
    options: JsValue,
    strict: JsValue,
    bucket: String,
) -> Result<String, Error> {
    if strict.as_bool() != Some(false) && name.as_string().is_some_and(|n| n.starts_with('?')) {
        return Err(Error::argument(text::fill(
            "Invalid object name {}",
            &[&js::text(&name)],
        )));
    }
    let name = options::check_name(&name)?;
    let expires = options::count(&options, "expires", 1800, 1..=7 * 24 * 3600)?;
    let method = options::string(&options, "method")?
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    let headers = signed_headers(&options)?;
    let params = url_params(&options)?;
    let p = Presign {
        bucket,
        method,
        name,
        headers,
        params,
        expires,
        v4_additional: None,
    };
    presigned(shared, p)
}

/// The headers signatureUrl() signs (Content-Type, Content-MD5, x-oss-*); an option it does
/// not know is refused when it is a near miss of one it does, else noted on the console.
fn signed_headers(options: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let mut headers = Vec::new();
    if !options.is_object() {
        return Ok(headers);
    }
    for (key, value) in entries_of(options) {
        let lower = key.to_ascii_lowercase();
        if lower.starts_with("x-oss-") || lower == "content-type" || lower == "content-md5" {
            headers.push((lower, value));
            continue;
        }
        if SIGNATURE_URL_OPTIONS.contains(&key.as_str()) {
            continue;
        }
        let known = [&SIGNATURE_URL_OPTIONS[..], &["Content-Type", "Content-MD5"]];
        let meant =
            presign::meant(&key, &known.concat()).filter(|_| js::get(options, &key).is_some());
        if let Some(meant) = meant {
            // A near miss would sign a URL other than the one asked for (`expire` signs for
            // 1800 s): refused, not ignored. One left undefined (an object spread) asks for
            // nothing.
            return Err(Error::argument(text::fill(
                "signatureUrl() has no option {}: did you mean {}?",
                &[&js::quoted(&key), &js::quoted(meant)],
            )));
        }
        // ali-oss ignores other options it does not know, and its own tests pass some
        // (`filename`); a console note names them.
        js::warn(
            &text::fill("oss-browser-upload: signatureUrl() ignores {}; it knows {}, Content-Type, Content-MD5, x-oss-*", &[&js::quoted(&key), &text::join(&SIGNATURE_URL_OPTIONS, ", ")]),
        );
    }
    Ok(headers)
}

/// ali-oss's `response` ({'content-disposition': …}) rides as `response-*` parameters, which
/// OSS signs as subresources; `process`, `trafficLimit`, `callback` and `subResource` likewise.
fn url_params(options: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let mut params = Vec::new();
    if let Some(response) = js::get(options, "response") {
        for (k, v) in entries_of(&response) {
            let header = k.to_ascii_lowercase();
            if !presign::RESPONSE_OVERRIDES.contains(&header.as_str()) {
                return Err(Error::argument(text::fill(
                    "signatureUrl()'s response option overrides only {}; OSS would ignore {}",
                    &[
                        &text::join(&presign::RESPONSE_OVERRIDES, ", "),
                        &js::quoted(&k),
                    ],
                )));
            }
            params.push((text::fill("response-{}", &[&header]), v));
        }
    }
    if let Some(p) = js::get(options, "process") {
        params.push(("x-oss-process".into(), js::text(&p)));
    }
    if let Some(t) = js::get(options, "trafficLimit") {
        params.push(("x-oss-traffic-limit".into(), js::text(&t)));
    }
    for (k, v) in options::callback_headers(options)? {
        // `callback`, `callback-var`.
        let k = k.strip_prefix("x-oss-").unwrap_or(&k);
        params.push((k.into(), v));
    }
    if let Some(sub) = js::get(options, "subResource") {
        params.extend(entries_of(&sub));
    }
    Ok(params)
}

/// signatureUrl() after refreshing the STS token if it is due, as ali-oss's.
pub fn async_signature_url(
    shared: &Rc<Shared>,
    name: JsValue,
    options: JsValue,
    strict: JsValue,
) -> Promise {
    let shared = shared.clone();
    let bucket = shared.bucket.borrow().clone();
    promise(async move {
        shared.keys_in_hand().await?;
        Ok(signature_url(&shared, name, options, strict, bucket)?.into())
    })
}

/// What signatureUrlV4() is given besides its name and request.
pub struct V4Given {
    pub method: JsValue,
    pub expires: JsValue,
    pub additional: JsValue,
}

/// ali-oss's signatureUrlV4: a V4 presigned URL, whatever the client's signing version.
pub fn signature_url_v4(
    shared: &Rc<Shared>,
    given: V4Given,
    request: JsValue,
    name: JsValue,
) -> Promise {
    let shared = shared.clone();
    let bucket = shared.bucket.borrow().clone();
    promise(async move {
        shared.keys_in_hand().await?;
        if bucket.is_empty() {
            return Err(Error::argument(
                "Please ensure that bucketName is passed into getCanonicalRequest.",
            )
            .into());
        }
        // Without a name, the bucket's own URL.
        let name = if name.is_undefined() || name.is_null() {
            String::new()
        } else {
            options::check_name(&name)?
        };
        let expires = (given.expires.as_f64())
            .filter(|n| *n >= 1.0 && n.fract() == 0.0 && *n <= 7.0 * 24.0 * 3600.0)
            .ok_or_else(|| {
                Error::argument("expires must be a whole number of seconds, at most 7 days")
            })?;
        let mut headers = js::get(&request, "headers").map_or_else(Vec::new, |h| entries_of(&h));
        for (k, _) in &mut headers {
            *k = k.to_ascii_lowercase();
        }
        let params = js::get(&request, "queries").map_or_else(Vec::new, |q| entries_of(&q));
        let extra = additional_headers(&given.additional, &headers)?;
        let p = Presign {
            bucket,
            method: js::text(&given.method).to_ascii_uppercase(),
            name,
            headers,
            params,
            expires: expires as u32,
            v4_additional: Some(extra),
        };
        Ok(presigned(&shared, p)?.into())
    })
}

/// signatureUrlV4's additional headers to sign: each must be among `headers`; those V4 signs
/// anyway are left out.
fn additional_headers(
    additional: &JsValue,
    headers: &[(String, String)],
) -> Result<Vec<String>, Error> {
    let mut extra: Vec<String> = Vec::new();
    if !Array::is_array(additional) {
        return Ok(extra);
    }
    for h in Array::from(additional).iter() {
        let h = js::text(&h).to_ascii_lowercase();
        let signed_anyway = h.starts_with("x-oss-") || h == "content-type" || h == "content-md5";
        if signed_anyway || extra.contains(&h) {
            continue;
        }
        if !headers.iter().any(|(k, _)| *k == h) {
            return Err(Error::argument(text::fill(
                "Can't find additional header {} in request headers.",
                &[&h],
            )));
        }
        extra.push(h);
    }
    Ok(extra)
}

/// A presigned URL with the keys in hand: V4 when asked or the client signs V4.
fn presigned(shared: &Shared, p: Presign) -> Result<String, Error> {
    let bucket = shared::needed(p.bucket)?;
    let key = Some(p.name).filter(|n| !n.is_empty());
    let parts = RequestParts {
        method: p.method,
        bucket: Some(bucket.clone()),
        key: key.clone(),
        query: p.params,
        headers: p.headers,
    };
    let keys = shared.keys.borrow();
    let creds = keys.current().ok_or_else(|| {
        Error::credentials("signatureUrl() needs credentials in hand: use asyncSignatureUrl(), or pass accessKeyId/accessKeySecret")
    })?;
    let now = keys.now_secs(js::now_ms());
    let mut query = parts.query.clone();
    let v4 = p.v4_additional.or_else(|| shared.o.v4.then(Vec::new));
    query.extend(match v4 {
        Some(additional) => presign::v4_query(
            &parts,
            creds,
            &time::iso8601_basic(now),
            p.expires.into(),
            &shared.o.region,
            &additional,
        ),
        None => presign::v1_query(&parts, creds, now + u64::from(p.expires)),
    });
    Ok(shared.o.endpoint.url(&bucket, key.as_deref(), &query))
}

/// `base` (with a `/` added if it lacks one) and the name as a URL path.
fn object_url(base: &str, name: &str) -> String {
    let slash = if base.ends_with('/') { "" } else { "/" };
    // encodeURIComponent with `/` kept, as ali-oss writes these URLs.
    let path = text::replace(
        &String::from(js_sys::encode_uri_component(name)),
        "%2F",
        "/",
    );
    text::fill("{}{}{}", &[base, slash, &path])
}

/// getObjectUrl: `base_url` (default: the endpoint, no bucket) and the name.
pub fn get_object_url(shared: &Shared, name: JsValue, base_url: JsValue) -> Result<String, Error> {
    let name = options::check_name(&name)?;
    let e = &shared.o.endpoint;
    let base =
        (base_url.as_string()).unwrap_or_else(|| text::fill("{}://{}/", &[&e.scheme, &e.host]));
    Ok(object_url(&base, &name))
}

/// generateObjectUrl: as getObjectUrl, but the default base is the bucket's.
pub fn generate_object_url(
    shared: &Shared,
    name: JsValue,
    base_url: JsValue,
) -> Result<String, Error> {
    let name = options::check_name(&name)?;
    Ok(match base_url.as_string() {
        Some(base) => object_url(&base, &name),
        None => (shared.o.endpoint).url(&shared.bucket.borrow(), Some(&name), &[]),
    })
}
