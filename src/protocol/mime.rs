//! A Content-Type from a file name's extension, for when neither the caller nor the File says.
//! The File's own name and type come first; this covers a Blob, bytes and a stream.

/// Every extension's type, one line per type ("type ext ext…"), as the `mime` npm package (over
/// jshttp's mime-db) gives them, its standard and its other types. ali-oss's browser build
/// types files with an older `mime`'s standard types only: where it knows an extension both
/// agree but for `.js`/`.mjs` (RFC 9239's text/javascript here, which module scripts need), and
/// where it does not (`.ico`, `.7z`, `.srt`) it sends no type at all. Written by
/// `scripts/mime-types.mjs`, checked by `make test`; about 9.5 KB of gzip.
const TYPES: &str = include_str!("mime.types");

pub const DEFAULT: &str = "application/octet-stream";

pub fn from_name(name: &str) -> &'static str {
    lookup(name).unwrap_or(DEFAULT)
}

/// The type of the extension of `name`'s last path segment, if known. As Node's
/// `path.extname` (what ali-oss asks `mime` about): a trailing `/` is not a segment, and a
/// dotfile (`.bashrc`, `.png`) has no extension.
pub fn lookup(name: &str) -> Option<&'static str> {
    let trimmed = name.trim_end_matches('/');
    let file = trimmed.rsplit('/').next().unwrap_or(trimmed);
    let (stem, ext) = file.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    TYPES.lines().find_map(|line| {
        let mut words = line.split(' ');
        let ty = words.next()?;
        words.any(|e| e == ext).then_some(ty)
    })
}

#[cfg(test)]
mod tests {
    use super::{from_name, DEFAULT, TYPES};

    #[test]
    fn by_extension() {
        assert_eq!(from_name("a/b.MP4"), "video/mp4");
        assert_eq!(from_name("noext"), DEFAULT);
        assert_eq!(from_name("trailing."), DEFAULT);
        assert_eq!(from_name("x.unknown"), DEFAULT);
        assert_eq!(from_name("a.png/noext"), DEFAULT);
        assert_eq!(from_name("dir/a.png/"), "image/png");
        assert_eq!(from_name("dir/.png"), DEFAULT);
        assert_eq!(from_name(".bashrc"), DEFAULT);
        assert_eq!(from_name("..png"), "image/png");
        assert_eq!(from_name("site/favicon.ico"), "image/vnd.microsoft.icon");
        assert_eq!(from_name("app/main.mjs"), "text/javascript");
        assert_eq!(from_name("site.webmanifest"), "application/manifest+json");
        assert_eq!(
            from_name("Report.DOCX"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
    }

    #[test]
    fn the_table_gives_each_extension_one_type() {
        let mut seen = std::collections::HashSet::new();
        for line in TYPES.lines() {
            let mut words = line.split(' ');
            let ty = words.next().unwrap_or_default();
            assert!(ty.split_once('/').is_some(), "{line}");
            for ext in words {
                assert!(!ext.is_empty() && ext == ext.to_ascii_lowercase(), "{line}");
                assert!(seen.insert(ext), "{ext} twice");
            }
        }
        assert!(seen.len() > 1000, "{} extensions", seen.len());
    }
}
