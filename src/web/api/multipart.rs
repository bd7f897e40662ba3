//! ali-oss's low-level multipart calls: initMultipartUpload, uploadPart,
//! completeMultipartUpload, listParts, abortMultipartUpload.

use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::engine::exchange::Body;
use crate::engine::plan::MAX_PART_SIZE;
use crate::engine::requests;
use crate::protocol::{messages, mime};
use crate::text;
use crate::web::shape::{called_back, crc64_of, res, to_blob};
use crate::web::shared::Shared;
use crate::web::single::{self, only_res, Shape, Single};
use crate::web::{js, options};

pub fn init(shared: &Rc<Shared>, name: JsValue, options: JsValue) -> Promise {
    let made = (|| {
        let name = options::check_name(&name)?;
        let headers =
            options::object_headers(&options, mime::from_name(&name), shared.o.latin1_headers)?;
        let r = requests::initiate(&name, headers);
        let shape: Shape = Box::new(move |g| {
            let a = &g.answer;
            let upload_id =
                messages::parse_initiate(&a.body).map_err(|e| Error::bad_response(a.status, &e))?;
            Ok(js::object(&[
                ("bucket", g.bucket.into()),
                ("name", name.into()),
                ("uploadId", upload_id.into()),
                ("res", res(a)),
            ])
            .into())
        });
        Ok((Single::new(r), shape))
    })();
    single::call(shared, options, made)
}

/// The arguments of uploadPart() after the name and upload ID.
pub struct PartGiven {
    pub number: JsValue,
    pub file: JsValue,
    pub start: JsValue,
    pub end: JsValue,
}

pub fn upload_part(
    shared: &Rc<Shared>,
    name: JsValue,
    upload_id: JsValue,
    part: PartGiven,
    options: JsValue,
) -> Promise {
    let made = (|| {
        let name = options::check_name(&name)?;
        let n = (part.number.as_f64())
            .filter(|n| options::whole(*n, 1.0..=10_000.0))
            .ok_or_else(|| Error::argument("partNo must be from 1 to 10000"))?;
        let id = options::upload_id(&upload_id)?;
        let blob = to_blob(&part.file)?;
        // As Blob.slice takes them (negative counts from the end; numeric strings as numbers,
        // as ali-oss passes them on); what is no number at all is not 0.
        let at = |v: &JsValue, or: f64| match v.is_undefined() {
            true => Some(or),
            false => Some(v.unchecked_into_f64()).filter(|n| n.fract() == 0.0),
        };
        let (Some(start), Some(end)) = (at(&part.start, 0.0), at(&part.end, blob.size())) else {
            return Err(Error::argument(
                "start and end must be whole numbers of bytes",
            ));
        };
        let slice = blob
            .slice_with_f64_and_f64(start, end)
            .map_err(|_| Error::argument("the file cannot be sliced"))?;
        if slice.size() as u64 > MAX_PART_SIZE {
            return Err(Error::argument("a part is at most 5 GiB"));
        }
        let r = requests::upload_part(&name, &id, n as u32, Body::whole(slice.size() as u64));
        let shape: Shape = Box::new(move |g| {
            Ok(js::object(&[
                ("name", name.into()),
                ("etag", g.answer.etag()?.into()),
                ("res", res(&g.answer)),
            ])
            .into())
        });
        Ok((Single::new(r).with_body(slice), shape))
    })();
    single::call(shared, options, made)
}

/// `parts` is `[{number, etag}]`, in any order.
pub fn complete(
    shared: &Rc<Shared>,
    name: JsValue,
    upload_id: JsValue,
    parts: JsValue,
    options: JsValue,
) -> Promise {
    let made = (|| {
        let name = options::check_name(&name)?;
        if !Array::is_array(&parts) {
            return Err(Error::argument("parts must be an array of {number, etag}"));
        }
        let mut list: Vec<(u32, String)> = Vec::new();
        for p in Array::from(&parts).iter() {
            let (Some(n), Some(etag)) = (
                js::get(&p, "number")
                    .and_then(|n| n.as_f64())
                    .filter(|n| options::whole(*n, 1.0..=10_000.0)),
                js::get(&p, "etag").and_then(|e| e.as_string()),
            ) else {
                return Err(Error::argument(
                    "each part must be {number: 1 to 10000, etag}",
                ));
            };
            if etag.is_empty() {
                return Err(Error::argument(
                    "each part needs the etag uploadPart() gave",
                ));
            }
            // As ali-oss: a number given twice counts once, as it came first.
            if !list.iter().any(|(m, _)| *m == n as u32) {
                list.push((n as u32, etag));
            }
        }
        let callback = options::callback_headers(&options)?;
        let id = options::upload_id(&upload_id)?;
        let headers = options::headers(&options, shared.o.latin1_headers)?;
        let r = requests::complete_by_caller(&name, &id, list, headers, &callback);
        let shape: Shape = Box::new(move |g| {
            let a = &g.answer;
            let (etag, data) = if callback.is_empty() {
                let etag = messages::parse_complete(&a.body)
                    .map_err(|e| Error::bad_response(a.status, &e))?;
                (etag, JsValue::UNDEFINED)
            } else {
                let etag = a.header("etag").unwrap_or_default().to_string();
                (etag, called_back(a)?)
            };
            Ok(js::object(&[
                ("bucket", g.bucket.into()),
                ("name", name.into()),
                ("etag", etag.into()),
                ("crc64", crc64_of(a)),
                ("res", res(a)),
                ("data", data),
            ])
            .into())
        });
        Ok((Single::new(r), shape))
    })();
    single::call(shared, options, made)
}

/// Every part the server holds for an upload, all pages.
pub fn list_parts(
    shared: &Rc<Shared>,
    name: JsValue,
    upload_id: JsValue,
    options: JsValue,
) -> Promise {
    let made = options::check_name(&name).and_then(|name| {
        let single = Single::all_parts(&name, options::upload_id(&upload_id)?);
        let shape: Shape = Box::new(move |g| {
            let list = Array::new();
            for p in &g.parts {
                let crc = p.crc64.map_or(JsValue::NULL, |c| text::int(c).into());
                list.push(&js::object(&[
                    ("PartNumber", p.number.into()),
                    ("ETag", p.etag.as_str().into()),
                    ("Size", (p.size as f64).into()),
                    ("HashCrc64ecma", crc),
                ]));
            }
            Ok(js::object(&[
                ("res", res(&g.answer)),
                ("uploadId", upload_id),
                ("bucket", g.bucket.into()),
                ("name", name.into()),
                ("isTruncated", false.into()),
                ("parts", list.into()),
            ])
            .into())
        });
        Ok((single, shape))
    });
    single::call(shared, options, made)
}

/// Aborts an upload on the server, and forgets its saved record.
pub fn abort(shared: &Rc<Shared>, name: JsValue, upload_id: JsValue, options: JsValue) -> Promise {
    // As ali-oss: an abort sets the cancel flag that isCancel() reads.
    shared.cancelled.set(true);
    let made = options::check_name(&name).and_then(|name| {
        let id = options::upload_id(&upload_id)?;
        let single = Single::new(requests::abort(&name, &id)).forgetting(id);
        Ok((single, only_res()))
    });
    single::call(shared, options, made)
}
