//! OSS's request rules for the client's one-request methods, as the engine builds them: no
//! browser, no network.

use oss_browser_upload::engine::exchange::{Body, Read, Request};
use oss_browser_upload::engine::requests::{self, CopySource};

fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    (r.headers.iter())
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn from<'a>(bucket: &'a str, key: &'a str) -> CopySource<'a> {
    CopySource {
        bucket,
        key,
        version_id: None,
    }
}

#[test]
fn a_copy_with_its_metadata_keeps_the_source_s() {
    let r = requests::copy("b.jpg", from("src", "a b.jpg"), vec![], None);
    assert_eq!(r.method, "PUT");
    assert_eq!(header(&r, "x-oss-copy-source"), Some("/src/a%20b.jpg"));
    assert_eq!(header(&r, "x-oss-metadata-directive"), None);
    assert_eq!(header(&r, "content-type"), None);
    assert!(r.conditional, "a failed copy condition (304) is an answer");
}

#[test]
fn a_copy_that_replaces_without_a_type_gets_the_name_s() {
    let meta = pairs(&[("x-oss-meta-a", "1")]);
    let r = requests::copy("photo.jpg", from("b", "photo.jpg"), vec![], Some(meta));
    assert_eq!(header(&r, "x-oss-metadata-directive"), Some("REPLACE"));
    assert_eq!(header(&r, "content-type"), Some("image/jpeg"));
    assert_eq!(header(&r, "x-oss-meta-a"), Some("1"));

    // A standard header replaces too, and the caller's type stays.
    let headers = pairs(&[
        ("Content-Type", "text/plain"),
        ("Cache-Control", "no-cache"),
    ]);
    let r = requests::copy("photo.jpg", from("b", "x"), headers, None);
    assert_eq!(header(&r, "x-oss-metadata-directive"), Some("REPLACE"));
    let types = r
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    assert_eq!(types.count(), 1);
    assert_eq!(header(&r, "content-type"), Some("text/plain"));
}

#[test]
fn a_copy_s_conditions_go_to_its_source_under_oss_s_names() {
    let headers = pairs(&[("If-Match", "\"e1\""), ("if-unmodified-since", "d")]);
    let mut source = from("b", "k");
    source.version_id = Some("v2");
    let r = requests::copy("n", source, headers, None);
    assert_eq!(header(&r, "x-oss-copy-source-if-match"), Some("\"e1\""));
    assert_eq!(
        header(&r, "x-oss-copy-source-if-unmodified-since"),
        Some("d")
    );
    assert_eq!(header(&r, "x-oss-copy-source"), Some("/b/k?versionId=v2"));
    assert_eq!(header(&r, "x-oss-metadata-directive"), None);
}

#[test]
fn complete_by_the_caller_sorts_parts_and_drops_what_only_initiate_takes() {
    let parts = vec![
        (3, "\"c\"".into()),
        (1, "\"a\"".into()),
        (2, "\"b\"".into()),
    ];
    let headers = pairs(&[
        ("x-oss-server-side-encryption", "AES256"),
        ("X-OSS-Storage-Class", "IA"),
        ("x-oss-forbid-overwrite", "true"),
        ("Content-Type", "video/mp4"),
    ]);
    let callback = pairs(&[("x-oss-callback", "e30=")]);
    let r = requests::complete_by_caller("k", "up1", parts, headers, &callback);
    assert_eq!(r.method, "POST");
    assert_eq!(r.query, pairs(&[("uploadId", "up1")]));
    assert_eq!(header(&r, "x-oss-server-side-encryption"), None);
    assert_eq!(header(&r, "x-oss-storage-class"), None);
    assert_eq!(header(&r, "x-oss-forbid-overwrite"), Some("true"));
    assert_eq!(header(&r, "x-oss-callback"), Some("e30="));
    assert_eq!(header(&r, "content-type"), Some("application/xml"));
    let Body::Text(xml) = &r.body else {
        panic!("Complete carries its XML: {:?}", r.body)
    };
    let at = |n: u32| xml.find(&format!("<PartNumber>{n}</PartNumber>"));
    let (a, b, c) = (at(1), at(2), at(3));
    assert!(a.is_some() && a < b && b < c, "parts in order: {xml}");
}

#[test]
fn delete_multi_carries_the_md5_of_its_body() {
    use base64::Engine;
    use md5::Digest;
    let keys = vec![("a.txt".to_string(), None), ("b".into(), Some("v1".into()))];
    let r = requests::delete_multi(&keys, true);
    let Body::Text(xml) = &r.body else {
        panic!("DeleteMultipleObjects carries its XML")
    };
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(xml));
    assert_eq!(header(&r, "content-md5"), Some(md5.as_str()));
    assert!(xml.contains("<Quiet>true</Quiet>") && xml.contains("<VersionId>v1</VersionId>"));
    assert_eq!(r.query, pairs(&[("delete", ""), ("encoding-type", "url")]));
}

#[test]
fn get_keeps_the_browser_cache_out_unless_asked_and_the_caller_s_subresource_wins() {
    let r = requests::get("k", false, vec![], vec![]);
    assert_eq!(r.query, pairs(&[("response-cache-control", "no-cache")]));
    assert_eq!(r.read, Read::Bytes);
    assert!(r.conditional);

    let own = pairs(&[("response-cache-control", "max-age=60"), ("versionId", "v")]);
    let r = requests::get("k", false, own.clone(), vec![]);
    assert_eq!(r.query, own);

    let r = requests::get("k", true, vec![], vec![]);
    assert!(r.query.is_empty());
}

#[test]
fn lists_ask_for_url_encoded_names() {
    let q = pairs(&[("prefix", "a/"), ("list-type", "2")]);
    let r = requests::list_objects(q);
    assert_eq!(r.key, "");
    let expected = [
        ("encoding-type", "url"),
        ("prefix", "a/"),
        ("list-type", "2"),
    ];
    assert_eq!(r.query, pairs(&expected));
    let r = requests::list_uploads(pairs(&[("max-uploads", "5")]));
    let expected = [
        ("uploads", ""),
        ("encoding-type", "url"),
        ("max-uploads", "5"),
    ];
    assert_eq!(r.query, pairs(&expected));
}

#[test]
fn an_upload_part_sends_the_whole_body_given() {
    let r = requests::upload_part("k", "up", 7, Body::whole(1234));
    assert_eq!(r.query, pairs(&[("partNumber", "7"), ("uploadId", "up")]));
    let whole = Body::Part {
        number: 1,
        start: 0,
        end: 1234,
    };
    assert_eq!(r.body, whole);
}
