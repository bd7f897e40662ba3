//! PutObject, GetObject (with Range), HeadObject, DeleteObject and DeleteMultipleObjects.
//! Listing is in `listing.rs`.

use bytes::Bytes;
use oss_browser_upload::protocol::limits::MAX_KEY_BYTES;
use oss_browser_upload::protocol::presign::RESPONSE_OVERRIDES;
use oss_browser_upload::protocol::{crc64, time, xml};

use crate::ctx::Ctx;
use crate::failure::Failure;
use crate::object_headers::{
    check_content_md5, check_storage_headers, content_type, encryption_of, etag_of, storage_class,
    stored_headers,
};
use crate::reply::Reply;
use crate::store::{ObjectMeta, ObjectRecord};

/// The most keys one DeleteMultipleObjects may name, as OSS limits it.
const MAX_DELETE_KEYS: usize = 1000;

fn no_such_key(key: &str) -> Failure {
    Failure::new(404, "NoSuchKey", "The specified key does not exist.").with("Key", key)
}

pub fn check_key(key: &str) -> Result<(), Failure> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES || key.starts_with('/') || key.starts_with('\\')
    {
        return Err(Failure::new(
            400,
            "InvalidObjectName",
            "The object name is invalid: 1 to 1023 bytes, not starting with '/' or '\\'.",
        ));
    }
    Ok(())
}

/// `x-oss-forbid-overwrite: true` refuses a write over an object of that name: PutObject,
/// CopyObject, InitiateMultipartUpload and CompleteMultipartUpload take it.
pub fn forbid_overwrite(ctx: &Ctx) -> Result<(), Failure> {
    let forbidden = ctx
        .req
        .header("x-oss-forbid-overwrite")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if forbidden && ctx.state.store.object(ctx.bucket, ctx.key).is_some() {
        return Err(Failure::new(
            409,
            "FileAlreadyExists",
            "The object you specified already exists and can not be overwritten.",
        ));
    }
    Ok(())
}

pub fn put(ctx: &Ctx, body: Bytes) -> Result<Reply, Failure> {
    check_key(ctx.key)?;
    check_storage_headers(ctx.req)?;
    check_content_md5(ctx.req, &body)?;
    forbid_overwrite(ctx)?;
    let meta = ObjectMeta {
        size: body.len() as u64,
        etag: etag_of(&body),
        crc64: crc64::checksum(&body),
        last_modified: ctx.now,
        content_type: content_type(ctx.req),
        headers: stored_headers(ctx.req),
        object_type: "Normal".into(),
    };
    let store = &ctx.state.store;
    let blob = store
        .put_blob(ctx.bucket, body)
        .map_err(Failure::internal)?;
    let mut reply = Reply::empty(200)
        .header("etag", meta.etag.clone())
        .header("x-oss-hash-crc64ecma", meta.crc64.to_string());
    reply.headers.extend(encryption_of(&meta.headers));
    store
        .commit_object(
            ctx.bucket,
            ObjectRecord {
                key: ctx.key.to_string(),
                meta,
                blob,
            },
        )
        .map_err(Failure::internal)?;
    Ok(reply)
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` → (offset, length). OSS ignores a malformed range
/// and answers the whole object, but refuses one that starts past the end.
pub fn parse_range(header: &str, size: u64) -> Result<Option<(u64, u64)>, Failure> {
    let Some((start, end)) = header
        .trim()
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
    else {
        return Ok(None);
    };
    let (start, end) = (start.trim(), end.trim());
    let range = match (start.parse::<u64>().ok(), end.parse::<u64>().ok()) {
        (Some(s), Some(e)) if s <= e => Some((s, e.min(size.saturating_sub(1)))),
        (Some(s), None) if end.is_empty() => Some((s, size.saturating_sub(1))),
        (None, Some(n)) if start.is_empty() && n > 0 => {
            Some((size.saturating_sub(n), size.saturating_sub(1)))
        }
        _ => None,
    };
    match range {
        Some((s, _)) if s >= size => Err(Failure::new(
            416,
            "InvalidRange",
            "The requested range cannot be satisfied.",
        )),
        Some((s, e)) => Ok(Some((s, e - s + 1))),
        None => Ok(None),
    }
}

fn meta_headers(reply: Reply, meta: &ObjectMeta) -> Reply {
    let mut reply = reply
        .header("etag", meta.etag.clone())
        .header("last-modified", time::rfc1123(meta.last_modified))
        .header("content-type", meta.content_type.clone())
        .header("x-oss-object-type", meta.object_type.clone())
        .header("x-oss-storage-class", storage_class(&meta.headers))
        .header("x-oss-hash-crc64ecma", meta.crc64.to_string())
        .header("accept-ranges", "bytes");
    // The storage class is written above, with its default; the rest as they were stored.
    reply.headers.extend(
        meta.headers
            .iter()
            .filter(|(k, _)| k != "x-oss-storage-class")
            .cloned(),
    );
    reply
}

/// GetObject, or HeadObject when `head` (same headers, no body).
pub fn get(ctx: &Ctx, head: bool) -> Result<Reply, Failure> {
    let (record, mut blob) = ctx
        .state
        .store
        .open_object(ctx.bucket, ctx.key)
        .ok_or_else(|| no_such_key(ctx.key))?
        .map_err(Failure::internal)?;
    if let Some(status) = precondition(ctx, "", &record.meta)? {
        return Ok(Reply::empty(status)
            .header("etag", record.meta.etag.clone())
            .header("last-modified", time::rfc1123(record.meta.last_modified)));
    }
    let size = record.meta.size;
    let range = match (head, ctx.req.header("range")) {
        (false, Some(r)) => parse_range(r, size)?,
        _ => None,
    };
    let (offset, len) = range.unwrap_or((0, size));
    let body = if head {
        Bytes::new()
    } else {
        blob.read(offset, len).map_err(Failure::internal)?
    };
    let mut reply = meta_headers(
        Reply {
            status: if range.is_some() { 206 } else { 200 },
            headers: vec![],
            body,
        },
        &record.meta,
    );
    if range.is_some() {
        reply = reply.header(
            "content-range",
            format!("bytes {offset}-{}/{size}", offset + len - 1),
        );
    }
    if head {
        reply = reply.header("content-length", size.to_string());
    }
    // `response-content-type=…` and its kin (signed as subresources) override the headers of
    // this answer, as OSS does for renamed or retyped downloads.
    for (name, value) in &ctx.req.query {
        if let Some(header) = name
            .strip_prefix("response-")
            .filter(|h| RESPONSE_OVERRIDES.contains(h))
        {
            reply
                .headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case(header));
            // The parameter is UTF-8 text; a header value holds bytes (see `http::latin1`).
            reply = reply.header(header, crate::http::latin1(value.as_bytes()));
        }
    }
    Ok(reply)
}

/// GetObject's and HeadObject's conditions, in OSS's order: If-Match and If-Unmodified-Since
/// refuse with 412; If-None-Match and If-Modified-Since answer 304 Not Modified. A date that
/// does not parse is ignored, as OSS ignores it. CopyObject asks the same of its source, with
/// the headers named `x-oss-copy-source-if-…` (`prefix`).
pub fn precondition(ctx: &Ctx, prefix: &str, meta: &ObjectMeta) -> Result<Option<u16>, Failure> {
    let header = |name: &str| ctx.req.header(&format!("{prefix}{name}")).map(str::trim);
    let date = |name| header(name).and_then(time::parse_rfc1123);
    let failed = || {
        Failure::new(
            412,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold.",
        )
    };
    // In RFC 7232's order (section 6), as S3 documents its pairs: an entity tag, when given,
    // decides instead of the date beside it. A browser revalidating its cache sends both, and
    // an object replaced within the same second has a new ETag but the same Last-Modified.
    match header("if-match") {
        Some(e) if e != meta.etag => return Err(failed().with("Condition", "If-Match")),
        Some(_) => {}
        None => {
            if date("if-unmodified-since").is_some_and(|d| meta.last_modified > d) {
                return Err(failed().with("Condition", "If-Unmodified-Since"));
            }
        }
    }
    let unchanged = match header("if-none-match") {
        Some(e) => e == meta.etag,
        None => date("if-modified-since").is_some_and(|d| meta.last_modified <= d),
    };
    Ok(unchanged.then_some(304))
}

pub fn delete(ctx: &Ctx) -> Result<Reply, Failure> {
    ctx.state
        .store
        .delete_object(ctx.bucket, ctx.key)
        .map_err(Failure::internal)?;
    Ok(Reply::empty(204))
}

/// DeleteMultipleObjects (`POST /?delete`): each named key is deleted (a missing one counts
/// as deleted, as OSS says); `Quiet` leaves them out of the answer.
pub fn delete_multiple(ctx: &Ctx, body: Bytes) -> Result<Reply, Failure> {
    check_content_md5(ctx.req, &body)?;
    let text = std::str::from_utf8(&body).map_err(|_| Failure::malformed_xml("not UTF-8"))?;
    let root = xml::parse(text).map_err(|e| Failure::malformed_xml(&e))?;
    if root.name != "Delete" {
        return Err(Failure::malformed_xml("the root must be Delete"));
    }
    let quiet = root.child_text("Quiet") == Some("true");
    let keys: Vec<&str> = root
        .children_named("Object")
        .map(|o| {
            o.child_text("Key")
                .ok_or_else(|| Failure::malformed_xml("an Object has no Key"))
        })
        .collect::<Result<_, _>>()?;
    if keys.is_empty() || keys.len() > MAX_DELETE_KEYS {
        return Err(Failure::malformed_xml(&format!(
            "one to {MAX_DELETE_KEYS} Object elements, not {}",
            keys.len()
        )));
    }
    for key in &keys {
        check_key(key)?;
    }
    let mut w = xml::Writer::default();
    w.open("DeleteResult");
    if ctx.url_encoding() {
        w.leaf("EncodingType", "url");
    }
    for key in keys {
        ctx.state
            .store
            .delete_object(ctx.bucket, key)
            .map_err(Failure::internal)?;
        if !quiet {
            w.open("Deleted")
                .leaf("Key", &ctx.encode_key(key))
                .close("Deleted");
        }
    }
    w.close("DeleteResult");
    Ok(Reply::xml(w.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100).unwrap(), Some((0, 10)));
        assert_eq!(parse_range("bytes=90-", 100).unwrap(), Some((90, 10)));
        assert_eq!(parse_range("bytes=-5", 100).unwrap(), Some((95, 5)));
        assert_eq!(parse_range("bytes=95-200", 100).unwrap(), Some((95, 5)));
        assert_eq!(parse_range("bytes=9-2", 100).unwrap(), None);
        assert_eq!(parse_range("lines=1-2", 100).unwrap(), None);
        assert_eq!(
            parse_range("bytes=100-", 100).unwrap_err().code,
            "InvalidRange"
        );
    }
}
