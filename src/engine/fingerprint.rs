//! How a saved upload is found again after a reload: by a fingerprint of where it goes and of
//! the file (bucket, object name, the file's name, size, lastModified and type, and the part
//! size). The records themselves are kept by `src/web/saved.rs`.

use sha2::{Digest, Sha256};

use crate::text::{self, int, signed};

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
        int(file.size),
        // Whole milliseconds, as integer text: float formatting would cost wasm size.
        signed(file.last_modified as i64),
        file.mime.clone(),
        int(part_size),
    ];
    let mut hash = Sha256::new();
    for f in &fields {
        hash.update((f.len() as u64).to_le_bytes());
        hash.update(f.as_bytes());
    }
    text::fill("v1-{}", &[&hex::encode(&hash.finalize()[..16])])
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
