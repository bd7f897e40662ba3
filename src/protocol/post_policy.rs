//! A PostObject form's authority, signed with credentials in hand: a policy for one object (its
//! bucket, its name and its size exactly, for a few minutes), signed V1 (`OSSAccessKeyId`,
//! `Signature`) or V4 (`x-oss-signature-version`, `x-oss-credential`, `x-oss-date`,
//! `x-oss-signature`), as OSS's PostObject reference and ali-oss's helpers write them.

use base64::Engine;

use super::request::Credentials;
use super::{sign_v1, sign_v4, time};
use crate::text;

/// How long a policy signed here lives: the form is sent at once, and signed again for a retry.
pub const LIFETIME_SECS: u64 = 15 * 60;

/// Whether OSS takes header `name` from a PostObject form's field as PutObject takes it from
/// the header, as OSS's PostObject reference lists its fields: the object's type, its standard
/// headers and meta, its ACL and encryption. Not `x-oss-forbid-overwrite`: a form a CORS rule
/// refuses is still carried out, and the PutObject after it would find the object made.
pub fn form_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("x-oss-meta-")
        || matches!(
            name.as_str(),
            "content-type"
                | "cache-control"
                | "content-disposition"
                | "content-encoding"
                | "expires"
                | "x-oss-object-acl"
                | "x-oss-server-side-encryption"
        )
}

/// `s` as a JSON string: quotes, backslashes and control characters escaped.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(b"0123456789abcdef"[(c as usize) >> 4]));
                out.push(char::from(b"0123456789abcdef"[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The policy's JSON: `key` in `bucket`, `size` bytes, until `LIFETIME_SECS` after `now`, and
/// each of `exact` (a form field and the value it must have).
pub fn policy(bucket: &str, key: &str, size: u64, now: u64, exact: &[(&str, &str)]) -> String {
    let expiration = time::iso8601(now + LIFETIME_SECS);
    let size = text::int(size);
    let mut conditions = text::fill(
        r#"{"bucket":{}},["eq","$key",{}],["content-length-range",{},{}]"#,
        &[&json_string(bucket), &json_string(key), &size, &size],
    );
    for (field, value) in exact {
        conditions.push_str(&text::fill(
            ",{{}:{}}",
            &[&json_string(field), &json_string(value)],
        ));
    }
    text::fill(
        r#"{"expiration":"{}","conditions":[{}]}"#,
        &[&expiration, &conditions],
    )
}

/// The fields that authorise a form for `key` (`policy` and its signature, and the STS token),
/// signed at `now` (seconds) by V4 in `v4_region`, else by V1. A V4 policy names its own
/// signing fields, as OSS requires (`x-oss-date` must match the policy's).
pub fn fields(
    creds: &Credentials,
    (bucket, key, size): (&str, &str, u64),
    now: u64,
    v4_region: Option<&str>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(6);
    if let Some(region) = v4_region {
        let stamp = time::iso8601_basic(now);
        let credential = text::fill(
            "{}/{}/{}/oss/aliyun_v4_request",
            &[&creds.access_key_id, &stamp[..8], region],
        );
        out.push(("x-oss-signature-version".into(), "OSS4-HMAC-SHA256".into()));
        out.push(("x-oss-credential".into(), credential));
        out.push(("x-oss-date".into(), stamp));
    } else {
        out.push(("OSSAccessKeyId".into(), creds.access_key_id.clone()));
    }
    if let Some(token) = &creds.security_token {
        out.push(("x-oss-security-token".into(), token.clone()));
    }
    let mut exact: Vec<(&str, &str)> = Vec::new();
    if v4_region.is_some() {
        for (k, v) in &out {
            exact.push((k, v));
        }
    }
    let text = policy(bucket, key, size, now, &exact);
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let secret = &creds.access_key_secret;
    let signature = match v4_region {
        Some(region) => {
            let day = time::iso8601_basic(now);
            (
                "x-oss-signature",
                sign_v4::signature(secret, &day[..8], region, &encoded),
            )
        }
        None => ("Signature", sign_v1::signature(secret, &encoded)),
    };
    out.push((signature.0.into(), signature.1));
    out.push(("policy".into(), encoded));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_object_exactly_and_escapes_its_name() {
        let p = policy("b", "a \"quoted\"\\name\n", 5, 0, &[]);
        assert_eq!(
            p,
            r#"{"expiration":"1970-01-01T00:15:00.000Z","conditions":[{"bucket":"b"},["eq","$key","a \"quoted\"\\name\u000a"],["content-length-range",5,5]]}"#
        );
    }

    #[test]
    fn v1_and_v4_fields_sign_the_encoded_policy() {
        let creds = Credentials {
            access_key_id: "id".into(),
            access_key_secret: "secret".into(),
            security_token: Some("token".into()),
        };
        let get = |f: &[(String, String)], k: &str| {
            f.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let v1 = fields(&creds, ("b", "k", 1), 1_700_000_000, None);
        let encoded = get(&v1, "policy");
        assert_eq!(
            get(&v1, "Signature"),
            sign_v1::signature("secret", &encoded)
        );
        assert_eq!(get(&v1, "x-oss-security-token"), "token");
        let v4 = fields(&creds, ("b", "k", 1), 1_700_000_000, Some("cn-hangzhou"));
        assert_eq!(
            get(&v4, "x-oss-credential"),
            "id/20231114/cn-hangzhou/oss/aliyun_v4_request"
        );
        assert_eq!(
            get(&v4, "x-oss-signature"),
            sign_v4::signature("secret", "20231114", "cn-hangzhou", &get(&v4, "policy"))
        );
    }
}
