//! Hostile input (#17.8): what parses untrusted bytes, fed random and mutated input from a
//! seeded generator (repeatable; `HOSTILE_CASES` sets how many per property). Each property
//! says what must hold whatever arrives: no panic, and an OSS error with a 4xx for what is bad.
//! `make fuzz` runs the same parsers under cargo-fuzz (emulator/fuzz/) for longer.

use std::time::{Duration, Instant};

use oss_browser_upload::protocol::encode::parse_query;
use oss_browser_upload::protocol::request::RequestParts;
use oss_browser_upload::protocol::{sign_v4, time};
use oss_emulator::keys::Keys;
use oss_emulator::{auth, callback, complete_body, objects};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn cases() -> usize {
    std::env::var("HOSTILE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000)
}

/// Pieces hostile input is made of: fragments of the real syntax, and trouble.
const PIECES: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<CompleteMultipartUpload>",
    "</CompleteMultipartUpload>",
    "<Part>",
    "</Part>",
    "<PartNumber>",
    "</PartNumber>",
    "<ETag>",
    "</ETag>",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&bogus;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<!DOCTYPE x [",
    "<!ENTITY a \"aaaa\">",
    "&a;",
    "\"",
    "'",
    "=",
    " ",
    "\n",
    "\0",
    "é",
    "中",
    "\u{FFFF}",
    "0",
    "1",
    "10000",
    "10001",
    "-1",
    "4294967296",
    "99999999999999999999",
    "bytes=",
    "-",
    ",",
    "OSS ",
    "OSS4-HMAC-SHA256 ",
    "Credential=",
    "/",
    "Signature=",
    "AdditionalHeaders=",
    ";",
    "aliyun_v4_request",
    "oss",
    "cn-hangzhou",
    "20240102T030405Z",
    "%",
    "%zz",
    "%FF",
    "+",
    "&",
    "?",
    "${object}",
    "${x:a}",
    "{",
    "}",
    "[",
    "]",
    ":",
    "\"callbackUrl\"",
    "\"callbackBody\"",
];

fn hostile(rng: &mut StdRng) -> String {
    let n = rng.gen_range(0..40);
    let mut s = String::new();
    for _ in 0..n {
        if rng.gen_bool(0.2) {
            s.push(char::from(rng.gen_range(0u8..=0x7F)));
        } else {
            s.push_str(PIECES[rng.gen_range(0..PIECES.len())]);
        }
    }
    s
}

fn bytes(rng: &mut StdRng) -> Vec<u8> {
    if rng.gen_bool(0.5) {
        hostile(rng).into_bytes()
    } else {
        (0..rng.gen_range(0..64)).map(|_| rng.gen()).collect()
    }
}

#[test]
fn complete_bodies_parse_or_are_malformed_xml() {
    let mut rng = StdRng::seed_from_u64(1708);
    for _ in 0..cases() {
        let body = bytes(&mut rng);
        if let Err(f) = complete_body::requested_parts(&body) {
            assert_eq!(
                (f.status, f.code.as_ref()),
                (400, "MalformedXML"),
                "{body:?}"
            );
        }
    }
    // Deep nesting and a huge flat list are parsed without recursion and in bounded time.
    let deep = "<a>".repeat(200_000) + &"</a>".repeat(200_000);
    let started = Instant::now();
    assert!(complete_body::requested_parts(deep.as_bytes()).is_err());
    let many: String = (1..=20_000)
        .map(|n| format!("<Part><PartNumber>{n}</PartNumber><ETag>\"x\"</ETag></Part>"))
        .collect();
    let xml = format!("<CompleteMultipartUpload>{many}</CompleteMultipartUpload>");
    assert_eq!(
        complete_body::requested_parts(xml.as_bytes())
            .unwrap()
            .len(),
        20_000
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn ranges_are_inside_the_object_or_ignored_or_refused() {
    let mut rng = StdRng::seed_from_u64(1781);
    for _ in 0..cases() {
        let header = if rng.gen_bool(0.5) {
            format!("bytes={}", hostile(&mut rng))
        } else {
            hostile(&mut rng)
        };
        let size = [0u64, 1, 10, u64::MAX / 2][rng.gen_range(0..4)];
        match objects::parse_range(&header, size) {
            Ok(Some((offset, len))) => {
                assert!(len > 0 && offset.checked_add(len).is_some_and(|end| end <= size))
            }
            Ok(None) => {}
            Err(f) => assert_eq!((f.status, f.code.as_ref()), (416, "InvalidRange")),
        }
    }
}

/// Either the real value (so that checks further in are reached) or a hostile one.
fn field(rng: &mut StdRng, real: &str) -> String {
    match rng.gen_range(0..10) {
        0..=5 => real.to_string(),
        6 => ["18446744073709551615", "0", "4294967296", "-1", ""][rng.gen_range(0..5)].into(),
        _ => hostile(rng),
    }
}

/// A request signed in one of the four ways, its fields real or hostile.
fn request(rng: &mut StdRng) -> RequestParts {
    let stamp = time::iso8601_basic(now());
    let date = stamp[..8].to_string();
    let credential = format!("LTAI5tEmulatorAccessKey/{date}/cn-hangzhou/oss/aliyun_v4_request");
    let mut headers = vec![];
    let mut query = vec![];
    match rng.gen_range(0..4) {
        0 => {
            let auth = format!(
                "OSS {}:{}",
                field(rng, "LTAI5tEmulatorAccessKey"),
                hostile(rng)
            );
            headers.push(("authorization".into(), auth));
            headers.push(("x-oss-date".into(), field(rng, &time::rfc1123(now()))));
        }
        1 => {
            let auth = format!(
                "OSS4-HMAC-SHA256 Credential={},AdditionalHeaders={},Signature={}",
                field(rng, &credential),
                field(rng, "host;range"),
                hostile(rng)
            );
            headers.push(("authorization".into(), auth));
            headers.push(("x-oss-date".into(), field(rng, &stamp)));
            headers.push(("range".into(), hostile(rng)));
        }
        2 => {
            query.push((
                "OSSAccessKeyId".into(),
                field(rng, "LTAI5tEmulatorAccessKey"),
            ));
            query.push(("Expires".into(), field(rng, &(now() + 60).to_string())));
            query.push(("Signature".into(), hostile(rng)));
        }
        _ => {
            query.push((
                "x-oss-signature-version".into(),
                field(rng, sign_v4::ALGORITHM),
            ));
            query.push(("x-oss-credential".into(), field(rng, &credential)));
            query.push(("x-oss-date".into(), field(rng, &stamp)));
            query.push(("x-oss-expires".into(), field(rng, "60")));
            query.push(("x-oss-additional-headers".into(), field(rng, "host")));
            query.push(("x-oss-signature".into(), hostile(rng)));
        }
    }
    if rng.gen_bool(0.3) {
        let token = hostile(rng);
        headers.push(("x-oss-security-token".into(), token.clone()));
        query.push(("security-token".into(), token));
    }
    RequestParts {
        method: ["GET", "PUT", "POST", "DELETE", "HEAD", ""][rng.gen_range(0..6)].into(),
        bucket: Some("b".into()),
        key: Some(hostile(rng)).filter(|k| !k.is_empty()),
        query,
        headers,
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn signatures_that_are_not_right_are_refused_with_a_4xx() {
    let keys = Keys::new(
        "LTAI5tEmulatorAccessKey".into(),
        "EmulatorSecret0123456789abcdef".into(),
    );
    let mut rng = StdRng::seed_from_u64(1782);
    for _ in 0..cases() {
        let req = request(&mut rng);
        let f = auth::verify(&req, &keys, "cn-hangzhou", now())
            .expect_err("a random request is never signed right");
        assert!((400..500).contains(&f.status), "{req:?} gave {f:?}");
    }
}

#[test]
fn queries_and_callbacks_parse_or_are_refused() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut rng = StdRng::seed_from_u64(1783);
    for _ in 0..cases() {
        let raw = hostile(&mut rng);
        if let Some(pairs) = parse_query(&raw) {
            assert!(pairs.iter().all(|(k, _)| !k.contains('&')));
        }
        let config = if rng.gen_bool(0.5) {
            b64(&format!(
                "{{\"callbackUrl\":\"{}\",\"callbackBody\":\"{}\"}}",
                hostile(&mut rng).replace(['"', '\\'], ""),
                hostile(&mut rng).replace(['"', '\\'], "")
            ))
        } else {
            b64(&hostile(&mut rng))
        };
        let mut headers = vec![("x-oss-callback".to_string(), config)];
        if rng.gen_bool(0.5) {
            headers.push(("x-oss-callback-var".into(), b64(&hostile(&mut rng))));
        }
        if let Err(f) = callback::parse(&headers) {
            assert_eq!((f.status, f.code.as_ref()), (400, "InvalidArgument"));
        }
    }
}

#[test]
fn a_callback_body_that_would_expand_without_bound_is_refused() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    // 40 KB of `${x:a}` with a 40 KB value would make a 270 MB body: refused before storing.
    let body = "${x:a}".repeat(7_000);
    let headers = vec![
        (
            "x-oss-callback".to_string(),
            b64(&format!(
                "{{\"callbackUrl\":\"http://127.0.0.1:1/\",\"callbackBody\":\"{body}\"}}"
            )),
        ),
        (
            "x-oss-callback-var".to_string(),
            b64(&format!("{{\"x:a\":\"{}\"}}", "v".repeat(40_000))),
        ),
    ];
    let f = callback::parse(&headers).err().expect("refused");
    assert_eq!((f.status, f.code.as_ref()), (400, "InvalidArgument"));
}
