//! Loads `../shared/vectors/sign-vectors.json` (made by the official SDKs) into requests.
//! Shared by the signer tests here and the verifier tests in `emulator/`.
#![allow(dead_code)]

use oss_browser_upload::protocol::request::{Credentials, RequestParts};
use serde_json::Value;

pub fn load() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/sign-vectors.json"
    );
    let alt = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/vectors/sign-vectors.json"
    );
    let text = std::fs::read_to_string(path)
        .or_else(|_| std::fs::read_to_string(alt))
        .expect("../shared/vectors/sign-vectors.json beside the repository");
    serde_json::from_str(&text).expect("valid JSON")
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The request an input describes, without any signature headers.
pub fn request(inputs: &Value) -> RequestParts {
    let mut query = pairs(&inputs["subresources"]);
    query.extend(pairs(&inputs["query"]));
    RequestParts {
        method: inputs["method"].as_str().unwrap().to_string(),
        bucket: inputs["bucket"].as_str().map(String::from),
        key: inputs["key"].as_str().map(String::from),
        query,
        headers: pairs(&inputs["headers"]),
    }
}

/// The request with the headers a signer added (`signed_extra_headers`).
pub fn signed_request(inputs: &Value, case: &Value) -> RequestParts {
    let mut req = request(inputs);
    for (name, value) in pairs(&case["signed_extra_headers"]) {
        req.set_header(&name, value);
    }
    req
}

pub fn credentials(v: &Value, sts: bool) -> Credentials {
    let c = &v["meta"]["credentials"];
    Credentials {
        access_key_id: c["access_key_id"].as_str().unwrap().into(),
        access_key_secret: c["access_key_secret"].as_str().unwrap().into(),
        security_token: sts.then(|| c["sts_security_token"].as_str().unwrap().into()),
    }
}

pub fn region(v: &Value) -> String {
    v["meta"]["region"].as_str().unwrap().to_string()
}

/// Each named vector: (name, inputs, whole case).
pub fn cases(v: &Value) -> Vec<(String, Value, Value)> {
    v["vectors"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, case)| (name.clone(), case["inputs"].clone(), case.clone()))
        .collect()
}

/// A published vector as a request with its own credentials.
pub fn published(p: &Value) -> (RequestParts, Credentials) {
    let req = RequestParts {
        method: p["method"].as_str().unwrap().into(),
        bucket: p["bucket"].as_str().map(String::from),
        key: p["key"].as_str().map(String::from),
        query: pairs(&p["query"]),
        headers: pairs(&p["headers"]),
    };
    let creds = Credentials {
        access_key_id: p["ak_id"].as_str().unwrap().into(),
        access_key_secret: p["ak_secret"].as_str().unwrap().into(),
        security_token: None,
    };
    (req, creds)
}
