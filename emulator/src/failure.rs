//! An OSS error on its way to becoming a response.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: u16,
    /// OSS's own codes are static; a fault rule's code is the rule's own string.
    pub code: Cow<'static, str>,
    pub message: String,
    pub extra: Vec<(&'static str, String)>,
    /// Headers the error answer carries besides the usual ones (a stored object's ETag when
    /// only its callback failed).
    pub headers: Vec<(String, String)>,
}

impl Failure {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            extra: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// An error a fault rule asks for, with whatever code the rule names.
    pub fn injected(status: u16, code: String, message: String) -> Failure {
        Failure {
            code: Cow::Owned(code),
            ..Failure::new(status, "", message)
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Failure {
        self.extra.push((name, value.into()));
        self
    }

    pub fn access_denied(message: impl Into<String>) -> Failure {
        Failure::new(403, "AccessDenied", message)
    }

    pub fn invalid_argument(message: impl Into<String>) -> Failure {
        Failure::new(400, "InvalidArgument", message)
    }

    pub fn internal(message: impl Into<String>) -> Failure {
        Failure::new(500, "InternalError", message)
    }

    /// A request body that is not the XML the operation takes, and why.
    pub fn malformed_xml(why: &str) -> Failure {
        Failure::new(
            400,
            "MalformedXML",
            format!("The XML you provided was not well-formed or did not validate: {why}."),
        )
    }

    pub fn no_such_upload() -> Failure {
        Failure::new(
            404,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
    }
}
