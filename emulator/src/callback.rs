//! Upload callbacks (`x-oss-callback`, `x-oss-callback-var`) on PutObject and
//! CompleteMultipartUpload, as OSS does them: once the object is stored, POST the callback body
//! (with `${bucket}`, `${object}`, `${etag}`, `${size}`, `${mimeType}`, `${crc64}` and
//! `${x:var}` filled in) to each `callbackUrl` in turn until one answers 200 with JSON, and
//! answer the upload with that JSON; if none does, answer 203 `CallbackFailed` (the object
//! stays stored). Only loopback URLs are called: this server is for local use.

use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde::Deserialize;

use crate::failure::Failure;
use crate::reply::Reply;
use crate::store::ObjectMeta;

/// How long a callback server may take, as OSS allows.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest callback answer OSS passes on.
const MAX_ANSWER: usize = 3 * 1024 * 1024;
/// The largest callback body the emulator posts once its variables are filled in: a small
/// header must not make it build a body of gigabytes.
const MAX_BODY: usize = 1024 * 1024;
/// The most a built-in variable (`${object}`, URL-encoded) can grow to.
const MAX_BUILTIN: usize = 3 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Config {
    callback_url: String,
    callback_host: Option<String>,
    callback_body: String,
    callback_body_type: Option<String>,
}

pub struct Callback {
    urls: Vec<String>,
    host: Option<String>,
    body: String,
    body_type: String,
    vars: Vec<(String, String)>,
}

fn decode_json<T: for<'de> Deserialize<'de>>(header: &str, what: &str) -> Result<T, Failure> {
    let bad = || Failure::invalid_argument(format!("The {what} is not json format."));
    let raw = base64::engine::general_purpose::STANDARD
        .decode(header.trim())
        .map_err(|_| bad())?;
    serde_json::from_slice(&raw).map_err(|_| bad())
}

/// The request's callback, checked before anything is stored, as OSS does.
pub fn parse(headers: &[(String, String)]) -> Result<Option<Callback>, Failure> {
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let Some(header) = find("x-oss-callback") else {
        return Ok(None);
    };
    let config: Config = decode_json(header, "callback configuration")?;
    let urls: Vec<String> = config
        .callback_url
        .split(';')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(String::from)
        .collect();
    if urls.is_empty() || urls.len() > 5 || config.callback_body.is_empty() {
        return Err(Failure::invalid_argument(
            "The callback configuration needs a callbackUrl (up to 5, separated by ';') and a callbackBody.",
        ));
    }
    let vars = match find("x-oss-callback-var") {
        None => Vec::new(),
        Some(v) => {
            let map: serde_json::Map<String, serde_json::Value> = decode_json(v, "callback-var")?;
            map.into_iter()
                .filter(|(k, _)| k.starts_with("x:"))
                .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), String::from)))
                .collect()
        }
    };
    let expanded = config.callback_body.len()
        + config.callback_body.matches("${").count() * MAX_BUILTIN
        + vars
            .iter()
            .map(|(k, v)| config.callback_body.matches(&format!("${{{k}}}")).count() * 3 * v.len())
            .sum::<usize>();
    if expanded > MAX_BODY {
        return Err(Failure::invalid_argument(format!(
            "The callback body would be larger than {MAX_BODY} bytes once its variables are filled in."
        )));
    }
    Ok(Some(Callback {
        urls,
        host: config.callback_host,
        body: config.callback_body,
        body_type: config
            .callback_body_type
            .unwrap_or_else(|| "application/x-www-form-urlencoded".into()),
        vars,
    }))
}

impl Callback {
    /// The body with its variables filled in; in a form body the values are URL-encoded.
    fn body_for(&self, bucket: &str, key: &str, meta: &ObjectMeta) -> String {
        let form = self
            .body_type
            .starts_with("application/x-www-form-urlencoded");
        let value = |v: &str| {
            if form {
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            } else {
                v.to_string()
            }
        };
        let mut values = vec![
            ("${bucket}".to_string(), value(bucket)),
            ("${object}".to_string(), value(key)),
            ("${etag}".to_string(), value(meta.etag.trim_matches('"'))),
            ("${size}".to_string(), meta.size.to_string()),
            ("${mimeType}".to_string(), value(&meta.content_type)),
            ("${crc64}".to_string(), meta.crc64.to_string()),
        ];
        for (k, v) in &self.vars {
            values.push((format!("${{{k}}}"), value(v)));
        }
        values
            .iter()
            .fold(self.body.clone(), |body, (name, v)| body.replace(name, v))
    }

    /// Calls back for the stored object and turns `stored` (the upload's own answer) into
    /// what OSS answers: the callback server's JSON, or 203 CallbackFailed.
    pub async fn perform(
        &self,
        bucket: &str,
        key: &str,
        meta: &ObjectMeta,
        stored: Reply,
    ) -> Result<Reply, Failure> {
        let body = self.body_for(bucket, key, meta);
        let mut why = String::new();
        for url in &self.urls {
            match self.post(url, &body).await {
                Ok(answer) => {
                    let mut reply = Reply::json_bytes(answer);
                    reply.headers.extend(
                        stored
                            .headers
                            .into_iter()
                            .filter(|(k, _)| k != "content-type"),
                    );
                    return Ok(reply);
                }
                Err(e) => why = e,
            }
        }
        let mut failure = Failure::new(203, "CallbackFailed", why);
        failure.headers = stored.headers;
        Err(failure)
    }

    async fn post(&self, url: &str, body: &str) -> Result<Bytes, String> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|_| format!("The callbackUrl {url} is not a URL."))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "The emulator calls back over http only, not {url}."
            ));
        }
        let host = uri.host().unwrap_or_default();
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1") {
            return Err(format!(
                "The emulator calls back loopback addresses only, not {host}."
            ));
        }
        let port = uri.port_u16().unwrap_or(80);
        let call = async {
            let stream = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
                .await
                .map_err(|e| format!("Error status : -1. Connect to {url} failed: {e}."))?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| format!("Error status : -1. {e}."))?;
            tokio::spawn(conn);
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            let request = Request::post(path)
                .header(
                    "host",
                    self.host
                        .clone()
                        .unwrap_or_else(|| format!("{host}:{port}")),
                )
                .header("content-type", self.body_type.as_str())
                .header("user-agent", "aliyun-oss-callback")
                .body(Full::new(Bytes::from(body.to_string())))
                .map_err(|e| format!("Error status : -1. {e}."))?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| format!("Error status : -1. {e}."))?;
            let status = response.status().as_u16();
            let answer = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("Error status : -1. {e}."))?
                .to_bytes();
            if status != 200 {
                return Err(format!("Error status : {status}."));
            }
            if answer.len() > MAX_ANSWER
                || serde_json::from_slice::<serde_json::Value>(&answer).is_err()
            {
                return Err("Response body is not valid json format.".into());
            }
            Ok(answer)
        };
        tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| format!("Error status : -1. {url} did not answer within 5 seconds."))?
    }
}
