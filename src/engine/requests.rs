//! OSS's request rules for the client's one-request methods, as plain values: which headers,
//! query and body each request carries. The browser edge only reads JavaScript into these
//! arguments and shapes the answers; the rules are tested natively (`tests/requests.rs`).

use super::exchange::{Body, Read, Request};
use crate::protocol::{encode, messages, mime};
use crate::text::{self, int};

/// Headers only InitiateMultipartUpload takes: Complete refuses them.
const INITIATE_ONLY: [&str; 2] = ["x-oss-server-side-encryption", "x-oss-storage-class"];

/// The standard headers a copy may set; any of them means the copy replaces the source's.
const REPLACED_BY_COPY: [&str; 6] = [
    "content-type",
    "content-encoding",
    "content-language",
    "content-disposition",
    "cache-control",
    "expires",
];

/// InitiateMultipartUpload of `key`, with the object's headers.
pub fn initiate(key: &str, headers: Vec<(String, String)>) -> Request {
    let mut r = Request::new("POST", key, &[("uploads", "")]).text();
    r.headers = headers;
    r
}

/// UploadPart `number` of `upload_id`, sending `body`.
pub fn upload_part(key: &str, upload_id: &str, number: u32, body: Body) -> Request {
    let n = int(number.into());
    let mut r = Request::new("PUT", key, &[("partNumber", &n), ("uploadId", upload_id)]);
    r.body = body;
    r
}

/// CompleteMultipartUpload of `parts` (number, ETag), in order; `headers` beside its XML
/// body's type (an object's own Content-Type went with Initiate).
pub fn complete(
    key: &str,
    upload_id: &str,
    parts: &[(u32, String)],
    headers: &[(String, String)],
) -> Request {
    let mut r = Request::new("POST", key, &[("uploadId", upload_id)]).text();
    r.headers = vec![("content-type".into(), "application/xml".into())];
    for (k, v) in headers {
        if !k.eq_ignore_ascii_case("content-type") {
            r.headers.push((k.clone(), v.clone()));
        }
    }
    r.body = Body::Text(messages::complete_body(parts));
    r
}

/// `completeMultipartUpload()`: the caller's parts in any order and its headers, as ali-oss
/// sends them (all but those only Initiate takes), with the callback's.
pub fn complete_by_caller(
    key: &str,
    upload_id: &str,
    mut parts: Vec<(u32, String)>,
    mut headers: Vec<(String, String)>,
    callback: &[(String, String)],
) -> Request {
    crate::protocol::order::sort_by(&mut parts, |a, b| a.0 < b.0);
    headers.retain(|(k, _)| !INITIATE_ONLY.iter().any(|o| k.eq_ignore_ascii_case(o)));
    headers.extend(callback.iter().cloned());
    complete(key, upload_id, &parts, &headers)
}

/// AbortMultipartUpload.
pub fn abort(key: &str, upload_id: &str) -> Request {
    Request::new("DELETE", key, &[("uploadId", upload_id)])
}

/// ListMultipartUploads, names URL-encoded (OSS's XML cannot carry every character).
pub fn list_uploads(query: Vec<(String, String)>) -> Request {
    let mut r = Request::new("GET", "", &[("uploads", ""), ("encoding-type", "url")]).text();
    r.query.extend(query);
    r
}

/// ListObjects, or ListObjectsV2 with `list-type=2` among `query`.
pub fn list_objects(query: Vec<(String, String)>) -> Request {
    let mut r = Request::new("GET", "", &[("encoding-type", "url")]).text();
    r.query.extend(query);
    r
}

/// HeadObject; a 304 to its conditions is an answer.
pub fn head(key: &str, headers: Vec<(String, String)>, query: Vec<(String, String)>) -> Request {
    let mut r = Request::new("HEAD", key, &[]);
    r.headers = headers;
    r.query = query;
    r.conditional = true;
    r
}

/// GetObjectMeta.
pub fn object_meta(key: &str, query: Vec<(String, String)>) -> Request {
    let mut r = Request::new("HEAD", key, &[("objectMeta", "")]);
    r.query.extend(query);
    r
}

/// GetObject, its bytes kept. As ali-oss in a browser, `response-cache-control=no-cache`
/// unless `cache_as_is`, so that the browser's cache never answers for an object overwritten
/// since; the caller's own subresources win over it.
pub fn get(
    key: &str,
    cache_as_is: bool,
    subresources: Vec<(String, String)>,
    headers: Vec<(String, String)>,
) -> Request {
    let mut r = Request::new("GET", key, &[]);
    if !cache_as_is {
        r.query
            .push(("response-cache-control".into(), "no-cache".into()));
    }
    for (k, v) in subresources {
        r.query.retain(|(q, _)| *q != k);
        r.query.push((k, v));
    }
    r.headers = headers;
    r.read = Read::Bytes;
    r.conditional = true;
    r
}

/// DeleteObject; with `versionId` among `query`, that version (ali-oss's `{versionId}`).
pub fn delete(key: &str, query: Vec<(String, String)>) -> Request {
    let mut r = Request::new("DELETE", key, &[]);
    r.query = query;
    r
}

/// DeleteMultipleObjects of `keys` (with their version IDs); `quiet` leaves the deleted
/// out of the answer. OSS requires the body's Content-MD5.
pub fn delete_multi(keys: &[(String, Option<String>)], quiet: bool) -> Request {
    use base64::Engine;
    use md5::Digest;
    let body = messages::delete_body(keys, quiet);
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&body));
    let mut r = Request::new("POST", "", &[("delete", ""), ("encoding-type", "url")]).text();
    r.headers = vec![
        ("content-type".into(), "application/xml".into()),
        ("content-md5".into(), md5),
    ];
    r.body = Body::Text(body);
    r
}

/// Where a copy reads from.
pub struct CopySource<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub version_id: Option<&'a str>,
}

/// CopyObject of `from` to `key`. The source's metadata is replaced when `meta` (the new
/// x-oss-meta-* headers) is given or `headers` sets a standard header; a replace without a
/// type gets the name's, as ali-oss's (putMeta must not turn an image into a download). The
/// caller's `If-*` conditions go to the source under OSS's copy names.
pub fn copy(
    key: &str,
    from: CopySource,
    mut headers: Vec<(String, String)>,
    meta: Option<Vec<(String, String)>>,
) -> Request {
    let mut replace =
        (headers.iter()).any(|(k, _)| REPLACED_BY_COPY.iter().any(|r| k.eq_ignore_ascii_case(r)));
    if let Some(meta) = meta {
        replace = true;
        headers.extend(meta);
    }
    let mut source = text::fill("/{}/{}", &[from.bucket, &encode::uri_encode(from.key)]);
    if let Some(v) = from.version_id {
        source.push_str("?versionId=");
        source.push_str(v);
    }
    headers.push(("x-oss-copy-source".into(), source));
    let mut conditions = Vec::new();
    for (k, v) in &headers {
        let k = k.to_ascii_lowercase();
        if k.starts_with("if-") {
            conditions.push((text::fill("x-oss-copy-source-{}", &[&k]), v.clone()));
        }
    }
    headers.extend(conditions);
    if replace {
        headers.push(("x-oss-metadata-directive".into(), "REPLACE".into()));
        if !(headers.iter()).any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            headers.push(("content-type".into(), mime::from_name(key).into()));
        }
    }
    let mut r = Request::new("PUT", key, &[]).text();
    r.headers = headers;
    r.conditional = true;
    r
}
