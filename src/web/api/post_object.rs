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

/// Where a form's policy comes from.
pub enum PolicyFrom {
    /// The caller's `policy`: a backend's fields, or a function of the file returning them.
    Backend(JsValue),
    /// None given: the engine signs one for this object as it sends.
    Engine,
    /// As `Engine`, for put(): in PutObject's place, to spare its preflight.
    InsteadOfPut,
}

/// What `policy` must be, said where it is not.
pub const POLICY_SHAPE: &str =
    "`policy` must be the fields your backend signed, or a function returning them";

/// A backend's name for a field, as OSS's own samples return them (`accessid`, `signature`,
/// `x_oss_credential`, `security_token`), or `None` for what is not a field (`host`,
/// `expire`, `dir`). Any other name is the field's own, as given (`x-oss-meta-user_id`).
fn field_name(name: &str, v4: bool) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    Some(match lower.as_str() {
        "host" | "expire" | "dir" | "key" | "file" => return None,
        "accessid" | "ossaccesskeyid" => "OSSAccessKeyId".into(),
        "signature" if v4 => "x-oss-signature".into(),
        "signature" => "Signature".into(),
        "security_token" | "securitytoken" | "x-oss-security-token" => {
            "x-oss-security-token".into()
        }
        "x_oss_signature_version" | "x_oss_credential" | "x_oss_date" => lower.replace('_', "-"),
        "policy" | "callback" => lower,
        _ => name.into(),
    })
}

/// The fields a backend returned (an object of strings), named as a form needs them.
fn backend_fields(given: &JsValue) -> Result<Vec<(String, String)>, Error> {
    if !given.is_object() {
        return Err(Error::argument(POLICY_SHAPE));
    }
    let mut entries = Vec::new();
    for entry in Object::entries(given.unchecked_ref()).iter() {
        let pair = Array::from(&entry);
        let value = pair.get(1);
        if !value.is_undefined() && !value.is_null() {
            entries.push((js::text(&pair.get(0)), js::text(&value)));
        }
    }
    let v4 = (entries.iter()).any(|(k, _)| {
        k.eq_ignore_ascii_case("x-oss-signature-version")
            || k.eq_ignore_ascii_case("x_oss_signature_version")
    });
    let mut fields = Vec::new();
    for (name, value) in entries {
        if let Some(field) = field_name(&name, v4) {
            fields.push((field, value));
        }
    }
    let has = |n: &str| fields.iter().any(|(k, _)| k == n);
    if !has("policy") || !(has("Signature") || has("x-oss-signature")) {
        return Err(Error::argument("the policy's fields need `policy` and your backend's `signature` (`x-oss-signature` for V4)"));
    }
    Ok(fields)
}

/// The form for `job`, its policy from `from`.
pub async fn form(shared: &Shared, job: &Job, from: PolicyFrom) -> Result<Form, Error> {
    let instead_of_put = matches!(from, PolicyFrom::InsteadOfPut);
    let signed = match from {
        PolicyFrom::Engine if shared.o.signer.is_some() => {
            return Err(Error::argument(
                "a `signer` cannot sign a POST policy: pass postObject() your backend's `policy`",
            ));
        }
        PolicyFrom::Engine | PolicyFrom::InsteadOfPut => Vec::new(),
        PolicyFrom::Backend(p) => {
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
    let mut ours = job.headers.clone();
    for (k, v) in &job.callback {
        let k = k.to_ascii_lowercase();
        ours.push((
            k.strip_prefix("x-oss-").unwrap_or(&k).to_string(),
            v.clone(),
        ));
    }
    ours.push(("success_action_status".into(), "200".into()));
    for (k, v) in ours {
        // The backend's own value of a field wins: its policy may require it.
        if !fields.iter().any(|(f, _)| f.eq_ignore_ascii_case(&k)) {
            fields.push((k, v));
        }
    }
    Ok(Form {
        fields,
        sign,
        instead_of_put,
    })
}
