//! Presigned URLs: the signature travels in the query instead of `Authorization`.
//!
//! V1: `OSSAccessKeyId`, `Expires` (absolute epoch seconds, which fills the Date line) and
//! `Signature`; an STS token is the sub-resource `security-token`.
//! V4: `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, `x-oss-expires` (seconds
//! relative to `x-oss-date`), optional `x-oss-security-token`, all signed, then `x-oss-signature`.

use super::request::{Credentials, RequestParts};
use super::{sign_v1, sign_v4};
use crate::text::{self, int};

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
    let expires = int(expires_epoch);
    let sts = sign_v1::string_to_sign(&signed, &expires);
    let mut out = vec![
        ("OSSAccessKeyId".to_string(), creds.access_key_id.clone()),
        ("Expires".to_string(), expires),
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
            text::fill(
                "{}/{}",
                &[&creds.access_key_id, &sign_v4::scope(date, region)],
            ),
        ),
        ("x-oss-date".to_string(), datetime.to_string()),
        ("x-oss-expires".to_string(), int(expires_in)),
    ];
    if !additional.is_empty() {
        let names = sign_v4::additional_headers(additional);
        added.push(("x-oss-additional-headers".into(), names));
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

/// The headers a presigned GET can override with `response-*` query parameters (GetObject's
/// `response-content-disposition` and its five siblings), named as ali-oss's `response` option
/// takes them. OSS ignores any other `response-*` parameter, so a download would not be renamed
/// or retyped as asked.
pub const RESPONSE_OVERRIDES: [&str; 6] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-type",
    "expires",
];

/// The known option `key` was surely meant as, if it is not one: the same name in another case or
/// without its hyphens (`Expires`, `contentType`), or one letter added, dropped, changed or two
/// swapped (`expire`, `respones`). Names further off are not guessed at: ali-oss ignores options
/// it does not know, and apps pass such extras.
pub fn meant<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let fold = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let key = fold(key);
    known
        .iter()
        .find(|k| within_one_edit(&key, &fold(k)))
        .copied()
}

/// Whether `a` becomes `b` by at most one insertion, deletion, substitution or swap of
/// neighbours (optimal string alignment distance ≤ 1).
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[start..], &b[start..]);
    match (a.len(), b.len()) {
        (0, n) | (n, 0) => n <= 1,
        (x, y) if x == y => {
            a[1..] == b[1..] || (x >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..])
        }
        (x, y) if x + 1 == y => a == &b[1..],
        (x, y) if y + 1 == x => &a[1..] == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::meant;

    const KNOWN: [&str; 4] = ["expires", "method", "response", "Content-Type"];

    #[test]
    fn a_near_miss_of_a_known_option_is_recognised() {
        for (key, known) in [
            ("expire", "expires"),
            ("Expires", "expires"),
            ("expiress", "expires"),
            ("expirse", "expires"),
            ("methd", "method"),
            ("METHOD", "method"),
            ("respones", "response"),
            ("responses", "response"),
            ("contentType", "Content-Type"),
            ("content_type", "Content-Type"),
            ("metgod", "method"),
            ("expiires", "expires"),
            ("mehtod", "method"),
            ("éxpires", "expires"),
        ] {
            assert_eq!(meant(key, &KNOWN), Some(known), "{key}");
        }
    }

    #[test]
    fn other_names_are_not_guessed_at() {
        // ali-oss's own suite passes `filename` and `testParameters` and expects them ignored.
        for key in [
            "filename",
            "testParameters",
            "expiry",
            "headers",
            "timeout",
            "versionId",
            "queries",
            "progress",
            "éxpirés",
            "x",
            "",
        ] {
            assert_eq!(meant(key, &KNOWN), None, "{key}");
        }
    }
}
