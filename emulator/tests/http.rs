//! The emulator over real HTTP: clock skew, addressing, HEAD errors, CORS, faults, the log.

use base64::Engine;
use oss_browser_upload::protocol::request::{Credentials, RequestParts};
use oss_browser_upload::protocol::{crc64, error::OssError, sign_v1, time};
use oss_emulator::{Config, Running};
use reqwest::{Client, Method, Response};

fn creds(config: &Config) -> Credentials {
    Credentials {
        access_key_id: config.access_key_id.clone(),
        access_key_secret: config.access_key_secret.clone(),
        security_token: None,
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Call<'a> {
    server: &'a Running,
    method: &'a str,
    key: &'a str,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    host: Option<String>,
    path_style: bool,
    time: u64,
}

impl<'a> Call<'a> {
    fn new(server: &'a Running, method: &'a str, key: &'a str) -> Self {
        Call {
            server,
            method,
            key,
            query: vec![],
            headers: vec![],
            host: None,
            path_style: true,
            time: now(),
        }
    }

    fn with_query(mut self, pairs: &[(&str, &str)]) -> Self {
        self.query = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }

    async fn send(self, body: Vec<u8>) -> reqwest::Result<Response> {
        let mut parts = RequestParts {
            method: self.method.into(),
            bucket: Some("demo-bucket".into()),
            key: Some(self.key.into()),
            query: self.query.clone(),
            headers: self.headers.clone(),
        };
        sign_v1::sign(
            &mut parts,
            &creds(&self.server.state.config),
            &time::rfc1123(self.time),
        );
        let path = oss_browser_upload::protocol::encode::uri_encode_path(self.key);
        let path = if self.path_style {
            format!("/demo-bucket/{path}")
        } else {
            format!("/{path}")
        };
        let query = oss_browser_upload::protocol::encode::build_query(&self.query);
        let url = format!("{}{path}?{query}", self.server.url());
        let mut req = Client::new()
            .request(Method::from_bytes(self.method.as_bytes()).unwrap(), url)
            .body(body);
        // Characters go out as Latin-1 bytes, as browsers and the SDKs send them.
        for (k, v) in &parts.headers {
            req = req.header(
                k,
                reqwest::header::HeaderValue::from_bytes(&oss_emulator::http::latin1_bytes(v))
                    .unwrap(),
            );
        }
        if let Some(host) = self.host {
            req = req.header("host", host);
        }
        req.send().await
    }
}

async fn error_of(resp: Response) -> OssError {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    OssError::parse(status, &text).unwrap_or_else(|| panic!("not an OSS error: {text}"))
}

async fn start(args: &[&str]) -> Running {
    let mut all = vec![
        "oss-emulator",
        "--listen",
        "127.0.0.1:0",
        "--bucket",
        "demo-bucket",
    ];
    all.extend_from_slice(args);
    oss_emulator::start(<Config as clap::Parser>::parse_from(all))
        .await
        .unwrap()
}

async fn post_json(server: &Running, path: &str, body: &str) {
    let r = Client::new()
        .post(format!("{}/_emulator/{path}", server.url()))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn clock_skew_is_refused_with_server_time() {
    let s = start(&[]).await;
    let mut call = Call::new(&s, "PUT", "skewed");
    call.time = now() - 3600;
    let resp = call.send(b"x".to_vec()).await.unwrap();
    assert!(resp.headers().contains_key("x-oss-request-id"));
    let e = error_of(resp).await;
    assert_eq!((e.status, e.code.as_str()), (403, "RequestTimeTooSkewed"));
    let server_time = time::parse_iso8601(e.extra("ServerTime").unwrap()).unwrap();
    assert!(server_time.abs_diff(now()) < 5);
    let mut call = Call::new(&s, "PUT", "slightly-off");
    call.time = now() - 600;
    assert_eq!(call.send(b"x".to_vec()).await.unwrap().status(), 200);
}

#[tokio::test]
async fn virtual_hosted_and_cname_reach_the_same_bucket() {
    let s = start(&["--cname", "cdn.example.test=demo-bucket"]).await;
    let mut call = Call::new(&s, "PUT", "vh/a b.txt");
    call.host = Some(format!("demo-bucket.localhost:{}", s.addr.port()));
    call.path_style = false;
    assert_eq!(call.send(b"hosted".to_vec()).await.unwrap().status(), 200);
    let mut call = Call::new(&s, "GET", "vh/a b.txt");
    call.host = Some("cdn.example.test".into());
    call.path_style = false;
    assert_eq!(
        call.send(vec![]).await.unwrap().bytes().await.unwrap(),
        "hosted"
    );
    let resp = Call::new(&s, "GET", "vh/a b.txt")
        .send(vec![])
        .await
        .unwrap();
    assert_eq!(resp.bytes().await.unwrap(), "hosted");
}

#[tokio::test]
async fn head_errors_travel_in_x_oss_err() {
    let s = start(&[]).await;
    let resp = Call::new(&s, "HEAD", "missing").send(vec![]).await.unwrap();
    assert_eq!(resp.status(), 404);
    let encoded = resp.headers()["x-oss-err"].to_str().unwrap().to_string();
    assert!(resp.bytes().await.unwrap().is_empty());
    let xml = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let e = OssError::parse(404, std::str::from_utf8(&xml).unwrap()).unwrap();
    assert_eq!(e.code, "NoSuchKey");
    assert!(!e.request_id.is_empty());
}

#[tokio::test]
async fn put_and_get_carry_crc64_and_type() {
    let s = start(&[]).await;
    let body = b"123456789".to_vec();
    let resp = Call::new(&s, "PUT", "crc")
        .send(body.clone())
        .await
        .unwrap();
    let crc = crc64::checksum(&body).to_string();
    assert_eq!(resp.headers()["x-oss-hash-crc64ecma"], crc.as_str());
    let resp = Call::new(&s, "GET", "crc").send(vec![]).await.unwrap();
    assert_eq!(resp.headers()["x-oss-hash-crc64ecma"], crc.as_str());
    assert_eq!(resp.headers()["x-oss-object-type"], "Normal");
}

#[tokio::test]
async fn strict_cors_rules_refuse_what_they_do_not_allow() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("cors.json");
    std::fs::write(
        &rules,
        r#"[{"allowedOrigins":["http://app.test"],"allowedMethods":["PUT","GET"],"allowedHeaders":["authorization","x-oss-*"],"exposeHeaders":["x-oss-request-id"]}]"#,
    )
    .unwrap();
    let s = start(&[
        "--cors-rules",
        rules.to_str().unwrap(),
        "--allow-origin",
        "http://app.test",
    ])
    .await;
    let preflight = |origin: &'static str, headers: &'static str| {
        Client::new()
            .request(Method::OPTIONS, format!("{}/demo-bucket/k", s.url()))
            .header("origin", origin)
            .header("access-control-request-method", "PUT")
            .header("access-control-request-headers", headers)
            .send()
    };
    let ok = preflight("http://app.test", "authorization,x-oss-date")
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "http://app.test"
    );
    assert_eq!(
        preflight("http://evil.test", "authorization")
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        preflight("http://app.test", "content-md5")
            .await
            .unwrap()
            .status(),
        403
    );
    let mut call = Call::new(&s, "PUT", "k");
    call.headers
        .push(("origin".into(), "http://app.test".into()));
    let resp = call.send(b"v".to_vec()).await.unwrap();
    let exposed = resp.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(!exposed.to_ascii_lowercase().contains("etag"));
}

#[tokio::test]
async fn pages_from_foreign_origins_are_refused_everywhere_and_change_nothing() {
    let s = start(&[]).await;
    let evil = "https://evil.example";
    let client = Client::new();
    // The emulator's own endpoints: nothing is minted, no fault is added, nothing is readable.
    for (method, path, body) in [
        (Method::POST, "sts", "{}"),
        (Method::POST, "faults", r#"{"status":500}"#),
        (Method::POST, "sign", "{}"),
        (Method::GET, "health", ""),
    ] {
        let r = client
            .request(method, format!("{}/_emulator/{path}", s.url()))
            .header("origin", evil)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert!(!r.headers().contains_key("access-control-allow-origin"));
        assert_eq!(error_of(r).await.code, "AccessForbidden");
    }
    assert!(s.state.faults.rules().is_empty());
    // OSS requests, signed and all: refused before anything is stored.
    let mut call = Call::new(&s, "PUT", "from-evil");
    call.headers.push(("origin".into(), evil.into()));
    let r = call.send(b"x".to_vec()).await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(s.state.store.object("demo-bucket", "from-evil").is_none());
    // Preflights, Private Network Access ones included.
    let preflight = |origin: &'static str| {
        client
            .request(Method::OPTIONS, format!("{}/_emulator/sts", s.url()))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .header("access-control-request-private-network", "true")
            .send()
    };
    let refused = preflight(evil).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(!refused
        .headers()
        .contains_key("access-control-allow-private-network"));
    assert!(!refused
        .headers()
        .contains_key("access-control-allow-origin"));

    // Loopback pages, any port or none, are served.
    for origin in [
        "http://127.0.0.1:5173",
        "http://localhost",
        "http://[::1]:8080",
    ] {
        let ok = preflight(origin).await.unwrap();
        assert_eq!(ok.status(), 200, "{origin}");
        assert_eq!(ok.headers()["access-control-allow-origin"], origin);
        assert_eq!(ok.headers()["access-control-allow-private-network"], "true");
    }
    let r = client
        .post(format!("{}/_emulator/sts", s.url()))
        .header("origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let mut call = Call::new(&s, "PUT", "from-loopback");
    call.headers
        .push(("origin".into(), "http://127.0.0.1:8000".into()));
    let r = call.send(b"x".to_vec()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8000"
    );
    // Requests without Origin are not a browser's: SDKs and curl are served as before.
    let r = client
        .post(format!("{}/_emulator/sts", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // --allow-origin widens it.
    let open = start(&["--allow-origin", "*"]).await;
    let mut call = Call::new(&open, "PUT", "from-anywhere");
    call.headers.push(("origin".into(), evil.into()));
    let r = call.send(b"x".to_vec()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], evil);
}

#[tokio::test]
async fn header_values_are_kept_as_the_bytes_received() {
    let s = start(&[]).await;
    // Latin-1 bytes, as browsers and the SDKs send "é", signed as the characters they stand for.
    let mut call = Call::new(&s, "PUT", "latin1");
    call.headers
        .push(("x-oss-meta-city".into(), "Zürich café".into()));
    call.headers.push((
        "content-disposition".into(),
        "attachment; filename=\"résumé.pdf\"".into(),
    ));
    let r = call.send(b"x".to_vec()).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = Call::new(&s, "GET", "latin1").send(vec![]).await.unwrap();
    assert_eq!(
        r.headers()["x-oss-meta-city"].as_bytes(),
        b"Z\xfcrich caf\xe9"
    );
    assert_eq!(
        r.headers()["content-disposition"].as_bytes(),
        b"attachment; filename=\"r\xe9sum\xe9.pdf\""
    );
    // UTF-8 bytes, signed as UTF-8 text (what a client that sends raw UTF-8 signs): kept too.
    let mut parts = RequestParts {
        method: "PUT".into(),
        bucket: Some("demo-bucket".into()),
        key: Some("utf8".into()),
        query: vec![],
        headers: vec![("x-oss-meta-name".into(), "中文 é".into())],
    };
    sign_v1::sign(&mut parts, &creds(&s.state.config), &time::rfc1123(now()));
    let mut req = Client::new().put(format!("{}/demo-bucket/utf8", s.url()));
    for (k, v) in &parts.headers {
        req = req.header(
            k,
            reqwest::header::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
    }
    let r = req.body("y").send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = Call::new(&s, "HEAD", "utf8").send(vec![]).await.unwrap();
    assert_eq!(
        r.headers()["x-oss-meta-name"].as_bytes(),
        "中文 é".as_bytes()
    );
    // A signature over other bytes is still refused.
    let mut parts = RequestParts {
        method: "PUT".into(),
        bucket: Some("demo-bucket".into()),
        key: Some("tampered".into()),
        query: vec![],
        headers: vec![("x-oss-meta-city".into(), "cafe".into())],
    };
    sign_v1::sign(&mut parts, &creds(&s.state.config), &time::rfc1123(now()));
    let mut req = Client::new().put(format!("{}/demo-bucket/tampered", s.url()));
    for (k, v) in &parts.headers {
        let v = if k == "x-oss-meta-city" {
            b"caf\xe9".to_vec()
        } else {
            v.as_bytes().to_vec()
        };
        req = req.header(k, reqwest::header::HeaderValue::from_bytes(&v).unwrap());
    }
    let r = req.body("z").send().await.unwrap();
    assert_eq!(error_of(r).await.code, "SignatureDoesNotMatch");
}

async fn log(s: &Running) -> Vec<serde_json::Value> {
    Client::new()
        .get(format!("{}/_emulator/requests", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn faults_fire_as_configured_and_the_log_counts_bytes() {
    let s = start(&[]).await;
    post_json(
        &s,
        "faults",
        r#"[{"op":"PutObject","key":"reset","resetAfterBytes":65536},
            {"op":"PutObject","key":"busy","nth":2,"times":1,"status":503,"code":"SlowDown"},
            {"op":"PutObject","key":"crc","wrongCrc":true},
            {"op":"PutObject","key":"slow","bytesPerSecond":400000}]"#,
    )
    .await;
    let big = vec![7u8; 1 << 20];
    assert!(Call::new(&s, "PUT", "reset")
        .send(big.clone())
        .await
        .is_err());

    assert_eq!(
        Call::new(&s, "PUT", "busy")
            .send(vec![1])
            .await
            .unwrap()
            .status(),
        200
    );
    let e = error_of(Call::new(&s, "PUT", "busy").send(vec![1]).await.unwrap()).await;
    assert_eq!((e.status, e.code.as_str()), (503, "SlowDown"));
    assert_eq!(
        Call::new(&s, "PUT", "busy")
            .send(vec![1])
            .await
            .unwrap()
            .status(),
        200
    );

    let resp = Call::new(&s, "PUT", "crc")
        .send(b"abc".to_vec())
        .await
        .unwrap();
    assert_ne!(
        resp.headers()["x-oss-hash-crc64ecma"],
        crc64::checksum(b"abc").to_string().as_str()
    );

    let started = std::time::Instant::now();
    let resp = Call::new(&s, "PUT", "slow")
        .send(vec![0; 200_000])
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        started.elapsed().as_millis() >= 400,
        "{:?}",
        started.elapsed()
    );

    let entries = log(&s).await;
    let reset = entries.iter().find(|e| e["key"] == "reset").unwrap();
    assert_eq!(reset["reset"], true);
    let got = reset["bytesReceived"].as_u64().unwrap();
    assert!((65536..big.len() as u64).contains(&got), "{got}");
    let slow = entries.iter().find(|e| e["key"] == "slow").unwrap();
    assert_eq!(slow["bytesReceived"], 200_000);
    assert_eq!(slow["op"], "PutObject");
    // The object cut off mid-body was never stored.
    assert_eq!(
        Call::new(&s, "HEAD", "reset")
            .send(vec![])
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn delay_holds_the_answer() {
    let s = start(&[]).await;
    post_json(&s, "faults", r#"{"op":"GetObject","delayMs":300}"#).await;
    Call::new(&s, "PUT", "d").send(vec![1]).await.unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        Call::new(&s, "GET", "d")
            .send(vec![])
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(started.elapsed().as_millis() >= 300);
}

#[tokio::test]
async fn a_fault_whose_status_http_cannot_send_is_refused_when_posted() {
    let s = start(&[]).await;
    let r = Client::new()
        .post(format!("{}/_emulator/faults", s.url()))
        .body(r#"[{"op":"GetObject","status":503},{"op":"PutObject","status":42}]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(error_of(r).await.code, "InvalidArgument");
    assert!(s.state.faults.rules().is_empty());
}

/// Sends raw bytes and returns the raw answer (status line, headers, body).
async fn raw(s: &Running, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    );
    let _ = read.await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn what_a_request_may_cost_is_bounded() {
    let s = start(&[]).await;
    // A body announced larger than 5 GiB is refused before a byte of it is read.
    let mut parts = RequestParts {
        method: "PUT".into(),
        bucket: Some("demo-bucket".into()),
        key: Some("huge".into()),
        ..RequestParts::default()
    };
    sign_v1::sign(&mut parts, &creds(&s.state.config), &time::rfc1123(now()));
    let head: String = parts
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let answer = raw(
        &s,
        format!(
            "PUT /demo-bucket/huge HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n{head}\r\nabc",
            5 * 1024 * 1024 * 1024u64 + 1
        )
        .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("<Code>EntityTooLarge</Code>"), "{answer}");
    assert!(s.state.store.object("demo-bucket", "huge").is_none());

    // Part numbers 0 and 10001 are refused; so is a Complete naming more than 10000 parts.
    let init = Call::new(&s, "POST", "many")
        .with_query(&[("uploads", "")])
        .send(vec![])
        .await
        .unwrap();
    let text = init.text().await.unwrap();
    let id = text
        .split("<UploadId>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    for n in ["0", "10001", "-1", "x"] {
        let r = Call::new(&s, "PUT", "many")
            .with_query(&[("partNumber", n), ("uploadId", &id)])
            .send(b"p".to_vec())
            .await
            .unwrap();
        let e = error_of(r).await;
        assert_eq!((e.status, e.code.as_str()), (400, "InvalidArgument"), "{n}");
    }
    let list: String = (1..=10_001)
        .map(|n| format!("<Part><PartNumber>{n}</PartNumber><ETag>\"00\"</ETag></Part>"))
        .collect();
    let r = Call::new(&s, "POST", "many")
        .with_query(&[("uploadId", &id)])
        .send(format!("<CompleteMultipartUpload>{list}</CompleteMultipartUpload>").into_bytes())
        .await
        .unwrap();
    let e = error_of(r).await;
    assert_eq!((e.status, e.code.as_str()), (400, "InvalidArgument"));
    for n in ["0", "10001"] {
        let body = format!(
            "<CompleteMultipartUpload><Part><PartNumber>{n}</PartNumber><ETag>\"00\"</ETag></Part></CompleteMultipartUpload>"
        );
        let r = Call::new(&s, "POST", "many")
            .with_query(&[("uploadId", &id)])
            .send(body.into_bytes())
            .await
            .unwrap();
        let e = error_of(r).await;
        assert_eq!((e.status, e.code.as_str()), (400, "InvalidPart"), "{n}");
    }
    // A Complete body nested 200,000 deep is MalformedXML, and the server is still there.
    let deep = "<a>".repeat(200_000) + &"</a>".repeat(200_000);
    let r = Call::new(&s, "POST", "many")
        .with_query(&[("uploadId", &id)])
        .send(deep.into_bytes())
        .await
        .unwrap();
    assert_eq!(error_of(r).await.code, "MalformedXML");
    // Whatever failed, the upload is untouched.
    let r = Call::new(&s, "GET", "many")
        .with_query(&[("uploadId", &id)])
        .send(vec![])
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
