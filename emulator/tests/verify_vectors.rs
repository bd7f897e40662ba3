//! Every request the official SDKs signed (../shared/vectors) verifies; one changed byte
//! anywhere that is signed makes it fail with SignatureDoesNotMatch.

#[path = "../../tests/support/vectors.rs"]
mod vectors;

use oss_browser_upload::protocol::encode::{parse_query, uri_decode};
use oss_browser_upload::protocol::request::RequestParts;
use oss_emulator::auth::verify;
use oss_emulator::keys::Keys;
use serde_json::Value;

fn keys(v: &Value) -> Keys {
    let c = vectors::credentials(v, false);
    Keys::new(c.access_key_id, c.access_key_secret)
}

fn epoch(v: &Value) -> u64 {
    v["meta"]["time"]["epoch"].as_u64().unwrap()
}

/// Each way of changing one byte of what was signed.
fn tampered(req: &RequestParts) -> Vec<(String, RequestParts)> {
    let mut out = Vec::new();
    let mut r = req.clone();
    r.key = Some(format!("{}x", r.key.clone().unwrap_or_default()));
    out.push(("key".into(), r));
    let mut r = req.clone();
    r.method = if r.method == "GET" {
        "PUT".into()
    } else {
        "GET".into()
    };
    out.push(("method".into(), r));
    for (i, (name, value)) in req.headers.iter().enumerate() {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("x-oss-") || lower == "content-md5" || lower == "content-type" {
            let mut r = req.clone();
            r.headers[i].1 = format!("{value}0");
            out.push((format!("header {name}"), r));
        }
    }
    for (i, (name, value)) in req.query.iter().enumerate() {
        let mut r = req.clone();
        r.query[i].1 = format!("{value}0");
        out.push((format!("query {name}"), r));
    }
    out
}

fn assert_rejected(req: &RequestParts, k: &Keys, now: u64, what: &str, signed_query: bool) {
    for (change, bad) in tampered(req) {
        // V1 does not sign every query parameter, nor the date line's x-oss-date twin.
        let unsigned_v1 = !signed_query
            && change.starts_with("query ")
            && !oss_browser_upload::protocol::sign_v1::SUBRESOURCES
                .contains(&change.trim_start_matches("query "));
        if unsigned_v1
            || change.contains("x-oss-date")
            || change.contains("Expires")
            || change.contains("x-oss-expires")
        {
            continue;
        }
        let err =
            verify(&bad, k, "cn-hangzhou", now).expect_err(&format!("{what}: {change} must fail"));
        assert!(
            [
                "SignatureDoesNotMatch",
                "InvalidAccessKeyId",
                "InvalidArgument"
            ]
            .contains(&err.code.as_ref()),
            "{what}: {change} gave {}",
            err.code
        );
    }
}

#[test]
fn header_signatures_verify_and_tampering_fails() {
    let v = vectors::load();
    let k = keys(&v);
    let now = epoch(&v);
    let mut verified = 0;
    for (name, inputs, case) in vectors::cases(&v) {
        for layout in ["v1_x_oss_date", "v1_date", "v4"] {
            let c = &case[layout];
            let mut auths = vec![c["authorization"].as_str().unwrap().to_string()];
            if layout == "v4" {
                // oss2 writes ", " between fields; ali-oss and the v2 SDK write ",".
                auths.push(c["sdk_authorization"]["oss2"].as_str().unwrap().to_string());
            }
            for auth in auths {
                let mut req = vectors::signed_request(&inputs, c);
                req.set_header("authorization", auth);
                verify(&req, &k, "cn-hangzhou", now)
                    .unwrap_or_else(|e| panic!("{name} {layout}: {} {:?}", e.code, e.extra));
                assert_rejected(&req, &k, now, &format!("{name} {layout}"), layout == "v4");
                verified += 1;
            }
        }
    }
    assert_eq!(verified, 48);
}

fn from_url(url: &str, method: &str, bucket: &str) -> RequestParts {
    let rest = url.split_once("://").unwrap().1;
    let (path_and_query, _) = (rest.split_once('/').unwrap().1, ());
    let (path, query) = path_and_query.split_once('?').unwrap();
    RequestParts {
        method: method.into(),
        bucket: Some(bucket.into()),
        key: Some(uri_decode(path).unwrap()),
        query: parse_query(query).unwrap(),
        headers: vec![],
    }
}

#[test]
fn presigned_urls_verify_and_tampering_fails() {
    let v = vectors::load();
    let k = keys(&v);
    let now = epoch(&v) + 10;
    let mut verified = 0;
    for (name, case) in v["presigned_urls"].as_object().unwrap() {
        let inputs = &case["inputs"];
        let (method, bucket) = (
            inputs["method"].as_str().unwrap(),
            inputs["bucket"].as_str().unwrap(),
        );
        for version in ["v1", "v4"] {
            for sdk in ["oss2_url", "ali_oss_url"] {
                let req = from_url(case[version][sdk].as_str().unwrap(), method, bucket);
                verify(&req, &k, "cn-hangzhou", now)
                    .unwrap_or_else(|e| panic!("{name} {version} {sdk}: {} {:?}", e.code, e.extra));
                assert_rejected(&req, &k, now, &format!("{name} {version}"), version == "v4");
                verified += 1;
            }
        }
        // Past its expiry the same URL is refused.
        let req = from_url(case["v1"]["oss2_url"].as_str().unwrap(), method, bucket);
        let err = verify(&req, &k, "cn-hangzhou", now + 7200).unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (403, "AccessDenied"));
    }
    assert_eq!(verified, 16);
}

#[test]
fn published_vectors_verify() {
    let v = vectors::load();
    for p in v["published_vectors"].as_array().unwrap() {
        let (mut req, creds) = vectors::published(p);
        req.set_header(
            "authorization",
            p["expected_authorization"].as_str().unwrap(),
        );
        let k = Keys::new(creds.access_key_id, creds.access_key_secret);
        let date = req.header("x-oss-date").unwrap().to_string();
        let now = oss_browser_upload::protocol::time::parse_rfc1123(&date)
            .or_else(|| oss_browser_upload::protocol::time::parse_iso8601_basic(&date))
            .unwrap();
        verify(&req, &k, "cn-hangzhou", now)
            .unwrap_or_else(|e| panic!("{}: {}", p["source"], e.code));
    }
}
