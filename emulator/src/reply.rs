//! What a handler answers before the server adds the common headers.

use bytes::Bytes;
use md5::{Digest, Md5};
use oss_browser_upload::protocol::encode::uri_encode;
use oss_browser_upload::protocol::request::RequestParts;

use crate::failure::Failure;
use crate::state::State;

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
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
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

/// The quoted upper-case MD5 OSS uses as a part's or a simple object's ETag.
pub fn etag_of(data: &[u8]) -> String {
    format!("\"{}\"", hex::encode_upper(Md5::digest(data)))
}

/// Checks `Content-MD5` against the body, if the client sent one.
pub fn check_content_md5(req: &RequestParts, body: &[u8]) -> Result<(), Failure> {
    use base64::Engine;
    let Some(claimed) = req.header("content-md5") else {
        return Ok(());
    };
    let digest = base64::engine::general_purpose::STANDARD
        .decode(claimed.trim())
        .ok()
        .filter(|d| d.len() == 16)
        .ok_or_else(|| {
            Failure::new(
                400,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
            )
            .with("Content-MD5", claimed)
        })?;
    if digest[..] != Md5::digest(body)[..] {
        return Err(Failure::new(
            400,
            "BadDigest",
            "The Content-MD5 you specified did not match what we received.",
        )
        .with("ExpectedContentMD5", claimed)
        .with(
            "CalculatedContentMD5",
            base64::engine::general_purpose::STANDARD.encode(Md5::digest(body)),
        ));
    }
    Ok(())
}

/// What OSS keeps about how an object is stored, from its upload request: echoed on the
/// answers to PutObject, InitiateMultipartUpload, UploadPart and Complete, and on HEAD and GET.
pub const ENCRYPTION_HEADERS: [&str; 3] = [
    "x-oss-server-side-encryption",
    "x-oss-server-side-encryption-key-id",
    "x-oss-server-side-data-encryption",
];

/// The headers an object keeps from its upload request, names lower-cased.
pub fn stored_headers(req: &RequestParts) -> Vec<(String, String)> {
    const KEPT: [&str; 6] = [
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-language",
        "expires",
        "x-oss-storage-class",
    ];
    req.headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .filter(|(k, _)| {
            KEPT.contains(&k.as_str())
                || ENCRYPTION_HEADERS.contains(&k.as_str())
                || k.starts_with("x-oss-meta-")
        })
        .collect()
}

/// The server-side encryption headers among stored ones, to echo on an answer.
pub fn encryption_of(stored: &[(String, String)]) -> Vec<(String, String)> {
    stored
        .iter()
        .filter(|(k, _)| ENCRYPTION_HEADERS.contains(&k.as_str()))
        .cloned()
        .collect()
}

/// The storage class stored with an object or upload: `Standard` unless the upload named one.
pub fn storage_class(stored: &[(String, String)]) -> &str {
    stored
        .iter()
        .find(|(k, _)| k == "x-oss-storage-class")
        .map_or("Standard", |(_, v)| v.as_str())
}

/// Refuses what OSS refuses among `x-oss-storage-class` and the encryption headers of an
/// upload request, before anything is stored.
pub fn check_storage_headers(req: &RequestParts) -> Result<(), Failure> {
    const CLASSES: [&str; 5] = [
        "Standard",
        "IA",
        "Archive",
        "ColdArchive",
        "DeepColdArchive",
    ];
    if let Some(class) = req.header("x-oss-storage-class") {
        if !CLASSES.contains(&class) {
            // OSS's EC 0017-00000132: the header does not name a storage class.
            return Err(Failure::invalid_argument(
                "The x-oss-storage-class header is not a valid storage class: Standard, IA, Archive, ColdArchive or DeepColdArchive.",
            )
            .with("ArgumentName", "x-oss-storage-class")
            .with("ArgumentValue", class));
        }
    }
    let sse = req.header("x-oss-server-side-encryption");
    if let Some(sse) = sse {
        if !["AES256", "KMS", "SM4"].contains(&sse) {
            return Err(Failure::new(
                400,
                "InvalidEncryptionAlgorithmError",
                "The Encryption request you specified is not valid. Supported value: AES256/KMS/SM4.",
            ));
        }
    }
    let kms = sse == Some("KMS");
    if req.header("x-oss-server-side-encryption-key-id").is_some() && !kms {
        return Err(Failure::invalid_argument(
            "x-oss-server-side-encryption-key-id is only allowed with x-oss-server-side-encryption: KMS.",
        ));
    }
    match req.header("x-oss-server-side-data-encryption") {
        Some("SM4") if kms => Ok(()),
        Some(_) => Err(Failure::invalid_argument(
            "x-oss-server-side-data-encryption must be SM4, with x-oss-server-side-encryption: KMS.",
        )),
        None => Ok(()),
    }
}

pub fn content_type(req: &RequestParts) -> String {
    req.header("content-type")
        .filter(|t| !t.is_empty())
        .unwrap_or("application/octet-stream")
        .to_string()
}
