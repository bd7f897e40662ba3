//! PostObject: an object uploaded by an HTML form (`POST /` on the bucket, a
//! `multipart/form-data` body), authorised by the policy the form carries rather than by a
//! signed request. The policy (base64 JSON: `expiration` and `conditions`) is signed V1
//! (`OSSAccessKeyId`, `Signature`) or V4 (`x-oss-signature-version`, `x-oss-credential`,
//! `x-oss-date`, `x-oss-signature`); the object's headers come as fields, the `file` last.

use base64::Engine;
use bytes::Bytes;
use oss_browser_upload::protocol::encode::uri_encode;
use oss_browser_upload::protocol::request::RequestParts;
use oss_browser_upload::protocol::{sign_v1, sign_v4, time};
use serde_json::Value;

use crate::auth;
use crate::ctx::Ctx;
use crate::failure::Failure;
use crate::http::too_large;
use crate::keys::Keys;
use crate::objects;
use crate::reply::Reply;

/// A form as received: its fields in order, and the file.
pub struct Form {
    pub fields: Vec<(String, String)>,
    pub file_name: String,
    /// The file part's own Content-Type, which OSS takes over the `Content-Type` field.
    pub file_type: Option<String>,
    pub file: Bytes,
}

impl Form {
    /// A field by name, in any case, as OSS reads them.
    pub fn field(&self, name: &str) -> Option<&str> {
        (self.fields.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a `multipart/form-data` body whose boundary `content_type` names.
pub async fn read_form(content_type: &str, body: Bytes) -> Result<Form, Failure> {
    let bad = |why: String| Failure::new(400, "MalformedPOSTRequest", why);
    let boundary = multer::parse_boundary(content_type).map_err(|e| {
        bad(format!(
            "The body of your POST request is not well-formed multipart/form-data: {e}."
        ))
    })?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    loop {
        let field = multipart.next_field().await.map_err(|e| {
            bad(format!(
                "The body of your POST request is not well-formed multipart/form-data: {e}."
            ))
        })?;
        let Some(field) = field else {
            return Err(Failure::invalid_argument(
                "The form has no file field: it must be the last field.",
            ));
        };
        let name = field.name().unwrap_or_default().to_string();
        if name.eq_ignore_ascii_case("file") {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let file_type = field.content_type().map(|t| t.to_string());
            let file = field.bytes().await.map_err(|e| bad(e.to_string()))?;
            // OSS ignores what follows the file.
            return Ok(Form {
                fields,
                file_name,
                file_type,
                file,
            });
        }
        let value = field.text().await.map_err(|e| bad(e.to_string()))?;
        fields.push((name, value));
    }
}

fn policy_failed(condition: &Value) -> Failure {
    Failure::access_denied(format!(
        "Invalid according to Policy: Policy Condition failed: {condition}"
    ))
}

fn invalid_policy(why: &str) -> Failure {
    Failure::new(
        400,
        "InvalidPolicyDocument",
        format!("Invalid Policy: {why}"),
    )
}

fn missing(name: &str) -> Failure {
    Failure::invalid_argument(format!("The form has a policy but no {name} field."))
}

/// Who signed a V4 form, and the signature its policy should have: the credential's scope
/// (`<AccessKeyId>/<day>/<region>/oss/aliyun_v4_request`) and `x-oss-date` of that day.
fn v4_signer<'a>(
    form: &'a Form,
    keys: &Keys,
    region: &str,
    now: u64,
    policy: &str,
) -> Result<(&'a str, String), Failure> {
    let credential = form
        .field("x-oss-credential")
        .ok_or_else(|| missing("x-oss-credential"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [id, day, signed_region, "oss", "aliyun_v4_request"] = scope[..] else {
        return Err(Failure::invalid_argument(
            "x-oss-credential is not <AccessKeyId>/<date>/<region>/oss/aliyun_v4_request.",
        ));
    };
    if signed_region != region {
        return Err(Failure::invalid_argument(format!(
            "x-oss-credential is for region {signed_region}; this bucket is in {region}."
        )));
    }
    let date = form
        .field("x-oss-date")
        .ok_or_else(|| missing("x-oss-date"))?;
    if !date.starts_with(day) || time::parse_iso8601_basic(date).is_none() {
        return Err(Failure::invalid_argument(format!(
            "x-oss-date {date} is not a time of the credential's day {day}."
        )));
    }
    let secret = auth::credentials(keys, id, form.field("x-oss-security-token"), now)?;
    Ok((id, sign_v4::signature(&secret.secret, day, region, policy)))
}

/// Checks the form's signature over its policy; `Ok` has the policy's JSON.
fn verify(form: &Form, keys: &Keys, region: &str, now: u64) -> Result<Value, Failure> {
    let policy = form.field("policy").ok_or_else(|| {
        Failure::access_denied(
            "AccessDenied: anonymous access is not allowed; give the form a signed policy.",
        )
    })?;
    let v4 = form.field("x-oss-signature-version") == Some("OSS4-HMAC-SHA256");
    let ((id, expected), provided) = if v4 {
        (
            v4_signer(form, keys, region, now, policy)?,
            form.field("x-oss-signature")
                .ok_or_else(|| missing("x-oss-signature"))?,
        )
    } else {
        let id = form
            .field("OSSAccessKeyId")
            .ok_or_else(|| missing("OSSAccessKeyId"))?;
        let secret = auth::credentials(keys, id, form.field("x-oss-security-token"), now)?;
        (
            (id, sign_v1::signature(&secret.secret, policy)),
            form.field("Signature")
                .ok_or_else(|| missing("Signature"))?,
        )
    };
    if expected != provided {
        return Err(Failure::new(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
            .with("OSSAccessKeyId", id)
            .with("StringToSign", policy)
            .with("SignatureProvided", provided));
    }
    let text = base64::engine::general_purpose::STANDARD
        .decode(policy.trim())
        .map_err(|_| invalid_policy("the policy is not base64"))?;
    let json: Value =
        serde_json::from_slice(&text).map_err(|_| invalid_policy("the policy is not JSON"))?;
    // A V4 policy must name the form's x-oss-date, which the conditions then check.
    let conditions = json.get("conditions").and_then(Value::as_array);
    let names_date = (conditions.into_iter().flatten()).any(|c| {
        c.get("x-oss-date").is_some() || c.get(1).and_then(Value::as_str) == Some("$x-oss-date")
    });
    if v4 && !names_date {
        return Err(invalid_policy(
            "a V4 policy must have an x-oss-date condition",
        ));
    }
    Ok(json)
}

/// The value a condition names (`$key`, `bucket`, any other field) in this form.
fn value_of<'a>(name: &str, form: &'a Form, key: &'a str, bucket: &'a str) -> &'a str {
    match name.trim_start_matches('$').to_ascii_lowercase().as_str() {
        "key" => key,
        "bucket" => bucket,
        other => form.field(other).unwrap_or(""),
    }
}

/// Checks the policy's expiry and each of its conditions against the form: exact fields,
/// `eq`, `starts-with`, `in`, `not-in` and `content-length-range`.
fn check_policy(
    policy: &Value,
    form: &Form,
    key: &str,
    bucket: &str,
    now: u64,
) -> Result<(), Failure> {
    let expiration = policy
        .get("expiration")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid_policy("no expiration"))?;
    let expires = time::parse_iso8601(expiration)
        .ok_or_else(|| invalid_policy("expiration is not an ISO 8601 time"))?;
    if now > expires {
        return Err(Failure::access_denied(
            "Invalid according to Policy: Policy expired.",
        ));
    }
    let conditions = policy
        .get("conditions")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid_policy("no conditions"))?;
    for c in conditions {
        match c {
            Value::Object(exact) => {
                for (name, want) in exact {
                    if Some(value_of(name, form, key, bucket)) != want.as_str() {
                        return Err(policy_failed(c));
                    }
                }
            }
            Value::Array(list) => check_condition(list, c, form, key, bucket)?,
            _ => {
                return Err(invalid_policy(
                    "a condition is neither an object nor a list",
                ))
            }
        }
    }
    Ok(())
}

fn check_condition(
    list: &[Value],
    c: &Value,
    form: &Form,
    key: &str,
    bucket: &str,
) -> Result<(), Failure> {
    let op = list
        .first()
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let size = form.file.len() as u64;
    match (op.as_str(), list.get(1), list.get(2)) {
        ("content-length-range", Some(min), Some(max)) => {
            let (Some(min), Some(max)) = (min.as_u64(), max.as_u64()) else {
                return Err(invalid_policy(
                    "content-length-range takes two whole numbers",
                ));
            };
            if size < min {
                return Err(Failure::new(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size.",
                )
                .with("MinSizeAllowed", min.to_string())
                .with("ProposedSize", size.to_string()));
            }
            if size > max {
                return Err(too_large(max).with("ProposedSize", size.to_string()));
            }
            Ok(())
        }
        ("eq" | "starts-with", Some(Value::String(name)), Some(Value::String(want))) => {
            let got = value_of(name, form, key, bucket);
            let ok = if op == "eq" {
                got == want
            } else {
                got.starts_with(want.as_str())
            };
            if ok {
                Ok(())
            } else {
                Err(policy_failed(c))
            }
        }
        // A field's value among (or, not-in, outside) a list, e.g. the types allowed.
        ("in" | "not-in", Some(Value::String(name)), Some(Value::Array(values))) => {
            let got = value_of(name, form, key, bucket);
            let listed = values.iter().any(|v| v.as_str() == Some(got));
            if listed == (op == "in") {
                Ok(())
            } else {
                Err(policy_failed(c))
            }
        }
        _ => Err(invalid_policy(&format!("unknown condition {c}"))),
    }
}

/// Fields that steer the form itself, not the object.
const FORM_FIELDS: [&str; 14] = [
    "key",
    "policy",
    "signature",
    "ossaccesskeyid",
    "x-oss-signature",
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-security-token",
    "success_action_status",
    "success_action_redirect",
    "callback",
    "callback-var",
    "x-oss-content-type",
];

/// The form's fields as the headers a PutObject would send (PutObject then keeps those it
/// stores), the callback's among them; the type in OSS's order: `x-oss-content-type`, the file
/// part's own, the `Content-Type` field.
pub fn headers_of(form: &Form) -> Vec<(String, String)> {
    let part_type = form.file_type.as_deref().filter(|t| !t.is_empty());
    let content_type = form.field("x-oss-content-type").or(part_type);
    let mut headers: Vec<(String, String)> = (form.fields.iter())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .filter(|(k, _)| !FORM_FIELDS.contains(&k.as_str()))
        .filter(|(k, _)| k != "content-type" || content_type.is_none())
        .collect();
    if let Some(t) = content_type {
        headers.push(("content-type".into(), t.into()));
    }
    for (field, header) in [
        ("callback", "x-oss-callback"),
        ("callback-var", "x-oss-callback-var"),
    ] {
        if let Some(v) = form.field(field) {
            headers.push((header.into(), v.into()));
        }
    }
    headers
}

/// Stores the form's file, once its policy allows it: the reply `success_action_status` asks
/// for (204 by default; 201 with an XML body; 200), or a redirect to
/// `success_action_redirect`.
pub fn post(
    ctx: &Ctx,
    form: &Form,
    keys: &Keys,
    region: &str,
) -> Result<(RequestParts, Reply), Failure> {
    let key = form
        .field("key")
        .ok_or_else(|| Failure::invalid_argument("The form has no key field: name the object."))?;
    let policy = verify(form, keys, region, ctx.now)?;
    // The policy holds the key as the form gives it, before `${filename}` is put in.
    check_policy(&policy, form, key, ctx.bucket, ctx.now)?;
    let key = key.replace("${filename}", &form.file_name);
    let parts = RequestParts {
        method: "PUT".into(),
        bucket: Some(ctx.bucket.to_string()),
        key: Some(key.clone()),
        query: Vec::new(),
        headers: headers_of(form),
    };
    let put = Ctx {
        req: &parts,
        key: &key,
        ..*ctx
    };
    let stored = objects::put(&put, form.file.clone())?;
    let etag = stored
        .headers
        .iter()
        .find(|(k, _)| k == "etag")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let location = format!("/{}/{}", ctx.bucket, uri_encode(&key));
    let mut reply = match form
        .field("success_action_redirect")
        .filter(|r| !r.is_empty())
    {
        Some(to) => {
            let sep = if to.contains('?') { '&' } else { '?' };
            let query = format!(
                "bucket={}&key={}&etag={}",
                ctx.bucket,
                uri_encode(&key),
                etag.trim_matches('"')
            );
            Reply::empty(303).header("location", format!("{to}{sep}{query}"))
        }
        None => match form.field("success_action_status") {
            Some("200") => Reply::empty(200),
            Some("201") => {
                let body = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Bucket>{}</Bucket><Location>{location}</Location><Key>{}</Key><ETag>{etag}</ETag></PostResponse>",
                    ctx.bucket,
                    quick_xml::escape::escape(key.as_str())
                );
                let mut r = Reply::xml(body);
                r.status = 201;
                r
            }
            _ => Reply::empty(204),
        },
    };
    reply.headers.extend(stored.headers);
    Ok((parts, reply))
}
