//! Where requests go, decided as ali-oss decides it: an IP or `localhost` endpoint gets
//! path-style URLs (`http://127.0.0.1:9000/bucket/key`), a cname endpoint `/key` on that host,
//! anything else virtual-hosted (`https://bucket.oss-cn-hangzhou.aliyuncs.com/key`).

use super::encode::{build_query, uri_encode, uri_encode_path};
use crate::text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Path,
    VirtualHosted,
    Cname,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// Host and optional port, no scheme or path.
    pub host: String,
    pub style: Style,
}

fn is_loopback_or_ip(host: &str) -> bool {
    let name = if host.starts_with('[') {
        return true; // an IPv6 literal
    } else {
        text::rfind(host, b':').map_or(host, |i| &host[..i])
    };
    name == "localhost" || name.parse::<std::net::Ipv4Addr>().is_ok()
}

impl Endpoint {
    /// From ali-oss's options: `endpoint` (with or without scheme) or `region`
    /// (`oss-cn-hangzhou`), `secure` for the scheme when the endpoint names none (default
    /// https), `cname` when the endpoint is the bucket's own domain.
    pub fn new(
        endpoint: Option<&str>,
        region: Option<&str>,
        secure: Option<bool>,
        cname: bool,
    ) -> Result<Endpoint, String> {
        let raw = match (endpoint, region) {
            (Some(e), _) if !e.trim().is_empty() => e.trim().to_string(),
            (_, Some(r)) if !r.trim().is_empty() => {
                let r = r.trim();
                // `cn-hangzhou` is taken for `oss-cn-hangzhou`; a VPC region is its own host.
                let r = if r.starts_with("oss-") || r.starts_with("vpc100-") {
                    r.to_string()
                } else {
                    text::fill("oss-{}", &[r])
                };
                text::fill("{}.aliyuncs.com", &[&r])
            }
            _ => {
                return Err(
                    "set `endpoint` (e.g. 'oss-cn-hangzhou.aliyuncs.com') or `region` (e.g. 'oss-cn-hangzhou')"
                        .into(),
                )
            }
        };
        let (scheme, rest) = match text::split_once(&raw, "://") {
            Some((s, rest))
                if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") =>
            {
                (s.to_ascii_lowercase(), rest)
            }
            Some((s, _)) => {
                return Err(text::fill(
                    "endpoint scheme must be http or https, not '{}'",
                    &[s],
                ))
            }
            None if secure == Some(false) => ("http".to_string(), raw.as_str()),
            None => ("https".to_string(), raw.as_str()),
        };
        let mut host = rest;
        while let Some(h) = host.strip_suffix('/') {
            host = h;
        }
        let host = host.to_string();
        if host.is_empty() || text::find(&host, "/").is_some() || host.contains(char::is_whitespace)
        {
            return Err(text::fill(
                "endpoint '{}' must be a host, with scheme and port if any, no path",
                &[&raw],
            ));
        }
        let style = if cname {
            Style::Cname
        } else if is_loopback_or_ip(&host) {
            Style::Path
        } else {
            Style::VirtualHosted
        };
        Ok(Endpoint {
            scheme,
            host,
            style,
        })
    }

    /// ali-oss's `sldEnable`: the bucket goes in the path on any host (a private deployment,
    /// a proxy), not in the host name. A cname endpoint stays as it is.
    pub fn path_style(mut self, on: bool) -> Endpoint {
        if on && self.style == Style::VirtualHosted {
            self.style = Style::Path;
        }
        self
    }

    /// The URL of a bucket-level (`key` = `None`) or object request.
    pub fn url(&self, bucket: &str, key: Option<&str>, query: &[(String, String)]) -> String {
        // A `.` or `..` path segment is resolved away by every browser's URL parser (WHATWG),
        // so the request would reach another object than the one signed. Such a key goes with
        // its slashes encoded, as one segment no parser touches; OSS decodes `%2F` back (the
        // official C SDK encodes every `/` so). The signature covers the key itself either way.
        let key = key.unwrap_or("");
        let key = if text::split(key, "/").any(|s| s == "." || s == "..") {
            uri_encode(key)
        } else {
            uri_encode_path(key)
        };
        let (s, h) = (self.scheme.as_str(), self.host.as_str());
        let mut url = match self.style {
            Style::Path => text::fill("{}://{}/{}/{}", &[s, h, bucket, &key]),
            Style::VirtualHosted => text::fill("{}://{}.{}/{}", &[s, bucket, h, &key]),
            Style::Cname => text::fill("{}://{}/{}", &[s, h, &key]),
        };
        if !query.is_empty() {
            url.push('?');
            url.push_str(&build_query(query));
        }
        url
    }

    /// The region a V4 signature is scoped to: the option if given (without `oss-`), else
    /// read from an `oss-<region>.aliyuncs.com` endpoint, else `cn-hangzhou`.
    pub fn v4_region(&self, region: Option<&str>) -> String {
        if let Some(r) = region.filter(|r| !r.trim().is_empty()) {
            // Every leading `oss-`, as trim_start_matches, whose searcher costs the wasm 0.7 KB.
            let mut r = r.trim();
            while let Some(rest) = r.strip_prefix("oss-") {
                r = rest;
            }
            return r.into();
        }
        text::split(&self.host, ".")
            .next()
            .and_then(|first| first.strip_prefix("oss-"))
            .map(|mut r| {
                // Every trailing `-internal`, as trim_end_matches.
                while let Some(rest) = r.strip_suffix("-internal") {
                    r = rest;
                }
                r.to_string()
            })
            .unwrap_or_else(|| "cn-hangzhou".to_string())
    }
}

/// A bucket name as ali-oss accepts one for an existing bucket: 3–63 of `a-z 0-9 - _`, not
/// starting or ending with `-`.
pub fn valid_bucket(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_travel_as_one_segment() {
        let e = Endpoint::new(Some("http://127.0.0.1:9000"), None, None, false).unwrap();
        assert_eq!(
            e.url("b", Some("reports/q1/../summary.txt"), &[]),
            "http://127.0.0.1:9000/b/reports%2Fq1%2F..%2Fsummary.txt"
        );
        assert_eq!(
            e.url("b", Some("a/b.c/d"), &[]),
            "http://127.0.0.1:9000/b/a/b.c/d"
        );
    }

    #[test]
    fn chooses_the_style_like_ali_oss() {
        let local = Endpoint::new(Some("http://127.0.0.1:9000"), None, None, false).unwrap();
        assert_eq!(
            local.url("b", Some("a b/c"), &[]),
            "http://127.0.0.1:9000/b/a%20b/c"
        );
        let localhost = Endpoint::new(Some("http://localhost:9000/"), None, None, false).unwrap();
        assert_eq!(localhost.style, Style::Path);
        let region = Endpoint::new(None, Some("oss-cn-hangzhou"), None, false).unwrap();
        assert_eq!(
            region.url("b", Some("k"), &[("uploads".into(), "".into())]),
            "https://b.oss-cn-hangzhou.aliyuncs.com/k?uploads"
        );
        let plain = Endpoint::new(
            Some("oss-cn-beijing.aliyuncs.com"),
            None,
            Some(false),
            false,
        )
        .unwrap();
        assert_eq!(
            plain.url("b", None, &[]),
            "http://b.oss-cn-beijing.aliyuncs.com/"
        );
        assert_eq!(plain.v4_region(None), "cn-beijing");
        assert_eq!(plain.v4_region(Some("oss-cn-shanghai")), "cn-shanghai");
        let cname = Endpoint::new(Some("https://cdn.example.com"), None, None, true).unwrap();
        assert_eq!(cname.url("b", Some("k"), &[]), "https://cdn.example.com/k");
        // sldEnable: the bucket in the path, whatever the host.
        let sld = Endpoint::new(Some("https://oss.internal.example"), None, None, false)
            .unwrap()
            .path_style(true);
        assert_eq!(
            sld.url("b", Some("k"), &[]),
            "https://oss.internal.example/b/k"
        );
        assert_eq!(cname.clone().path_style(true).style, Style::Cname);
    }

    #[test]
    fn refuses_what_is_not_an_endpoint() {
        assert!(Endpoint::new(None, None, None, false).is_err());
        assert!(Endpoint::new(Some("ftp://x"), None, None, false).is_err());
        assert!(Endpoint::new(Some("http://x/path"), None, None, false).is_err());
        assert!(Endpoint::new(Some("  "), Some(""), None, false).is_err());
    }

    #[test]
    fn bucket_names_as_ali_oss_checks_them() {
        for ok in ["demo-bucket", "abc", "a_b", "x".repeat(63).as_str()] {
            assert!(valid_bucket(ok), "{ok}");
        }
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "ABC",
            "a.b",
            "",
            "x".repeat(64).as_str(),
        ] {
            assert!(!valid_bucket(bad), "{bad}");
        }
    }
}
