//! PostObject over real HTTP: a form signed V1 and V4, with STS, and every policy condition the
//! emulator checks refusing what it does not allow, nothing stored.

use base64::Engine;
use oss_browser_upload::protocol::request::Credentials;
use oss_browser_upload::protocol::{post_policy, sign_v1, sign_v4, time};
use oss_emulator::{Config, Running};
use reqwest::{Client, Response};
use serde_json::{json, Value};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn start() -> Running {
    let args = [
        "oss-emulator",
        "--listen",
        "127.0.0.1:0",
        "--bucket",
        "demo-bucket",
        "--region",
        "cn-hangzhou",
    ];
    oss_emulator::start(<Config as clap::Parser>::parse_from(args))
        .await
        .unwrap()
}

const BOUNDARY: &str = "----form-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body of `fields` then the file.
fn form(fields: &[(&str, String)], file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
    body.extend(file);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn policy(conditions: Value, expires_in: i64) -> String {
    let expiration = time::iso8601((now() as i64 + expires_in) as u64);
    let text = json!({ "expiration": expiration, "conditions": conditions }).to_string();
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The V1 fields for `policy`, signed with the server's long-term key.
fn v1(server: &Running, policy: &str) -> Vec<(&'static str, String)> {
    let c = &server.state.config;
    vec![
        ("OSSAccessKeyId", c.access_key_id.clone()),
        ("policy", policy.to_string()),
        (
            "Signature",
            sign_v1::signature(&c.access_key_secret, policy),
        ),
    ]
}

async fn post(server: &Running, fields: &[(&str, String)], file: &[u8]) -> Response {
    Client::new()
        .post(format!("{}/demo-bucket/", server.url()))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("origin", "http://localhost:8080")
        .body(form(fields, file))
        .send()
        .await
        .unwrap()
}

/// The stored object's bytes, read with a presigned-free GET through the emulator's own
/// signing: a second form cannot read, so this uses the store directly.
fn stored(server: &Running, key: &str) -> Option<u64> {
    server
        .state
        .store
        .object("demo-bucket", key)
        .map(|o| o.meta.size)
}

async fn code_of(r: Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let code = text
        .split("<Code>")
        .nth(1)
        .and_then(|s| s.split("</Code>").next())
        .unwrap_or("")
        .to_string();
    (status, code, text)
}

#[tokio::test]
async fn a_form_signed_v1_stores_its_file_with_its_fields_as_headers() {
    let s = start().await;
    let p = policy(
        json!([{"bucket": "demo-bucket"}, ["starts-with", "$key", "user/"], ["content-length-range", 1, 1024]]),
        600,
    );
    let mut fields = v1(&s, &p);
    fields.push(("key", "user/${filename}".into()));
    fields.push(("Content-Type", "image/jpeg".into()));
    fields.push(("x-oss-meta-case", "mixed".into()));
    fields.push(("success_action_status", "201".into()));
    let r = post(&s, &fields, b"jpeg bytes").await;
    assert_eq!(r.status().as_u16(), 201);
    assert!(
        r.headers().contains_key("access-control-allow-origin"),
        "CORS answers a form"
    );
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<Key>user/photo.jpg</Key>") && body.contains(&etag),
        "{body}"
    );
    let o = s
        .state
        .store
        .object("demo-bucket", "user/photo.jpg")
        .expect("stored");
    assert_eq!(o.meta.size, 10);
    assert_eq!(o.meta.content_type, "image/jpeg");
    assert!(o
        .meta
        .headers
        .iter()
        .any(|(k, v)| k == "x-oss-meta-case" && v == "mixed"));
}

#[tokio::test]
async fn a_form_signed_v4_with_sts_is_stored_and_answers_204() {
    let s = start().await;
    let (id, secret, token, _) = s.state.keys.mint(now(), 3600);
    let stamp = time::iso8601_basic(now());
    let day = &stamp[..8];
    let credential = format!("{id}/{day}/cn-hangzhou/oss/aliyun_v4_request");
    let signed = |conditions: Value| {
        let p = policy(conditions, 600);
        let signature = sign_v4::signature(&secret, day, "cn-hangzhou", &p);
        vec![
            ("key", "v4.txt".to_string()),
            ("policy", p),
            ("x-oss-signature-version", "OSS4-HMAC-SHA256".into()),
            ("x-oss-credential", credential.clone()),
            ("x-oss-date", stamp.clone()),
            ("x-oss-security-token", token.clone()),
            ("x-oss-signature", signature),
        ]
    };
    // OSS requires the policy to name the form's x-oss-date.
    let without_date = signed(json!([["eq", "$key", "v4.txt"]]));
    assert_eq!(
        code_of(post(&s, &without_date, b"v4 body").await).await.1,
        "InvalidPolicyDocument"
    );
    let fields = signed(
        json!([["eq", "$key", "v4.txt"], {"x-oss-date": stamp}, {"x-oss-credential": credential}]),
    );
    let r = post(&s, &fields, b"v4 body").await;
    assert_eq!(r.status().as_u16(), 204, "{:?}", code_of(r).await);
    assert_eq!(stored(&s, "v4.txt"), Some(7));
}

#[tokio::test]
async fn forms_the_client_signs_for_one_object_are_accepted_v1_and_v4() {
    let s = start().await;
    let (id, secret, token, _) = s.state.keys.mint(now(), 3600);
    let creds = Credentials {
        access_key_id: id,
        access_key_secret: secret,
        security_token: Some(token),
    };
    for (key, v4) in [("self/v1.bin", None), ("self/v4.bin", Some("cn-hangzhou"))] {
        let mut fields: Vec<(&str, String)> = vec![("key", key.to_string())];
        let signed = post_policy::fields(&creds, ("demo-bucket", key, 9), now(), v4);
        fields.extend(signed.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let r = post(&s, &fields, b"nine byte").await;
        assert_eq!(r.status().as_u16(), 204, "{key}: {:?}", code_of(r).await);
        // The policy is for this object at this size alone.
        fields[0].1 = format!("{key}.other");
        assert_eq!(
            code_of(post(&s, &fields, b"nine byte").await).await.1,
            "AccessDenied",
            "{key}"
        );
        fields[0].1 = key.to_string();
        assert_eq!(
            code_of(post(&s, &fields, b"ten bytes!").await).await.1,
            "EntityTooLarge",
            "{key}"
        );
    }
}

#[tokio::test]
async fn the_file_part_s_own_type_wins_over_the_content_type_field() {
    let s = start().await;
    let p = policy(json!([]), 600);
    let mut fields = v1(&s, &p);
    fields.push(("key", "typed.jpg".into()));
    fields.push(("Content-Type", "text/plain".into()));
    // The form's file part says image/jpeg (see form()).
    assert_eq!(post(&s, &fields, b"x").await.status().as_u16(), 204);
    let o = s
        .state
        .store
        .object("demo-bucket", "typed.jpg")
        .expect("stored");
    assert_eq!(o.meta.content_type, "image/jpeg");
}

/// What a case is, its policy, its file, its further fields, and the status and code expected.
type Refused = (
    &'static str,
    String,
    Vec<u8>,
    Vec<(&'static str, String)>,
    (u16, &'static str),
);

#[tokio::test]
async fn what_the_policy_does_not_allow_is_refused_and_nothing_is_stored() {
    let s = start().await;
    let conditions = json!([["starts-with", "$key", "user/"], ["content-length-range", 5, 10], {"x-oss-meta-case": "yes"},
        ["in", "$cache-control", ["no-cache", "max-age=60"]], ["not-in", "$x-oss-object-acl", ["public-read"]]]);
    let cases: Vec<Refused> = vec![
        (
            "outside the prefix",
            policy(conditions.clone(), 600),
            b"123456".to_vec(),
            vec![("key", "other/a".into()), ("x-oss-meta-case", "yes".into())],
            (403, "AccessDenied"),
        ),
        (
            "too large",
            policy(conditions.clone(), 600),
            vec![0; 11],
            vec![
                ("key", "user/big".into()),
                ("x-oss-meta-case", "yes".into()),
            ],
            (400, "EntityTooLarge"),
        ),
        (
            "too small",
            policy(conditions.clone(), 600),
            vec![0; 4],
            vec![
                ("key", "user/small".into()),
                ("x-oss-meta-case", "yes".into()),
            ],
            (400, "EntityTooSmall"),
        ),
        (
            "a field not as required",
            policy(conditions.clone(), 600),
            b"123456".to_vec(),
            vec![
                ("key", "user/meta".into()),
                ("x-oss-meta-case", "no".into()),
            ],
            (403, "AccessDenied"),
        ),
        (
            "a field outside the values `in` allows",
            policy(conditions.clone(), 600),
            b"123456".to_vec(),
            vec![
                ("key", "user/cache".into()),
                ("x-oss-meta-case", "yes".into()),
                ("Cache-Control", "no-store".into()),
            ],
            (403, "AccessDenied"),
        ),
        (
            "a field among the values `not-in` refuses",
            policy(conditions.clone(), 600),
            b"123456".to_vec(),
            vec![
                ("key", "user/acl".into()),
                ("x-oss-meta-case", "yes".into()),
                ("Cache-Control", "no-cache".into()),
                ("x-oss-object-acl", "public-read".into()),
            ],
            (403, "AccessDenied"),
        ),
        (
            "expired",
            policy(conditions.clone(), -60),
            b"123456".to_vec(),
            vec![
                ("key", "user/late".into()),
                ("x-oss-meta-case", "yes".into()),
            ],
            (403, "AccessDenied"),
        ),
    ];
    for (what, p, file, extra, (status, code)) in cases {
        let mut fields = v1(&s, &p);
        fields.extend(extra.iter().cloned());
        let key = extra[0].1.clone();
        let (got_status, got_code, text) = code_of(post(&s, &fields, &file).await).await;
        assert_eq!(
            (got_status, got_code.as_str()),
            (status, code),
            "{what}: {text}"
        );
        assert_eq!(stored(&s, &key), None, "{what}: nothing stored");
    }
    // The same policy met: stored.
    let mut fields = v1(&s, &policy(conditions, 600));
    fields.extend([
        ("key", "user/met".to_string()),
        ("x-oss-meta-case", "yes".into()),
        ("Cache-Control", "max-age=60".into()),
        ("x-oss-object-acl", "private".into()),
    ]);
    let (status, _, text) = code_of(post(&s, &fields, b"123456").await).await;
    assert!(status < 300, "{status}: {text}");
    assert_eq!(stored(&s, "user/met"), Some(6));
    // A signature that is not the policy's, and no policy at all.
    let p = policy(json!([]), 600);
    let mut forged = v1(&s, &p);
    forged[2].1 = sign_v1::signature("not the secret", &p);
    forged.push(("key", "user/forged".into()));
    assert_eq!(
        code_of(post(&s, &forged, b"x").await).await.1,
        "SignatureDoesNotMatch"
    );
    let anonymous = vec![("key", "user/anonymous".to_string())];
    assert_eq!(
        code_of(post(&s, &anonymous, b"x").await).await.1,
        "AccessDenied"
    );
    let not_json = base64::engine::general_purpose::STANDARD.encode("{not json");
    let mut fields = v1(&s, &not_json);
    fields.push(("key", "user/not-json".into()));
    assert_eq!(
        code_of(post(&s, &fields, b"x").await).await.1,
        "InvalidPolicyDocument"
    );
    assert_eq!(stored(&s, "user/forged"), None);
}
