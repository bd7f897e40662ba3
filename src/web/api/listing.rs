//! Listing the bucket: list (ListObjects), listV2 (ListObjectsV2) and listUploads
//! (ListMultipartUploads), in ali-oss's shapes.

use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::engine::requests;
use crate::protocol::endpoint::Endpoint;
use crate::protocol::messages::{self, ObjectsPage};
use crate::text;
use crate::web::js;
use crate::web::shape::res;
use crate::web::shared::Shared;
use crate::web::single::{self, Shape, Single};

/// Those of `names` the caller's query object holds, as query parameters.
fn query_from(query: &JsValue, names: &[&'static str]) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for name in names {
        let Some(v) = js::get(query, name) else {
            continue;
        };
        let value = match (v.as_f64(), v.as_string(), v.as_bool()) {
            (Some(n), _, _) if n.fract() == 0.0 => text::signed(n as i64),
            (_, Some(s), _) => s,
            (_, _, Some(b)) => (if b { "true" } else { "false" }).into(),
            _ => {
                return Err(Error::argument(text::fill(
                    "query.{} must be a string or a whole number",
                    &[name],
                )))
            }
        };
        out.push((name.to_string(), value));
    }
    Ok(out)
}

pub fn list_uploads(shared: &Rc<Shared>, query: JsValue, options: JsValue) -> Promise {
    let names = ["prefix", "max-uploads", "key-marker", "upload-id-marker"];
    let made = query_from(&query, &names).map(|q| {
        let shape: Shape = Box::new(|g| {
            let a = &g.answer;
            let page = messages::parse_list_uploads(&a.body)
                .map_err(|e| Error::bad_response(a.status, &e))?;
            let uploads = Array::new();
            for u in &page.uploads {
                uploads.push(&js::object(&[
                    ("name", u.key.as_str().into()),
                    ("uploadId", u.upload_id.as_str().into()),
                    ("initiated", u.initiated.as_str().into()),
                ]));
            }
            Ok(js::object(&[
                ("uploads", uploads.into()),
                ("bucket", g.bucket.into()),
                ("nextKeyMarker", page.next_key_marker.into()),
                ("nextUploadIdMarker", page.next_upload_id_marker.into()),
                ("isTruncated", page.truncated.into()),
                ("res", res(a)),
            ])
            .into())
        });
        (Single::new(requests::list_uploads(q)), shape)
    });
    single::call(shared, options, made)
}

pub fn list(shared: &Rc<Shared>, query: JsValue, options: JsValue) -> Promise {
    let made = query_from(&query, &["prefix", "marker", "max-keys", "delimiter"])
        .map(|q| listing(shared, q, false));
    single::call(shared, options, made)
}

pub fn list_v2(shared: &Rc<Shared>, query: JsValue, options: JsValue) -> Promise {
    let names = [
        "prefix",
        "continuation-token",
        "start-after",
        "max-keys",
        "delimiter",
        "fetch-owner",
    ];
    let made = query_from(&query, &names).map(|mut q| {
        if let Some(t) = js::get(&query, "continuationToken") {
            q.push(("continuation-token".into(), js::text(&t)));
        }
        q.push(("list-type".into(), "2".into()));
        listing(shared, q, true)
    });
    single::call(shared, options, made)
}

/// A ListObjects request and its result in ali-oss's shape, V1 or V2.
fn listing(shared: &Shared, query: Vec<(String, String)>, v2: bool) -> (Single, Shape) {
    let endpoint = shared.o.endpoint.clone();
    let shape: Shape = Box::new(move |g| {
        let a = &g.answer;
        let page =
            messages::parse_list_objects(&a.body).map_err(|e| Error::bad_response(a.status, &e))?;
        let out = js::object(&[
            ("res", res(a)),
            ("objects", objects(&page, &endpoint, &g.bucket).into()),
            ("prefixes", prefixes(&page)),
            ("isTruncated", page.truncated.into()),
        ]);
        let text_or_null = |s: &str| match s {
            "" => JsValue::NULL,
            s => s.into(),
        };
        if v2 {
            js::set(&out, "keyCount", page.key_count as f64);
            let token = text_or_null(&page.continuation_token);
            js::set(&out, "continuationToken", token);
            js::set(&out, "nextContinuationToken", text_or_null(&page.next));
        } else {
            js::set(&out, "nextMarker", text_or_null(&page.next));
        }
        Ok(out.into())
    });
    (Single::new(requests::list_objects(query)), shape)
}

/// A page's objects as ali-oss lists them.
fn objects(page: &ObjectsPage, endpoint: &Endpoint, bucket: &str) -> Array {
    let list = Array::new();
    for o in &page.objects {
        let owner = o.owner.as_ref().map_or(JsValue::NULL, |(id, name)| {
            let pairs = [
                ("id", id.as_str().into()),
                ("displayName", name.as_str().into()),
            ];
            js::object(&pairs).into()
        });
        list.push(&js::object(&[
            ("name", o.key.as_str().into()),
            ("url", endpoint.url(bucket, Some(&o.key), &[]).into()),
            ("lastModified", o.last_modified.as_str().into()),
            ("etag", o.etag.as_str().into()),
            ("type", o.kind.as_str().into()),
            ("size", (o.size as f64).into()),
            ("storageClass", o.storage_class.as_str().into()),
            ("owner", owner),
        ]));
    }
    list
}

/// The common prefixes, or null when there are none (as ali-oss).
fn prefixes(page: &ObjectsPage) -> JsValue {
    if page.prefixes.is_empty() {
        return JsValue::NULL;
    }
    let list = Array::new();
    for p in &page.prefixes {
        list.push(&p.as_str().into());
    }
    list.into()
}
