//! CORS as an OSS bucket applies it: preflights are unauthenticated and matched on origin,
//! method and every requested header; a matching rule adds its headers to actual responses.

use serde::Deserialize;

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
}
