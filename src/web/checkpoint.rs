//! Checkpoints as JavaScript sees them, in ali-oss's shape `{file, name, fileSize, partSize,
//! uploadId, doneParts: [{number, etag}]}`; each done part may also carry `crc64` (a decimal
//! string: a u64 does not fit a JS number).

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

use crate::engine::checkpoint::{Checkpoint, DonePart, DoneParts};

use super::error::Error;
use super::js;

pub fn done_to_js(done: &DoneParts) -> Array {
    done.iter()
        .map(|(n, part)| {
            let obj = js::object(&[("number", n.into()), ("etag", part.etag.as_str().into())]);
            if let Some(crc) = part.crc64 {
                js::set(&obj, "crc64", crc.to_string());
            }
            JsValue::from(obj)
        })
        .collect()
}

/// `None` if any entry is not a valid `{number, etag[, crc64]}`.
pub fn done_from_js(v: &JsValue) -> Option<DoneParts> {
    let parts: Array = v.clone().dyn_into().ok()?;
    let mut done = DoneParts::default();
    for p in parts.iter() {
        let n = js::get(&p, "number")?.as_f64()?;
        if !(1.0..=10_000.0).contains(&n) || n.fract() != 0.0 {
            return None;
        }
        let crc64 = match js::get(&p, "crc64") {
            None => None,
            Some(c) => Some(c.as_string()?.parse().ok()?),
        };
        let etag = js::get(&p, "etag")?.as_string()?;
        done.insert(n as u32, DonePart { etag, crc64 });
    }
    Some(done)
}

pub fn to_js(cp: &Checkpoint, file: &JsValue) -> JsValue {
    js::object(&[
        ("file", file.clone()),
        ("name", cp.name.as_str().into()),
        ("fileSize", (cp.file_size as f64).into()),
        ("partSize", (cp.part_size as f64).into()),
        ("uploadId", cp.upload_id.as_str().into()),
        ("doneParts", done_to_js(&cp.done).into()),
    ])
    .into()
}

/// Reads a checkpoint; what is missing or mistyped is an argument error.
pub fn from_js(v: &JsValue) -> Result<Checkpoint, Error> {
    let bad = |what: &str| Error::argument(format!("checkpoint.{what} is missing or not valid"));
    let num = |key: &str| {
        js::get(v, key)
            .and_then(|n| n.as_f64())
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as u64)
            .ok_or_else(|| bad(key))
    };
    let done = match js::get(v, "doneParts") {
        None => DoneParts::default(),
        Some(parts) => done_from_js(&parts).ok_or_else(|| bad("doneParts"))?,
    };
    Ok(Checkpoint {
        name: js::get(v, "name")
            .and_then(|n| n.as_string())
            .ok_or_else(|| bad("name"))?,
        file_size: num("fileSize")?,
        part_size: num("partSize")?,
        upload_id: js::get(v, "uploadId")
            .and_then(|n| n.as_string())
            .ok_or_else(|| bad("uploadId"))?,
        done,
    })
}
