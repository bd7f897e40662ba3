//! The HTTP edge, in both directions: a request's head as the server reads it (header values
//! kept as the bytes received), its body read under a fault's throttle or cut-off, and a reply
//! turned into a response with OSS's common headers and error format.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::Response;
use oss_browser_upload::protocol::error::OssError;
use oss_browser_upload::protocol::time;

use crate::failure::Failure;
use crate::faults::{throttle_wait, Action};
use crate::reply::Reply;

/// The request must end without an answer: the connection is dropped (a fault cut it off, or
/// the answer is to be lost on its way back). Unread body bytes make the kernel send a RST.
#[derive(Debug)]
pub struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by fault injection")
    }
}

impl std::error::Error for Reset {}

/// An answer's body: whole, or (a fault) broken off half way. Its length is announced whole
/// either way, so a client sees the connection drop while it reads, as on a failing link.
pub struct AnswerBody {
    rest: Option<Bytes>,
    len: u64,
    /// For a cut answer: the pause before the connection drops, so that what was sent is
    /// flushed first (the server buffers its writes).
    cut: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl AnswerBody {
    /// Sends (up to) the first half of the body, then drops the connection.
    pub fn cut_off(&mut self) {
        self.cut = Some(Box::pin(tokio::time::sleep(Duration::from_millis(50))));
        if let Some(b) = &mut self.rest {
            b.truncate(b.len() / 2);
        }
    }
}

impl hyper::body::Body for AnswerBody {
    type Data = Bytes;
    type Error = Reset;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Reset>>> {
        if let Some(b) = self.rest.take() {
            return Poll::Ready(Some(Ok(hyper::body::Frame::data(b))));
        }
        match &mut self.cut {
            Some(pause) => pause.as_mut().poll(cx).map(|()| Some(Err(Reset))),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_none() && self.cut.is_none()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.len)
    }
}

/// Header bytes as text, one character per byte (ISO-8859-1). Browsers send a header value
/// as one Latin-1 byte per character, and so do Python's http.client and Node's http: this
/// reading gives back the very characters the client had, and nothing is ever replaced.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The bytes of a header value read by [`latin1`]: each character as its byte again. Text
/// with characters above U+00FF (never read from a request) goes out as UTF-8.
pub fn latin1_bytes(text: &str) -> Vec<u8> {
    if text.chars().all(|c| u32::from(c) <= 0xFF) {
        text.chars().map(|c| u32::from(c) as u8).collect()
    } else {
        text.as_bytes().to_vec()
    }
}

/// What the server needs of a request before it reads the body.
#[derive(Clone, Debug)]
pub struct Head {
    pub method: String,
    /// Still percent-encoded.
    pub path: String,
    pub query: String,
    /// Names lower-cased by hyper, values as [`latin1`] text of the bytes received.
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn of(parts: &hyper::http::request::Parts) -> Head {
        Head {
            method: parts.method.as_str().to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), latin1(v.as_bytes())))
                .collect(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a body was not read to its end.
#[derive(Debug)]
pub enum Cut {
    /// A fault drops the connection.
    Reset,
    /// More than the limit arrived (a chunked body, whose length was not announced).
    TooLarge,
}

/// Reads a body, applying a fault's throttle and mid-body reset; counts bytes into `received`.
/// Stops at `limit` bytes: OSS refuses a larger body rather than storing it.
pub async fn read_body(
    body: Incoming,
    action: &Action,
    received: &AtomicU64,
    limit: u64,
) -> Result<Bytes, Cut> {
    let started = Instant::now();
    let mut buf = BytesMut::new();
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(Cut::Reset);
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let so_far = received.fetch_add(data.len() as u64, Ordering::Relaxed) + data.len() as u64;
        if action
            .reset_after_bytes
            .is_some_and(|limit| so_far >= limit)
        {
            return Err(Cut::Reset);
        }
        if so_far > limit {
            return Err(Cut::TooLarge);
        }
        buf.extend_from_slice(&data);
        if let Some(rate) = action.bytes_per_second {
            tokio::time::sleep(throttle_wait(started, so_far, rate)).await;
        }
    }
    Ok(buf.freeze())
}

/// OSS's answer to a body over the limit (5 GiB for an object or a part).
pub fn too_large(limit: u64) -> Failure {
    Failure::new(
        400,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size.",
    )
    .with("MaxSizeAllowed", limit.to_string())
}

/// A failure as OSS answers it: the error XML as the body, or for HEAD (which has no body)
/// base64-encoded in `x-oss-err`.
pub fn error_reply(f: Failure, head: bool, request_id: &str, host: &str) -> Reply {
    let xml = OssError {
        status: f.status,
        code: f.code.to_string(),
        message: f.message,
        request_id: request_id.to_string(),
        host_id: host.to_string(),
        extra: f
            .extra
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    }
    .to_xml();
    let mut reply = Reply::empty(f.status).header("x-oss-ec", "0000-00000000");
    reply.headers.extend(f.headers);
    if head {
        reply.header(
            "x-oss-err",
            base64::engine::general_purpose::STANDARD.encode(&xml),
        )
    } else {
        reply.body = Bytes::from(xml);
        reply.header("content-type", "application/xml")
    }
}

/// A fault's `wrongCrc`: the answer's CRC64 no longer matches the bytes.
pub fn corrupt_crc(reply: &mut Reply) {
    for (name, value) in reply.headers.iter_mut() {
        if name == "x-oss-hash-crc64ecma" {
            let crc: u64 = value.parse().unwrap_or(0);
            *value = (crc ^ 0x5A5A).to_string();
        }
    }
}

/// The response: OSS's common headers, then the reply's own, values sent as the bytes they
/// stand for. A header that cannot be sent (a name or value HTTP forbids) is left out.
pub fn response(reply: Reply, request_id: &str, now: u64) -> Response<AnswerBody> {
    let mut response = Response::new(AnswerBody {
        len: reply.body.len() as u64,
        rest: Some(reply.body).filter(|b| !b.is_empty()),
        cut: None,
    });
    // Handlers answer OSS's statuses and a fault rule's status is checked when it is posted,
    // so only a bug gets here with one HTTP cannot send: a server error, not a success.
    let status = hyper::StatusCode::from_u16(reply.status);
    debug_assert!(status.is_ok(), "status {} cannot be sent", reply.status);
    *response.status_mut() = status.unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let common = [
        ("x-oss-request-id".to_string(), request_id.to_string()),
        ("server".to_string(), "AliyunOSS".to_string()),
        ("date".to_string(), time::rfc1123(now)),
    ];
    let headers = response.headers_mut();
    for (k, v) in common.into_iter().chain(reply.headers) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_bytes(&latin1_bytes(&v)),
        ) {
            headers.append(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bytes_round_trip_whatever_they_are() {
        for bytes in [&b"caf\xe9"[..], "café".as_bytes(), b"\xff\x80 ascii", b""] {
            assert_eq!(latin1_bytes(&latin1(bytes)), bytes);
        }
        assert_eq!(latin1(b"caf\xe9"), "café");
        assert_eq!(latin1_bytes("中"), "中".as_bytes());
    }

    #[test]
    fn errors_go_in_the_body_or_in_x_oss_err_for_head() {
        let f = || Failure::new(404, "NoSuchKey", "gone").with("Key", "k");
        let get = error_reply(f(), false, "RID", "host");
        assert!(std::str::from_utf8(&get.body)
            .unwrap()
            .contains("<Code>NoSuchKey</Code>"));
        let head = error_reply(f(), true, "RID", "host");
        assert!(head.body.is_empty());
        assert!(head.headers.iter().any(|(k, _)| k == "x-oss-err"));
    }
}
