//! What a handler of an OSS operation is given: the server's state and one authenticated
//! request to a bucket, with the query-parameter rules every handler shares.

use oss_browser_upload::protocol::encode::uri_encode;
use oss_browser_upload::protocol::request::RequestParts;

use crate::failure::Failure;
use crate::state::State;

/// One authenticated request to a bucket, as the handlers see it.
pub struct Ctx<'a> {
    pub state: &'a State,
    pub bucket: &'a str,
    pub key: &'a str,
    pub req: &'a RequestParts,
    pub now: u64,
}

impl Ctx<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.req.query_param(name)
    }

    /// `encoding-type=url` asks for keys and markers URL-encoded in XML answers.
    pub fn url_encoding(&self) -> bool {
        self.param("encoding-type") == Some("url")
    }

    pub fn encode_key(&self, key: &str) -> String {
        if self.url_encoding() {
            uri_encode(key)
        } else {
            key.to_string()
        }
    }

    /// An optional numeric query parameter, within `range`.
    pub fn number(
        &self,
        name: &str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, Failure> {
        match self.param(name) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| {
                    Failure::invalid_argument(format!(
                        "{name} must be a number from {} to {}.",
                        range.start(),
                        range.end()
                    ))
                }),
        }
    }
}
