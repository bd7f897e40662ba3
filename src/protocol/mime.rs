//! A Content-Type from a file name's extension, for when neither the caller nor the File says.
//! The File's own name and type come first; this covers a Blob, bytes and a stream.

use crate::text;

/// Every extension's type as the `mime` npm package (over jshttp's mime-db) gives them: its
/// standard types, and of its 684 other (vendors', x-) types those of formats people upload
/// (office documents, video and audio containers, archives, Photoshop images, e-books, subtitles).
/// ali-oss's browser build types files with an older `mime`'s standard types only: where it
/// knows an extension both agree but for `.js`/`.mjs` (RFC 9239's text/javascript here, which
/// module scripts need), and where it does not (`.ico`, `.7z`, `.srt`) it sends no type at
/// all; a File's own type (the browser's) covers what neither table has. Written by
/// `scripts/mime-types.mjs`, which says how it is packed, and checked by `make test`: 2.4 KB
/// of gzip (the whole of `mime`'s 1,016 types took 7.2).
const PACKED: &str = include_str!("mime.types");

/// The table unpacked, one line per type ("type ext ext…"), on the first lookup; kept for the
/// page's life, as the packed one is.
fn types() -> &'static str {
    thread_local!(static TYPES: &'static str = unpack().leak());
    TYPES.with(|types| *types)
}

fn unpack() -> String {
    // Word by word: what ends a word (a space, a capital or the line's end) tells what the
    // next one is. A line starts with its top-level type; a capital (A + how many
    // characters the subtype shares with the one before) starts a subtype; a space, an
    // extension, empty for the subtype's last word.
    let packed = PACKED.as_bytes();
    let mut types = Vec::with_capacity(32 << 10);
    let (mut top, mut subtype, mut kind, mut start) = (&packed[..0], Vec::new(), b'\n', 0);
    for (i, &b) in packed.iter().enumerate() {
        if !(b == b' ' || b == b'\n' || b.is_ascii_uppercase()) {
            continue;
        }
        let word = &packed[start..i];
        start = i + 1;
        match kind {
            b'\n' => top = word,
            b' ' if word.is_empty() => {
                let end = subtype
                    .iter()
                    .position(|&c| c == b'+')
                    .unwrap_or(subtype.len());
                let from = subtype[..end].iter().rposition(|&c| c == b'.' || c == b'-');
                types.push(b' ');
                types.extend_from_slice(&subtype[from.map_or(0, |k| k + 1)..end]);
            }
            b' ' => {
                types.push(b' ');
                types.extend_from_slice(word);
            }
            _ => {
                subtype.extend_from_slice(word);
                types.extend_from_slice(top);
                types.push(b'/');
                types.extend_from_slice(&subtype);
            }
        }
        if b != b' ' && kind != b'\n' {
            types.push(b'\n');
        }
        if b.is_ascii_uppercase() {
            subtype.truncate(usize::from(b - b'A'));
        }
        kind = b;
    }
    String::from_utf8(types).unwrap_or_default()
}

pub const DEFAULT: &str = "application/octet-stream";

pub fn from_name(name: &str) -> &'static str {
    lookup(name).unwrap_or(DEFAULT)
}

/// The type of the extension of `name`'s last path segment, if known. As Node's
/// `path.extname` (what ali-oss asks `mime` about): a trailing `/` is not a segment, and a
/// dotfile (`.bashrc`, `.png`) has no extension.
pub fn lookup(name: &str) -> Option<&'static str> {
    let mut trimmed = name;
    while let Some(t) = trimmed.strip_suffix('/') {
        trimmed = t;
    }
    let file = &trimmed[text::rfind(trimmed, b'/').map_or(0, |i| i + 1)..];
    let dot = text::rfind(file, b'.')?;
    let (stem, ext) = (&file[..dot], &file[dot + 1..]);
    let ext = ext.to_ascii_lowercase();
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    // text::split rather than lines() and split(' '): std's char searcher for this alone.
    text::split(types(), "\n").find_map(|line| {
        let mut words = text::split(line, " ");
        let ty = words.next()?;
        words.any(|e| e == ext).then_some(ty)
    })
}

#[cfg(test)]
mod tests {
    use super::{from_name, types, DEFAULT, PACKED};

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
        assert_eq!(from_name("clip.MKV"), "video/x-matroska");
        assert_eq!(
            from_name("Report.DOCX"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
    }

    #[test]
    fn the_table_gives_each_extension_one_type() {
        let mut seen = std::collections::HashSet::new();
        for line in types().lines() {
            let mut words = line.split(' ');
            let ty = words.next().unwrap_or_default();
            assert!(ty.split_once('/').is_some(), "{line}");
            for ext in words {
                assert!(!ext.is_empty() && ext == ext.to_ascii_lowercase(), "{line}");
                assert!(seen.insert(ext), "{ext} twice");
            }
        }
        assert!(seen.len() > 400, "{} extensions", seen.len());
    }

    /// scripts/mime-types.mjs's packing again: the unpacked table packs back to the very file
    /// (tests/js/mime-types.test.mjs checks that the file unpacks to the mime package's table).
    #[test]
    fn the_table_packs_back_to_the_file() {
        let mut packed = String::new();
        let (mut top, mut previous) = ("", "");
        for line in types().lines() {
            let mut words = line.split(' ');
            let (group, subtype) = words.next().and_then(|t| t.split_once('/')).unwrap();
            if group != top {
                if !top.is_empty() {
                    packed.push('\n');
                }
                packed.push_str(group);
                (top, previous) = (group, "");
            }
            let shared = previous
                .bytes()
                .zip(subtype.bytes())
                .take(25)
                .take_while(|(a, b)| a == b)
                .count();
            packed.push(char::from(b'A' + shared as u8));
            packed.push_str(&subtype[shared..]);
            let word = subtype
                .split('+')
                .next()
                .unwrap()
                .rsplit(['.', '-'])
                .next()
                .unwrap();
            for ext in words {
                packed.push(' ');
                if ext != word {
                    packed.push_str(ext);
                }
            }
            previous = subtype;
        }
        packed.push('\n');
        assert!(
            packed == PACKED,
            "the unpacked table packs to something else"
        );
    }
}
