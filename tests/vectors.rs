//! Replays every vector the official SDKs produced through our signers and CRC64.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/vectors.rs"]
mod vectors_support;

use oss_browser_upload::protocol::{crc64, presign, sign_v1, sign_v4};
use serde_json::Value;
use vectors_support as vec;

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

#[test]
fn v1_header_signatures_match_the_sdks() {
    let v = vec::load();
    let mut checked = 0;
    for (name, inputs, case) in vec::cases(&v) {
        let sts = inputs["sts"].as_bool().unwrap();
        let creds = vec::credentials(&v, sts);
        for layout in ["v1_x_oss_date", "v1_date"] {
            let c = &case[layout];
            let req = vec::signed_request(&inputs, c);
            let sts_text = sign_v1::string_to_sign(&req, sign_v1::date_line(&req));
            assert_eq!(sts_text, s(&c["string_to_sign"]), "{name} {layout}");
            let auth = format!(
                "OSS {}:{}",
                creds.access_key_id,
                sign_v1::signature(&creds.access_key_secret, &sts_text)
            );
            assert_eq!(auth, s(&c["authorization"]), "{name} {layout}");
            checked += 1;
        }
        // What our client sends: sign() adds x-oss-date and the token itself.
        let mut req = vec::request(&inputs);
        sign_v1::sign(&mut req, &creds, s(&v["meta"]["time"]["date_rfc1123"]));
        assert_eq!(
            req.header("authorization"),
            Some(s(&case["v1_x_oss_date"]["authorization"])),
            "{name} sign()"
        );
        let wire = &case["ali_oss_wire_v1"];
        let mut req = vec::request(&inputs);
        req.headers = wire["headers"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| *k != "authorization")
            .map(|(k, v)| (k.clone(), s(v).to_string()))
            .collect();
        let sig = sign_v1::signature(
            &creds.access_key_secret,
            &sign_v1::string_to_sign(&req, sign_v1::date_line(&req)),
        );
        assert!(
            s(&wire["headers"]["authorization"]).ends_with(&sig),
            "{name} wire"
        );
    }
    assert_eq!(checked, 24);
}

#[test]
fn v4_header_signatures_match_the_sdks() {
    let v = vec::load();
    let region = vec::region(&v);
    let datetime = s(&v["meta"]["time"]["x_oss_date_v4"]);
    for (name, inputs, case) in vec::cases(&v) {
        let creds = vec::credentials(&v, inputs["sts"].as_bool().unwrap());
        let c = &case["v4"];
        let req = vec::signed_request(&inputs, c);
        let cr = sign_v4::canonical_request(&req, &[]);
        assert_eq!(cr, s(&c["canonical_request"]), "{name}");
        let sts = sign_v4::string_to_sign(&cr, datetime, &region);
        assert_eq!(sts, s(&c["string_to_sign"]), "{name}");
        let sig = sign_v4::signature(&creds.access_key_secret, &datetime[..8], &region, &sts);
        assert_eq!(sig, s(&c["signature"]), "{name}");
        let mut req = vec::request(&inputs);
        sign_v4::sign(&mut req, &creds, datetime, &region);
        assert_eq!(
            req.header("authorization"),
            Some(s(&c["authorization"])),
            "{name}"
        );
    }
}

#[test]
fn presigned_urls_match_the_sdks() {
    let v = vec::load();
    let region = vec::region(&v);
    let presigned = v["presigned_urls"].as_object().unwrap();
    assert_eq!(presigned.len(), 4);
    for (name, case) in presigned {
        let inputs = &case["inputs"];
        let creds = vec::credentials(&v, inputs["sts"].as_bool().unwrap());
        let req = vec::request(inputs);
        let q1 = presign::v1_query(&req, &creds, case["v1"]["Expires"].as_u64().unwrap());
        let sig1 = q1.iter().find(|(k, _)| k == "Signature").unwrap();
        assert_eq!(sig1.1, s(&case["v1"]["Signature"]), "{name} v1");
        let q4 = presign::v4_query(
            &req,
            &creds,
            s(&inputs["signing_time"]),
            inputs["expires_in"].as_u64().unwrap(),
            &region,
            &[],
        );
        let sig4 = q4.iter().find(|(k, _)| k == "x-oss-signature").unwrap();
        assert_eq!(sig4.1, s(&case["v4"]["x_oss_signature"]), "{name} v4");
    }
}

#[test]
fn published_vectors_verify() {
    let v = vec::load();
    for p in v["published_vectors"].as_array().unwrap() {
        let (req, creds) = vec::published(p);
        let auth = if let Some(region) = p["region"].as_str() {
            let cr = sign_v4::canonical_request(&req, &[]);
            assert_eq!(cr, s(&p["canonical_request"]));
            let datetime = req.header("x-oss-date").unwrap();
            let sts = sign_v4::string_to_sign(&cr, datetime, region);
            let sig = sign_v4::signature(&creds.access_key_secret, &datetime[..8], region, &sts);
            format!(
                "OSS4-HMAC-SHA256 Credential={}/{},Signature={sig}",
                creds.access_key_id,
                sign_v4::scope(&datetime[..8], region)
            )
        } else {
            let sts = sign_v1::string_to_sign(&req, sign_v1::date_line(&req));
            if let Some(expected) = p["expected_string_to_sign"].as_str() {
                assert_eq!(sts, expected);
            }
            format!(
                "OSS {}:{}",
                creds.access_key_id,
                sign_v1::signature(&creds.access_key_secret, &sts)
            )
        };
        assert_eq!(auth, s(&p["expected_authorization"]), "{}", p["source"]);
    }
}

fn crc_vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/crc64-vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("crc64 vectors")).unwrap()
}

fn dec(v: &Value) -> u64 {
    s(v).parse().unwrap()
}

fn crc_data(id: &str, len: usize) -> Vec<u8> {
    match id {
        "empty" => vec![],
        "check_123456789" => b"123456789".to_vec(),
        "a" => b"a".to_vec(),
        "hello_world" => b"hello world".to_vec(),
        "utf8_chinese" => "测试 文件".as_bytes().to_vec(),
        "A_x_102400" => vec![b'A'; len],
        "zeros_1MiB" => vec![0; len],
        _ => (0..len).map(|i| i as u8).collect(),
    }
}

#[test]
fn crc64_matches_every_vector() {
    let v = crc_vectors();
    let list = v["vectors"].as_array().unwrap();
    assert!(list.len() >= 9);
    for case in list {
        let id = s(&case["id"]);
        let data = crc_data(id, case["length"].as_u64().unwrap() as usize);
        assert_eq!(data.len() as u64, case["length"].as_u64().unwrap(), "{id}");
        assert_eq!(crc64::checksum(&data), dec(&case["crc64_decimal"]), "{id}");
        let mut h = crc64::Hasher::default();
        data.chunks(7777).for_each(|c| h.update(c));
        assert_eq!(h.finish(), dec(&case["crc64_decimal"]), "{id} incremental");
    }
}

#[test]
fn crc64_parts_combine_like_oss2() {
    let v = crc_vectors();
    for case in v["combine_pairs"].as_array().unwrap() {
        let got = crc64::combine(
            dec(&case["crc1"]),
            dec(&case["crc2"]),
            case["len2"].as_u64().unwrap(),
        );
        assert_eq!(got, dec(&case["expected"]));
    }
    for mp in v["multipart_combine"].as_array().unwrap() {
        let object: Vec<u8> = (0..mp["object_length"].as_u64().unwrap())
            .map(|i| i as u8)
            .collect();
        let mut crc = 0;
        for part in mp["parts"].as_array().unwrap() {
            let (offset, size) = (
                part["offset"].as_u64().unwrap() as usize,
                part["size"].as_u64().unwrap(),
            );
            let part_crc = crc64::checksum(&object[offset..offset + size as usize]);
            assert_eq!(part_crc, dec(&part["crc64_decimal"]));
            crc = crc64::combine(crc, part_crc, size);
        }
        assert_eq!(crc, dec(&mp["combined_crc64_decimal"]));
        assert_eq!(crc, crc64::checksum(&object));
    }
}
