//! What is kept between page loads so an upload resumes after a reload: a record per upload,
//! found again by a fingerprint of where it goes and of the file (bucket, object name, the
//! file's name, size, lastModified and type, and the part size). It holds no key, secret or
//! token; a record older than its maximum age is dropped.

use sha2::{Digest, Sha256};

use super::checkpoint::{Checkpoint, DoneParts};
use super::plan::Plan;

pub const DEFAULT_MAX_AGE_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;

/// What the browser tells about a picked file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileIdentity {
    pub name: String,
    pub size: u64,
    /// Milliseconds since the epoch; 0 for a Blob.
    pub last_modified: f64,
    pub mime: String,
}

/// A stable key for "this file, to this object, cut this way". Each field is length-prefixed,
/// so no two different inputs hash the same text.
pub fn fingerprint(bucket: &str, object: &str, file: &FileIdentity, part_size: u64) -> String {
    let fields = [
        bucket.to_string(),
        object.to_string(),
        file.name.clone(),
        file.size.to_string(),
        // Whole milliseconds, as integer text: float formatting would cost wasm size.
        (file.last_modified as i64).to_string(),
        file.mime.clone(),
        part_size.to_string(),
    ];
    let mut hash = Sha256::new();
    for f in &fields {
        hash.update((f.len() as u64).to_le_bytes());
        hash.update(f.as_bytes());
    }
    format!("v1-{}", hex::encode(&hash.finalize()[..16]))
}

#[derive(Clone, Debug, PartialEq)]
pub struct SavedUpload {
    pub fingerprint: String,
    pub bucket: String,
    pub name: String,
    pub file: FileIdentity,
    pub part_size: u64,
    pub upload_id: String,
    pub done: DoneParts,
    pub created_at: f64,
    pub updated_at: f64,
}

impl SavedUpload {
    pub fn expired(&self, now_ms: f64, max_age_ms: f64) -> bool {
        now_ms - self.updated_at > max_age_ms
    }

    /// Bytes of the file its done parts cover.
    pub fn bytes_done(&self) -> u64 {
        match Plan::new(self.file.size, Some(self.part_size as f64)) {
            Ok(plan) => self.done.numbers().map(|n| plan.part(n).1).sum(),
            Err(_) => 0,
        }
    }

    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            name: self.name.clone(),
            file_size: self.file.size,
            part_size: self.part_size,
            upload_id: self.upload_id.clone(),
            done: self.done.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::checkpoint::DonePart;

    fn file() -> FileIdentity {
        FileIdentity {
            name: "video.mp4".into(),
            size: 4_000_000,
            last_modified: 1_700_000_000_000.0,
            mime: "video/mp4".into(),
        }
    }

    #[test]
    fn fingerprint_changes_with_every_field() {
        let base = fingerprint("b", "k", &file(), 1 << 20);
        assert!(base.starts_with("v1-") && base.len() == 35);
        assert_eq!(base, fingerprint("b", "k", &file(), 1 << 20));
        let mut touched = file();
        touched.last_modified += 1.0;
        for other in [
            fingerprint("b2", "k", &file(), 1 << 20),
            fingerprint("b", "k2", &file(), 1 << 20),
            fingerprint("b", "k", &touched, 1 << 20),
            fingerprint("b", "k", &file(), 2 << 20),
            // Moving text between fields must not collide.
            fingerprint("bk", "", &file(), 1 << 20),
        ] {
            assert_ne!(other, base);
        }
    }

    #[test]
    fn expiry_and_bytes_done() {
        let saved = SavedUpload {
            fingerprint: "f".into(),
            bucket: "b".into(),
            name: "k".into(),
            file: file(),
            part_size: 1 << 20,
            upload_id: "U".into(),
            done: [1, 4]
                .map(|n| {
                    let part = DonePart {
                        etag: format!("\"{n}\""),
                        crc64: None,
                    };
                    (n, part)
                })
                .into_iter()
                .collect(),
            created_at: 0.0,
            updated_at: 1000.0,
        };
        assert_eq!(saved.bytes_done(), (1 << 20) + (4_000_000 - 3 * (1 << 20)));
        assert!(!saved.expired(1000.0 + DEFAULT_MAX_AGE_MS, DEFAULT_MAX_AGE_MS));
        assert!(saved.expired(1001.0 + DEFAULT_MAX_AGE_MS, DEFAULT_MAX_AGE_MS));
        assert_eq!(saved.checkpoint().done.len(), 2);
    }
}
