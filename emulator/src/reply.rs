//! What a handler answers before the server adds the common headers.

use bytes::Bytes;

#[derive(Debug, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Reply {
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::default()
        }
    }

    pub fn xml(body: String) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/xml".into())],
            body: Bytes::from(body),
        }
    }

    pub fn json(body: &impl serde::Serialize) -> Reply {
        match serde_json::to_vec(body) {
            Ok(body) => Reply {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: Bytes::from(body),
            },
            // What the endpoints answer is JSON values and plain records, which serde always
            // writes: a value it cannot is a bug, and is answered as one, not as an empty 200.
            Err(e) => Reply {
                status: 500,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: Bytes::from(format!("The answer could not be written as JSON: {e}")),
            },
        }
    }

    /// JSON that arrived as bytes (a callback server's answer), passed on as it is.
    pub fn json_bytes(body: Bytes) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}
