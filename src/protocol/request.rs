//! What a signature covers: one request, described independently of any HTTP library.

/// The parts of an OSS request that signing reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestParts {
    pub method: String,
    /// `None` for service-level requests.
    pub bucket: Option<String>,
    /// `None` (or empty) for bucket-level requests. Raw UTF-8, not percent-encoded.
    pub key: Option<String>,
    /// Decoded query parameters, in any order; an empty value is a bare key (`?uploads`).
    pub query: Vec<(String, String)>,
    /// Header names in any case, values as sent.
    pub headers: Vec<(String, String)>,
}

impl RequestParts {
    /// The value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets a header, replacing any with the same name in another case.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }

    /// The value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The headers whose lower-cased name `signed` takes, as both signatures list them: one
    /// `name:value\n` each, names lower-cased, sorted, values trimmed.
    pub(crate) fn canonical_headers(&self, signed: &dyn Fn(&str) -> bool) -> String {
        let mut headers: Vec<(String, &str)> = Vec::new();
        for (k, v) in &self.headers {
            let k = k.to_ascii_lowercase();
            if signed(&k) {
                headers.push((k, v.trim()));
            }
        }
        super::order::sort_by(&mut headers, |a, b| a < b);
        let mut out = String::new();
        for (k, v) in headers {
            out.extend([k.as_str(), ":", v, "\n"]);
        }
        out
    }

    pub(crate) fn key_or_empty(&self) -> &str {
        self.key.as_deref().unwrap_or("")
    }
}

/// An AccessKey pair, optionally with the STS token that goes with it.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub security_token: Option<String>,
}

// The secret and token must never reach a log or an error message.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}
