//! ali-oss's helpers for PostObject form policies, computed as ali-oss computes them (its
//! Node build; its browser build has neither, and its tests compare the values):
//! `calculatePostSignature(policy)`, the V1 fields, and `signPostObjectPolicyV4(policy, date)`,
//! the V4 signature. Both sign with the credentials in hand, at once.

use base64::Engine;
use js_sys::{Array, Date};
use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::protocol::{sign_v1, sign_v4, time};
use crate::text;
use crate::web::js;
use crate::web::shared::Shared;

/// ali-oss's words for a policy that is neither an object nor a string of JSON.
const NOT_A_POLICY: &str = "policy must be JSON string or Object";

/// Whether `v` is what ali-oss's `isObject` takes: an object that is not an array, a date or
/// a function.
fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v) && !v.is_instance_of::<Date>()
}

/// The policy's text as ali-oss's `policy2Str` writes it: an object by `JSON.stringify`, a
/// string parsed and written again, so what is signed is what OSS reads.
fn policy_text(policy: &JsValue) -> Result<String, Error> {
    if let Some(s) = policy.as_string() {
        let parsed = js_sys::JSON::parse(&s).map_err(|e| {
            Error::argument(text::fill(
                "Policy string is not a valid JSON: {}",
                &[&js::text(&js::get(&e, "message").unwrap_or(e.clone()))],
            ))
        })?;
        return stringify(&parsed);
    }
    stringify(policy)
}

fn stringify(v: &JsValue) -> Result<String, Error> {
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::argument(NOT_A_POLICY))
}

/// A PostObject policy's fields, signed with the credentials in hand: by V1 without a day, by
/// V4 for the day of `v4_date` in the client's region.
pub struct Signed {
    pub access_key_id: String,
    /// `base64(UTF-8 policy text)`: the `policy` form field, and what is signed.
    pub policy: String,
    pub signature: String,
}

/// Signs `policy` (an object, or its JSON text), as ali-oss's helpers do.
pub fn sign(shared: &Shared, policy: &JsValue, v4_date: Option<&JsValue>) -> Result<Signed, Error> {
    if !is_plain_object(policy) && policy.as_string().is_none() {
        return Err(Error::argument(NOT_A_POLICY));
    }
    let text = match (policy_text(policy), v4_date) {
        (Ok(text), _) => text,
        // V1 refuses any string that is not JSON in its own words.
        (Err(_), None) => return Err(Error::argument(NOT_A_POLICY)),
        (Err(e), Some(_)) => return Err(e),
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let day = v4_date.map(utc_day).transpose()?;
    let region = &shared.o.region;
    if day.is_some() && region.is_empty() {
        return Err(Error::argument(
            "signPostObjectPolicyV4() needs `region` (e.g. oss-cn-hangzhou)",
        ));
    }
    let keys = shared.keys.borrow();
    let creds = keys.current().ok_or_else(|| {
        Error::credentials(
            "signing a POST policy needs credentials in hand: pass accessKeyId/accessKeySecret",
        )
    })?;
    let secret = &creds.access_key_secret;
    let signature = match &day {
        Some(day) => sign_v4::signature(secret, day, region, &encoded),
        None => sign_v1::signature(secret, &encoded),
    };
    Ok(Signed {
        access_key_id: creds.access_key_id.clone(),
        policy: encoded,
        signature,
    })
}

/// `yyyymmdd` of `date` (now, where none is given, as ali-oss) in UTC, as ali-oss's
/// `dateformat` writes it.
fn utc_day(date: &JsValue) -> Result<String, Error> {
    let date = if date.is_truthy() {
        Date::new(date)
    } else {
        Date::new_0()
    };
    let ms = date.get_time();
    if !ms.is_finite() || ms < 0.0 {
        return Err(Error::argument("Invalid date"));
    }
    let mut day = time::iso8601_basic((ms / 1000.0) as u64);
    day.truncate(8);
    Ok(day)
}
