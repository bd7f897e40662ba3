//! Objects made from other objects or grown in place: AppendObject, and CopyObject (and so
//! ali-oss's putMeta).

use bytes::{Bytes, BytesMut};
use oss_browser_upload::protocol::encode::uri_decode;
use oss_browser_upload::protocol::{crc64, time, xml};

use crate::ctx::Ctx;
use crate::failure::Failure;
use crate::object_headers::{
    check_content_md5, check_storage_headers, content_type, etag_of, stored_headers,
};
use crate::objects::check_key;
use crate::reply::Reply;
use crate::store::{ObjectMeta, ObjectRecord};
use crate::sync::lock;

/// An object's whole bytes and its record, if it exists.
fn read_whole(
    ctx: &Ctx,
    bucket: &str,
    key: &str,
) -> Result<Option<(ObjectRecord, Bytes)>, Failure> {
    let Some(opened) = ctx.state.store.open_object(bucket, key) else {
        return Ok(None);
    };
    let (record, mut blob) = opened.map_err(Failure::internal)?;
    let bytes = blob.read(0, record.meta.size).map_err(Failure::internal)?;
    Ok(Some((record, bytes)))
}

fn store(ctx: &Ctx, bucket: &str, key: &str, meta: ObjectMeta, body: Bytes) -> Result<(), Failure> {
    let store = &ctx.state.store;
    let blob = store.put_blob(bucket, body).map_err(Failure::internal)?;
    store
        .commit_object(
            bucket,
            ObjectRecord {
                key: key.to_string(),
                meta,
                blob,
            },
        )
        .map_err(Failure::internal)
}

/// AppendObject (`POST ?append&position=N`): creates an Appendable object at position 0, or
/// adds to one whose length is `position`. A wrong position is refused with the right one in
/// `x-oss-next-append-position`, as OSS does, so a client can tell a lost answer from a race.
pub fn append(ctx: &Ctx, body: Bytes) -> Result<Reply, Failure> {
    // The position check and the write are one step: two appends racing at one position must
    // not both succeed (one's bytes would be lost). Appends are rare; one lock for all.
    static APPENDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = lock(&APPENDING);
    check_key(ctx.key)?;
    check_storage_headers(ctx.req)?;
    check_content_md5(ctx.req, &body)?;
    let position = ctx
        .number("position", u64::MAX, 0..=u64::MAX - 1)
        .map_err(|_| {
            Failure::invalid_argument("position must be given, as a whole number of bytes.")
        })?;
    let existing = read_whole(ctx, ctx.bucket, ctx.key)?;
    let length = existing.as_ref().map_or(0, |(r, _)| r.meta.size);
    if let Some((record, _)) = &existing {
        if record.meta.object_type != "Appendable" {
            return Err(Failure::new(
                409,
                "ObjectNotAppendable",
                "The object is not appendable: it was not made by AppendObject.",
            ));
        }
    }
    if position != length {
        let mut f = Failure::new(
            409,
            "PositionNotEqualToLength",
            "Position is not equal to file length.",
        );
        f.headers
            .push(("x-oss-next-append-position".into(), length.to_string()));
        return Err(f);
    }
    let (meta_from, mut whole) = match existing {
        Some((record, bytes)) => (Some(record.meta), BytesMut::from(&bytes[..])),
        None => (None, BytesMut::new()),
    };
    whole.extend_from_slice(&body);
    let whole = whole.freeze();
    // The first append sets the object's headers; later ones keep them.
    let meta = ObjectMeta {
        size: whole.len() as u64,
        etag: etag_of(&whole),
        crc64: crc64::checksum(&whole),
        last_modified: ctx.now,
        content_type: meta_from
            .as_ref()
            .map_or_else(|| content_type(ctx.req), |m| m.content_type.clone()),
        headers: meta_from.map_or_else(|| stored_headers(ctx.req), |m| m.headers),
        object_type: "Appendable".into(),
    };
    let reply = Reply::empty(200)
        .header("etag", meta.etag.clone())
        .header("x-oss-hash-crc64ecma", meta.crc64.to_string())
        .header("x-oss-next-append-position", meta.size.to_string());
    store(ctx, ctx.bucket, ctx.key, meta, whole)?;
    Ok(reply)
}

/// `x-oss-copy-source: /bucket/key` (the key URL-encoded, an optional `?versionId=`).
fn copy_source(header: &str) -> Result<(String, String), Failure> {
    let bad =
        || Failure::invalid_argument("x-oss-copy-source must be /bucket/key, the key URL-encoded.");
    let path = header.split('?').next().unwrap_or("");
    let (bucket, key) = path
        .strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .ok_or_else(bad)?;
    let key = uri_decode(key).ok_or_else(bad)?;
    check_key(&key)?;
    Ok((bucket.to_string(), key))
}

/// CopyObject: the source's bytes under this name; its metadata too, unless
/// `x-oss-metadata-directive: REPLACE` gives this request's instead.
pub fn copy(ctx: &Ctx) -> Result<Reply, Failure> {
    check_key(ctx.key)?;
    check_storage_headers(ctx.req)?;
    let (bucket, key) = copy_source(ctx.req.header("x-oss-copy-source").unwrap_or(""))?;
    if !ctx.state.store.has_bucket(&bucket) {
        return Err(
            Failure::new(404, "NoSuchBucket", "The specified bucket does not exist.")
                .with("BucketName", bucket.as_str()),
        );
    }
    let (source, bytes) = read_whole(ctx, &bucket, &key)?.ok_or_else(|| {
        Failure::new(404, "NoSuchKey", "The specified key does not exist.")
            .with("Key", key.as_str())
    })?;
    if let Some(status) = crate::objects::precondition(ctx, "x-oss-copy-source-", &source.meta)? {
        return Ok(Reply::empty(status));
    }
    crate::objects::forbid_overwrite(ctx)?;
    let replace = match ctx.req.header("x-oss-metadata-directive") {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(_) => {
            return Err(Failure::invalid_argument(
                "x-oss-metadata-directive must be COPY or REPLACE.",
            ))
        }
    };
    let meta = ObjectMeta {
        last_modified: ctx.now,
        content_type: if replace {
            content_type(ctx.req)
        } else {
            source.meta.content_type.clone()
        },
        headers: if replace {
            stored_headers(ctx.req)
        } else {
            source.meta.headers.clone()
        },
        object_type: "Normal".into(),
        ..source.meta
    };
    let mut w = xml::Writer::default();
    w.open("CopyObjectResult")
        .leaf("ETag", &meta.etag)
        .leaf("LastModified", &time::iso8601(ctx.now))
        .close("CopyObjectResult");
    let reply = Reply::xml(w.finish()).header("etag", meta.etag.clone());
    store(ctx, ctx.bucket, ctx.key, meta, bytes)?;
    Ok(reply)
}
