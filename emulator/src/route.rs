//! One OSS request, from its head to its reply: which API it calls, the faults that fire for
//! it, its signature, its bucket, its body, the operation, and the upload callback after it.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use oss_browser_upload::protocol::encode::parse_query;
use oss_browser_upload::protocol::limits::{MAX_PART_SIZE, MAX_PUT_SIZE};
use oss_browser_upload::protocol::request::RequestParts;

use crate::addressing;
use crate::auth;
use crate::callback;
use crate::copy_append;
use crate::ctx::Ctx;
use crate::failure::Failure;
use crate::faults::Action;
use crate::http::{read_body, too_large, Cut, Head};
use crate::listing;
use crate::log::Logged;
use crate::multipart;
use crate::objects;
use crate::post_object;
use crate::reply::Reply;
use crate::state::State;

/// The largest CompleteMultipartUpload body: 10,000 parts of ~100 bytes each, with room to spare.
pub const MAX_XML_BODY: u64 = 4 * 1024 * 1024;

/// How a request ends.
pub enum Outcome {
    /// An answer, and whether a fault asks for its CRC64 to be wrong, its body cut off or
    /// its CORS headers left out.
    Answer {
        result: Result<Reply, Failure>,
        wrong_crc: bool,
        cut: bool,
        no_cors: bool,
    },
    /// No answer: the connection is dropped.
    Drop,
}

/// The OSS API a request calls, by method, level and sub-resource.
pub fn op_name(method: &str, has_key: bool, req: &RequestParts) -> &'static str {
    let has = |name| req.query_param(name).is_some();
    match (method, has_key) {
        ("PUT", true) if has("partNumber") && has("uploadId") => "UploadPart",
        ("PUT", true) if req.header("x-oss-copy-source").is_some() => "CopyObject",
        ("PUT", true) => "PutObject",
        ("POST", true) if has("append") => "AppendObject",
        ("POST", true) if has("uploads") => "InitiateMultipartUpload",
        ("POST", true) if has("uploadId") => "CompleteMultipartUpload",
        ("GET", true) if has("uploadId") => "ListParts",
        ("GET", true) => "GetObject",
        ("HEAD", true) if has("objectMeta") => "GetObjectMeta",
        ("HEAD", true) => "HeadObject",
        ("DELETE", true) if has("uploadId") => "AbortMultipartUpload",
        ("DELETE", true) => "DeleteObject",
        ("POST", false) if has("delete") => "DeleteMultipleObjects",
        ("POST", false) if is_form(req) => "PostObject",
        ("GET", false) if has("uploads") => "ListMultipartUploads",
        ("GET", false) => "ListObjects",
        _ => "NotImplemented",
    }
}

/// A form upload's body: `multipart/form-data`.
fn is_form(req: &RequestParts) -> bool {
    (req.header("content-type")
        .unwrap_or("")
        .trim_start()
        .to_ascii_lowercase())
    .starts_with("multipart/form-data")
}

/// The request as the signers see it, or `InvalidURI` if its path or query is not valid
/// percent-encoded UTF-8.
fn parts_of(state: &State, head: &Head) -> Result<RequestParts, Failure> {
    let config = &state.config;
    let host = head.header("host").unwrap_or("");
    match (
        addressing::resolve(host, &head.path, &config.bucket_names(), &config.cnames),
        parse_query(&head.query),
    ) {
        (Some(target), Some(query)) => Ok(RequestParts {
            method: head.method.clone(),
            bucket: target.bucket,
            key: Some(target.key).filter(|k| !k.is_empty()),
            query,
            headers: head.headers.clone(),
        }),
        _ => Err(Failure::new(
            400,
            "InvalidURI",
            "The path or query is not valid percent-encoded UTF-8.",
        )),
    }
}

/// Serves one OSS request; `log` records it from its arrival.
pub async fn serve(
    state: &State,
    head: &Head,
    body: Incoming,
    log: &mut Logged,
    now: u64,
) -> Outcome {
    let mut body = Some(body);
    let parts = match parts_of(state, head) {
        Ok(parts) => parts,
        Err(f) => {
            log.set_op("Invalid");
            return Outcome::Answer {
                result: Err(f),
                wrong_crc: false,
                cut: false,
                no_cors: false,
            };
        }
    };
    let op = op_name(&head.method, parts.key.is_some(), &parts);
    let key = parts.key.as_deref().unwrap_or("");
    let part_number = parts.query_param("partNumber").and_then(|n| n.parse().ok());
    log.begin(op, key, part_number);
    let action = state.faults.take(&head.method, op, key, part_number);
    if action.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(action.delay_ms)).await;
    }
    let result = match &action.error {
        Some((status, code, message)) => {
            Err(Failure::injected(*status, code.clone(), message.clone()))
        }
        None => match carry_out(state, &parts, op, &action, &mut body, &log.received, now).await {
            Ok(reply) => Ok(reply),
            Err(Stop::Failed(f)) => Err(f),
            // The log records it as reset when `log` is dropped.
            Err(Stop::Cut(Cut::Reset)) => return Outcome::Drop,
            Err(Stop::Cut(Cut::TooLarge)) => Err(too_large(body_limit(op))),
        },
    };
    // A request refused before its body was read: read the rest (up to a bound) before
    // answering, or the connection closes under a client still sending, and a browser then
    // reports a network error instead of the answer.
    if let Some(unread) = body.take() {
        if result.is_err() {
            drain(unread, &log.received).await;
        }
    }
    if action.drop_answer {
        // Carried out, but the answer is lost on its way back.
        return Outcome::Drop;
    }
    Outcome::Answer {
        result,
        wrong_crc: action.wrong_crc,
        cut: action.cut_answer,
        no_cors: action.no_cors,
    }
}

/// The most an unread body is read (and dropped) for, so that its refusal reaches the client.
const MAX_DRAIN: u64 = 64 * 1024 * 1024;

/// Reads and drops what is left of a body, unless it is over [`MAX_DRAIN`].
async fn drain(body: Incoming, received: &AtomicU64) {
    let announced = body.size_hint().exact();
    if announced.is_some_and(|n| n > MAX_DRAIN) {
        return;
    }
    let _ = read_body(body, &Action::default(), received, MAX_DRAIN).await;
}

/// The most body an operation takes.
fn body_limit(op: &str) -> u64 {
    match op {
        "PutObject" | "AppendObject" => MAX_PUT_SIZE,
        // The file and the form's other fields.
        "PostObject" => MAX_PUT_SIZE + MAX_XML_BODY,
        "UploadPart" => MAX_PART_SIZE,
        _ => MAX_XML_BODY,
    }
}

/// Why a request stopped short of its reply.
enum Stop {
    Failed(Failure),
    Cut(Cut),
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Stop {
        Stop::Failed(f)
    }
}

impl From<Cut> for Stop {
    fn from(c: Cut) -> Stop {
        Stop::Cut(c)
    }
}

/// Authenticates the request, checks its target, reads its body and performs the operation,
/// then the upload callback if it asked for one.
async fn carry_out(
    state: &State,
    parts: &RequestParts,
    op: &str,
    action: &Action,
    body: &mut Option<Incoming>,
    received: &AtomicU64,
    now: u64,
) -> Result<Reply, Stop> {
    let checked = check(state, parts, op, now)?;
    let callback = match op {
        "PutObject" | "CompleteMultipartUpload" => callback::parse(&parts.headers)?,
        _ => None,
    };
    let body = match body.take() {
        Some(body)
            if matches!(
                op,
                "PutObject"
                    | "PostObject"
                    | "UploadPart"
                    | "AppendObject"
                    | "CompleteMultipartUpload"
                    | "DeleteMultipleObjects"
            ) =>
        {
            read_body(body, action, received, body_limit(op)).await?
        }
        _ => bytes::Bytes::new(),
    };
    let ctx = checked.with(state, parts);
    if op == "PostObject" {
        return post_form(&ctx, body).await;
    }
    let reply = perform(&ctx, op, body)?;
    let stored = callback.and_then(|c| Some((c, state.store.object(ctx.bucket, ctx.key)?)));
    Ok(match stored {
        Some((callback, object)) => {
            callback
                .perform(ctx.bucket, ctx.key, &object.meta, reply)
                .await?
        }
        None => reply,
    })
}

/// A form upload: the object stored as its policy allows, then the callback its fields ask for.
async fn post_form(ctx: &Ctx<'_>, body: bytes::Bytes) -> Result<Reply, Stop> {
    let content_type = ctx.req.header("content-type").unwrap_or("");
    let form = post_object::read_form(content_type, body).await?;
    let state = ctx.state;
    // A malformed callback is refused before anything is stored, as for PutObject.
    let callback = callback::parse(&post_object::headers_of(&form))?;
    let (put, reply) = post_object::post(ctx, &form, &state.keys, &state.config.region)?;
    let key = put.key.as_deref().unwrap_or("");
    let stored = callback.and_then(|c| Some((c, state.store.object(ctx.bucket, key)?)));
    Ok(match stored {
        Some((callback, object)) => {
            callback
                .perform(ctx.bucket, key, &object.meta, reply)
                .await?
        }
        None => reply,
    })
}

/// What is known of a request once its signature and target are checked.
struct Checked {
    bucket: String,
    now: u64,
}

impl Checked {
    fn with<'a>(&'a self, state: &'a State, parts: &'a RequestParts) -> Ctx<'a> {
        Ctx {
            state,
            bucket: &self.bucket,
            key: parts.key.as_deref().unwrap_or(""),
            req: parts,
            now: self.now,
        }
    }
}

/// Everything refused before the body is read: the signature, the bucket, an announced body
/// too large, and for a part, its number and its upload.
fn check(state: &State, parts: &RequestParts, op: &str, now: u64) -> Result<Checked, Failure> {
    // A form is authorised by the policy in its body, checked once it is read.
    if op != "PostObject" {
        auth::verify(parts, &state.keys, &state.config.region, now)?;
    }
    let Some(bucket) = parts.bucket.as_deref() else {
        return Err(Failure::new(
            501,
            "NotImplemented",
            "Service-level requests are not supported by the emulator.",
        ));
    };
    if !state.store.has_bucket(bucket) {
        return Err(
            Failure::new(404, "NoSuchBucket", "The specified bucket does not exist.")
                .with("BucketName", bucket),
        );
    }
    let announced = parts
        .header("content-length")
        .and_then(|n| n.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > body_limit(op)) {
        return Err(too_large(body_limit(op)));
    }
    let checked = Checked {
        bucket: bucket.to_string(),
        now,
    };
    if op == "UploadPart" {
        multipart::check_part_target(&checked.with(state, parts))?;
    }
    Ok(checked)
}

/// The OSS operation itself, once the request is authenticated and its body read.
fn perform(ctx: &Ctx, op: &str, body: bytes::Bytes) -> Result<Reply, Failure> {
    match op {
        "PutObject" => objects::put(ctx, body),
        "GetObject" => objects::get(ctx, false),
        "HeadObject" | "GetObjectMeta" => objects::get(ctx, true),
        "AppendObject" => copy_append::append(ctx, body),
        "CopyObject" => copy_append::copy(ctx),
        "DeleteMultipleObjects" => objects::delete_multiple(ctx, body),
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
                ctx.req.method
            ),
        )),
    }
}
