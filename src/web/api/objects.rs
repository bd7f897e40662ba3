//! Calls on one object: head, get, getObjectMeta, delete, deleteMulti, copy and putMeta.

use std::rc::Rc;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::engine::requests::{self, CopySource};
use crate::protocol::{endpoint, messages};
use crate::web::error::reject;
use crate::web::shape::{buffer_of, res};
use crate::web::shared::Shared;
use crate::web::single::{self, only_res, Shape, Single};
use crate::web::{js, options};

pub fn head(shared: &Rc<Shared>, name: JsValue, options: JsValue) -> Promise {
    let made = (|| {
        let name = options::check_name(&name)?;
        let shape: Shape = Box::new(|g| {
            let a = &g.answer;
            // As ali-oss: null when the object has no x-oss-meta-*.
            let mut meta = None;
            for (k, v) in &a.headers {
                if let Some(m) = k.strip_prefix("x-oss-meta-") {
                    js::set(meta.get_or_insert_with(Object::new), m, v.as_str());
                }
            }
            Ok(js::object(&[
                ("status", a.status.into()),
                ("meta", meta.map_or(JsValue::NULL, JsValue::from)),
                ("res", res(a)),
            ])
            .into())
        });
        let headers = options::headers(&options, shared.o.latin1_headers)?;
        let r = requests::head(&name, headers, options::subresources(&options)?);
        Ok((Single::new(r), shape))
    })();
    single::call(shared, options, made)
}

/// `options` is the second argument, or the third as in ali-oss's get(name, file, options).
pub fn get(
    shared: &Rc<Shared>,
    name: JsValue,
    file_or_options: JsValue,
    options: JsValue,
) -> Promise {
    let options = if file_or_options.is_object() {
        file_or_options
    } else {
        options
    };
    let made = (|| {
        let name = options::check_name(&name)?;
        // `responseCacheControl: null` leaves the browser's caching to the object's headers.
        let cache_as_is = options.is_object()
            && js_sys::Reflect::get(&options, &"responseCacheControl".into())
                .is_ok_and(|v| v.is_null());
        let subresources = options::subresources(&options)?;
        let r = requests::get(
            &name,
            cache_as_is,
            subresources,
            options::headers(&options, shared.o.latin1_headers)?,
        );
        let shape: Shape = Box::new(|g| {
            // A 304 has no body: empty content, as ali-oss gives.
            let buffer = (g.bytes).map_or_else(|| js_sys::ArrayBuffer::new(0), |b| b.buffer());
            let content = buffer_of(&buffer);
            Ok(js::object(&[("content", content), ("res", res(&g.answer))]).into())
        });
        Ok((Single::new(r), shape))
    })();
    single::call(shared, options, made)
}

pub fn object_meta(shared: &Rc<Shared>, name: JsValue, options: JsValue) -> Promise {
    let made = (|| {
        let name = options::check_name(&name)?;
        let r = requests::object_meta(&name, options::subresources(&options)?);
        let shape: Shape = Box::new(|g| {
            let pairs = [("status", g.answer.status.into()), ("res", res(&g.answer))];
            Ok(js::object(&pairs).into())
        });
        Ok((Single::new(r), shape))
    })();
    single::call(shared, options, made)
}

pub fn delete(shared: &Rc<Shared>, name: JsValue, options: JsValue) -> Promise {
    let made = (|| {
        let r = requests::delete(
            &options::check_name(&name)?,
            options::subresources(&options)?,
        );
        Ok((Single::new(r), only_res()))
    })();
    single::call(shared, options, made)
}

pub fn delete_multi(shared: &Rc<Shared>, names: JsValue, options: JsValue) -> Promise {
    let made = (|| {
        let count = Array::is_array(&names).then(|| Array::from(&names).length());
        if !count.is_some_and(|n| (1..=1000).contains(&n)) {
            return Err(Error::argument("deleteMulti() takes 1 to 1000 names"));
        }
        let mut keys = Vec::new();
        for n in Array::from(&names).iter() {
            let (key, version) = match js::get(&n, "key") {
                Some(k) => (k, js::get(&n, "versionId").map(|v| js::text(&v))),
                None => (n, None),
            };
            keys.push((options::check_name(&key)?, version));
        }
        let quiet = options::boolean(&options, "quiet")?.unwrap_or(false);
        let shape: Shape = Box::new(|g| {
            let a = &g.answer;
            let deleted = match a.body.is_empty() {
                true => Vec::new(),
                false => messages::parse_delete(&a.body)
                    .map_err(|e| Error::bad_response(a.status, &e))?,
            };
            let list = Array::new();
            for k in &deleted {
                list.push(&js::object(&[("Key", k.as_str().into())]));
            }
            Ok(js::object(&[("res", res(a)), ("deleted", list.into())]).into())
        });
        Ok((Single::new(requests::delete_multi(&keys, quiet)), shape))
    })();
    single::call(shared, options, made)
}

/// The source bucket and key: `/bucket/key`, or `source` in `bucket` (default: the one in
/// use), as ali-oss reads them.
fn copy_source(
    shared: &Shared,
    source: &JsValue,
    bucket: Option<String>,
) -> Result<(String, String), Error> {
    match (bucket, source.as_string()) {
        (Some(b), _) => Ok((
            options::bucket_name("the source bucket", &b)?,
            options::check_name(source)?,
        )),
        (None, Some(s)) if s.starts_with('/') => {
            let (b, k) = crate::text::split_once(&s[1..], "/")
                .filter(|(b, _)| endpoint::valid_bucket(b))
                .ok_or_else(|| {
                    Error::argument("a copy source starting with '/' must be /bucket/key")
                })?;
            Ok((b.to_string(), options::check_name(&k.into())?))
        }
        (None, _) => Ok((shared.bucket.borrow().clone(), options::check_name(source)?)),
    }
}

/// copy(name, source, sourceBucket?, options?): as ali-oss, the third argument may be the
/// options.
pub fn copy(
    shared: &Rc<Shared>,
    name: JsValue,
    source: JsValue,
    source_bucket: JsValue,
    options: JsValue,
) -> Promise {
    let (source_bucket, options) = match source_bucket.as_string() {
        Some(b) => (Some(b), options),
        None if source_bucket.is_object() => (None, source_bucket),
        None => (None, options),
    };
    let made = (|| {
        let name = options::check_name(&name)?;
        let (bucket, key) = copy_source(shared, &source, source_bucket)?;
        let headers = options::headers(&options, shared.o.latin1_headers)?;
        let meta = match js::get(&options, "meta") {
            Some(_) => Some(options::meta_headers(&options, shared.o.latin1_headers)?),
            None => None,
        };
        let version_id = options::string(&options, "versionId")?;
        let from = CopySource {
            bucket: &bucket,
            key: &key,
            version_id: version_id.as_deref(),
        };
        let r = requests::copy(&name, from, headers, meta);
        let shape: Shape = Box::new(|g| {
            let a = &g.answer;
            let data = if a.body.is_empty() {
                JsValue::NULL
            } else {
                let (etag, modified) =
                    messages::parse_copy(&a.body).map_err(|e| Error::bad_response(a.status, &e))?;
                js::object(&[("etag", etag.into()), ("lastModified", modified.into())]).into()
            };
            Ok(js::object(&[("data", data), ("res", res(a))]).into())
        });
        Ok((Single::new(r), shape))
    })();
    single::call(shared, options, made)
}

/// A copy onto itself with new x-oss-meta-*, as ali-oss's putMeta.
pub fn put_meta(shared: &Rc<Shared>, name: JsValue, meta: JsValue, options: JsValue) -> Promise {
    let o = Object::new();
    let meta = match meta.is_object() {
        true => meta,
        // As ali-oss: none clears the object's meta.
        false if meta.is_undefined() || meta.is_null() => Object::new().into(),
        false => {
            return reject(Error::argument(
                "putMeta()'s meta must be an object, or null to clear it",
            ))
        }
    };
    js::set(&o, "meta", meta);
    for key in ["timeout", "signal"] {
        if let Some(v) = js::get(&options, key) {
            js::set(&o, key, v);
        }
    }
    copy(shared, name.clone(), name, o.into(), JsValue::UNDEFINED)
}
