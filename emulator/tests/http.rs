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
        for (k, v) in &parts.headers {
            req = req.header(k, v);
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
    let s = start(&["--cors-rules", rules.to_str().unwrap()]).await;
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
