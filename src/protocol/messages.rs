//! The XML bodies of the multipart API, as the client builds and reads them.

use super::encode::uri_decode;
use super::xml::{self, Element, Writer};
use crate::text::{self, int, parse_u32};

fn root(body: &str, name: &str) -> Result<Element, String> {
    let root = xml::parse(body)?;
    if root.name != name {
        return Err(text::fill("expected <{}>, got <{}>", &[name, &root.name]));
    }
    Ok(root)
}

fn text(el: &Element, name: &str) -> Result<String, String> {
    el.child_text(name)
        .map(str::to_string)
        .ok_or_else(|| text::fill("<{}> has no <{}>", &[&el.name, name]))
}

/// Keys come back URL-encoded when the request asked for `encoding-type=url`.
fn key_text(root: &Element, el: &Element, name: &str) -> Result<String, String> {
    let raw = text(el, name)?;
    if root.child_text("EncodingType") == Some("url") {
        uri_decode(&raw).ok_or_else(|| text::fill("<{}> is not valid URL encoding", &[name]))
    } else {
        Ok(raw)
    }
}

/// The `UploadId` of an `InitiateMultipartUploadResult`.
pub fn parse_initiate(body: &str) -> Result<String, String> {
    text(&root(body, "InitiateMultipartUploadResult")?, "UploadId")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedPart {
    pub number: u32,
    pub etag: String,
    pub size: u64,
    pub crc64: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartsPage {
    pub parts: Vec<ListedPart>,
    pub truncated: bool,
    pub next_marker: u32,
}

pub fn parse_list_parts(body: &str) -> Result<PartsPage, String> {
    let root = root(body, "ListPartsResult")?;
    // Loops rather than collect() into a Result: each adapter chain is code of its own.
    let mut parts = Vec::new();
    for p in root.children_named("Part") {
        parts.push(ListedPart {
            number: parse_u32(text(p, "PartNumber")?.trim()).ok_or("bad PartNumber")?,
            etag: text(p, "ETag")?,
            size: text(p, "Size")?.trim().parse().map_err(|_| "bad Size")?,
            crc64: p
                .child_text("HashCrc64ecma")
                .and_then(|c| c.trim().parse().ok()),
        });
    }
    Ok(PartsPage {
        truncated: root.child_text("IsTruncated") == Some("true"),
        next_marker: root
            .child_text("NextPartNumberMarker")
            .and_then(|n| parse_u32(n.trim()))
            .unwrap_or(0),
        parts,
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedUpload {
    pub key: String,
    pub upload_id: String,
    pub initiated: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadsPage {
    pub uploads: Vec<ListedUpload>,
    pub truncated: bool,
    pub next_key_marker: String,
    pub next_upload_id_marker: String,
}

pub fn parse_list_uploads(body: &str) -> Result<UploadsPage, String> {
    let root = root(body, "ListMultipartUploadsResult")?;
    let mut uploads = Vec::new();
    for u in root.children_named("Upload") {
        uploads.push(ListedUpload {
            key: key_text(&root, u, "Key")?,
            upload_id: text(u, "UploadId")?,
            initiated: u.child_text("Initiated").unwrap_or("").to_string(),
        });
    }
    Ok(UploadsPage {
        truncated: root.child_text("IsTruncated") == Some("true"),
        next_key_marker: key_text(&root, &root, "NextKeyMarker").unwrap_or_default(),
        next_upload_id_marker: root
            .child_text("NextUploadIdMarker")
            .unwrap_or("")
            .to_string(),
        uploads,
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub last_modified: String,
    pub kind: String,
    pub storage_class: String,
    /// (ID, DisplayName), when the answer has an `<Owner>`.
    pub owner: Option<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectsPage {
    pub objects: Vec<ListedObject>,
    /// The `CommonPrefixes` of a listing with a delimiter.
    pub prefixes: Vec<String>,
    pub truncated: bool,
    /// V1's next marker, V2's next continuation token.
    pub next: String,
    /// V2: the token this page was asked with, and the number of keys and prefixes in it.
    pub continuation_token: String,
    pub key_count: u64,
}

/// A `ListBucketResult` (ListObjects V1 or V2).
pub fn parse_list_objects(body: &str) -> Result<ObjectsPage, String> {
    let root = root(body, "ListBucketResult")?;
    let field = |el: &Element, name| el.child_text(name).unwrap_or("").to_string();
    let mut objects = Vec::new();
    for o in root.children_named("Contents") {
        objects.push(ListedObject {
            key: key_text(&root, o, "Key")?,
            size: text(o, "Size")?.trim().parse().map_err(|_| "bad Size")?,
            etag: text(o, "ETag")?,
            last_modified: field(o, "LastModified"),
            kind: field(o, "Type"),
            storage_class: field(o, "StorageClass"),
            owner: o
                .child("Owner")
                .map(|w| (field(w, "ID"), field(w, "DisplayName"))),
        });
    }
    let mut prefixes = Vec::new();
    for p in root.children_named("CommonPrefixes") {
        prefixes.push(key_text(&root, p, "Prefix")?);
    }
    Ok(ObjectsPage {
        truncated: root.child_text("IsTruncated") == Some("true"),
        next: key_text(&root, &root, "NextMarker")
            .or_else(|_| text(&root, "NextContinuationToken"))
            .unwrap_or_default(),
        continuation_token: field(&root, "ContinuationToken"),
        key_count: root
            .child_text("KeyCount")
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0),
        objects,
        prefixes,
    })
}

/// The body of CompleteMultipartUpload; `parts` must already be in ascending order.
pub fn complete_body(parts: &[(u32, String)]) -> String {
    let mut w = Writer::default();
    w.open("CompleteMultipartUpload");
    for (number, etag) in parts {
        w.open("Part")
            .leaf("PartNumber", &int((*number).into()))
            .leaf("ETag", etag)
            .close("Part");
    }
    w.close("CompleteMultipartUpload").finish()
}

/// The `ETag` of a `CompleteMultipartUploadResult`.
pub fn parse_complete(body: &str) -> Result<String, String> {
    text(&root(body, "CompleteMultipartUploadResult")?, "ETag")
}

/// The body of DeleteMultipleObjects: `keys` with an optional version each.
pub fn delete_body(keys: &[(String, Option<String>)], quiet: bool) -> String {
    let mut w = Writer::default();
    w.open("Delete")
        .leaf("Quiet", if quiet { "true" } else { "false" });
    for (key, version) in keys {
        w.open("Object").leaf("Key", key);
        if let Some(v) = version {
            w.leaf("VersionId", v);
        }
        w.close("Object");
    }
    w.close("Delete").finish()
}

/// The keys a `DeleteResult` lists as deleted.
pub fn parse_delete(body: &str) -> Result<Vec<String>, String> {
    let root = root(body, "DeleteResult")?;
    let mut keys = Vec::new();
    for d in root.children_named("Deleted") {
        keys.push(key_text(&root, d, "Key")?);
    }
    Ok(keys)
}

/// (ETag, LastModified) of a `CopyObjectResult`.
pub fn parse_copy(body: &str) -> Result<(String, String), String> {
    let root = root(body, "CopyObjectResult")?;
    Ok((text(&root, "ETag")?, text(&root, "LastModified")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_oss_sends() {
        let parts = parse_list_parts(
            "<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker>\
             <Part><PartNumber>1</PartNumber><ETag>&quot;AB&quot;</ETag><Size>10</Size><HashCrc64ecma>5</HashCrc64ecma></Part>\
             <Part><PartNumber>2</PartNumber><ETag>\"CD\"</ETag><Size>3</Size></Part></ListPartsResult>",
        )
        .unwrap();
        assert!(parts.truncated);
        assert_eq!(parts.next_marker, 2);
        assert_eq!(parts.parts[0].etag, "\"AB\"");
        assert_eq!(parts.parts[0].crc64, Some(5));
        assert_eq!(parts.parts[1].crc64, None);
        let uploads = parse_list_uploads(
            "<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>\
             <NextKeyMarker>a%20b</NextKeyMarker><Upload><Key>a%20b</Key><UploadId>U</UploadId></Upload>\
             </ListMultipartUploadsResult>",
        )
        .unwrap();
        assert_eq!(uploads.uploads[0].key, "a b");
        let objects = parse_list_objects(
            "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextMarker>b</NextMarker>\
             <Contents><Key>a%2Bb</Key><Size>3</Size><ETag>\"E\"</ETag><Type>Normal</Type></Contents></ListBucketResult>",
        )
        .unwrap();
        assert_eq!(
            (objects.objects[0].key.as_str(), objects.objects[0].size),
            ("a+b", 3)
        );
        assert!(objects.truncated);
        assert_eq!(objects.next, "b");
        assert_eq!(objects.objects[0].owner, None);
        let v2 = parse_list_objects(
            "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><KeyCount>2</KeyCount>\
             <NextContinuationToken>T2</NextContinuationToken><ContinuationToken>T1</ContinuationToken>\
             <Contents><Key>d%2Fa</Key><Size>0</Size><ETag>\"E\"</ETag><StorageClass>Standard</StorageClass>\
             <Owner><ID>1</ID><DisplayName>me</DisplayName></Owner></Contents>\
             <CommonPrefixes><Prefix>d%2Fsub%2F</Prefix></CommonPrefixes></ListBucketResult>",
        )
        .unwrap();
        assert_eq!(v2.prefixes, ["d/sub/"]);
        assert_eq!(
            (
                v2.next.as_str(),
                v2.continuation_token.as_str(),
                v2.key_count
            ),
            ("T2", "T1", 2)
        );
        assert_eq!(v2.objects[0].storage_class, "Standard");
        assert_eq!(v2.objects[0].owner, Some(("1".into(), "me".into())));
        assert_eq!(uploads.next_key_marker, "a b");
        assert_eq!(parse_initiate("<InitiateMultipartUploadResult><UploadId>X</UploadId></InitiateMultipartUploadResult>").unwrap(), "X");
        assert!(parse_initiate("<Error/>").is_err());
    }

    #[test]
    fn complete_body_round_trips() {
        let body = complete_body(&[(1, "\"A\"".into()), (2, "\"B\"".into())]);
        let root = xml::parse(&body).unwrap();
        let numbers: Vec<_> = root
            .children_named("Part")
            .map(|p| p.child_text("PartNumber").unwrap().to_string())
            .collect();
        assert_eq!(numbers, ["1", "2"]);
        assert_eq!(root.children[1].child_text("ETag"), Some("\"B\""));
    }

    #[test]
    fn delete_and_copy_bodies() {
        let body = delete_body(
            &[("a&b".into(), None), ("c".into(), Some("v1".into()))],
            true,
        );
        let root = xml::parse(&body).unwrap();
        assert_eq!(root.child_text("Quiet"), Some("true"));
        let objects: Vec<_> = root.children_named("Object").collect();
        assert_eq!(objects[0].child_text("Key"), Some("a&b"));
        assert_eq!(objects[1].child_text("VersionId"), Some("v1"));
        assert_eq!(
            parse_delete("<DeleteResult><EncodingType>url</EncodingType><Deleted><Key>a%26b</Key></Deleted></DeleteResult>").unwrap(),
            ["a&b"]
        );
        assert_eq!(
            parse_copy("<CopyObjectResult><ETag>\"E\"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyObjectResult>").unwrap(),
            ("\"E\"".to_string(), "2024-01-01T00:00:00.000Z".to_string())
        );
    }
}
