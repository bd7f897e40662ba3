//! OSS's error body: `<Error><Code/><Message/><RequestId/><HostId/>…</Error>`.

use super::xml::{self, Writer};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OssError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: String,
    pub host_id: String,
    /// Further fields in order, such as `StringToSign` or `ServerTime`.
    pub extra: Vec<(String, String)>,
}

impl OssError {
    pub fn to_xml(&self) -> String {
        let mut w = Writer::default();
        w.open("Error")
            .leaf("Code", &self.code)
            .leaf("Message", &self.message)
            .leaf("RequestId", &self.request_id)
            .leaf("HostId", &self.host_id);
        for (name, value) in &self.extra {
            w.leaf(name, value);
        }
        w.close("Error").finish()
    }

    /// Reads an error body; `None` if it is not OSS's error XML.
    pub fn parse(status: u16, body: &str) -> Option<OssError> {
        let root = xml::parse(body).ok()?;
        if root.name != "Error" {
            return None;
        }
        let field = |name: &str| root.child_text(name).unwrap_or("").to_string();
        Some(OssError {
            status,
            code: field("Code"),
            message: field("Message"),
            request_id: field("RequestId"),
            host_id: field("HostId"),
            extra: {
                let mut extra = Vec::new();
                for c in &root.children {
                    if !["Code", "Message", "RequestId", "HostId"].contains(&c.name.as_str()) {
                        extra.push((c.name.clone(), c.text.clone()));
                    }
                }
                extra
            },
        })
    }

    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let e = OssError {
            status: 403,
            code: "SignatureDoesNotMatch".into(),
            message: "The request signature we calculated does not match".into(),
            request_id: "r1".into(),
            host_id: "h".into(),
            extra: vec![("StringToSign".into(), "PUT\n\n\n<x>".into())],
        };
        assert_eq!(OssError::parse(403, &e.to_xml()), Some(e));
        assert_eq!(OssError::parse(500, "<html/>"), None);
    }
}
