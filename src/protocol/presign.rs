//! Presigned URLs: the signature travels in the query instead of `Authorization`.
//!
//! V1: `OSSAccessKeyId`, `Expires` (absolute epoch seconds, which fills the Date line) and
//! `Signature`; an STS token is the sub-resource `security-token`.
//! V4: `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, `x-oss-expires` (seconds
//! relative to `x-oss-date`), optional `x-oss-security-token`, all signed, then `x-oss-signature`.

use super::request::{Credentials, RequestParts};
use super::{sign_v1, sign_v4};

/// The query pairs to append (to `req.query`'s own) for a V1 presigned URL.
pub fn v1_query(
    req: &RequestParts,
    creds: &Credentials,
    expires_epoch: u64,
) -> Vec<(String, String)> {
    let mut signed = req.clone();
    if let Some(token) = &creds.security_token {
        signed.query.push(("security-token".into(), token.clone()));
    }
    let sts = sign_v1::string_to_sign(&signed, &expires_epoch.to_string());
    let mut out = vec![
        ("OSSAccessKeyId".to_string(), creds.access_key_id.clone()),
        ("Expires".to_string(), expires_epoch.to_string()),
        (
            "Signature".to_string(),
            sign_v1::signature(&creds.access_key_secret, &sts),
        ),
    ];
    if let Some(token) = &creds.security_token {
        out.push(("security-token".into(), token.clone()));
    }
    out
}

/// The query pairs to append for a V4 presigned URL signed at `datetime` for `expires_in` s.
/// `additional`: the further headers (lower-case) the signature covers, as
/// `x-oss-additional-headers` names them.
pub fn v4_query(
    req: &RequestParts,
    creds: &Credentials,
    datetime: &str,
    expires_in: u64,
    region: &str,
    additional: &[String],
) -> Vec<(String, String)> {
    let date = datetime.get(..8).unwrap_or(datetime);
    let mut added = vec![
        (
            "x-oss-signature-version".to_string(),
            sign_v4::ALGORITHM.to_string(),
        ),
        (
            "x-oss-credential".to_string(),
            format!("{}/{}", creds.access_key_id, sign_v4::scope(date, region)),
        ),
        ("x-oss-date".to_string(), datetime.to_string()),
        ("x-oss-expires".to_string(), expires_in.to_string()),
    ];
    if !additional.is_empty() {
        let mut names = additional.to_vec();
        crate::protocol::order::sort_by(&mut names, |a, b| a < b);
        added.push(("x-oss-additional-headers".into(), names.join(";")));
    }
    if let Some(token) = &creds.security_token {
        added.push(("x-oss-security-token".into(), token.clone()));
    }
    let mut signed = req.clone();
    signed.query.extend(added.iter().cloned());
    let sts = sign_v4::string_to_sign(
        &sign_v4::canonical_request(&signed, additional),
        datetime,
        region,
    );
    added.push((
        "x-oss-signature".to_string(),
        sign_v4::signature(&creds.access_key_secret, date, region, &sts),
    ));
    added
}
