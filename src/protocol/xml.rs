//! OSS bodies are small and shallow, so they are read into a tree and written with a tiny
//! writer rather than with serde mappings per message.

use crate::text::{self, int};
use quick_xml::events::Event;
use quick_xml::Reader;

/// One element: its name, its own text (unescaped), its children in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child called `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// The deepest nesting `parse` reads.
const MAX_DEPTH: usize = 32;

/// A name or CDATA of the document: a slice of the `&str` parsed, cut at ASCII delimiters, so
/// always UTF-8 (from_utf8_lossy's replacement would cost the wasm 0.7 KB for nothing).
fn utf8(bytes: &[u8]) -> String {
    std::str::from_utf8(bytes).unwrap_or_default().into()
}

/// Parses a document into its root element.
pub fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader
            .read_event()
            // The position, not quick-xml's own wording: its error texts and their Display
            // code cost some 3 KB of wasm, and no caller can act on them.
            .map_err(|_| {
                text::fill(
                    "malformed XML at byte {}",
                    &[&int(reader.buffer_position())],
                )
            })?;
        let finished = match event {
            Event::Start(start) => {
                // OSS's documents nest four deep; a deeper one is not OSS's, and a tree
                // thousands deep would overflow the stack when dropped.
                if stack.len() >= MAX_DEPTH {
                    return Err(text::fill(
                        "XML nested deeper than {}",
                        &[&int(MAX_DEPTH as u64)],
                    ));
                }
                stack.push(Element {
                    name: utf8(start.name().as_ref()),
                    ..Element::default()
                });
                None
            }
            Event::Empty(empty) => Some(Element {
                name: utf8(empty.name().as_ref()),
                ..Element::default()
            }),
            Event::End(_) => stack.pop(),
            Event::Text(text) => {
                let text = text.unescape().map_err(|_| {
                    text::fill(
                        "bad XML text before byte {}",
                        &[&int(reader.buffer_position())],
                    )
                })?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
                None
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&utf8(&data));
                }
                None
            }
            Event::Eof => break,
            _ => None,
        };
        if let Some(element) = finished {
            match stack.last_mut() {
                Some(parent) => parent.children.push(element),
                None if root.is_none() => root = Some(element),
                None => return Err("XML has more than one root element".into()),
            }
        }
    }
    if !stack.is_empty() {
        return Err("XML ends inside an element".into());
    }
    root.ok_or_else(|| "XML has no root element".into())
}

/// Whether a document stops before its root element closes, as an answer does whose
/// connection dropped on the way; without parsing it. Text that is not XML is not.
pub fn cut_short(xml: &str) -> bool {
    let doc = xml.trim();
    let rest = match doc.strip_prefix("<?xml") {
        Some(declared) => match text::split_once(declared, "?>") {
            Some((_, rest)) if !rest.trim().is_empty() => rest.trim_start(),
            _ => return true,
        },
        None => doc,
    };
    let Some(root) = rest.strip_prefix('<') else {
        return false;
    };
    let name_end = root
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(root.len());
    let name = &root[..name_end];
    // One empty element, `<Root/>`, its first `>` its last.
    let self_closed = rest.ends_with("/>") && text::find(rest, ">") == Some(rest.len() - 1);
    let closed = doc
        .strip_suffix('>')
        .and_then(|d| d.strip_suffix(name))
        .is_some_and(|d| d.ends_with("</"));
    !(name_end > 0 && (closed || self_closed))
}

/// Builds a document; text is escaped.
pub struct Writer(String);

impl Default for Writer {
    fn default() -> Self {
        Writer(String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"))
    }
}

impl Writer {
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.0.extend(["<", name, ">"]);
        self
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        self.0.extend(["</", name, ">"]);
        self
    }

    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        // A raw CR would be read back as LF (XML normalises line ends): as a reference it
        // survives, so a key with CRLF names that key.
        let escaped = text::replace(&quick_xml::escape::escape(text), "\r", "&#13;");
        self.0.extend(["<", name, ">", &escaped, "</", name, ">"]);
        self
    }

    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_cut_short_is_told_from_a_whole_one() {
        let whole = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchUpload</Code></Error>\n";
        assert!(!cut_short(whole));
        for end in 1..whole.trim_end().len() {
            assert!(cut_short(&whole[..end]), "{}", &whole[..end]);
        }
        for other in [
            "<Root/>",
            "<Root a=\"1\" />",
            "{\"json\": 1}",
            "",
            "OK",
            "<Root></Root>",
        ] {
            assert!(!cut_short(other), "{other}");
        }
        assert!(cut_short("<Root><A/>"));
    }

    #[test]
    fn round_trips_escaped_text() {
        let mut w = Writer::default();
        w.leaf("Key", "a\r\nb");
        assert_eq!(parse(&w.finish()).unwrap().text, "a\r\nb");
        let xml = Writer::default()
            .open("A")
            .leaf("B", "x<&>\"y")
            .leaf("B", "2")
            .open("C")
            .close("C")
            .close("A")
            .finish();
        let root = parse(&xml).unwrap();
        assert_eq!(root.name, "A");
        assert_eq!(root.child_text("B"), Some("x<&>\"y"));
        assert_eq!(root.children_named("B").count(), 2);
        assert!(root.child("C").is_some());
    }

    #[test]
    fn rejects_broken_documents() {
        let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
        assert!(
            parse(&deep).is_err(),
            "a hostile depth is refused, not a stack overflow"
        );
        assert!(parse("<A><B></A>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<A/><B/>").is_err());
    }
}
