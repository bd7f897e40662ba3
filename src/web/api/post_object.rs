//! postObject's form: the object's name, its headers and callback as OSS reads them from a
//! form, and a backend's policy and signature (or none, for the engine to sign one with the
//! keys in hand as it sends).

use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::engine::exchange::Form;
use crate::engine::upload::Job;
use crate::text;
use crate::web::js;
use crate::web::shared::Shared;

/// `name` in lower case, `_` as `-`: how backends' names and OSS's fields compare.
fn normal(name: &str) -> String {
    (name.bytes())
        .map(|b| {
            if b == b'_' {
                '-'
            } else {
                b.to_ascii_lowercase() as char
            }
        })
        .collect()
}

/// A backend's name for a field, as OSS's own samples return them (`accessid`, `signature`,
/// `x_oss_credential`, `security_token`), or `None` for what is not a field (`host`,
/// `expire`, `dir`).
fn field_name(name: &str, v4: bool) -> Option<String> {
    let lower = normal(name);
    Some(match lower.as_str() {
        "host" | "expire" | "dir" | "key" | "file" | "success-action-status" => return None,
        "accessid" | "ossaccesskeyid" => "OSSAccessKeyId".into(),
        "signature" if v4 => "x-oss-signature".into(),
        "signature" => "Signature".into(),
        "security-token" | "securitytoken" => "x-oss-security-token".into(),
        _ if lower.starts_with("x-oss-") || lower == "policy" || lower == "callback" => lower,
        _ => name.into(),
    })
}

/// The fields a backend returned (an object of strings), named as a form needs them.
fn backend_fields(given: &JsValue) -> Result<Vec<(String, String)>, Error> {
    if !given.is_object() {
        return Err(Error::argument("`policy` must be the form fields your backend signed (an object), or a function returning them"));
    }
    let mut entries = Vec::new();
    for entry in Object::entries(given.unchecked_ref()).iter() {
        let pair = Array::from(&entry);
        let value = pair.get(1);
        if !value.is_undefined() && !value.is_null() {
            entries.push((js::text(&pair.get(0)), js::text(&value)));
        }
    }
    let v4 = (entries.iter()).any(|(k, _)| normal(k) == "x-oss-signature-version");
    let mut fields = Vec::new();
    for (name, value) in entries {
        if let Some(field) = field_name(&name, v4) {
            fields.push((field, value));
        }
    }
    let has = |n: &str| fields.iter().any(|(k, _)| k == n);
    if !has("policy") || !(has("Signature") || has("x-oss-signature")) {
        return Err(Error::argument("the policy's fields need `policy` and its signature (`signature`/`Signature` for V1, `x-oss-signature` for V4), as your backend signed them"));
    }
    Ok(fields)
}

/// The form for `job`: `policy` is what the caller gave (the backend's fields, or a function
/// of `{name, size, type}` returning them); without, the engine signs one as it sends.
pub async fn form(shared: &Shared, job: &Job, policy: Option<JsValue>) -> Result<Form, Error> {
    let signed = match policy {
        None if shared.o.signer.is_some() => {
            return Err(Error::argument("a `signer` cannot sign a POST policy: give postObject() the `policy` your backend signed"));
        }
        None => Vec::new(),
        Some(p) => {
            let given = match p.dyn_ref::<Function>() {
                Some(f) => {
                    let ty = (job.headers.iter())
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                        .map_or("", |(_, v)| v.as_str());
                    let file = js::object(&[
                        ("name", job.name.as_str().into()),
                        ("size", (job.plan.size as f64).into()),
                        ("type", ty.into()),
                    ]);
                    js::call(f, &[file.into()]).await.map_err(|e| {
                        Error::credentials(text::fill(
                            "the `policy` function failed: {}",
                            &[&js::message_of(&e)],
                        ))
                    })?
                }
                None => p,
            };
            backend_fields(&given)?
        }
    };
    let sign = signed.is_empty();
    let mut fields = vec![("key".to_string(), job.name.clone())];
    fields.extend(signed);
    fields.extend(job.headers.iter().cloned());
    for (k, v) in &job.callback {
        // x-oss-callback → callback, x-oss-callback-var → callback-var.
        let name = k.to_ascii_lowercase();
        fields.push((
            name.strip_prefix("x-oss-").unwrap_or(&name).to_string(),
            v.clone(),
        ));
    }
    // 200, as a PutObject answers, rather than OSS's default 204.
    fields.push(("success_action_status".into(), "200".into()));
    Ok(Form { fields, sign })
}
