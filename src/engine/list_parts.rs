//! ListParts, page by page, as both a resume and `listParts()` read it: the request for one
//! page, and what a page adds.

use super::error::Error;
use super::exchange::{Answer, Request};
use crate::protocol::messages::{self, ListedPart};
use crate::text::int;

/// The page of upload `upload_id`'s parts after part `marker`.
pub fn page(key: &str, upload_id: &str, marker: u32) -> Request {
    let marker = int(marker.into());
    Request::new(
        "GET",
        key,
        &[
            ("uploadId", upload_id),
            ("max-parts", "1000"),
            ("part-number-marker", &marker),
        ],
    )
    .text()
}

/// Adds a page's parts to `parts`; the marker of the next page to ask for, if there is one.
pub fn read(parts: &mut Vec<ListedPart>, a: &Answer) -> Result<Option<u32>, Error> {
    let page =
        messages::parse_list_parts(&a.body).map_err(|e| Error::bad_response(a.status, &e))?;
    let marker = parts.last().map_or(0, |p| p.number);
    parts.extend(page.parts);
    Ok(Some(page.next_marker).filter(|next| page.truncated && *next > marker))
}
