//! Verifies a request's signature as OSS does: V1 or V4, in headers or in a presigned URL,
//! with long-term or STS credentials. Anonymous requests are refused.

use oss_browser_upload::protocol::request::RequestParts;
use oss_browser_upload::protocol::{sign_v1, sign_v4, time};

use crate::failure::Failure;
use crate::keys::{Keys, Secret};

/// The longest a V4 presigned URL may live, in seconds: 7 days.
pub const MAX_PRESIGNED_LIFETIME: u64 = 7 * 24 * 3600;

/// The largest clock difference OSS accepts, in seconds.
pub const MAX_SKEW: u64 = 15 * 60;

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

fn string_to_sign_bytes(s: &str) -> String {
    s.bytes()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_skew(request_time: u64, now: u64) -> Result<(), Failure> {
    if request_time.abs_diff(now) > MAX_SKEW {
        return Err(Failure::new(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
        .with("RequestTime", time::iso8601(request_time))
        .with("ServerTime", time::iso8601(now))
        .with("MaxAllowedSkewMilliseconds", (MAX_SKEW * 1000).to_string()));
    }
    Ok(())
}

/// The secret for a key, after checking the STS token that came with it.
pub(crate) fn credentials(
    keys: &Keys,
    id: &str,
    token: Option<&str>,
    now: u64,
) -> Result<Secret, Failure> {
    let secret = keys.lookup(id).ok_or_else(|| {
        Failure::new(
            403,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )
        .with("OSSAccessKeyId", id)
    })?;
    if let Some((expected, expires)) = &secret.sts {
        match token {
            None => {
                return Err(Failure::new(
                    403,
                    "InvalidSecurityToken",
                    "The security token you provided is invalid: an STS AccessKeyId needs its SecurityToken.",
                ))
            }
            Some(t) if t != expected => {
                return Err(Failure::new(
                    403,
                    "InvalidSecurityToken",
                    "The security token you provided is invalid.",
                ))
            }
            Some(_) if now > *expires => {
                return Err(Failure::new(
                    403,
                    "SecurityTokenExpired",
                    "The security token you provided has expired.",
                )
                .with("ServerTime", time::iso8601(now))
                .with("Expiration", time::iso8601(*expires)))
            }
            Some(_) => {}
        }
    }
    Ok(secret)
}

fn mismatch(id: &str, provided: &str, string_to_sign: &str) -> Failure {
    Failure::new(403, "SignatureDoesNotMatch", MISMATCH)
        .with("StringToSign", string_to_sign)
        .with("SignatureProvided", provided)
        .with("StringToSignBytes", string_to_sign_bytes(string_to_sign))
        .with("OSSAccessKeyId", id)
}

fn without_query(req: &RequestParts, names: &[&str]) -> RequestParts {
    let mut out = req.clone();
    out.query.retain(|(k, _)| !names.contains(&k.as_str()));
    out
}

/// Checks a request; `Ok` names the AccessKeyId that signed it.
///
/// Header values hold the bytes received, one character per byte (see `http::latin1`): that
/// is what clients that send characters as Latin-1 bytes signed (browsers, oss2, ali-oss,
/// alibabacloud-oss-v2). A client that sent UTF-8 bytes and signed them as text is checked
/// against that reading too, so either way the signature covers exactly what was sent.
pub fn verify(req: &RequestParts, keys: &Keys, region: &str, now: u64) -> Result<String, Failure> {
    match verify_as_read(req, keys, region, now) {
        Err(f) if f.code == "SignatureDoesNotMatch" => match utf8_reading(req) {
            Some(utf8) => verify_as_read(&utf8, keys, region, now).map_err(|_| f),
            None => Err(f),
        },
        other => other,
    }
}

/// The request with each header value whose bytes are UTF-8 (and not ASCII) read as UTF-8;
/// `None` if there is none.
fn utf8_reading(req: &RequestParts) -> Option<RequestParts> {
    let mut changed = false;
    let mut out = req.clone();
    for (_, value) in out.headers.iter_mut() {
        if value.is_ascii() {
            continue;
        }
        if let Ok(text) = String::from_utf8(crate::http::latin1_bytes(value)) {
            *value = text;
            changed = true;
        }
    }
    changed.then_some(out)
}

fn verify_as_read(
    req: &RequestParts,
    keys: &Keys,
    region: &str,
    now: u64,
) -> Result<String, Failure> {
    if let Some(auth) = req.header("authorization") {
        if let Some(rest) = auth.strip_prefix("OSS ") {
            return verify_v1_header(req, keys, rest, now);
        }
        if auth.starts_with(sign_v4::ALGORITHM) {
            return verify_v4_header(req, keys, auth, region, now);
        }
        return Err(Failure::invalid_argument(
            "Authorization header is invalid: expected 'OSS <id>:<signature>' or 'OSS4-HMAC-SHA256 ...'.",
        ));
    }
    if req.query_param("Signature").is_some() {
        return verify_v1_presigned(req, keys, now);
    }
    if req.query_param("x-oss-signature").is_some() {
        return verify_v4_presigned(req, keys, region, now);
    }
    Err(Failure::access_denied(
        "AccessDenied: anonymous access is not allowed; sign the request.",
    ))
}

fn verify_v1_header(
    req: &RequestParts,
    keys: &Keys,
    rest: &str,
    now: u64,
) -> Result<String, Failure> {
    let (id, provided) = rest
        .rsplit_once(':')
        .ok_or_else(|| Failure::invalid_argument("Authorization header is invalid."))?;
    let date = sign_v1::date_line(req);
    let request_time = time::parse_rfc1123(date).ok_or_else(|| {
        Failure::access_denied("OSS authentication requires a valid Date or x-oss-date header.")
    })?;
    check_skew(request_time, now)?;
    let secret = credentials(keys, id, req.header("x-oss-security-token"), now)?;
    let sts = sign_v1::string_to_sign(req, date);
    if sign_v1::signature(&secret.secret, &sts) != provided {
        return Err(mismatch(id, provided, &sts));
    }
    Ok(id.to_string())
}

fn verify_v4_header(
    req: &RequestParts,
    keys: &Keys,
    header: &str,
    region: &str,
    now: u64,
) -> Result<String, Failure> {
    let auth = sign_v4::Authorization::parse(header)
        .ok_or_else(|| Failure::invalid_argument("Authorization header is invalid (V4)."))?;
    let datetime = req.header("x-oss-date").unwrap_or("");
    let request_time = time::parse_iso8601_basic(datetime).ok_or_else(|| {
        Failure::access_denied("V4 signatures need x-oss-date as yyyymmddTHHMMSSZ.")
    })?;
    if !datetime.starts_with(&auth.date) {
        return Err(Failure::invalid_argument(
            "The date in Credential does not match x-oss-date.",
        ));
    }
    if auth.region != region {
        return Err(Failure::invalid_argument(format!(
            "Invalid signing region in Authorization header: expected {region}, got {}.",
            auth.region
        )));
    }
    check_skew(request_time, now)?;
    let secret = credentials(
        keys,
        &auth.access_key_id,
        req.header("x-oss-security-token"),
        now,
    )?;
    let canonical = sign_v4::canonical_request(req, &auth.additional_headers);
    let sts = sign_v4::string_to_sign(&canonical, datetime, region);
    if sign_v4::signature(&secret.secret, &auth.date, region, &sts) != auth.signature {
        return Err(mismatch(&auth.access_key_id, &auth.signature, &sts)
            .with("CanonicalRequest", canonical));
    }
    Ok(auth.access_key_id)
}

fn expired(expires: u64, now: u64) -> Failure {
    Failure::access_denied("Request has expired.")
        .with("Expires", time::iso8601(expires))
        .with("ServerTime", time::iso8601(now))
}

fn verify_v1_presigned(req: &RequestParts, keys: &Keys, now: u64) -> Result<String, Failure> {
    let q = |name| req.query_param(name).unwrap_or("");
    let (id, provided) = (q("OSSAccessKeyId"), q("Signature"));
    let expires: u64 = q("Expires")
        .parse()
        .map_err(|_| Failure::access_denied("Expires must be epoch seconds."))?;
    if now > expires {
        return Err(expired(expires, now));
    }
    let secret = credentials(keys, id, req.query_param("security-token"), now)?;
    let signed = without_query(req, &["OSSAccessKeyId", "Expires", "Signature"]);
    let sts = sign_v1::string_to_sign(&signed, &expires.to_string());
    if sign_v1::signature(&secret.secret, &sts) != provided {
        return Err(mismatch(id, provided, &sts));
    }
    Ok(id.to_string())
}

fn verify_v4_presigned(
    req: &RequestParts,
    keys: &Keys,
    region: &str,
    now: u64,
) -> Result<String, Failure> {
    let q = |name| req.query_param(name).unwrap_or("");
    if q("x-oss-signature-version") != sign_v4::ALGORITHM {
        return Err(Failure::invalid_argument(
            "x-oss-signature-version must be OSS4-HMAC-SHA256.",
        ));
    }
    let credential = q("x-oss-credential");
    let mut scope = credential.split('/');
    let (id, date, cred_region) = (
        scope.next().unwrap_or(""),
        scope.next().unwrap_or(""),
        scope.next().unwrap_or(""),
    );
    if cred_region != region {
        return Err(Failure::invalid_argument(format!(
            "Invalid signing region in x-oss-credential: expected {region}."
        )));
    }
    let datetime = q("x-oss-date");
    let signed_at = time::parse_iso8601_basic(datetime)
        .filter(|_| datetime.starts_with(date))
        .ok_or_else(|| Failure::access_denied("x-oss-date is invalid."))?;
    // OSS takes 1 second to 7 days. (A larger value once overflowed the expiry time here.)
    let lifetime: u64 = q("x-oss-expires")
        .parse()
        .ok()
        .filter(|s| (1..=MAX_PRESIGNED_LIFETIME).contains(s))
        .ok_or_else(|| {
            Failure::invalid_argument("x-oss-expires must be 1 to 604800 seconds.")
                .with("ArgumentName", "x-oss-expires")
        })?;
    if now > signed_at + lifetime {
        return Err(expired(signed_at + lifetime, now));
    }
    let secret = credentials(keys, id, req.query_param("x-oss-security-token"), now)?;
    let provided = q("x-oss-signature");
    // Headers the URL's maker chose to sign besides the default ones, named (and signed) in
    // the query as alibabacloud-oss-v2 and ali-oss write them: `host;range`.
    let additional: Vec<String> = q("x-oss-additional-headers")
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    let canonical =
        sign_v4::canonical_request(&without_query(req, &["x-oss-signature"]), &additional);
    let sts = sign_v4::string_to_sign(&canonical, datetime, region);
    if sign_v4::signature(&secret.secret, date, region, &sts) != provided {
        return Err(mismatch(id, provided, &sts).with("CanonicalRequest", canonical));
    }
    Ok(id.to_string())
}
