//! `new OSS({...})`: the class pages use, with ali-oss's method and option names. Each method
//! is a short delegate: the work is in `api/` (one file per family of calls), which checks the
//! arguments, hands the requests to the engine through the driver and shapes what comes back
//! as ali-oss does.

use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortController;

use super::api::multipart::PartGiven;
use super::api::presign::V4Given;
use super::api::upload::{upload, Kind};
use super::api::{listing, multipart, objects, post_policy, presign, saved};
use super::error::reject;
use super::shared::Shared;
use super::{js, options, shape};
use crate::engine::error::{Error, CANCEL};

#[wasm_bindgen(js_name = OSS)]
pub struct Client(Rc<Shared>);

#[wasm_bindgen(js_class = OSS)]
impl Client {
    /// The class get() gives its content as (the entry passes ali-oss's `OSS.Buffer`).
    #[wasm_bindgen(js_name = useBufferClass)]
    pub fn use_buffer_class(class: Function) {
        shape::use_buffer_class(class);
    }

    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Client, JsValue> {
        Ok(Client(Rc::new(Shared::new(&options)?)))
    }

    /// Uploads `data` in one request.
    pub fn put(&self, name: JsValue, data: JsValue, options: JsValue) -> Promise {
        upload(&self.0, name, data, options, Kind::Put)
    }

    /// PostObject: uploads `data` in one form POST, authorised by a policy: the fields a
    /// backend signed (`options.policy`, or a function of `{name, size, type}` returning
    /// them), or one signed here for this object alone. No custom header, so no CORS
    /// preflight.
    #[wasm_bindgen(js_name = postObject)]
    pub fn post_object(&self, name: JsValue, data: JsValue, options: JsValue) -> Promise {
        upload(&self.0, name, data, options, Kind::Post)
    }

    /// AppendObject: adds `data` at `options.position` (default 0) of an appendable object;
    /// the result's `nextAppendPosition` is where the next append goes.
    pub fn append(&self, name: JsValue, data: JsValue, options: JsValue) -> Promise {
        upload(&self.0, name, data, options, Kind::Append)
    }

    /// Uploads what a ReadableStream gives, in one request if it fits in one part, else in
    /// parts through the same engine as files, holding at most `parallel` parts at a time.
    #[wasm_bindgen(js_name = putStream)]
    pub fn put_stream(&self, name: JsValue, stream: JsValue, options: JsValue) -> Promise {
        upload(&self.0, name, stream, options, Kind::Stream)
    }

    /// Uploads a File or Blob in parts, in parallel. Resumes from `options.checkpoint`, or
    /// else from the upload of the same file saved in IndexedDB (unless `resume: false`).
    #[wasm_bindgen(js_name = multipartUpload)]
    pub fn multipart_upload(&self, name: JsValue, file: JsValue, options: JsValue) -> Promise {
        // As ali-oss: a file, or bytes; text goes through put().
        if file.is_string() {
            return reject(Error::argument(
                "multipartUpload() takes a File, Blob, ArrayBuffer or typed array: use put() for text",
            ));
        }
        self.0.cancelled.set(false);
        upload(&self.0, name, file, options, Kind::Multipart)
    }

    /// InitiateMultipartUpload: `{bucket, name, uploadId, res}`.
    #[wasm_bindgen(js_name = initMultipartUpload)]
    pub fn init_multipart_upload(&self, name: JsValue, options: JsValue) -> Promise {
        multipart::init(&self.0, name, options)
    }

    /// Uploads bytes `start..end` of `file` as part `partNo`.
    #[wasm_bindgen(js_name = uploadPart)]
    #[allow(clippy::too_many_arguments)]
    pub fn upload_part(
        &self,
        name: JsValue,
        upload_id: JsValue,
        part_no: JsValue,
        file: JsValue,
        start: JsValue,
        end: JsValue,
        options: JsValue,
    ) -> Promise {
        let part = PartGiven {
            number: part_no,
            file,
            start,
            end,
        };
        multipart::upload_part(&self.0, name, upload_id, part, options)
    }

    /// `parts` is `[{number, etag}]`, in any order.
    #[wasm_bindgen(js_name = completeMultipartUpload)]
    pub fn complete_multipart_upload(
        &self,
        name: JsValue,
        upload_id: JsValue,
        parts: JsValue,
        options: JsValue,
    ) -> Promise {
        multipart::complete(&self.0, name, upload_id, parts, options)
    }

    /// Every part the server holds for an upload: all pages, so `isTruncated` is false and
    /// ali-oss's `query` (max-parts, part-number-marker) is not needed.
    #[wasm_bindgen(js_name = listParts)]
    pub fn list_parts(
        &self,
        name: JsValue,
        upload_id: JsValue,
        _query: JsValue,
        options: JsValue,
    ) -> Promise {
        multipart::list_parts(&self.0, name, upload_id, options)
    }

    /// Uploads in progress: `query` takes prefix, max-uploads, key-marker, upload-id-marker.
    #[wasm_bindgen(js_name = listUploads)]
    pub fn list_uploads(&self, query: JsValue, options: JsValue) -> Promise {
        listing::list_uploads(&self.0, query, options)
    }

    /// Objects in the bucket (ListObjects): `query` takes prefix, marker, max-keys (default
    /// 100, at most 1000), delimiter.
    pub fn list(&self, query: JsValue, options: JsValue) -> Promise {
        listing::list(&self.0, query, options)
    }

    /// Objects in the bucket (ListObjectsV2): `query` takes prefix, continuation-token (or
    /// continuationToken), start-after, max-keys, delimiter, fetch-owner.
    #[wasm_bindgen(js_name = listV2)]
    pub fn list_v2(&self, query: JsValue, options: JsValue) -> Promise {
        listing::list_v2(&self.0, query, options)
    }

    /// Aborts an upload on the server and frees its parts.
    #[wasm_bindgen(js_name = abortMultipartUpload)]
    pub fn abort_multipart_upload(
        &self,
        name: JsValue,
        upload_id: JsValue,
        options: JsValue,
    ) -> Promise {
        multipart::abort(&self.0, name, upload_id, options)
    }

    /// `{status, meta, res}`: the object's x-oss-meta-* as `meta`. `options` takes headers
    /// (If-Modified-Since …: a 304 is a result), versionId.
    pub fn head(&self, name: JsValue, options: JsValue) -> Promise {
        objects::head(&self.0, name, options)
    }

    /// `{content, res}`: `content` is a Buffer (ali-oss's `OSS.Buffer`), so toString() gives
    /// the text. `options` (the second argument, or the third as ali-oss's get(name, file,
    /// options)) takes headers (Range, If-Match …), subres (e.g. `response-content-type`),
    /// versionId, process, responseCacheControl.
    pub fn get(&self, name: JsValue, file_or_options: JsValue, options: JsValue) -> Promise {
        objects::get(&self.0, name, file_or_options, options)
    }

    /// `{status, res}` of HEAD ?objectMeta: the object's size, ETag and dates without its
    /// metadata.
    #[wasm_bindgen(js_name = getObjectMeta)]
    pub fn get_object_meta(&self, name: JsValue, options: JsValue) -> Promise {
        objects::object_meta(&self.0, name, options)
    }

    /// DeleteMultipleObjects: `names` are strings or `{key, versionId}`; `{quiet}` leaves the
    /// deleted keys out of the answer. `{deleted: [{Key}], res}`.
    #[wasm_bindgen(js_name = deleteMulti)]
    pub fn delete_multi(&self, names: JsValue, options: JsValue) -> Promise {
        objects::delete_multi(&self.0, names, options)
    }

    /// CopyObject: `name` from `source` (in `sourceBucket`, or this bucket); `options` take
    /// headers, meta (which replace the source's), versionId. `{data: {etag, lastModified}, res}`.
    pub fn copy(
        &self,
        name: JsValue,
        source: JsValue,
        source_bucket: JsValue,
        options: JsValue,
    ) -> Promise {
        objects::copy(&self.0, name, source, source_bucket, options)
    }

    /// Replaces an object's x-oss-meta-* (a copy onto itself), as ali-oss's putMeta.
    #[wasm_bindgen(js_name = putMeta)]
    pub fn put_meta(&self, name: JsValue, meta: JsValue, options: JsValue) -> Promise {
        objects::put_meta(&self.0, name, meta, options)
    }

    /// DeleteObject: `{res}`.
    pub fn delete(&self, name: JsValue, options: JsValue) -> Promise {
        objects::delete(&self.0, name, options)
    }

    /// A presigned URL (V1, or V4 with authorizationV4) with the credentials in hand, as
    /// ali-oss's: `{expires: seconds (default 1800), method: 'GET', 'Content-Type',
    /// 'Content-MD5', 'x-oss-*' (signed headers the request must then send), response,
    /// process, trafficLimit, callback, subResource}`.
    /// As ali-oss, a name starting with `?` is refused unless `strict` is false.
    #[wasm_bindgen(js_name = signatureUrl)]
    pub fn signature_url(
        &self,
        name: JsValue,
        options: JsValue,
        strict: JsValue,
    ) -> Result<JsValue, JsValue> {
        let bucket = self.0.bucket.borrow().clone();
        Ok(presign::signature_url(&self.0, name, options, strict, bucket)?.into())
    }

    /// signatureUrl() after refreshing the STS token if it is due, as ali-oss's.
    #[wasm_bindgen(js_name = asyncSignatureUrl)]
    pub fn async_signature_url(&self, name: JsValue, options: JsValue, strict: JsValue) -> Promise {
        presign::async_signature_url(&self.0, name, options, strict)
    }

    /// ali-oss's signatureUrlV4(method, expires (s), {headers, queries}, objectName,
    /// additionalHeaders): a V4 presigned URL, whatever the client's signing version.
    #[wasm_bindgen(js_name = signatureUrlV4)]
    pub fn signature_url_v4(
        &self,
        method: JsValue,
        expires: JsValue,
        request: JsValue,
        name: JsValue,
        additional: JsValue,
    ) -> Promise {
        let given = V4Given {
            method,
            expires,
            additional,
        };
        presign::signature_url_v4(&self.0, given, request, name)
    }

    /// ali-oss's getObjectUrl: `baseUrl` (default: the endpoint, no bucket) and the name.
    #[wasm_bindgen(js_name = getObjectUrl)]
    pub fn get_object_url(&self, name: JsValue, base_url: JsValue) -> Result<JsValue, JsValue> {
        Ok(presign::get_object_url(&self.0, name, base_url)?.into())
    }

    /// ali-oss's generateObjectUrl: as getObjectUrl, but the default base is the bucket's.
    #[wasm_bindgen(js_name = generateObjectUrl)]
    pub fn generate_object_url(
        &self,
        name: JsValue,
        base_url: JsValue,
    ) -> Result<JsValue, JsValue> {
        Ok(presign::generate_object_url(&self.0, name, base_url)?.into())
    }

    /// The uploads saved for this bucket that resume when their file is picked again,
    /// newest first.
    #[wasm_bindgen(js_name = listSavedUploads)]
    pub fn list_saved_uploads(&self) -> Promise {
        saved::list(&self.0)
    }

    /// Forgets a saved upload (its fingerprint, or an entry of listSavedUploads()); with
    /// `{abort: true}` also aborts it on the server, freeing its parts.
    #[wasm_bindgen(js_name = forgetSavedUpload)]
    pub fn forget_saved_upload(&self, which: JsValue, options: JsValue) -> Promise {
        saved::forget(&self.0, which, options)
    }

    /// Stops every upload and request of this client at once (ali-oss's cancel()); their
    /// promises reject with an error isCancel() recognises, checkpoints intact.
    ///
    /// As ali-oss: `cancel({name, uploadId, options})` also aborts that upload on the server.
    pub fn cancel(&self, abort: JsValue) {
        self.0.cancelled.set(true);
        if let Ok(fresh) = AbortController::new() {
            let old = self.0.cancel.replace(fresh);
            old.abort();
        }
        // After the swap, so that this cancel does not stop the abort itself.
        if let (Some(name), Some(id)) = (js::get(&abort, "name"), js::get(&abort, "uploadId")) {
            let options = js::get(&abort, "options").unwrap_or(JsValue::UNDEFINED);
            let aborting = multipart::abort(&self.0, name, id, options);
            // Its failure has no one to tell (ali-oss does not wait either).
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(aborting).await;
            });
        }
    }

    /// With no argument, ali-oss's flag: whether cancel() was called since the last
    /// multipartUpload() began (or resetCancelFlag()). With an error, whether it is the
    /// rejection of a cancelled call.
    #[wasm_bindgen(js_name = isCancel)]
    pub fn is_cancel(&self, err: JsValue) -> bool {
        if err.is_undefined() {
            return self.0.cancelled.get();
        }
        js::get(&err, "name").and_then(|n| n.as_string()).as_deref() == Some(CANCEL)
    }

    #[wasm_bindgen(js_name = resetCancelFlag)]
    pub fn reset_cancel_flag(&self) {
        self.0.cancelled.set(false);
    }

    /// The bucket later calls go to (ali-oss's useBucket); calls under way keep theirs.
    #[wasm_bindgen(js_name = useBucket)]
    pub fn use_bucket(&self, name: JsValue) -> Result<(), JsValue> {
        let name = options::bucket_name("useBucket()'s", &name.as_string().unwrap_or_default())?;
        js::set(&self.0.options, "bucket", name.as_str());
        *self.0.bucket.borrow_mut() = name;
        Ok(())
    }

    #[wasm_bindgen(js_name = setBucket)]
    pub fn set_bucket(&self, name: JsValue) -> Result<(), JsValue> {
        self.use_bucket(name)
    }

    /// ali-oss's calculatePostSignature(policy): `{OSSAccessKeyId, Signature, policy}`, the
    /// V1 fields of a PostObject form whose policy is `policy` (an object, or its JSON text).
    #[wasm_bindgen(js_name = calculatePostSignature)]
    pub fn calculate_post_signature(&self, policy: JsValue) -> Result<JsValue, JsValue> {
        let signed = post_policy::sign(&self.0, &policy, None)?;
        let fields = js::object(&[
            ("OSSAccessKeyId", signed.access_key_id.into()),
            ("Signature", signed.signature.into()),
            ("policy", signed.policy.into()),
        ]);
        Ok(fields.into())
    }

    /// ali-oss's signPostObjectPolicyV4(policy, date): the `x-oss-signature` of a V4
    /// PostObject form, for the day of `date`, in the client's region.
    #[wasm_bindgen(js_name = signPostObjectPolicyV4)]
    pub fn sign_post_object_policy_v4(
        &self,
        policy: JsValue,
        date: JsValue,
    ) -> Result<JsValue, JsValue> {
        Ok(post_policy::sign(&self.0, &policy, Some(&date))?
            .signature
            .into())
    }

    /// ali-oss's `stsTokenFreshTime`: when the credentials in hand were had (the client's
    /// making, until the first arrive).
    #[wasm_bindgen(getter = stsTokenFreshTime)]
    pub fn sts_token_fresh_time(&self) -> js_sys::Date {
        js_sys::Date::new(&self.0.keys.borrow().fresh_at().into())
    }

    /// ali-oss's `userAgent` (`aliyun-sdk-js/<version> <platform>`): this package's name and
    /// version, then the browser's own user agent. Not sent (ali-oss sends it as
    /// `x-oss-user-agent`): one more header for CORS rules to allow and signatures to cover.
    #[wasm_bindgen(getter = userAgent)]
    pub fn user_agent(&self) -> js_sys::JsString {
        let browser = js::get(&js_sys::global(), "navigator")
            .and_then(|n| js::get(&n, "userAgent"))
            .unwrap_or_else(|| "".into());
        js_sys::JsString::from(concat!(
            "oss-browser-upload/",
            env!("CARGO_PKG_VERSION"),
            " "
        ))
        .concat(&browser)
    }

    /// ali-oss's `client.options`: the options as this client reads them.
    #[wasm_bindgen(getter)]
    pub fn options(&self) -> Object {
        self.0.options.clone()
    }

    /// The bucket in use; undefined when none was given.
    #[wasm_bindgen(js_name = getBucket)]
    pub fn get_bucket(&self) -> JsValue {
        let bucket = self.0.bucket.borrow();
        Some(bucket.as_str())
            .filter(|b| !b.is_empty())
            .map_or(JsValue::UNDEFINED, JsValue::from)
    }
}
