//! Whole requests over HTTP to a running emulator, signed right (so that they reach the
//! operations) or not: every one is answered, in time, never with a 5xx other than 501
//! NotImplemented, and a panic anywhere in the server is a crash the fuzzer sees.
#![no_main]
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use oss_browser_upload::protocol::encode::{build_query, uri_encode_path};
use oss_browser_upload::protocol::request::{Credentials, RequestParts};
use oss_browser_upload::protocol::{sign_v1, sign_v4, time};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const METHODS: [&str; 6] = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS"];
/// Query names that choose an operation, so that the fuzzer finds them at once.
const NAMES: [&str; 12] = [
    "uploads", "uploadId", "partNumber", "list-type", "delimiter", "prefix", "marker",
    "max-keys", "continuation-token", "encoding-type", "response-content-type", "max-parts",
];

fn server() -> &'static (tokio::runtime::Runtime, SocketAddr) {
    static SERVER: OnceLock<(tokio::runtime::Runtime, SocketAddr)> = OnceLock::new();
    SERVER.get_or_init(|| {
        // A panic in a connection's task would only drop that connection: make it a crash.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            hook(info);
            std::process::abort();
        }));
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let config = oss_emulator::Config::for_tests(&["b"]);
        let running = runtime.block_on(oss_emulator::start(config)).unwrap();
        let addr = running.addr;
        std::mem::forget(running);
        (runtime, addr)
    })
}

fuzz_target!(|input: (u8, String, Vec<(u8, String)>, Vec<(String, Vec<u8>)>, Vec<u8>, u8)| {
    let (method, key, query, headers, body, signing) = input;
    let method = METHODS[usize::from(method) % METHODS.len()];
    let query: Vec<(String, String)> = query
        .into_iter()
        .map(|(n, v)| (NAMES[usize::from(n) % NAMES.len()].to_string(), v))
        .collect();
    // Header names HTTP allows; values any bytes HTTP allows (no CR, LF or NUL).
    let headers: Vec<(String, Vec<u8>)> = headers
        .into_iter()
        .filter(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .filter(|(k, _)| !["content-length", "transfer-encoding", "host", "connection"].contains(&k.to_ascii_lowercase().as_str()))
        .map(|(k, v)| (k, v.into_iter().filter(|b| !matches!(b, b'\r' | b'\n' | 0)).collect()))
        .collect();
    let mut parts = RequestParts {
        method: method.into(),
        bucket: Some("b".into()),
        key: Some(key.clone()),
        query: query.clone(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().map(|&b| char::from(b)).collect()))
            .collect(),
    };
    let creds = Credentials {
        access_key_id: "LTAI5tEmulatorAccessKey".into(),
        access_key_secret: "EmulatorSecret0123456789abcdef".into(),
        security_token: None,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    match signing % 3 {
        0 => sign_v1::sign(&mut parts, &creds, &time::rfc1123(now)),
        1 => sign_v4::sign(&mut parts, &creds, &time::iso8601_basic(now), "cn-hangzhou"),
        _ => {}
    }
    let mut head = format!(
        "{method} /b/{}?{} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {}\r\n",
        uri_encode_path(&key),
        build_query(&query),
        body.len()
    )
    .into_bytes();
    for (k, v) in &parts.headers {
        head.extend_from_slice(k.as_bytes());
        head.extend_from_slice(b": ");
        head.extend(v.chars().map(|c| u32::from(c) as u8));
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    head.extend_from_slice(&body);

    let (runtime, addr) = server();
    let answer = runtime.block_on(async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(&head).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
            .await
            .expect("no answer within 10 s")
            .map(|_| answer)
    });
    let answer = answer.unwrap_or_default();
    let status: u16 = std::str::from_utf8(answer.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no answer to {:?}", String::from_utf8_lossy(&head)));
    assert!(
        status < 500 || status == 501,
        "{status} for {:?}: {}",
        String::from_utf8_lossy(&head),
        String::from_utf8_lossy(&answer)
    );
});
