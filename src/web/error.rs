//! Every failure that reaches JavaScript is an `Error` with `name`, `code`, `status`,
//! `requestId` and `hostId` (ali-oss's shape), and a message that says what to do.

use js_sys::Object;
use wasm_bindgen::JsValue;

use crate::protocol::error::OssError;

use super::js;

#[derive(Clone, Debug, Default)]
pub struct Error {
    pub name: String,
    pub code: String,
    /// The HTTP status, or 0 when no answer came (network, timeout, cancel, bad input).
    pub status: u16,
    pub request_id: String,
    pub host_id: String,
    pub message: String,
    /// Further fields of an OSS error (`StringToSign`, `ServerTime`, …).
    pub extra: Vec<(String, String)>,
    /// For upload failures: where to resume from.
    pub checkpoint: Option<JsValue>,
}

/// ali-oss names a cancelled upload's error `cancel`; users test for it.
pub const CANCEL_NAME: &str = "cancel";

impl Error {
    fn new(name: &str, code: &str, message: impl Into<String>) -> Error {
        Error {
            name: name.into(),
            code: code.into(),
            message: message.into(),
            ..Error::default()
        }
    }

    pub fn argument(message: impl Into<String>) -> Error {
        Error::new("ArgumentError", "InvalidArgument", message)
    }

    pub fn network(detail: &str) -> Error {
        Error::new(
            "RequestError",
            "RequestError",
            format!("The request failed before OSS answered ({detail}). Check the network, the endpoint, and that the bucket's CORS rules allow this origin."),
        )
    }

    pub fn timeout(ms: u32) -> Error {
        Error::new(
            "ConnectionTimeoutError",
            "ConnectionTimeout",
            format!(
                "No answer within {ms} ms; raise `timeout` for slow links or smaller `partSize`."
            ),
        )
    }

    pub fn cancelled() -> Error {
        Error::new(
            CANCEL_NAME,
            "Cancelled",
            "The upload was cancelled; pass the checkpoint back to resume it.",
        )
    }

    pub fn etag_not_exposed() -> Error {
        Error::new(
            "ETagNotExposedError",
            "ETagNotExposed",
            "OSS answered, but the browser hides its ETag header: add ETag (and x-oss-request-id, x-oss-hash-crc64ecma) to ExposeHeaders in the bucket's CORS rules.",
        )
    }

    pub fn file_unreadable() -> Error {
        Error::new(
            "FileUnreadableError",
            "FileUnreadable",
            "The browser can no longer read the file: it was moved, changed or deleted after it was picked. Pick it again; a saved upload resumes.",
        )
    }

    /// The server's CRC64 disagrees with ours (oss2 names this InconsistentError).
    pub fn inconsistent(what: &str, ours: u64, theirs: u64) -> Error {
        Error::new(
            "InconsistentError",
            "InconsistentError",
            format!("The CRC64 of {what} differs between this browser ({ours}) and OSS ({theirs}): the bytes changed in transit or in storage. Upload it again."),
        )
    }

    /// The stream given to `putStream` failed while it was read.
    pub fn stream(detail: &str) -> Error {
        Error::new(
            "StreamError",
            "StreamError",
            format!("The stream failed while it was read ({detail}); nothing was stored. Upload it again from a fresh stream."),
        )
    }

    pub fn in_progress() -> Error {
        Error::new(
            "UploadInProgressError",
            "UploadInProgress",
            "This file is already uploading to this object (in another tab or call): wait for that upload or cancel it, then try again.",
        )
    }

    pub fn credentials(message: impl Into<String>) -> Error {
        Error::new("CredentialsError", "InvalidCredentials", message)
    }

    pub fn bad_response(status: u16, detail: &str) -> Error {
        Error {
            status,
            ..Error::new(
                "ResponseError",
                "InvalidResponse",
                format!("OSS sent an answer this client cannot read: {detail}."),
            )
        }
    }

    pub fn from_oss(e: OssError) -> Error {
        let message = if e.message.is_empty() {
            format!("OSS answered {} {}", e.status, e.code)
        } else {
            e.message
        };
        Error {
            name: format!("{}Error", e.code),
            code: e.code,
            status: e.status,
            request_id: e.request_id,
            host_id: e.host_id,
            message,
            extra: e.extra,
            checkpoint: None,
        }
    }

    /// An error answer that carried no OSS error body.
    pub fn from_status(status: u16, request_id: String) -> Error {
        let code = match status {
            403 => "AccessDenied",
            404 => "NotFound",
            s if s >= 500 => "ServerError",
            _ => "UnknownError",
        };
        Error {
            status,
            request_id,
            ..Error::new(
                &format!("{code}Error"),
                code,
                format!("OSS answered {status} with no error details."),
            )
        }
    }

    pub fn is_cancel(&self) -> bool {
        self.name == CANCEL_NAME
    }

    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn into_js(self) -> JsValue {
        let err = js_sys::Error::new(&self.message);
        err.set_name(&self.name);
        let obj: &Object = err.as_ref();
        js::set(obj, "code", self.code.as_str());
        js::set(obj, "status", self.status);
        js::set(obj, "requestId", self.request_id.as_str());
        js::set(obj, "hostId", self.host_id.as_str());
        for (k, v) in &self.extra {
            // OSS's own field names, as ali-oss exposes them on its errors.
            if k != "StringToSignBytes" {
                js::set(obj, k, v.as_str());
            }
        }
        if let Some(cp) = self.checkpoint {
            js::set(obj, "checkpoint", cp);
        }
        err.into()
    }
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        e.into_js()
    }
}
