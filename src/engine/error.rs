//! Every failure an operation ends with: ali-oss's shape (`name`, `code`, `status`,
//! `requestId`, `hostId`) and a message that says what to do. The browser edge turns it into a
//! JavaScript `Error` with those fields.

use crate::protocol::error::OssError;
use crate::text::{self, int};

/// ali-oss names a cancelled upload's error `cancel`; users test for it.
pub const CANCEL: &str = "cancel";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub name: String,
    pub code: String,
    pub message: String,
    /// The HTTP status; as in ali-oss, -1 for a network failure, -2 for a timeout, 0 when
    /// nothing was asked of the server.
    pub status: i32,
    pub request_id: String,
    pub host_id: String,
    /// The error body's further fields (`ServerTime`, `StringToSign`, …), set on the
    /// JavaScript error as ali-oss does.
    pub extra: Vec<(String, String)>,
    /// The part that failed, in a multipart upload (ali-oss's `partNum`).
    pub part: Option<u32>,
}

impl Error {
    pub fn new(name: &str, code: &str, message: impl Into<String>) -> Error {
        Error {
            name: name.into(),
            code: code.into(),
            message: message.into(),
            status: 0,
            request_id: String::new(),
            host_id: String::new(),
            extra: Vec::new(),
            part: None,
        }
    }

    pub fn is_cancel(&self) -> bool {
        self.name == CANCEL
    }

    pub fn argument(message: impl Into<String>) -> Error {
        Error::new("ArgumentError", "InvalidArgument", message)
    }

    pub fn credentials(message: impl Into<String>) -> Error {
        Error::new("CredentialsError", "InvalidCredentials", message)
    }

    pub fn network(detail: &str) -> Error {
        let mut e = Error::new(
            "RequestError",
            "RequestError",
            text::fill("The request failed before OSS answered ({}): check the network, the endpoint, and the bucket's CORS rules for this origin.", &[detail]),
        );
        e.status = -1;
        e
    }

    pub fn timeout(ms: u32) -> Error {
        let mut e = Error::new(
            "ConnectionTimeoutError",
            "ConnectionTimeoutError",
            text::fill(
                "No progress for {} ms on every try: the link is down or stalled. Check it, or raise `timeout` for a slow server.",
                &[&int(ms.into())],
            ),
        );
        e.status = -2;
        e
    }

    /// ali-oss's `abort`: the upload ID a part was sent to is gone (aborted elsewhere, or
    /// expired), so the upload cannot go on.
    pub fn upload_gone(mut e: Error) -> Error {
        e.name = "abort".into();
        e.message = text::fill("upload task has been abort: OSS no longer knows this upload ID ({}); start the upload again.", &[&e.message]);
        e
    }

    pub fn cancelled() -> Error {
        Error::new(
            CANCEL,
            "Cancelled",
            "The upload was cancelled; pass the checkpoint back to resume it.",
        )
    }

    pub fn etag_not_exposed() -> Error {
        Error::new(
            "ETagNotExposedError",
            "ETagNotExposed",
            "The browser hides OSS's ETag: add ETag, x-oss-request-id and x-oss-hash-crc64ecma to the bucket's CORS ExposeHeaders.",
        )
    }

    pub fn file_unreadable() -> Error {
        Error::new(
            "FileUnreadableError",
            "FileUnreadable",
            "The browser can no longer read the file (moved, changed or deleted since it was picked): pick it again; a saved upload resumes.",
        )
    }

    /// The server's CRC64 disagrees with ours (oss2 names this InconsistentError).
    pub fn inconsistent(what: &str, ours: u64, theirs: &str) -> Error {
        Error::new(
            "InconsistentError",
            "InconsistentError",
            text::fill("The CRC64 of {} differs here ({}) and at OSS ({}): the bytes changed on the way. Upload it again.", &[what, &int(ours), theirs]),
        )
    }

    /// The stream given to putStream failed while it was read.
    pub fn stream_failed(detail: &str) -> Error {
        Error::new(
            "StreamError",
            "StreamError",
            text::fill("The stream failed as it was read ({}); nothing was stored. Upload again from a fresh stream.", &[detail]),
        )
    }

    pub fn in_progress() -> Error {
        Error::new(
            "UploadInProgressError",
            "UploadInProgress",
            "This file is already uploading to this object (another tab or call): wait for it or cancel it, then try again.",
        )
    }

    pub fn bad_response(status: u16, detail: &str) -> Error {
        let mut e = Error::new(
            "ResponseError",
            "InvalidResponse",
            text::fill("OSS sent an answer this client cannot read: {}.", &[detail]),
        );
        e.status = status.into();
        e
    }

    /// An error answer: OSS's error XML when the body is one, else an error named for the
    /// status. `request_id` is the answer's header, for bodies that lack one.
    pub fn from_answer(status: u16, body: &str, request_id: &str) -> Error {
        let status_text = int(status.into());
        match OssError::parse(status, body) {
            Some(e) => {
                let mut message = if e.message.is_empty() {
                    text::fill("OSS answered {} {}", &[&status_text, &e.code])
                } else {
                    e.message
                };
                // As ali-oss words it, which apps and its tests compare.
                if let Some((_, c)) = e.extra.iter().find(|(k, _)| k == "Condition") {
                    message = text::fill("{} (condition: {})", &[&message, c]);
                }
                Error {
                    name: text::fill("{}Error", &[&e.code]),
                    code: e.code,
                    message,
                    status: status.into(),
                    request_id: e.request_id,
                    host_id: e.host_id,
                    extra: {
                        let mut extra = e.extra;
                        extra.retain(|(k, _)| k != "StringToSignBytes");
                        extra
                    },
                    part: None,
                }
            }
            None => {
                // As ali-oss names them, so apps' `err.code === 'NoSuchKey'` after head() holds.
                let (code, what) = match status {
                    404 => ("NoSuchKey", "the object does not exist"),
                    412 => ("PreconditionFailed", "a precondition failed"),
                    _ => ("Unknown", "no error details"),
                };
                // OSS names every answer with a request ID; a bare 5xx without one (a
                // gateway's HTML page) comes from something on the way.
                let message = if status >= 500 && request_id.is_empty() {
                    text::fill("Got {} with no OSS error and no request ID, so a proxy or gateway between \
                         this page and OSS may have sent it. Try again later; if it persists, \
                         check the endpoint and any proxy on the way.", &[&status_text])
                } else {
                    text::fill("OSS answered {}: {}.", &[&status_text, what])
                };
                let mut e = Error::new(
                    &text::fill("{}Error", &[code]),
                    if code == "Unknown" {
                        "UnknownError"
                    } else {
                        code
                    },
                    message,
                );
                e.status = status.into();
                e.request_id = request_id.into();
                e
            }
        }
    }

    /// OSS echoes the string it signed, which holds the STS token: keep it out of errors.
    pub fn scrub(mut self, token: &str) -> Error {
        if token.is_empty() {
            return self;
        }
        let hide = |s: &mut String| {
            if text::find(s, token).is_some() {
                *s = text::replace(s, token, "<security-token>");
            }
        };
        hide(&mut self.message);
        for (_, v) in &mut self.extra {
            hide(v);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn an_answer_without_oss_error_xml_is_named_for_its_status() {
        let e = Error::from_answer(404, "", "RID");
        assert_eq!((e.code.as_str(), e.status), ("NoSuchKey", 404));
        assert_eq!(e.request_id, "RID");
        let gateway = Error::from_answer(502, "<html><h1>502 Bad Gateway</h1></html>", "");
        assert_eq!(
            (gateway.name.as_str(), gateway.status),
            ("UnknownError", 502)
        );
        assert!(
            gateway.message.contains("proxy or gateway"),
            "{}",
            gateway.message
        );
        let oss = Error::from_answer(
            503,
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
            "",
        );
        assert_eq!(
            (oss.name.as_str(), oss.message.as_str()),
            ("SlowDownError", "Please reduce your request rate.")
        );
    }
}
