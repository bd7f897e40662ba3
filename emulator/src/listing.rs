//! ListObjects (V1) and ListObjectsV2 (`list-type=2`), as OSS answers them: `prefix`,
//! `delimiter` (keys rolled up into `CommonPrefixes`), `marker` / `start-after` /
//! `continuation-token`, `max-keys` (keys and common prefixes count alike), `encoding-type=url`,
//! and each entry's `Owner` (always in V1; in V2 only with `fetch-owner=true`).

use base64::Engine;
use oss_browser_upload::protocol::{time, xml::Writer};

use crate::ctx::Ctx;
use crate::failure::Failure;
use crate::object_headers::storage_class;
use crate::reply::Reply;
use crate::store::ObjectRecord;

/// The owner every object of the emulator has: OSS names the bucket owner's account, whose
/// ID is a number and whose display name is the same number.
pub const OWNER_ID: &str = "1000000000000000";

/// One line of a page: an object, or a common prefix standing for the keys under it.
enum Entry<'a> {
    Object(&'a ObjectRecord),
    Prefix(String),
}

impl Entry<'_> {
    fn name(&self) -> &str {
        match self {
            Entry::Object(o) => &o.key,
            Entry::Prefix(p) => p,
        }
    }
}

/// A V2 continuation token: opaque to clients, so it needs no encoding in any answer.
fn token_of(name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(name)
}

fn name_of_token(token: &str) -> Result<String, Failure> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            Failure::invalid_argument("The continuation token provided is incorrect.")
                .with("ArgumentName", "continuation-token")
                .with("ArgumentValue", token)
        })
}

/// The entries after `marker`, at most `max`, and whether more follow. Objects must be in key
/// order; a key with `delimiter` after `prefix` is rolled up into its common prefix, which
/// counts once, where its first key would have been.
fn page<'a>(
    objects: &'a [ObjectRecord],
    prefix: &str,
    delimiter: &str,
    marker: &str,
    max: usize,
) -> (Vec<Entry<'a>>, bool) {
    let mut out: Vec<Entry> = Vec::new();
    for o in objects.iter().filter(|o| o.key.starts_with(prefix)) {
        let rest = &o.key[prefix.len()..];
        let entry = match rest.find(delimiter).filter(|_| !delimiter.is_empty()) {
            Some(at) => Entry::Prefix(o.key[..prefix.len() + at + delimiter.len()].to_string()),
            None => Entry::Object(o),
        };
        // After a marker that is a common prefix, the keys under it are skipped too.
        if entry.name() <= marker {
            continue;
        }
        if let (Entry::Prefix(p), Some(Entry::Prefix(last))) = (&entry, out.last()) {
            if p == last {
                continue;
            }
        }
        if out.len() == max {
            return (out, true);
        }
        out.push(entry);
    }
    (out, false)
}

pub fn list(ctx: &Ctx) -> Result<Reply, Failure> {
    let v2 = ctx.param("list-type") == Some("2");
    let prefix = ctx.param("prefix").unwrap_or("");
    let delimiter = ctx.param("delimiter").unwrap_or("");
    let token = ctx.param("continuation-token").filter(|t| !t.is_empty());
    let start_after = ctx.param("start-after").unwrap_or("");
    let marker = match (v2, token) {
        (true, Some(t)) => name_of_token(t)?,
        (true, None) => start_after.to_string(),
        (false, _) => ctx.param("marker").unwrap_or("").to_string(),
    };
    let max = ctx.number("max-keys", 100, 0..=1000)? as usize;
    let owner = !v2 || ctx.param("fetch-owner") == Some("true");
    let objects = ctx.state.store.list_objects(ctx.bucket);
    let (entries, truncated) = page(&objects, prefix, delimiter, &marker, max);
    let next = entries.last().map(|e| e.name().to_string());

    let mut w = Writer::default();
    w.open("ListBucketResult")
        .leaf("Name", ctx.bucket)
        .leaf("Prefix", &ctx.encode_key(prefix));
    if v2 {
        if let Some(t) = token {
            w.leaf("ContinuationToken", t);
        }
        if !start_after.is_empty() {
            w.leaf("StartAfter", &ctx.encode_key(start_after));
        }
    } else {
        w.leaf("Marker", &ctx.encode_key(&marker));
    }
    w.leaf("MaxKeys", &max.to_string());
    if !delimiter.is_empty() {
        w.leaf("Delimiter", &ctx.encode_key(delimiter));
    }
    if ctx.url_encoding() {
        w.leaf("EncodingType", "url");
    }
    w.leaf("IsTruncated", &truncated.to_string());
    match (&next, truncated, v2) {
        (Some(n), true, false) => {
            w.leaf("NextMarker", &ctx.encode_key(n));
        }
        (Some(n), true, true) => {
            w.leaf("NextContinuationToken", &token_of(n));
        }
        _ => {}
    }
    if v2 {
        w.leaf("KeyCount", &entries.len().to_string());
    }
    for entry in &entries {
        let Entry::Object(o) = entry else { continue };
        w.open("Contents")
            .leaf("Key", &ctx.encode_key(&o.key))
            .leaf("LastModified", &time::iso8601(o.meta.last_modified))
            .leaf("ETag", &o.meta.etag)
            .leaf("Type", &o.meta.object_type)
            .leaf("Size", &o.meta.size.to_string())
            .leaf("StorageClass", storage_class(&o.meta.headers));
        if owner {
            w.open("Owner")
                .leaf("ID", OWNER_ID)
                .leaf("DisplayName", OWNER_ID)
                .close("Owner");
        }
        w.close("Contents");
    }
    for entry in &entries {
        if let Entry::Prefix(p) = entry {
            w.open("CommonPrefixes")
                .leaf("Prefix", &ctx.encode_key(p))
                .close("CommonPrefixes");
        }
    }
    Ok(Reply::xml(w.close("ListBucketResult").finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ObjectMeta;

    fn objects(keys: &[&str]) -> Vec<ObjectRecord> {
        keys.iter()
            .map(|k| ObjectRecord {
                key: k.to_string(),
                meta: ObjectMeta {
                    size: 0,
                    etag: String::new(),
                    crc64: 0,
                    last_modified: 0,
                    content_type: String::new(),
                    headers: vec![],
                    object_type: "Normal".into(),
                },
                blob: String::new(),
            })
            .collect()
    }

    fn names(entries: &[Entry]) -> Vec<String> {
        entries.iter().map(|e| e.name().to_string()).collect()
    }

    #[test]
    fn a_delimiter_rolls_keys_up_and_pages_count_prefixes_once() {
        let all = objects(&["a/1", "a/2", "a/b/3", "b", "c/1", "d"]);
        let (p, more) = page(&all, "", "/", "", 1000);
        assert_eq!(names(&p), ["a/", "b", "c/", "d"]);
        assert!(!more);
        let (p, more) = page(&all, "", "/", "", 2);
        assert_eq!((names(&p), more), (vec!["a/".into(), "b".into()], true));
        // Resuming after a common prefix skips every key under it.
        let (p, more) = page(&all, "", "/", "a/", 2);
        assert_eq!((names(&p), more), (vec!["b".into(), "c/".into()], true));
        let (p, _) = page(&all, "a/", "/", "", 1000);
        assert_eq!(names(&p), ["a/1", "a/2", "a/b/"]);
        let (p, more) = page(&all, "", "", "b", 1000);
        assert_eq!((names(&p), more), (vec!["c/1".into(), "d".into()], false));
    }

    #[test]
    fn a_token_round_trips_and_a_bad_one_is_refused() {
        let t = token_of("中/a b+c");
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(name_of_token(&t).unwrap(), "中/a b+c");
        assert_eq!(name_of_token("%%%").unwrap_err().code, "InvalidArgument");
    }
}
