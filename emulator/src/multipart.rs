//! Initiate, UploadPart, Complete, Abort, ListParts and ListMultipartUploads, with OSS's limits:
//! part numbers 1–10000; every part but the last at least 100 KiB, checked only at Complete;
//! parts in Complete strictly ascending; the final ETag `"<md5 of part md5s>-<count>"`.

use bytes::Bytes;
use md5::{Digest, Md5};
use oss_browser_upload::protocol::limits::{MAX_PARTS, MIN_PART_SIZE};
use oss_browser_upload::protocol::{crc64, time, xml::Writer};

use crate::complete_body::requested_parts;
use crate::ctx::Ctx;
use crate::failure::Failure;
use crate::object_headers::{
    check_content_md5, check_storage_headers, content_type, encryption_of, etag_of, storage_class,
    stored_headers,
};
use crate::objects::check_key;
use crate::reply::Reply;
use crate::store::{ObjectMeta, ObjectRecord, PartRecord, Upload, UploadRecord};

fn upload_id<'a>(ctx: &'a Ctx) -> &'a str {
    ctx.param("uploadId").unwrap_or("")
}

/// The upload the request names, checked without copying its parts.
fn check_upload(ctx: &Ctx) -> Result<UploadRecord, Failure> {
    ctx.state
        .store
        .upload_record(ctx.bucket, upload_id(ctx))
        .filter(|r| r.key == ctx.key)
        .ok_or_else(Failure::no_such_upload)
}

fn find_upload(ctx: &Ctx) -> Result<Upload, Failure> {
    ctx.state
        .store
        .upload(ctx.bucket, upload_id(ctx))
        .filter(|u| u.record.key == ctx.key)
        .ok_or_else(Failure::no_such_upload)
}

pub fn initiate(ctx: &Ctx) -> Result<Reply, Failure> {
    check_key(ctx.key)?;
    check_storage_headers(ctx.req)?;
    crate::objects::forbid_overwrite(ctx)?;
    // Time first, so that IDs sort in initiation order as OSS lists them.
    let id = format!(
        "{:016X}{:016X}",
        crate::clock::epoch_ms() * 1000 + u64::from(rand::random::<u16>() % 1000),
        rand::random::<u64>()
    );
    let headers = stored_headers(ctx.req);
    ctx.state
        .store
        .create_upload(
            ctx.bucket,
            UploadRecord {
                key: ctx.key.to_string(),
                upload_id: id.clone(),
                initiated: ctx.now,
                content_type: content_type(ctx.req),
                headers: headers.clone(),
            },
        )
        .map_err(Failure::internal)?;
    let mut w = Writer::default();
    w.open("InitiateMultipartUploadResult")
        .leaf("Bucket", ctx.bucket)
        .leaf("Key", &ctx.encode_key(ctx.key))
        .leaf("UploadId", &id);
    if ctx.url_encoding() {
        w.leaf("EncodingType", "url");
    }
    let mut reply = Reply::xml(w.close("InitiateMultipartUploadResult").finish());
    reply.headers.extend(encryption_of(&headers));
    Ok(reply)
}

pub fn part_number(ctx: &Ctx) -> Result<u32, Failure> {
    ctx.number("partNumber", 0, 1..=MAX_PARTS)
        .map(|n| n as u32)
        .map_err(|_| {
            Failure::invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive.",
            )
            .with("ArgumentName", "partNumber")
        })
}

/// The upload a part belongs to, checked before its body is read.
pub fn check_part_target(ctx: &Ctx) -> Result<(u32, UploadRecord), Failure> {
    let number = part_number(ctx)?;
    Ok((number, check_upload(ctx)?))
}

pub fn upload_part(ctx: &Ctx, body: Bytes) -> Result<Reply, Failure> {
    let (number, upload) = check_part_target(ctx)?;
    check_content_md5(ctx.req, &body)?;
    let part = PartRecord {
        number,
        size: body.len() as u64,
        etag: etag_of(&body),
        crc64: crc64::checksum(&body),
        last_modified: ctx.now,
        blob: String::new(),
    };
    let store = &ctx.state.store;
    let blob = store
        .put_blob(ctx.bucket, body)
        .map_err(Failure::internal)?;
    let mut reply = Reply::empty(200)
        .header("etag", part.etag.clone())
        .header("x-oss-hash-crc64ecma", part.crc64.to_string());
    reply.headers.extend(encryption_of(&upload.headers));
    let kept = store
        .commit_part(ctx.bucket, upload_id(ctx), PartRecord { blob, ..part })
        .map_err(Failure::internal)?;
    if !kept {
        return Err(Failure::no_such_upload());
    }
    Ok(reply)
}

fn same_etag(a: &str, b: &str) -> bool {
    a.trim_matches('"')
        .eq_ignore_ascii_case(b.trim_matches('"'))
}

/// The (number, ETag) list a Complete names, checked as far as it can be without the upload:
/// `None` for `x-oss-complete-all: yes` (every part the upload has).
fn complete_list(ctx: &Ctx, body: &[u8]) -> Result<Option<Vec<(u32, String)>>, Failure> {
    if ctx.req.header("x-oss-complete-all") == Some("yes") {
        if !body.is_empty() {
            return Err(Failure::invalid_argument(
                "x-oss-complete-all: yes takes no part list in the body.",
            ));
        }
        return Ok(None);
    }
    let requested = requested_parts(body)?;
    if requested.is_empty() {
        return Err(Failure::malformed_xml("no Part elements"));
    }
    if requested.len() as u64 > MAX_PARTS {
        return Err(Failure::invalid_argument(format!(
            "A multipart upload has at most {MAX_PARTS} parts; the list names {}.",
            requested.len()
        )));
    }
    if requested.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(Failure::new(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. Parts must be ordered by part number.",
        ));
    }
    Ok(Some(requested))
}

/// The parts a Complete joins, from the upload as it stands: each listed number with its ETag
/// (or every part), every part but the last at least 100 KiB.
fn choose_parts(
    upload: &Upload,
    requested: Option<&[(u32, String)]>,
) -> Result<Vec<PartRecord>, Failure> {
    let chosen: Vec<PartRecord> = match requested {
        None => upload.parts.values().cloned().collect(),
        Some(requested) => requested
            .iter()
            .map(|(number, etag)| {
                upload
                    .parts
                    .get(number)
                    .filter(|p| same_etag(&p.etag, etag))
                    .cloned()
                    .ok_or_else(|| {
                        Failure::new(
                            400,
                            "InvalidPart",
                            "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
                        )
                        .with("PartNumber", number.to_string())
                        .with("ETag", etag.clone())
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    if let Some(small) = chosen
        .iter()
        .take(chosen.len().saturating_sub(1))
        .find(|p| p.size < MIN_PART_SIZE)
    {
        return Err(Failure::new(
            400,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size: every part but the last must be at least 100 KiB.",
        )
        .with("MinSizeAllowed", MIN_PART_SIZE.to_string())
        .with("ProposedSize", small.size.to_string())
        .with("PartNumber", small.number.to_string()));
    }
    Ok(chosen)
}

/// The object the chosen parts make: its ETag (`"<MD5 of the parts' MD5s>-<count>"`), CRC64
/// and size.
fn joined(chosen: &[PartRecord]) -> Result<(String, u64, u64), Failure> {
    let mut digests = Md5::new();
    let (mut crc, mut size) = (0u64, 0u64);
    for p in chosen {
        let hex = p.etag.trim_matches('"');
        digests.update(hex::decode(hex).map_err(|_| Failure::internal("stored ETag is not hex"))?);
        crc = crc64::combine(crc, p.crc64, p.size);
        size += p.size;
    }
    let etag = format!(
        "\"{}-{}\"",
        hex::encode_upper(digests.finalize()),
        chosen.len()
    );
    Ok((etag, crc, size))
}

/// CompleteMultipartUpload. The upload is claimed at once, parts chosen under the same lock,
/// so that parts overwritten, a second Complete or an Abort racing this one either happen
/// before it (and are seen) or find the upload gone (`NoSuchUpload`); the chosen parts' bytes
/// cannot go away under it.
pub fn complete(ctx: &Ctx, body: Bytes) -> Result<Reply, Failure> {
    let requested = complete_list(ctx, &body)?;
    // An upload already completed is NoSuchUpload first: a retried Complete learns that
    // its first try made the object, not that an object is in the way.
    check_upload(ctx)?;
    crate::objects::forbid_overwrite(ctx)?;
    let store = &ctx.state.store;
    let (upload, chosen) = store
        .claim_upload(ctx.bucket, upload_id(ctx), |upload| {
            if upload.record.key != ctx.key {
                return Err(Failure::no_such_upload());
            }
            choose_parts(upload, requested.as_deref())
        })?
        .ok_or_else(Failure::no_such_upload)?;
    let stored = joined(&chosen).and_then(|(etag, crc, size)| {
        let blobs: Vec<(String, u64)> = chosen.iter().map(|p| (p.blob.clone(), p.size)).collect();
        let blob = store
            .concat_blobs(ctx.bucket, &blobs)
            .map_err(Failure::internal)?;
        let record = ObjectRecord {
            key: ctx.key.to_string(),
            meta: ObjectMeta {
                size,
                etag: etag.clone(),
                crc64: crc,
                last_modified: ctx.now,
                content_type: upload.record.content_type.clone(),
                headers: upload.record.headers.clone(),
                object_type: "Multipart".into(),
            },
            blob,
        };
        store
            .commit_object(ctx.bucket, record)
            .map_err(Failure::internal)?;
        Ok((etag, crc))
    });
    let (etag, crc) = match stored {
        Ok(done) => done,
        Err(f) => {
            store.unclaim(ctx.bucket, upload);
            return Err(f);
        }
    };
    store.finish_claim(ctx.bucket, &upload);
    let mut w = Writer::default();
    w.open("CompleteMultipartUploadResult");
    if ctx.url_encoding() {
        w.leaf("EncodingType", "url");
    }
    w.leaf("Location", &format!("/{}/{}", ctx.bucket, ctx.key))
        .leaf("Bucket", ctx.bucket)
        .leaf("Key", &ctx.encode_key(ctx.key))
        .leaf("ETag", &etag);
    let mut reply = Reply::xml(w.close("CompleteMultipartUploadResult").finish())
        .header("etag", etag)
        .header("x-oss-hash-crc64ecma", crc.to_string());
    reply.headers.extend(encryption_of(&upload.record.headers));
    Ok(reply)
}

pub fn abort(ctx: &Ctx) -> Result<Reply, Failure> {
    check_upload(ctx)?;
    ctx.state
        .store
        .remove_upload(ctx.bucket, upload_id(ctx))
        .ok_or_else(Failure::no_such_upload)?;
    Ok(Reply::empty(204))
}

pub fn list_parts(ctx: &Ctx) -> Result<Reply, Failure> {
    let upload = find_upload(ctx)?;
    let max = ctx.number("max-parts", 1000, 1..=1000)? as usize;
    let marker = ctx.number("part-number-marker", 0, 0..=MAX_PARTS)? as u32;
    let after: Vec<&PartRecord> = upload.parts.range(marker + 1..).map(|(_, p)| p).collect();
    let truncated = after.len() > max;
    let page = &after[..after.len().min(max)];
    let mut w = Writer::default();
    w.open("ListPartsResult")
        .leaf("Bucket", ctx.bucket)
        .leaf("Key", &ctx.encode_key(ctx.key))
        .leaf("UploadId", upload_id(ctx))
        .leaf("StorageClass", storage_class(&upload.record.headers))
        .leaf("PartNumberMarker", &marker.to_string())
        .leaf(
            "NextPartNumberMarker",
            &page.last().map_or(marker, |p| p.number).to_string(),
        )
        .leaf("MaxParts", &max.to_string())
        .leaf("IsTruncated", &truncated.to_string());
    if ctx.url_encoding() {
        w.leaf("EncodingType", "url");
    }
    for p in page {
        w.open("Part")
            .leaf("PartNumber", &p.number.to_string())
            .leaf("LastModified", &time::iso8601(p.last_modified))
            .leaf("ETag", &p.etag)
            .leaf("HashCrc64ecma", &p.crc64.to_string())
            .leaf("Size", &p.size.to_string())
            .close("Part");
    }
    Ok(Reply::xml(w.close("ListPartsResult").finish()))
}

pub fn list_uploads(ctx: &Ctx) -> Result<Reply, Failure> {
    let prefix = ctx.param("prefix").unwrap_or("");
    let key_marker = ctx.param("key-marker").unwrap_or("");
    let id_marker = ctx.param("upload-id-marker").unwrap_or("");
    let max = ctx.number("max-uploads", 1000, 1..=1000)? as usize;
    let mut uploads: Vec<UploadRecord> = ctx
        .state
        .store
        .uploads(ctx.bucket)
        .into_iter()
        .filter(|u| u.key.starts_with(prefix))
        .filter(|u| {
            // After the marker: a later key, or the marker key with a later upload ID
            // (OSS only honours upload-id-marker together with key-marker).
            u.key.as_str() > key_marker
                || (!id_marker.is_empty()
                    && u.key == key_marker
                    && u.upload_id.as_str() > id_marker)
        })
        .collect();
    uploads.sort_by(|a, b| (&a.key, &a.upload_id).cmp(&(&b.key, &b.upload_id)));
    let truncated = uploads.len() > max;
    let page = &uploads[..uploads.len().min(max)];
    let mut w = Writer::default();
    w.open("ListMultipartUploadsResult")
        .leaf("Bucket", ctx.bucket);
    if ctx.url_encoding() {
        w.leaf("EncodingType", "url");
    }
    let (next_key, next_id) = page.last().map_or((String::new(), String::new()), |u| {
        (ctx.encode_key(&u.key), u.upload_id.clone())
    });
    w.leaf("KeyMarker", &ctx.encode_key(key_marker))
        .leaf("UploadIdMarker", id_marker)
        .leaf("NextKeyMarker", &next_key)
        .leaf("NextUploadIdMarker", &next_id)
        .leaf("Delimiter", "")
        .leaf("Prefix", &ctx.encode_key(prefix))
        .leaf("MaxUploads", &max.to_string())
        .leaf("IsTruncated", &truncated.to_string());
    for u in page {
        w.open("Upload")
            .leaf("Key", &ctx.encode_key(&u.key))
            .leaf("UploadId", &u.upload_id)
            .leaf("StorageClass", storage_class(&u.headers))
            .leaf("Initiated", &time::iso8601(u.initiated))
            .close("Upload");
    }
    Ok(Reply::xml(w.close("ListMultipartUploadsResult").finish()))
}
