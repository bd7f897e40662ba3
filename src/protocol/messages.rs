//! The XML bodies of the multipart API, as the client builds and reads them.

use super::encode::uri_decode;
use super::xml::{self, Element, Writer};

fn root(body: &str, name: &str) -> Result<Element, String> {
    let root = xml::parse(body)?;
    if root.name != name {
        return Err(format!("expected <{name}>, got <{}>", root.name));
    }
    Ok(root)
}

fn text(el: &Element, name: &str) -> Result<String, String> {
    el.child_text(name)
        .map(str::to_string)
        .ok_or_else(|| format!("<{}> has no <{name}>", el.name))
}

/// Keys come back URL-encoded when the request asked for `encoding-type=url`.
fn key_text(root: &Element, el: &Element, name: &str) -> Result<String, String> {
    let raw = text(el, name)?;
    if root.child_text("EncodingType") == Some("url") {
        uri_decode(&raw).ok_or_else(|| format!("<{name}> is not valid URL encoding"))
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
    let parts = root
        .children_named("Part")
        .map(|p| {
            Ok(ListedPart {
                number: text(p, "PartNumber")?
                    .trim()
                    .parse()
                    .map_err(|_| "bad PartNumber")?,
                etag: text(p, "ETag")?,
                size: text(p, "Size")?.trim().parse().map_err(|_| "bad Size")?,
                crc64: p
                    .child_text("HashCrc64ecma")
                    .and_then(|c| c.trim().parse().ok()),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(PartsPage {
        truncated: root.child_text("IsTruncated") == Some("true"),
        next_marker: root
            .child_text("NextPartNumberMarker")
            .and_then(|n| n.trim().parse().ok())
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
    let uploads = root
        .children_named("Upload")
        .map(|u| {
            Ok(ListedUpload {
                key: key_text(&root, u, "Key")?,
                upload_id: text(u, "UploadId")?,
                initiated: u.child_text("Initiated").unwrap_or("").to_string(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
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
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectsPage {
    pub objects: Vec<ListedObject>,
    pub truncated: bool,
    pub next_marker: String,
}

/// A `ListBucketResult` (ListObjects V1).
pub fn parse_list_objects(body: &str) -> Result<ObjectsPage, String> {
    let root = root(body, "ListBucketResult")?;
    let objects = root
        .children_named("Contents")
        .map(|o| {
            Ok(ListedObject {
                key: key_text(&root, o, "Key")?,
                size: text(o, "Size")?.trim().parse().map_err(|_| "bad Size")?,
                etag: text(o, "ETag")?,
                last_modified: o.child_text("LastModified").unwrap_or("").to_string(),
                kind: o.child_text("Type").unwrap_or("").to_string(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(ObjectsPage {
        truncated: root.child_text("IsTruncated") == Some("true"),
        next_marker: key_text(&root, &root, "NextMarker").unwrap_or_default(),
        objects,
    })
}

/// The body of CompleteMultipartUpload; `parts` must already be in ascending order.
pub fn complete_body(parts: &[(u32, String)]) -> String {
    let mut w = Writer::default();
    w.open("CompleteMultipartUpload");
    for (number, etag) in parts {
        w.open("Part")
            .leaf("PartNumber", &number.to_string())
            .leaf("ETag", etag)
            .close("Part");
    }
    w.close("CompleteMultipartUpload").finish()
}

/// The `ETag` of a `CompleteMultipartUploadResult`.
pub fn parse_complete(body: &str) -> Result<String, String> {
    text(&root(body, "CompleteMultipartUploadResult")?, "ETag")
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
}
