//! Percent-encoding as OSS canonicalises it: RFC 3986, only unreserved characters kept.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but `A-Z a-z 0-9 - _ . ~` is encoded (oss2's `v2_uri_encode`).
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// As [`STRICT`] but `/` kept, for object keys in paths.
const PATH: &AsciiSet = &STRICT.remove(b'/');

/// Encodes a query name or value.
pub fn uri_encode(s: &str) -> String {
    // Collected, not `to_string()`: that would go through core::fmt (see crate::text).
    utf8_percent_encode(s, STRICT).collect()
}

/// Encodes an object key for a URL path, keeping `/`.
pub fn uri_encode_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).collect()
}

/// Decodes a percent-encoded path or query component; `None` if it is not UTF-8.
pub fn uri_decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Decodes an `application/x-www-form-urlencoded`-style query component (`+` is a space).
pub fn query_decode(s: &str) -> Option<String> {
    uri_decode(&s.replace('+', " "))
}

/// Splits a raw query string into decoded pairs; a bare key has an empty value.
pub fn parse_query(raw: &str) -> Option<Vec<(String, String)>> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((query_decode(k)?, query_decode(v)?))
        })
        .collect()
}

/// The pairs with each side encoded.
pub fn encode_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        out.push((uri_encode(k), uri_encode(v)));
    }
    out
}

/// Builds a query string from pairs, encoding each side; an empty value is a bare key.
pub fn build_query(pairs: &[(String, String)]) -> String {
    join_query(&encode_pairs(pairs))
}

/// Pairs already in their final form as `k=v&k2`: an empty value is a bare key, as both
/// signatures' canonical forms and a URL's query write it.
pub fn join_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_utf8() {
        assert_eq!(uri_encode_path("a b/(1)+é"), "a%20b/%281%29%2B%C3%A9");
        assert_eq!(uri_encode("a/b=c"), "a%2Fb%3Dc");
        assert_eq!(uri_encode("-_.~"), "-_.~");
    }

    #[test]
    fn query_round_trip() {
        let pairs = parse_query("uploads&prefix=a%2Fb+c&x=").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("uploads".into(), "".into()),
                ("prefix".into(), "a/b c".into()),
                ("x".into(), "".into())
            ]
        );
        assert_eq!(build_query(&pairs[..2]), "uploads&prefix=a%2Fb%20c");
    }

    #[test]
    fn rejects_invalid_utf8() {
        assert_eq!(uri_decode("%FF"), None);
    }
}
