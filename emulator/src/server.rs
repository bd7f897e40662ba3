//! The HTTP edge: parse a request, apply faults, authenticate, dispatch, answer with OSS's
//! common headers, CORS and error format, and log what happened.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use oss_browser_upload::protocol::encode::parse_query;
use oss_browser_upload::protocol::error::OssError;
use oss_browser_upload::protocol::request::RequestParts;
use oss_browser_upload::protocol::time;
use tokio::net::TcpListener;

use crate::addressing;
use crate::auth;
use crate::callback;
use crate::config::Config;
use crate::control;
use crate::cors;
use crate::failure::Failure;
use crate::faults::{epoch_ms, throttle_wait, Action, LogEntry};
use crate::listing;
use crate::multipart;
use crate::objects;
use crate::reply::{Ctx, Reply};
use crate::state::State;

/// Returned by the service to make hyper drop the connection: a fault that cuts a request
/// off mid-body. Unread body bytes left in the socket make the kernel send a RST.
#[derive(Debug)]
struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by fault injection")
    }
}

impl std::error::Error for Reset {}

/// A server bound to its port, running on the current Tokio runtime.
pub struct Running {
    pub addr: SocketAddr,
    pub state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

pub async fn start(config: Config) -> Result<Running, String> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = Arc::new(State::new(config)?);
    let task = tokio::spawn(serve(listener, state.clone()));
    Ok(Running { addr, state, task })
}

async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(state.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn request_id() -> String {
    format!("{:024X}", rand::random::<u128>() >> 32)
}

/// The OSS API a request calls, by method, level and sub-resource.
fn op_name(method: &str, has_key: bool, req: &RequestParts) -> &'static str {
    let has = |name| req.query_param(name).is_some();
    match (method, has_key) {
        ("PUT", true) if has("partNumber") && has("uploadId") => "UploadPart",
        ("PUT", true) => "PutObject",
        ("POST", true) if has("uploads") => "InitiateMultipartUpload",
        ("POST", true) if has("uploadId") => "CompleteMultipartUpload",
        ("GET", true) if has("uploadId") => "ListParts",
        ("GET", true) => "GetObject",
        ("HEAD", true) => "HeadObject",
        ("DELETE", true) if has("uploadId") => "AbortMultipartUpload",
        ("DELETE", true) => "DeleteObject",
        ("GET", false) if has("uploads") => "ListMultipartUploads",
        ("GET", false) => "ListObjects",
        _ => "NotImplemented",
    }
}

/// Reads a body, applying throttling and a mid-body reset. Counts bytes into `received`.
async fn read_body(body: Incoming, action: &Action, received: &AtomicU64) -> Result<Bytes, Reset> {
    let started = Instant::now();
    let mut buf = BytesMut::new();
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(Reset);
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let so_far = received.fetch_add(data.len() as u64, Ordering::Relaxed) + data.len() as u64;
        if action
            .reset_after_bytes
            .is_some_and(|limit| so_far >= limit)
        {
            return Err(Reset);
        }
        buf.extend_from_slice(&data);
        if let Some(rate) = action.bytes_per_second {
            tokio::time::sleep(throttle_wait(started, so_far, rate)).await;
        }
    }
    Ok(buf.freeze())
}

fn header_pairs(req: &Request<Incoming>) -> Vec<(String, String)> {
    req.headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn preflight(rules: &[cors::Rule], headers: &[(String, String)]) -> Result<Reply, Failure> {
    let origin = find(headers, "origin").unwrap_or("");
    let method = find(headers, "access-control-request-method").unwrap_or("");
    let requested = find(headers, "access-control-request-headers").unwrap_or("");
    let names: Vec<&str> = requested
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let rule = cors::matching(rules, origin, method, &names).ok_or_else(|| {
        Failure::new(
            403,
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed. The Origin, the request method or a requested header is not allowed by the bucket's CORS rules.",
        )
    })?;
    let mut reply = Reply::empty(200);
    reply.headers = rule.headers(origin);
    if !requested.is_empty() {
        reply = reply.header("access-control-allow-headers", requested);
    }
    Ok(reply)
}

/// Completes the log entry of a request that ends without an answer: cut off by a fault, or
/// dropped by hyper because the client hung up.
struct LogGuard {
    state: Arc<State>,
    id: Option<u64>,
    received: AtomicU64,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let received = self.received.load(Ordering::Relaxed);
            self.state.faults.finish(id, |e| {
                e.reset = true;
                e.bytes_received = received;
                e.end_ms = epoch_ms();
            });
        }
    }
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Reset> {
    let started_ms = epoch_ms();
    let method = req.method().as_str().to_string();
    let raw_path = req.uri().path().to_string();
    let raw_query = req.uri().query().unwrap_or("").to_string();
    let headers = header_pairs(&req);
    let origin = find(&headers, "origin").map(String::from);
    let host = find(&headers, "host").unwrap_or("").to_string();
    let now = now();

    let control_path = raw_path.strip_prefix("/_emulator/").map(String::from);
    let rules = if control_path.is_some() {
        cors::permissive()
    } else {
        state.cors.clone()
    };

    let mut log = LogEntry {
        id: 0,
        method: method.clone(),
        path: raw_path.clone(),
        query: raw_query.clone(),
        op: String::new(),
        key: String::new(),
        part_number: None,
        status: 0,
        bytes_received: 0,
        start_ms: started_ms,
        end_ms: 0,
        reset: false,
    };
    let mut wrong_crc = false;
    // OSS operations are logged on arrival and completed by this guard, even when hyper drops
    // the handler because the client went away; others are logged once answered.
    let mut guard = LogGuard {
        state: state.clone(),
        id: None,
        received: AtomicU64::new(0),
    };

    let result: Result<Reply, Failure> = if method == "OPTIONS" {
        log.op = "Preflight".into();
        preflight(&rules, &headers)
    } else if let Some(path) = &control_path {
        log.op = "Emulator".into();
        match read_body(req.into_body(), &Action::default(), &guard.received).await {
            Ok(body) => control::handle(&state, &method, path, &headers, &body, now),
            Err(Reset) => Err(Failure::invalid_argument("The request body was cut off.")),
        }
    } else {
        let config = &state.config;
        match (
            addressing::resolve(&host, &raw_path, &config.bucket_names(), &config.cnames),
            parse_query(&raw_query),
        ) {
            (Some(target), Some(query)) => {
                let parts = RequestParts {
                    method: method.clone(),
                    bucket: target.bucket.clone(),
                    key: Some(target.key.clone()).filter(|k| !k.is_empty()),
                    query,
                    headers: headers.clone(),
                };
                let op = op_name(&method, parts.key.is_some(), &parts);
                log.op = op.into();
                log.key = target.key.clone();
                log.part_number = parts.query_param("partNumber").and_then(|n| n.parse().ok());
                guard.id = Some(state.faults.begin(log.clone()));
                let action = state.faults.take(&method, op, &target.key, log.part_number);
                wrong_crc = action.wrong_crc;
                if action.delay_ms > 0 {
                    tokio::time::sleep(Duration::from_millis(action.delay_ms)).await;
                }
                let outcome = dispatch(
                    &state,
                    &parts,
                    op,
                    &action,
                    req.into_body(),
                    &guard.received,
                    now,
                )
                .await;
                match outcome {
                    // Done, but the answer is lost: the guard logs it as reset when dropped.
                    Ok(_) if action.drop_answer => return Err(Reset),
                    Ok(result) => result,
                    // The guard logs it as reset when dropped.
                    Err(Reset) => return Err(Reset),
                }
            }
            _ => Err(Failure::new(
                400,
                "InvalidURI",
                "The path or query is not valid percent-encoded UTF-8.",
            )),
        }
    };

    let rid = request_id();
    let response = build_response(
        &rules,
        &method,
        origin.as_deref(),
        &host,
        &rid,
        result,
        wrong_crc,
        now,
    );
    log.status = response.status().as_u16();
    if state.config.verbose {
        eprintln!(
            "{} {}?{} {} {} ({} bytes in)",
            log.op,
            log.path,
            log.query,
            method,
            log.status,
            guard.received.load(Ordering::Relaxed)
        );
    }
    let received = guard.received.load(Ordering::Relaxed);
    match guard.id.take() {
        Some(id) => state.faults.finish(id, |e| {
            e.status = log.status;
            e.bytes_received = received;
            e.end_ms = epoch_ms();
        }),
        None => {
            log.bytes_received = received;
            log.end_ms = epoch_ms();
            state.faults.begin(log);
        }
    }
    Ok(response)
}

async fn dispatch(
    state: &State,
    parts: &RequestParts,
    op: &str,
    action: &Action,
    body: Incoming,
    received: &AtomicU64,
    now: u64,
) -> Result<Result<Reply, Failure>, Reset> {
    if let Some((status, code, message)) = &action.error {
        // Leak the code string once per distinct injected code: Failure wants 'static, and
        // the set of codes a test injects is small and fixed.
        let code: &'static str = Box::leak(code.clone().into_boxed_str());
        return Ok(Err(Failure::new(*status, code, message.clone())));
    }
    if let Err(f) = auth::verify(parts, &state.keys, &state.config.region, now) {
        return Ok(Err(f));
    }
    let Some(bucket) = parts.bucket.as_deref() else {
        return Ok(Err(Failure::new(
            501,
            "NotImplemented",
            "Service-level requests are not supported by the emulator.",
        )));
    };
    if !state.store.has_bucket(bucket) {
        return Ok(Err(Failure::new(
            404,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        )
        .with("BucketName", bucket)));
    }
    let ctx = Ctx {
        state,
        bucket,
        key: parts.key.as_deref().unwrap_or(""),
        req: parts,
        now,
    };
    if op == "UploadPart" {
        if let Err(f) = multipart::check_part_target(&ctx) {
            return Ok(Err(f));
        }
    }
    let callback = match op {
        "PutObject" | "CompleteMultipartUpload" => match callback::parse(&parts.headers) {
            Ok(callback) => callback,
            Err(f) => return Ok(Err(f)),
        },
        _ => None,
    };
    let body = if matches!(op, "PutObject" | "UploadPart" | "CompleteMultipartUpload") {
        read_body(body, action, received).await?
    } else {
        Bytes::new()
    };
    let stored = dispatch_op(&ctx, op, body);
    let Some(callback) = callback else {
        return Ok(stored);
    };
    let reply = match stored {
        Ok(reply) => reply,
        Err(f) => return Ok(Err(f)),
    };
    Ok(match state.store.object(bucket, ctx.key) {
        Some(object) => callback.perform(bucket, ctx.key, &object.meta, reply).await,
        None => Ok(reply),
    })
}

/// The OSS operation itself, once the request is authenticated and its body read.
fn dispatch_op(ctx: &Ctx, op: &str, body: Bytes) -> Result<Reply, Failure> {
    let parts = ctx.req;
    match op {
        "PutObject" => objects::put(ctx, body),
        "GetObject" => objects::get(ctx, false),
        "HeadObject" => objects::get(ctx, true),
        "DeleteObject" => objects::delete(ctx),
        "ListObjects" => listing::list(ctx),
        "InitiateMultipartUpload" => multipart::initiate(ctx),
        "UploadPart" => multipart::upload_part(ctx, body),
        "CompleteMultipartUpload" => multipart::complete(ctx, body),
        "AbortMultipartUpload" => multipart::abort(ctx),
        "ListParts" => multipart::list_parts(ctx),
        "ListMultipartUploads" => multipart::list_uploads(ctx),
        _ => Err(Failure::new(
            501,
            "NotImplemented",
            format!(
                "{} on this resource is not supported by the emulator.",
                parts.method
            ),
        )),
    }
}

#[allow(clippy::too_many_arguments)]
fn build_response(
    rules: &[cors::Rule],
    method: &str,
    origin: Option<&str>,
    host: &str,
    rid: &str,
    result: Result<Reply, Failure>,
    wrong_crc: bool,
    now: u64,
) -> Response<Full<Bytes>> {
    let mut reply = match result {
        Ok(reply) => reply,
        Err(f) => {
            let xml = OssError {
                status: f.status,
                code: f.code.to_string(),
                message: f.message,
                request_id: rid.to_string(),
                host_id: host.to_string(),
                extra: f
                    .extra
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            }
            .to_xml();
            let mut reply = Reply::empty(f.status).header("x-oss-ec", "0000-00000000");
            reply.headers.extend(f.headers);
            if method == "HEAD" {
                reply = reply.header(
                    "x-oss-err",
                    base64::engine::general_purpose::STANDARD.encode(&xml),
                );
            } else {
                reply = reply.header("content-type", "application/xml");
                reply.body = Bytes::from(xml);
            }
            reply
        }
    };
    if wrong_crc {
        for (name, value) in reply.headers.iter_mut() {
            if name == "x-oss-hash-crc64ecma" {
                let crc: u64 = value.parse().unwrap_or(0);
                *value = (crc ^ 0x5A5A).to_string();
            }
        }
    }
    let mut builder = Response::builder()
        .status(reply.status)
        .header("x-oss-request-id", rid)
        .header("server", "AliyunOSS")
        .header("date", time::rfc1123(now));
    if let Some(origin) = origin {
        if method != "OPTIONS" {
            if let Some(rule) = cors::matching(rules, origin, method, &[]) {
                for (k, v) in rule.headers(origin) {
                    builder = builder.header(k, v);
                }
            }
        }
    }
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder.body(Full::new(reply.body)).unwrap_or_else(|_| {
        Response::new(Full::new(Bytes::from_static(b"invalid response header")))
    })
}
