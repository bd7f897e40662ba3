//! The body of a CompleteMultipartUpload, `<CompleteMultipartUpload><Part><PartNumber>…`,
//! read as OSS reads it and refused as MalformedXML where OSS refuses it, whatever the bytes.

use crate::failure::Failure;

/// The deepest a Complete body may nest: it needs 3 levels.
const MAX_XML_DEPTH: usize = 16;

/// The (number, ETag) list of a CompleteMultipartUpload body, read as a stream of events with
/// no tree built: dropping the tree of a body nested 200,000 deep overflows the stack, which
/// aborts the whole server. Only the root's `Part` children and their first `PartNumber` and
/// `ETag` count.
pub fn requested_parts(body: &[u8]) -> Result<Vec<(u32, String)>, Failure> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(body).map_err(|_| Failure::malformed_xml("not UTF-8"))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<String> = Vec::new();
    let mut root_seen = false;
    let mut parts = Vec::new();
    let (mut number, mut etag): (Option<String>, Option<String>) = (None, None);
    let mut own_text = String::new();
    loop {
        let position = reader.buffer_position();
        let at = || Failure::malformed_xml(&format!("malformed XML at byte {position}"));
        let event = reader.read_event().map_err(|_| at())?;
        let (name, empty) = match &event {
            Event::Start(e) => (
                String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                false,
            ),
            Event::Empty(e) => (
                String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                true,
            ),
            Event::Text(t) => {
                if open.len() == 3 {
                    own_text.push_str(&t.unescape().map_err(|_| at())?);
                }
                continue;
            }
            Event::CData(c) => {
                if open.len() == 3 {
                    own_text.push_str(&String::from_utf8_lossy(c));
                }
                continue;
            }
            Event::End(_) => {
                let closed = open.pop().unwrap_or_default();
                match (open.len(), closed.as_str()) {
                    (2, "PartNumber") if open[1] == "Part" => {
                        number.get_or_insert(std::mem::take(&mut own_text));
                    }
                    (2, "ETag") if open[1] == "Part" => {
                        etag.get_or_insert(std::mem::take(&mut own_text));
                    }
                    (1, "Part") => parts.push(part_of(number.take(), etag.take())?),
                    _ => {}
                }
                own_text.clear();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        // An element opens (and, if empty, closes at once).
        if open.is_empty() {
            if root_seen {
                return Err(Failure::malformed_xml("XML has more than one root element"));
            }
            root_seen = true;
            if name != "CompleteMultipartUpload" {
                return Err(Failure::malformed_xml(
                    "the root must be CompleteMultipartUpload",
                ));
            }
        }
        if open.len() >= MAX_XML_DEPTH {
            return Err(Failure::malformed_xml("the XML is nested too deeply"));
        }
        match (open.len(), name.as_str(), empty) {
            (1, "Part", true) => parts.push(part_of(None, None)?),
            (1, "Part", false) => (number, etag) = (None, None),
            (2, "PartNumber", true) if open[1] == "Part" => {
                number.get_or_insert_with(String::new);
            }
            (2, "ETag", true) if open[1] == "Part" => {
                etag.get_or_insert_with(String::new);
            }
            _ => {}
        }
        own_text.clear();
        if !empty {
            open.push(name);
        }
    }
    if !open.is_empty() {
        return Err(Failure::malformed_xml("XML ends inside an element"));
    }
    if !root_seen {
        return Err(Failure::malformed_xml("XML has no root element"));
    }
    Ok(parts)
}

/// One `Part` of a Complete body, from the texts of its `PartNumber` and `ETag`.
fn part_of(number: Option<String>, etag: Option<String>) -> Result<(u32, String), Failure> {
    let number = number
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| Failure::malformed_xml("a Part has no valid PartNumber"))?;
    let etag = etag.ok_or_else(|| Failure::malformed_xml("a Part has no ETag"))?;
    Ok((number, etag.trim().to_string()))
}
