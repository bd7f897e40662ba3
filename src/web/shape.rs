//! ali-oss's shapes, both ways: `res`, the checkpoint and its `doneParts`, get()'s Buffer,
//! and the data put() takes; what a callback server answered.

use std::cell::RefCell;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use web_sys::Blob;

use super::js;
use crate::engine::checkpoint::{Checkpoint, DonePart, DoneParts};
use crate::engine::error::Error;
use crate::engine::exchange::Answer;
use crate::engine::plan::{self, Plan};
use crate::text;

thread_local! {
    /// ali-oss's `OSS.Buffer` (the `buffer` package), which the entry hands over: get()'s
    /// content is one, as ali-oss's is, so `content.toString()` is the text.
    static BUFFER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// The class get()'s content is made with.
pub fn use_buffer_class(class: Function) {
    BUFFER.with(|b| *b.borrow_mut() = Some(class));
}

/// `Buffer.from(buffer)` when the entry gave a Buffer class, else the bytes as they are.
pub fn buffer_of(buffer: &js_sys::ArrayBuffer) -> JsValue {
    let bytes = js_sys::Uint8Array::new(buffer);
    BUFFER.with(|b| match &*b.borrow() {
        Some(class) => js::get(class, "from")
            .and_then(|from| from.dyn_into::<Function>().ok())
            .and_then(|from| from.call1(class, buffer).ok())
            .unwrap_or_else(|| bytes.into()),
        None => bytes.into(),
    })
}

/// The data put() accepts, as a Blob: Blob and File as they are, bytes and text wrapped.
pub fn to_blob(data: &JsValue) -> Result<Blob, Error> {
    if let Some(b) = data.dyn_ref::<Blob>() {
        return Ok(b.clone());
    }
    if data.is_string()
        || data.is_instance_of::<js_sys::ArrayBuffer>()
        || js_sys::ArrayBuffer::is_view(data)
    {
        if let Ok(b) = Blob::new_with_u8_array_sequence(&Array::of1(data)) {
            return Ok(b);
        }
    }
    Err(Error::argument(
        "data must be a File, Blob, ArrayBuffer, typed array or string",
    ))
}

/// ali-oss's `res`: `{status, statusCode, headers (lower-case names), size, rt,
/// requestUrls}`, and `requestId`.
pub fn res(a: &Answer) -> JsValue {
    let headers = js_sys::Object::new();
    for (k, v) in &a.headers {
        js::set(&headers, k, v.as_str());
    }
    js::object(&[
        ("status", a.status.into()),
        ("statusCode", a.status.into()),
        ("headers", headers.into()),
        ("size", (a.size as f64).into()),
        ("rt", a.rt_ms.into()),
        ("requestUrls", Array::of1(&a.url.as_str().into()).into()),
        ("requestId", a.request_id().into()),
    ])
    .into()
}

/// OSS's CRC64 of the object, as it reported it (a decimal string), if the bucket exposes it.
pub fn crc64_of(a: &Answer) -> JsValue {
    a.header("x-oss-hash-crc64ecma")
        .map_or(JsValue::NULL, JsValue::from)
}

/// The callback server's answer (its JSON, else its text); 203 means the object was stored
/// but the callback failed.
pub fn called_back(a: &Answer) -> Result<JsValue, Error> {
    if let Some(e) = a.callback_failed() {
        return Err(e);
    }
    Ok(js_sys::JSON::parse(&a.body).unwrap_or_else(|_| a.body.as_str().into()))
}

/// A checkpoint in ali-oss's shape, with the caller's file and its done parts.
pub fn checkpoint_to_js(cp: &Checkpoint, file: &JsValue, done: &Array) -> JsValue {
    let o = js::object(&[
        ("file", file.clone()),
        ("name", cp.name.as_str().into()),
        ("uploadId", cp.upload_id.as_str().into()),
        ("doneParts", done.into()),
    ]);
    plan_to_js(&o, &cp.plan);
    o.into()
}

/// `fileSize`, `partSize` and, where the part size follows the link (ali-oss's checkpoints
/// have one part size), `partSizeChanges: [{from, partSize}]`: from part `from` on, parts
/// have `partSize` bytes. Its presence, even empty, says parts after the last done one may
/// have been cut otherwise since.
pub fn plan_to_js(o: &js_sys::Object, plan: &Plan) {
    js::set(o, "fileSize", plan.size as f64);
    js::set(o, "partSize", plan.part_size as f64);
    if !plan.follows_link {
        return;
    }
    let changes = Array::new();
    for (from, size) in &plan.resized {
        let change = js::object(&[
            ("from", (*from).into()),
            ("partSize", (*size as f64).into()),
        ]);
        changes.push(&change);
    }
    js::set(o, "partSizeChanges", changes);
}

/// A plan written by [`plan_to_js`] (or by ali-oss) read back, or the name of the field
/// that is not valid: parts that OSS would not take are never trusted.
pub fn plan_from_js(v: &JsValue) -> Result<Plan, &'static str> {
    let whole = |v: &JsValue, k| {
        js::get(v, k)
            .and_then(|n| n.as_f64())
            .filter(|n| n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(n))
            .map(|n| n as u64)
    };
    let size = whole(v, "fileSize").ok_or("fileSize")?;
    let part_size = whole(v, "partSize").ok_or("partSize")?;
    let mut plan = Plan::new(size, Some(part_size as f64), 1)
        .ok()
        .filter(|p| p.raised_from.is_none())
        .ok_or("partSize")?;
    let Some(changes) = js::get(v, "partSizeChanges") else {
        return Ok(plan);
    };
    let bad = "partSizeChanges";
    let changes = changes.dyn_into::<Array>().map_err(|_| bad)?;
    if changes.length() as usize > plan::MOST_RESIZES {
        return Err(bad);
    }
    plan.follows_link = true;
    for change in changes.iter() {
        let from = whole(&change, "from").ok_or(bad)?;
        let size = whole(&change, "partSize").ok_or(bad)?;
        let after = plan.resized.last().map_or(1, |(n, _)| *n);
        let valid = (plan::MIN_PART_SIZE..=plan::MAX_PART_SIZE).contains(&size)
            && from > u64::from(after)
            && from <= u64::from(plan.count());
        if !valid {
            return Err(bad);
        }
        plan.resized.push((from as u32, size));
        if u64::from(plan.count()) > plan::MAX_PARTS {
            return Err(bad);
        }
    }
    Ok(plan)
}

/// A checkpoint the caller passed, checked.
pub fn checkpoint_from_js(v: &JsValue) -> Result<Checkpoint, Error> {
    let bad =
        |what: &str| Error::argument(text::fill("checkpoint.{} is missing or not valid", &[what]));
    let text = |k: &str| {
        js::get(v, k)
            .and_then(|s| s.as_string())
            .ok_or_else(|| bad(k))
    };
    let done = match js::get(v, "doneParts") {
        None => Default::default(),
        Some(d) => done_from_js(&d).ok_or_else(|| bad("doneParts"))?,
    };
    Ok(Checkpoint {
        name: text("name")?,
        plan: plan_from_js(v).map_err(bad)?,
        upload_id: text("uploadId")?,
        done,
    })
}

/// `{number, etag, crc64?}`, a part of ali-oss's `doneParts`.
pub fn part_to_js(n: u32, p: &DonePart) -> JsValue {
    let part = js::object(&[("number", n.into()), ("etag", p.etag.as_str().into())]);
    if let Some(crc) = p.crc64 {
        js::set(&part, "crc64", crate::text::int(crc));
    }
    part.into()
}

/// ali-oss's `doneParts`.
pub fn done_to_js(done: &DoneParts) -> Array {
    let list = Array::new();
    for (n, p) in done.iter() {
        list.push(&part_to_js(*n, p));
    }
    list
}

/// `{number, etag, crc64?}` read back, or `None` if it is not that.
pub fn part_from_js(p: &JsValue) -> Option<(u32, DonePart)> {
    let number = js::get(p, "number")?.as_f64()?;
    if number.fract() != 0.0 || !(1.0..=10_000.0).contains(&number) {
        return None;
    }
    let etag = js::get(p, "etag")?.as_string()?;
    let crc64 = match js::get(p, "crc64") {
        None => None,
        Some(c) => {
            let text = c.as_string()?;
            if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(text.parse().ok()?)
        }
    };
    Some((number as u32, DonePart { etag, crc64 }))
}

/// `[{number, etag, crc64?}]` read back, or `None` if it is not that.
pub fn done_from_js(v: &JsValue) -> Option<DoneParts> {
    if !Array::is_array(v) {
        return None;
    }
    let mut done = DoneParts::default();
    for p in Array::from(v).iter() {
        let (n, part) = part_from_js(&p)?;
        done.insert(n, part);
    }
    Some(done)
}
