//! Who may call the server from a web page, in two layers.
//!
//! First the server's own gate: a request that carries an `Origin` is answered only if that
//! origin is allowed (`--allow-origin`, by default pages served from loopback: `http://localhost`,
//! `http://127.0.0.1` and `http://[::1]`, any port); any other origin gets 403 and no CORS
//! headers, on every endpoint, `/_emulator/` ones included, and nothing is carried out. A page
//! on the open web that the developer happens to open thus cannot read or write their local
//! buckets, nor mint credentials. Requests without `Origin` (SDKs, curl) are not browsers' and pass.
//!
//! Then CORS as an OSS bucket applies it: preflights are unauthenticated and matched on origin,
//! method and every requested header; a matching rule adds its headers to actual responses.
//! A Private Network Access preflight (`Access-Control-Request-Private-Network: true`, sent by
//! Chromium before a public page may reach a loopback server) is granted along with it.

use serde::Deserialize;

use crate::failure::Failure;
use crate::http::Head;
use crate::reply::Reply;

/// Whether a page from `origin` may call the server. `SCHEME://HOST:*` stands for that host
/// with any port or none; other patterns match as CORS rules do (`*` any run of characters).
pub fn origin_allowed(patterns: &[String], origin: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix(":*") {
        Some(host) if !host.contains('*') => {
            let origin = origin.to_ascii_lowercase();
            let rest = origin.strip_prefix(&host.to_ascii_lowercase());
            rest.is_some_and(|r| {
                r.is_empty()
                    || r.strip_prefix(':').is_some_and(|port| {
                        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                    })
            })
        }
        _ => wildcard(p, origin),
    })
}

/// The answer to a request from an origin the server does not serve.
pub fn forbidden_origin(origin: &str) -> Failure {
    Failure::new(
        403,
        "AccessForbidden",
        format!(
            "CORSResponse: pages from {origin} may not call this server; start it with --allow-origin to allow them."
        ),
    )
    .with("Origin", origin)
}

/// Answers a preflight by `rules`: 403 if no rule allows the origin, method and every
/// requested header.
pub fn preflight(rules: &[Rule], head: &Head) -> Result<Reply, Failure> {
    let origin = head.header("origin").unwrap_or("");
    let method = head.header("access-control-request-method").unwrap_or("");
    let requested = head.header("access-control-request-headers").unwrap_or("");
    let names: Vec<&str> = requested
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let rule = matching(rules, origin, method, &names).ok_or_else(|| {
        Failure::new(
            403,
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed. The Origin, the request method or a requested header is not allowed by the bucket's CORS rules.",
        )
    })?;
    let mut reply = Reply::empty(200);
    reply.headers = rule.headers(origin);
    if !requested.is_empty() {
        reply = reply.header("access-control-allow-headers", requested);
    }
    if head
        .header("access-control-request-private-network")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        reply = reply.header("access-control-allow-private-network", "true");
    }
    Ok(reply)
}

/// The CORS headers of an actual (not preflight) response to `origin`.
pub fn response_headers(
    rules: &[Rule],
    origin: Option<&str>,
    method: &str,
) -> Vec<(String, String)> {
    origin
        .and_then(|o| matching(rules, o, method, &[]).map(|rule| rule.headers(o)))
        .unwrap_or_default()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    pub allowed_origins: Vec<String>,
    pub allowed_methods: Vec<String>,
    #[serde(default)]
    pub allowed_headers: Vec<String>,
    #[serde(default)]
    pub expose_headers: Vec<String>,
    pub max_age_seconds: Option<u64>,
}

/// The rule a browser client needs, exposing what it must read.
pub fn permissive() -> Vec<Rule> {
    vec![Rule {
        allowed_origins: vec!["*".into()],
        allowed_methods: ["GET", "PUT", "POST", "DELETE", "HEAD"]
            .map(String::from)
            .to_vec(),
        allowed_headers: vec!["*".into()],
        expose_headers: [
            "ETag",
            "x-oss-request-id",
            "x-oss-hash-crc64ecma",
            "x-oss-err",
            "x-oss-object-type",
            "x-oss-next-append-position",
            "Content-Range",
            "Date",
        ]
        .map(String::from)
        .to_vec(),
        max_age_seconds: Some(600),
    }]
}

/// `*` matches any run of characters, as OSS's wildcard does.
fn wildcard(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern.eq_ignore_ascii_case(value),
        Some((head, tail)) => {
            let v = value.to_ascii_lowercase();
            v.len() >= head.len() + tail.len()
                && v.starts_with(&head.to_ascii_lowercase())
                && v.ends_with(&tail.to_ascii_lowercase())
        }
    }
}

impl Rule {
    fn allows(&self, origin: &str, method: &str, headers: &[&str]) -> bool {
        self.allowed_origins.iter().any(|o| wildcard(o, origin))
            && self
                .allowed_methods
                .iter()
                .any(|m| m.eq_ignore_ascii_case(method))
            && headers
                .iter()
                .all(|h| self.allowed_headers.iter().any(|p| wildcard(p, h)))
    }

    /// The response headers this rule adds for `origin`.
    pub fn headers(&self, origin: &str) -> Vec<(String, String)> {
        let mut out = vec![
            ("access-control-allow-origin".into(), origin.to_string()),
            (
                "access-control-allow-methods".into(),
                self.allowed_methods.join(", "),
            ),
            ("vary".into(), "Origin".into()),
        ];
        if !self.expose_headers.is_empty() {
            out.push((
                "access-control-expose-headers".into(),
                self.expose_headers.join(", "),
            ));
        }
        if let Some(age) = self.max_age_seconds {
            out.push(("access-control-max-age".into(), age.to_string()));
        }
        out
    }
}

/// The first rule that allows a request, if any.
pub fn matching<'a>(
    rules: &'a [Rule],
    origin: &str,
    method: &str,
    headers: &[&str],
) -> Option<&'a Rule> {
    rules.iter().find(|r| r.allows(origin, method, headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_origin_method_and_headers() {
        let strict = Rule {
            allowed_origins: vec!["http://*.example.com".into()],
            allowed_methods: vec!["PUT".into()],
            allowed_headers: vec!["x-oss-*".into(), "authorization".into()],
            expose_headers: vec![],
            max_age_seconds: None,
        };
        let rules = vec![strict];
        assert!(matching(
            &rules,
            "http://a.example.com",
            "put",
            &["x-oss-date", "Authorization"]
        )
        .is_some());
        assert!(matching(&rules, "http://a.example.org", "PUT", &[]).is_none());
        assert!(matching(&rules, "http://a.example.com", "GET", &[]).is_none());
        assert!(matching(&rules, "http://a.example.com", "PUT", &["content-md5"]).is_none());
        assert!(matching(&permissive(), "http://x", "POST", &["anything"]).is_some());
    }

    #[test]
    fn loopback_origins_with_or_without_a_port_and_nothing_else() {
        let loopback: Vec<String> = crate::config::DEFAULT_ORIGINS.map(String::from).to_vec();
        for ok in [
            "http://localhost:5173",
            "http://localhost",
            "http://127.0.0.1:9000",
            "http://[::1]:8080",
        ] {
            assert!(origin_allowed(&loopback, ok), "{ok}");
        }
        for refused in [
            "https://evil.example",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example:80",
            "https://localhost:443",
            "null",
            "http://10.0.0.1:9000",
            "http://localhost:9000.evil.example",
        ] {
            assert!(!origin_allowed(&loopback, refused), "{refused}");
        }
        assert!(origin_allowed(&["*".into()], "https://evil.example"));
    }
}
