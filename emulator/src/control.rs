//! The emulator's own endpoints under `/_emulator/`, unauthenticated and CORS-enabled:
//! `GET health`, `POST sts`, `POST sign`, `GET|POST|DELETE faults`, `GET|DELETE requests`,
//! and an example callback server: `POST callback` (answers JSON), `POST callback/fail` (500),
//! `POST callback/not-json`, with what they received at `GET|DELETE callbacks`.

use bytes::Bytes;
use oss_browser_upload::protocol::request::{Credentials, RequestParts};
use oss_browser_upload::protocol::{sign_v1, sign_v4, time};
use serde::Deserialize;
use serde_json::json;

use crate::failure::Failure;
use crate::faults::Rule;
use crate::reply::Reply;
use crate::state::State;
use crate::sync::lock;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StsRequest {
    duration_seconds: Option<u64>,
}

/// What a client's `signer` sends: the request to sign, as the client describes it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignRequest {
    method: String,
    bucket: Option<String>,
    key: Option<String>,
    #[serde(default)]
    subresources: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
    /// `v1` (default) or `v4`.
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Rules {
    One(Box<Rule>),
    Many(Vec<Rule>),
}

fn bad_json(e: serde_json::Error) -> Failure {
    Failure::invalid_argument(format!(
        "The request body is not valid JSON for this endpoint: {e}"
    ))
}

/// An application's callback server: records what OSS posted and answers as told by `path`.
fn callback_sink(state: &State, path: &str, headers: &[(String, String)], body: &Bytes) -> Reply {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    };
    let received = json!({
        "path": path,
        "contentType": header("content-type"),
        "host": header("host"),
        "body": String::from_utf8_lossy(body),
    });
    lock(&state.callbacks).push(received.clone());
    match path {
        "callback/fail" => Reply {
            status: 500,
            ..Reply::json(&json!({ "Status": "Broken" }))
        },
        "callback/not-json" => Reply {
            body: Bytes::from_static(b"<html>ok</html>"),
            ..Reply::empty(200)
        },
        _ => Reply::json(&json!({ "Status": "OK", "received": received["body"] })),
    }
}

/// Signs a request with the server's long-term key, standing in for an application backend that
/// signs for its pages (which then never hold a secret). A real backend would first check that
/// this user may make this request (method, bucket, key prefix) before signing it.
fn sign(state: &State, body: &Bytes) -> Result<Reply, Failure> {
    let req: SignRequest = serde_json::from_slice(body).map_err(bad_json)?;
    let mut parts = RequestParts {
        method: req.method,
        bucket: req.bucket,
        key: req.key.filter(|k| !k.is_empty()),
        query: req.subresources.into_iter().collect(),
        headers: req.headers.into_iter().collect(),
    };
    let creds = Credentials {
        access_key_id: state.config.access_key_id.clone(),
        access_key_secret: state.config.access_key_secret.clone(),
        security_token: None,
    };
    let date = parts
        .header("x-oss-date")
        .map(String::from)
        .ok_or_else(|| {
            Failure::invalid_argument("headers must hold the x-oss-date to sign with")
        })?;
    if req.version.as_deref() == Some("v4") {
        sign_v4::sign(&mut parts, &creds, &date, &state.config.region);
    } else {
        sign_v1::sign(&mut parts, &creds, &date);
    }
    let authorization = parts
        .header("authorization")
        .unwrap_or_default()
        .to_string();
    Ok(Reply::json(&json!({ "authorization": authorization })))
}

pub fn handle(
    state: &State,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &Bytes,
    now: u64,
) -> Result<Reply, Failure> {
    match (method, path) {
        ("POST", "callback" | "callback/fail" | "callback/not-json") => {
            Ok(callback_sink(state, path, headers, body))
        }
        ("GET", "callbacks") => Ok(Reply::json(&*lock(&state.callbacks))),
        ("DELETE", "callbacks") => {
            lock(&state.callbacks).clear();
            Ok(Reply::empty(204))
        }
        ("GET", "health") => Ok(Reply::json(&json!({
            "ok": true,
            "buckets": state.config.bucket_names(),
            "region": state.config.region,
        }))),
        ("POST", "sts") => {
            let req: StsRequest = if body.is_empty() {
                StsRequest::default()
            } else {
                serde_json::from_slice(body).map_err(bad_json)?
            };
            let duration = req.duration_seconds.unwrap_or(3600).clamp(1, 43_200);
            let (id, secret, token, expires) = state.keys.mint(now, duration);
            Ok(Reply::json(&json!({
                "AccessKeyId": id,
                "AccessKeySecret": secret,
                "SecurityToken": token,
                "Expiration": time::iso8601(expires),
            })))
        }
        ("POST", "sign") => sign(state, body),
        ("GET", "faults") => Ok(Reply::json(&state.faults.rules())),
        ("POST", "faults") => {
            let rules = match serde_json::from_slice(body).map_err(bad_json)? {
                Rules::One(rule) => vec![*rule],
                Rules::Many(rules) => rules,
            };
            if let Some(status) = rules
                .iter()
                .filter_map(|r| r.status)
                .find(|s| hyper::StatusCode::from_u16(*s).is_err())
            {
                return Err(Failure::invalid_argument(format!(
                    "status {status} is not an HTTP status: 100 to 999."
                )));
            }
            state.faults.add(rules);
            Ok(Reply::json(&state.faults.rules()))
        }
        ("DELETE", "faults") => {
            state.faults.clear();
            Ok(Reply::empty(204))
        }
        ("GET", "requests") => Ok(Reply::json(&state.faults.log())),
        ("DELETE", "requests") => {
            state.faults.clear_log();
            Ok(Reply::empty(204))
        }
        _ => Err(Failure::new(
            404,
            "NoSuchEndpoint",
            format!("No emulator endpoint {method} /_emulator/{path}."),
        )),
    }
}
