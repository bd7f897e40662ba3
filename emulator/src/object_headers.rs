//! OSS's rules for the headers of an object's upload request: which it keeps, which it refuses,
//! the Content-MD5 check and the ETag it answers with.

use md5::{Digest, Md5};
use oss_browser_upload::protocol::request::RequestParts;

use crate::failure::Failure;

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
