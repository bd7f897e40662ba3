//! What the JavaScript shell (`js/src/`) calls: the protocol core and the upload decisions as
//! plain functions over strings, numbers and flat arrays of strings (`[name, value, …]`).
//!
//! The browser work itself (fetch, IndexedDB, streams, timers, the `OSS` class) is JavaScript:
//! done from Rust through web-sys and futures it cost ~90 KB of gzipped wasm, several times
//! what the same work costs as JavaScript. What stays here is what must be exact and is tested
//! natively against the official SDKs' vectors: signing, CRC64, OSS's XML, part planning,
//! retry decisions and fingerprints. Results with structure are JSON text (`JSON.parse` is
//! smaller than building objects field by field across the boundary).

use wasm_bindgen::prelude::*;

use crate::engine::fingerprint::{self, FileIdentity};
use crate::engine::plan::Plan;
use crate::engine::retry::{Decision, Failed, Policy};
use crate::protocol::endpoint::Endpoint;
use crate::protocol::error::OssError;
use crate::protocol::request::{Credentials, RequestParts};
use crate::protocol::{crc64, messages, mime, presign, sign_v1, sign_v4, time};

/// `[a, b, c, d]` → `[(a, b), (c, d)]`; a missing last value is empty.
fn pairs(flat: Vec<String>) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let Some(k) = it.next() {
        out.push((k, it.next().unwrap_or_default()));
    }
    out
}

fn flat(pairs: Vec<(String, String)>) -> Vec<String> {
    pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()
}

/// The request a signature covers.
#[wasm_bindgen]
pub struct Request(RequestParts);

#[wasm_bindgen]
impl Request {
    /// `key` empty for bucket-level requests; `query` and `headers` flat pairs.
    #[wasm_bindgen(constructor)]
    pub fn new(
        method: String,
        bucket: String,
        key: String,
        query: Vec<String>,
        headers: Vec<String>,
    ) -> Request {
        Request(RequestParts {
            method,
            bucket: Some(bucket),
            key: Some(key).filter(|k| !k.is_empty()),
            query: pairs(query),
            headers: pairs(headers),
        })
    }

    /// Signs with the keys in hand (V1, or V4 for `region`), `now` in seconds by the server's
    /// clock; returns the headers to send, flat.
    pub fn sign(
        mut self,
        id: String,
        secret: String,
        token: Option<String>,
        v4: Option<String>,
        now: f64,
    ) -> Vec<String> {
        let creds = Credentials {
            access_key_id: id,
            access_key_secret: secret,
            security_token: token,
        };
        let now = now as u64;
        match v4 {
            Some(region) => sign_v4::sign(&mut self.0, &creds, &time::iso8601_basic(now), &region),
            None => sign_v1::sign(&mut self.0, &creds, &time::rfc1123(now)),
        }
        flat(self.0.headers)
    }

    /// For a backend `signer`: dates the request, and returns `[stringToSign,
    /// canonicalRequest (V4 only, else empty), …headers flat]`.
    #[wasm_bindgen(js_name = toSign)]
    pub fn to_sign(mut self, v4: Option<String>, now: f64) -> Vec<String> {
        let now = now as u64;
        let mut out = match &v4 {
            Some(region) => {
                let date = time::iso8601_basic(now);
                self.0
                    .set_header("x-oss-content-sha256", sign_v4::UNSIGNED_PAYLOAD);
                self.0.set_header("x-oss-date", date.clone());
                let canonical = sign_v4::canonical_request(&self.0, &[]);
                let to_sign = sign_v4::string_to_sign(&canonical, &date, region);
                vec![to_sign, canonical]
            }
            None => {
                let date = time::rfc1123(now);
                self.0.set_header("x-oss-date", date.clone());
                vec![sign_v1::string_to_sign(&self.0, &date), String::new()]
            }
        };
        out.extend(flat(self.0.headers));
        out
    }

    /// A presigned URL's query (flat pairs), valid `expires` seconds from `now`.
    pub fn presign(
        self,
        id: String,
        secret: String,
        token: Option<String>,
        v4: Option<String>,
        now: f64,
        expires: f64,
    ) -> Vec<String> {
        let creds = Credentials {
            access_key_id: id,
            access_key_secret: secret,
            security_token: token,
        };
        let (now, expires) = (now as u64, expires as u64);
        let mut query = self.0.query.clone();
        query.extend(match v4 {
            Some(region) => {
                presign::v4_query(&self.0, &creds, &time::iso8601_basic(now), expires, &region)
            }
            None => presign::v1_query(&self.0, &creds, now + expires),
        });
        flat(query)
    }
}

/// The endpoint options as ali-oss takes them, checked; the error says what to set.
fn endpoint(
    endpoint: Option<String>,
    region: Option<String>,
    secure: Option<bool>,
    cname: bool,
) -> Result<Endpoint, String> {
    Endpoint::new(endpoint.as_deref(), region.as_deref(), secure, cname)
}

/// The URL of `key` (empty: the bucket) with `query` (flat pairs).
#[wasm_bindgen]
pub fn url(
    origin: Option<String>,
    region: Option<String>,
    secure: Option<bool>,
    cname: bool,
    bucket: &str,
    key: &str,
    query: Vec<String>,
) -> Result<String, String> {
    let e = endpoint(origin, region, secure, cname)?;
    let key = Some(key).filter(|k| !k.is_empty());
    Ok(e.url(bucket, key, &pairs(query)))
}

/// The region V4 signatures are scoped to.
#[wasm_bindgen(js_name = v4Region)]
pub fn v4_region(
    origin: Option<String>,
    region: Option<String>,
    secure: Option<bool>,
    cname: bool,
) -> Result<String, String> {
    Ok(endpoint(origin, region.clone(), secure, cname)?.v4_region(region.as_deref()))
}

/// CRC64-ECMA of bytes fed in pieces.
#[wasm_bindgen]
#[derive(Default)]
pub struct Crc64(crc64::Hasher);

#[wasm_bindgen]
impl Crc64 {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Crc64 {
        Crc64::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The CRC as OSS writes it: a decimal string.
    pub fn value(self) -> String {
        self.0.finish().to_string()
    }
}

/// The CRC64 of `a` followed by `b` (of `len_b` bytes), CRCs as decimal strings; empty if
/// either is unreadable.
#[wasm_bindgen(js_name = crc64Combine)]
pub fn crc64_combine(a: &str, b: &str, len_b: f64) -> String {
    match (a.parse(), b.parse()) {
        (Ok(a), Ok(b)) => crc64::combine(a, b, len_b as u64).to_string(),
        _ => String::new(),
    }
}

/// JSON arrays, written by hand (a few flat shapes, not worth a serializer): each value and
/// each opened array is preceded by a comma unless it is the first in its array.
#[derive(Default)]
struct Json(String);

impl Json {
    fn separate(&mut self) -> &mut Self {
        if !self.0.is_empty() && !self.0.ends_with('[') {
            self.0.push(',');
        }
        self
    }

    fn open(&mut self) -> &mut Self {
        self.separate().0.push('[');
        self
    }

    fn close(&mut self) -> &mut Self {
        self.0.push(']');
        self
    }

    fn boolean(&mut self, b: bool) -> &mut Self {
        self.separate().0.push_str(if b { "true" } else { "false" });
        self
    }

    fn number(&mut self, n: u64) -> &mut Self {
        let text = n.to_string();
        self.separate().0.push_str(&text);
        self
    }

    fn string(&mut self, s: &str) -> &mut Self {
        let out = &mut self.separate().0;
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => {
                    out.push_str("\\u00");
                    out.push(char::from_digit(c as u32 >> 4, 16).unwrap_or('0'));
                    out.push(char::from_digit(c as u32 & 15, 16).unwrap_or('0'));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        self
    }

    fn finish(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

#[wasm_bindgen(js_name = parseInitiate)]
pub fn parse_initiate(xml: &str) -> Result<String, String> {
    messages::parse_initiate(xml)
}

#[wasm_bindgen(js_name = parseComplete)]
pub fn parse_complete(xml: &str) -> Result<String, String> {
    messages::parse_complete(xml)
}

/// `[truncated, nextMarker, [[number, etag, size, crc64 or ""], …]]`
#[wasm_bindgen(js_name = parseListParts)]
pub fn parse_list_parts(xml: &str) -> Result<String, String> {
    let page = messages::parse_list_parts(xml)?;
    let mut j = Json::default();
    j.open()
        .boolean(page.truncated)
        .number(page.next_marker.into())
        .open();
    for p in &page.parts {
        let crc = p.crc64.map(|c| c.to_string()).unwrap_or_default();
        j.open()
            .number(p.number.into())
            .string(&p.etag)
            .number(p.size)
            .string(&crc)
            .close();
    }
    Ok(j.close().close().finish())
}

/// `[truncated, nextKeyMarker, nextUploadIdMarker, [[key, uploadId, initiated], …]]`
#[wasm_bindgen(js_name = parseListUploads)]
pub fn parse_list_uploads(xml: &str) -> Result<String, String> {
    let page = messages::parse_list_uploads(xml)?;
    let mut j = Json::default();
    j.open()
        .boolean(page.truncated)
        .string(&page.next_key_marker)
        .string(&page.next_upload_id_marker)
        .open();
    for u in &page.uploads {
        j.open()
            .string(&u.key)
            .string(&u.upload_id)
            .string(&u.initiated)
            .close();
    }
    Ok(j.close().close().finish())
}

/// `[truncated, nextMarker, [[key, size, etag, lastModified, type], …]]`
#[wasm_bindgen(js_name = parseListObjects)]
pub fn parse_list_objects(xml: &str) -> Result<String, String> {
    let page = messages::parse_list_objects(xml)?;
    let mut j = Json::default();
    j.open()
        .boolean(page.truncated)
        .string(&page.next_marker)
        .open();
    for o in &page.objects {
        j.open()
            .string(&o.key)
            .number(o.size)
            .string(&o.etag)
            .string(&o.last_modified)
            .string(&o.kind)
            .close();
    }
    Ok(j.close().close().finish())
}

/// OSS's error XML as `[code, message, requestId, hostId, [[name, value], …]]`; empty if the
/// body is not one.
#[wasm_bindgen(js_name = parseError)]
pub fn parse_error(xml: &str) -> String {
    let Some(e) = OssError::parse(0, xml) else {
        return String::new();
    };
    let mut j = Json::default();
    j.open()
        .string(&e.code)
        .string(&e.message)
        .string(&e.request_id)
        .string(&e.host_id)
        .open();
    for (name, value) in &e.extra {
        j.open().string(name).string(value).close();
    }
    j.close().close().finish()
}

/// CompleteMultipartUpload's body; `parts` is `[number, etag, …]` flat, in any order.
#[wasm_bindgen(js_name = completeBody)]
pub fn complete_body(parts: Vec<String>) -> String {
    let mut list: Vec<(u32, String)> = pairs(parts)
        .into_iter()
        .map(|(n, etag)| (n.parse().unwrap_or(0), etag))
        .collect();
    crate::protocol::order::sort_by(&mut list, |a, b| a.0 < b.0);
    messages::complete_body(&list)
}

/// How a file of `size` bytes is cut: `[partSize, count, partSize asked for when it had to
/// be raised to stay within 10 000 parts, else 0]`.
#[wasm_bindgen]
pub fn plan(size: f64, part_size: Option<f64>) -> Result<Vec<f64>, String> {
    let p = Plan::new(size as u64, part_size)?;
    Ok(vec![
        p.part_size as f64,
        p.count().into(),
        p.raised_from.unwrap_or(0) as f64,
    ])
}

/// What to do after a failed try. `status` 0 with `code` "Timeout" or "Network" when no
/// answer came. Returns a delay in ms to retry after, or −1 give up, −2 refresh credentials
/// and retry, −3 correct the clock and retry.
#[wasm_bindgen(js_name = retryDecision)]
pub fn retry_decision(
    status: u16,
    code: String,
    retries: u32,
    random: f64,
    can_refresh: bool,
    max_retries: u32,
) -> f64 {
    let failed = match (status, code.as_str()) {
        (0, "Timeout") => Failed::Timeout,
        (0, _) => Failed::Network,
        _ => Failed::Http { status, code },
    };
    let policy = Policy {
        max_retries,
        ..Policy::default()
    };
    match policy.decide(&failed, retries, random, can_refresh) {
        Decision::RetryAfter(ms) => ms as f64,
        Decision::GiveUp => -1.0,
        Decision::RefreshCredentials => -2.0,
        Decision::CorrectClock => -3.0,
    }
}

/// The key a saved upload is found by: bucket, object, the file's identity and part size.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn fingerprint(
    bucket: &str,
    object: &str,
    name: String,
    size: f64,
    last_modified: f64,
    mime: String,
    part_size: f64,
) -> String {
    let file = FileIdentity {
        name,
        size: size as u64,
        last_modified,
        mime,
    };
    fingerprint::fingerprint(bucket, object, &file, part_size as u64)
}

/// The Content-Type OSS would give an object of this name.
#[wasm_bindgen(js_name = mimeType)]
pub fn mime_type(name: &str) -> String {
    mime::from_name(name).into()
}

/// An ISO 8601 time (OSS's `ServerTime`) in ms since the epoch; NaN if unreadable.
#[wasm_bindgen(js_name = parseTime)]
pub fn parse_time(s: &str) -> f64 {
    time::parse_iso8601(s).map_or(f64::NAN, |t| t as f64 * 1000.0)
}
