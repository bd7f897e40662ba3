//! Signature V1: `Authorization: OSS <AccessKeyId>:base64(HMAC-SHA1(secret, StringToSign))`.
//!
//! StringToSign = VERB, Content-MD5, Content-Type, Date, then the `x-oss-*` headers and the
//! canonical resource. Browsers cannot set `Date`, so clients send `x-oss-date`, whose value
//! fills the Date line and which is signed among the `x-oss-*` headers as well.
//! Reference: oss2 `auth.py`, ali-oss `lib/common/signUtils.js`.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::encode::join_query;
use super::order;
use super::request::{Credentials, RequestParts};
use crate::text;

/// Query parameters that are part of the signed resource (oss2's `_subresource_key_set`);
/// every other parameter (`max-parts`, `prefix`, …) is not signed.
pub const SUBRESOURCES: &[&str] = &[
    "acl",
    "append",
    "asyncFetch",
    "bucketInfo",
    "callback",
    "callback-var",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "group",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "policy",
    "position",
    "qos",
    "qosInfo",
    "referer",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-process",
    "x-oss-request-payer",
    "x-oss-traffic-limit",
];

/// `/bucket/key?sub=v&sub2`: the key raw, sub-resources sorted, others left out.
pub fn canonical_resource(req: &RequestParts) -> String {
    let mut resource = match &req.bucket {
        Some(bucket) => text::fill("/{}/{}", &[bucket, req.key_or_empty()]),
        None => "/".to_string(),
    };
    let mut subs = Vec::new();
    for (k, v) in &req.query {
        if SUBRESOURCES.contains(&k.as_str()) {
            subs.push((k.clone(), v.clone()));
        }
    }
    order::sort_by(&mut subs, |a, b| a < b);
    if !subs.is_empty() {
        resource.push('?');
        resource.push_str(&join_query(&subs));
    }
    resource
}

/// Every `x-oss-*` header as `name:value\n`, names lower-cased, sorted, values trimmed.
fn canonical_oss_headers(req: &RequestParts) -> String {
    req.canonical_headers(&|k| k.starts_with("x-oss-"))
}

/// The StringToSign with `date` on the Date line: the `x-oss-date` or `Date` header for a
/// signed request, the absolute `Expires` for a presigned URL.
pub fn string_to_sign(req: &RequestParts, date: &str) -> String {
    text::fill(
        "{}\n{}\n{}\n{}\n{}{}",
        &[
            &req.method.to_ascii_uppercase(),
            req.header("content-md5").unwrap_or(""),
            req.header("content-type").unwrap_or(""),
            date,
            &canonical_oss_headers(req),
            &canonical_resource(req),
        ],
    )
}

/// The Date line of a header-signed request: `x-oss-date` wins over `Date`.
pub fn date_line(req: &RequestParts) -> &str {
    req.header("x-oss-date")
        .or_else(|| req.header("date"))
        .unwrap_or("")
}

/// base64(HMAC-SHA1(secret, string_to_sign)).
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Adds `x-oss-date` (RFC 1123), the STS token and `Authorization` to a request.
pub fn sign(req: &mut RequestParts, creds: &Credentials, date_rfc1123: &str) {
    req.set_header("x-oss-date", date_rfc1123);
    if let Some(token) = &creds.security_token {
        req.set_header("x-oss-security-token", token.clone());
    }
    let sig = signature(&creds.access_key_secret, &string_to_sign(req, date_rfc1123));
    req.set_header(
        "authorization",
        text::fill("OSS {}:{}", &[&creds.access_key_id, &sig]),
    );
}
