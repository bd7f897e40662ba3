//! A Content-Type from a file name's extension, for when neither the caller nor the File says.
//! Deliberately short: the File's own `type` covers most browser uploads.

const TYPES: &[(&str, &str)] = &[
    ("avif", "image/avif"),
    ("css", "text/css"),
    ("csv", "text/csv"),
    ("gif", "image/gif"),
    ("gz", "application/gzip"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "text/javascript"),
    ("json", "application/json"),
    ("m4a", "audio/mp4"),
    ("mov", "video/quicktime"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("svg", "image/svg+xml"),
    ("txt", "text/plain"),
    ("wasm", "application/wasm"),
    ("webm", "video/webm"),
    ("webp", "image/webp"),
    ("xml", "application/xml"),
    ("zip", "application/zip"),
];

pub const DEFAULT: &str = "application/octet-stream";

pub fn from_name(name: &str) -> &'static str {
    lookup(name).unwrap_or(DEFAULT)
}

/// The type of `name`'s extension, if known.
pub fn lookup(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn by_extension() {
        assert_eq!(super::from_name("a/b.MP4"), "video/mp4");
        assert_eq!(super::from_name("noext"), super::DEFAULT);
        assert_eq!(super::from_name("x.unknown"), super::DEFAULT);
    }
}
