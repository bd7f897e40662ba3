//! The emulator's own endpoints under `/_emulator/`, unauthenticated and CORS-enabled:
//! `GET health`, `POST sts`, `GET|POST|DELETE faults`, `GET|DELETE requests`.

use bytes::Bytes;
use oss_browser_upload::protocol::time;
use serde::Deserialize;
use serde_json::json;

use crate::failure::Failure;
use crate::faults::Rule;
use crate::reply::Reply;
use crate::state::State;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StsRequest {
    duration_seconds: Option<u64>,
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

pub fn handle(
    state: &State,
    method: &str,
    path: &str,
    body: &Bytes,
    now: u64,
) -> Result<Reply, Failure> {
    match (method, path) {
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
        ("GET", "faults") => Ok(Reply::json(&state.faults.rules())),
        ("POST", "faults") => {
            let rules = match serde_json::from_slice(body).map_err(bad_json)? {
                Rules::One(rule) => vec![*rule],
                Rules::Many(rules) => rules,
            };
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
