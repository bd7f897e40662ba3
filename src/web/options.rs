//! The option objects JavaScript passes, checked once, with errors that name the option.

use base64::Engine;
use js_sys::{Function, Object, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::engine::plan::show_number;
use crate::engine::retry::Policy;
use crate::engine::scheduler::DEFAULT_CONNECTIONS;
use crate::protocol::endpoint::Endpoint;
use crate::protocol::limits::{MAX_KEY_BYTES, MAX_META_BYTES};
use crate::protocol::request::Credentials;
use crate::text;

use super::js;
use crate::engine::error::Error;

pub const DEFAULT_TIMEOUT_MS: u32 = 60_000;
pub const DEFAULT_PARALLEL: usize = 5;
const DEFAULT_REFRESH_INTERVAL_MS: f64 = 300_000.0;
const DEFAULT_SAVED_MAX_AGE_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;

/// Option `key`, read by `read`, or `None` when not given; an error naming what it must be
/// when it is something else.
fn typed<T>(
    opts: &JsValue,
    key: &str,
    read: impl Fn(&JsValue) -> Option<T>,
    what: &str,
) -> Result<Option<T>, Error> {
    js::get(opts, key)
        .map(|v| {
            read(&v).ok_or_else(|| Error::argument(text::fill("`{}` must be {}", &[key, what])))
        })
        .transpose()
}

pub fn string(opts: &JsValue, key: &str) -> Result<Option<String>, Error> {
    typed(opts, key, JsValue::as_string, "a string")
}

pub fn boolean(opts: &JsValue, key: &str) -> Result<Option<bool>, Error> {
    typed(opts, key, JsValue::as_bool, "true or false")
}

pub fn number(opts: &JsValue, key: &str) -> Result<Option<f64>, Error> {
    typed(opts, key, JsValue::as_f64, "a number")
}

/// An upload ID: the non-empty string initMultipartUpload() gave.
pub fn upload_id(v: &JsValue) -> Result<String, Error> {
    (v.as_string().filter(|s| !s.is_empty()))
        .ok_or_else(|| Error::argument("uploadId must be initMultipartUpload()'s string"))
}

/// Whether `n` is a whole number within `range`.
pub fn whole(n: f64, range: std::ops::RangeInclusive<f64>) -> bool {
    n.fract() == 0.0 && range.contains(&n)
}

/// A positive whole number within `range`, or the default.
pub fn count(
    opts: &JsValue,
    key: &str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, Error> {
    match number(opts, key)? {
        None => Ok(default),
        Some(n) if whole(n, f64::from(*range.start())..=f64::from(*range.end())) => Ok(n as u32),
        Some(n) => Err(Error::argument(text::fill(
            "`{}` must be a whole number from {} to {}, got {}",
            &[
                key,
                &text::int((*range.start()).into()),
                &text::int((*range.end()).into()),
                &show_number(n),
            ],
        ))),
    }
}

/// A duration in milliseconds, as ali-oss takes it: a number, or a string the `ms` package
/// reads (`'60s'`, `'2m'`, `'1.5h'`, `'500'`).
pub fn duration_ms(opts: &JsValue, key: &str) -> Result<Option<u32>, Error> {
    let Some(v) = js::get(opts, key) else {
        return Ok(None);
    };
    let ms = match (v.as_f64(), v.as_string()) {
        (Some(n), _) => Some(n),
        (_, Some(s)) => crate::protocol::time::parse_duration(&s),
        _ => None,
    };
    match ms {
        Some(n) if n >= 1.0 && n <= f64::from(u32::MAX) => Ok(Some(n.round() as u32)),
        _ => Err(Error::argument(text::fill(
            "`{}` must be milliseconds or a duration such as '60s', got {}",
            &[key, &js::text(&v)],
        ))),
    }
}

/// A number of bytes: a whole number from 0 up to JavaScript's largest exact integer.
pub fn byte_count(opts: &JsValue, key: &str) -> Result<Option<u64>, Error> {
    match number(opts, key)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) => {
            Ok(Some(n as u64))
        }
        Some(n) => Err(Error::argument(text::fill(
            "`{}` must be a whole number of bytes, got {}",
            &[key, &show_number(n)],
        ))),
    }
}

/// A header name or value must not break the request (no CR/LF, visible ASCII names); a value
/// outside ASCII only with `latin1` (ali-oss's `headerEncoding: 'latin1'`).
pub fn check_header(name: &str, value: &str, latin1: bool) -> Result<(), Error> {
    // RFC 9110's token characters (a match: slice contains() would link memchr for this).
    let token = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            )
    };
    let name_ok = !name.is_empty() && name.bytes().all(token);
    if !name_ok {
        return Err(Error::argument(text::fill(
            "header name {} is not a valid HTTP header name",
            &[&js::quoted(name)],
        )));
    }
    if value.contains(['\r', '\n', '\0']) {
        return Err(Error::argument(text::fill(
            "the value of header {} contains a line break or NUL",
            &[&js::quoted(name)],
        )));
    }
    // Browsers disagree on the bytes of a header string outside ASCII: Chromium and Firefox
    // send one byte per character (Latin-1, and refuse more), WebKitGTK sends UTF-8. No one
    // form is signed alike everywhere, so such a value is refused before sending, with the
    // fix, unless the client sends headers as ali-oss's `headerEncoding: 'latin1'` does.
    if !value.is_ascii() && !latin1 {
        return Err(Error::argument(
            text::fill("header {} is not ASCII, which browsers do not send as OSS signs it: encodeURIComponent it (Content-Disposition: filename*=UTF-8''…), or use headerEncoding: 'latin1' as ali-oss", &[&js::quoted(name)]),
        ));
    }
    Ok(())
}

/// What `new OSS({...})` takes.
pub struct ClientOptions {
    pub endpoint: Endpoint,
    pub region: String,
    pub credentials: Option<Credentials>,
    pub refresh: Option<Function>,
    /// Signs each request on the page's backend, so no key is in the page.
    pub signer: Option<Function>,
    pub refresh_interval_ms: f64,
    pub v4: bool,
    pub timeout_ms: u32,
    pub retry: Policy,
    /// How long a saved upload may wait to be resumed, in milliseconds.
    pub saved_max_age_ms: f64,
    /// Check CRC64 end to end unless turned off.
    pub crc64: bool,
    /// Send bodies with XMLHttpRequest, whose upload progress shows a slow request alive.
    pub xhr: bool,
    /// `transport: 'xhr'`: report progress as bytes go out, not only per part.
    pub byte_progress: bool,
    /// The most requests in flight to one host, all of the client's calls together.
    pub max_connections: usize,
    /// ali-oss's `headerEncoding: 'latin1'`: header values go out as the bytes of their UTF-8
    /// (one Latin-1 character per byte), which is how OSS signs and stores them.
    pub latin1_headers: bool,
}

/// `transport` as (bodies by XMLHttpRequest, byte-level progress). By default bodies go by
/// XMLHttpRequest where it exists (service workers lack it), so that a request is judged by
/// whether its bytes move, and progress is per part as ali-oss's; `'fetch'` sends everything
/// with fetch, each request given a deadline from its size and the link's measured rate;
/// `'xhr'` adds byte-level progress.
fn transport(opts: &JsValue) -> Result<(bool, bool), Error> {
    let has_xhr = js::get(&js_sys::global(), "XMLHttpRequest").is_some();
    match string(opts, "transport")?.as_deref() {
        None => Ok((has_xhr, false)),
        Some("fetch") => Ok((false, false)),
        Some("xhr") if has_xhr => Ok((true, true)),
        Some("xhr") => Err(Error::argument(
            "transport 'xhr' needs XMLHttpRequest, missing here (a service worker?): use 'fetch'",
        )),
        Some(other) => Err(Error::argument(text::fill(
            "`transport` must be 'fetch' or 'xhr', got {}",
            &[&js::quoted(other)],
        ))),
    }
}

impl ClientOptions {
    pub fn parse(opts: &JsValue) -> Result<ClientOptions, Error> {
        if !opts.is_object() {
            return Err(Error::argument("new OSS(options) needs an options object"));
        }
        let id = string(opts, "accessKeyId")?;
        let secret = string(opts, "accessKeySecret")?;
        let credentials = match (id, secret) {
            // Trimmed, as ali-oss signs with them: a key pasted with a newline still works.
            (Some(id), Some(secret)) if !id.trim().is_empty() && !secret.trim().is_empty() => {
                Some(Credentials {
                    access_key_id: id.trim().into(),
                    access_key_secret: secret.trim().into(),
                    security_token: string(opts, "stsToken")?.filter(|t| !t.is_empty()),
                })
            }
            (None, None) => None,
            _ => {
                return Err(Error::argument(
                    "give both `accessKeyId` and `accessKeySecret`",
                ))
            }
        };
        let refresh = function(opts, "refreshSTSToken")?;
        let signer = function(opts, "signer")?;
        if credentials.is_none() && refresh.is_none() && signer.is_none() {
            return Err(Error::argument(
                "give credentials: a `signer` or `refreshSTSToken` from your server, or `accessKeyId` + `accessKeySecret` [+ `stsToken`]",
            ));
        }
        let region = string(opts, "region")?;
        // As ali-oss: the page's own scheme unless `secure` says.
        let secure = boolean(opts, "secure")?.or_else(|| {
            js::get(&js_sys::global(), "location")
                .and_then(|l| js::get(&l, "protocol"))
                .and_then(|p| p.as_string())
                .map(|p| p == "https:")
        });
        let cname = boolean(opts, "cname")?.unwrap_or(false);
        let refresh_interval_ms = number(opts, "refreshSTSTokenInterval")?
            .filter(|n| *n > 0.0)
            .unwrap_or(DEFAULT_REFRESH_INTERVAL_MS);
        let v4 = boolean(opts, "authorizationV4")?.unwrap_or(false);
        let timeout_ms = duration_ms(opts, "timeout")?.unwrap_or(DEFAULT_TIMEOUT_MS);
        let retry = Policy {
            max_retries: count(opts, "retryMax", Policy::default().max_retries, 0..=100)?,
            ..Policy::default()
        };
        let crc64 = boolean(opts, "crc64")?.unwrap_or(true);
        let (xhr, byte_progress) = transport(opts)?;
        let max_connections = count(opts, "maxConnections", DEFAULT_CONNECTIONS as u32, 1..=64)?;
        let latin1_headers = match string(opts, "headerEncoding")?.as_deref() {
            None | Some("utf-8") => false,
            Some("latin1") => true,
            Some(other) => {
                return Err(Error::argument(text::fill(
                    "`headerEncoding` must be 'utf-8' or 'latin1', got {}",
                    &[&js::quoted(other)],
                )))
            }
        };
        let saved_max_age_ms = number(opts, "savedUploadMaxAge")?
            .filter(|n| *n > 0.0)
            .unwrap_or(DEFAULT_SAVED_MAX_AGE_MS);
        // ali-oss's `internal`: the region's VPC endpoint (a vpc100- region has no other).
        let internal = boolean(opts, "internal")?.unwrap_or(false);
        let region_host = region.as_ref().map(|r| {
            if internal && !r.starts_with("vpc100-") {
                text::fill("{}-internal", &[r])
            } else {
                r.clone()
            }
        });
        let endpoint = Endpoint::new(
            string(opts, "endpoint")?.as_deref(),
            region_host.as_deref(),
            secure,
            cname,
        )
        .map_err(Error::argument)?
        .path_style(boolean(opts, "sldEnable")?.unwrap_or(false));
        Ok(ClientOptions {
            region: endpoint.v4_region(region.as_deref()),
            endpoint,
            credentials,
            refresh,
            signer,
            refresh_interval_ms,
            v4,
            timeout_ms,
            retry,
            crc64,
            xhr,
            byte_progress,
            max_connections: max_connections as usize,
            saved_max_age_ms,
            latin1_headers,
        })
    }
}

/// `bucket`: as in ali-oss, a client may start without one and get it from useBucket().
pub fn bucket(opts: &JsValue) -> Result<String, Error> {
    let bucket = string(opts, "bucket")?.unwrap_or_default();
    if bucket.is_empty() {
        return Ok(bucket);
    }
    bucket_name("`bucket`", &bucket)
}

/// A bucket name, checked as OSS names buckets; `what` names the argument in the message.
pub fn bucket_name(what: &str, name: &str) -> Result<String, Error> {
    if !crate::protocol::endpoint::valid_bucket(name) {
        return Err(Error::argument(
            text::fill("{} {} is not a bucket name: 3 to 63 lower-case letters, digits, '-' and '_', not starting or ending with '-'", &[what, &js::quoted(name)]),
        ));
    }
    Ok(name.into())
}

pub fn function(opts: &JsValue, key: &str) -> Result<Option<Function>, Error> {
    typed(opts, key, |v| v.clone().dyn_into().ok(), "a function")
}

/// Headers an upload sends: `mime`, `meta` and `headers`, checked.
pub fn object_headers(
    opts: &JsValue,
    default_type: &str,
    latin1: bool,
) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    let mime = string(opts, "mime")?.filter(|m| !m.is_empty());
    out.extend(headers(opts, latin1)?);
    out.extend(meta_headers(opts, latin1)?);
    let has_type = out
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if let Some(mime) = mime {
        check_header("content-type", &mime, latin1)?;
        out.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        out.push(("content-type".into(), mime));
    } else if !has_type {
        out.push(("content-type".into(), default_type.to_string()));
    }
    Ok(out)
}

/// `meta`, as checked `x-oss-meta-*` headers.
pub fn meta_headers(opts: &JsValue, latin1: bool) -> Result<Vec<(String, String)>, Error> {
    let Some(meta) = js::get(opts, "meta") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut size = 0;
    for (name, value) in entries(&meta, "meta")? {
        let header = text::fill("x-oss-meta-{}", &[&name.to_ascii_lowercase()]);
        // OSS takes letters, digits and '-' in a meta name (not '_').
        let named =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !named || check_header(&header, &value, latin1).is_err() {
            return Err(Error::argument(
                text::fill("meta key {} must be letters, digits or '-', its value one line of ASCII (encodeURIComponent it)", &[&js::quoted(&name)]),
            ));
        }
        size += header.len() + value.len();
        out.push((header, value));
    }
    if size >= MAX_META_BYTES {
        return Err(Error::argument(text::fill(
            "meta is {} bytes; OSS takes under 8 KB of x-oss-meta-* names and values",
            &[&text::int(size as u64)],
        )));
    }
    Ok(out)
}

/// `headers`, checked.
pub fn headers(opts: &JsValue, latin1: bool) -> Result<Vec<(String, String)>, Error> {
    let Some(headers) = js::get(opts, "headers") else {
        return Ok(Vec::new());
    };
    let list = entries(&headers, "headers")?;
    for (name, value) in &list {
        check_header(name, value, latin1)?;
    }
    Ok(list)
}

/// ali-oss's `subres`, with `versionId` and `process` (`x-oss-process`): parameters that
/// OSS signs as subresources.
pub fn subresources(opts: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let mut out = match js::get(opts, "subres") {
        Some(v) => entries(&v, "subres")?,
        None => Vec::new(),
    };
    if let Some(v) = string(opts, "versionId")? {
        out.push(("versionId".into(), v));
    }
    if let Some(p) = string(opts, "process")? {
        out.push(("x-oss-process".into(), p));
    }
    Ok(out)
}

/// The string entries of a plain object option.
fn entries(obj: &JsValue, what: &str) -> Result<Vec<(String, String)>, Error> {
    if !obj.is_object() {
        return Err(Error::argument(text::fill(
            "`{}` must be an object of strings",
            &[what],
        )));
    }
    let mut out = Vec::new();
    for pair in js_sys::Object::entries(obj.unchecked_ref()).iter() {
        let pair: js_sys::Array = pair.unchecked_into();
        let value = pair.get(1);
        // An entry left undefined or null (`{'Content-Disposition': maybe}`) is absent.
        if value.is_null() || value.is_undefined() {
            continue;
        }
        let key = pair.get(0).as_string().unwrap_or_default();
        let value = value
            .as_string()
            // JavaScript's own String(n), as the page wrote the number.
            .or_else(|| {
                value
                    .dyn_ref::<js_sys::Number>()
                    .map(|n| String::from(n.to_string_with_radix(10).unwrap_or_default()))
            })
            .or_else(|| {
                value
                    .as_bool()
                    .map(|b| (if b { "true" } else { "false" }).into())
            })
            .ok_or_else(|| {
                Error::argument(text::fill("`{}.{}` must be a string", &[what, &key]))
            })?;
        out.push((key, value));
    }
    Ok(out)
}

/// Object names as OSS accepts them: 1–1023 bytes of UTF-8, not starting with `\`. Leading
/// slashes are dropped first, as ali-oss does, so `'/a.txt'` names `a.txt`.
pub fn check_name(name: &JsValue) -> Result<String, Error> {
    let name = name
        .as_string()
        .ok_or_else(|| Error::argument("the object name must be a string"))?;
    let mut trimmed = name.as_str();
    while let Some(t) = trimmed.strip_prefix('/') {
        trimmed = t;
    }
    let name = trimmed.to_string();
    if name.is_empty() || name.len() > MAX_KEY_BYTES {
        return Err(Error::argument(text::fill(
            "the object name must be 1 to 1023 bytes of UTF-8, got {} bytes",
            &[&text::int(name.len() as u64)],
        )));
    }
    // Alone, no encoding keeps a browser from resolving them away.
    if name == "." || name == ".." {
        return Err(Error::argument(
            "the object name must not be '.' or '..', which browsers resolve away",
        ));
    }
    if name.starts_with('\\') {
        return Err(Error::argument("the object name must not start with '\\'"));
    }
    // Control characters are valid in OSS names (ali-oss's own tests store `\r\n`): they
    // travel percent-encoded. A lone surrogate has no UTF-8 and reaches here as U+FFFD.
    // text::find: contains() of a non-ASCII char is std's substring search.
    if text::find(&name, "\u{FFFD}").is_some() {
        return Err(Error::argument(
            "the object name has unpaired surrogates, which have no UTF-8",
        ));
    }
    Ok(name)
}

fn base64_json(value: &Object) -> Result<String, Error> {
    let json = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::argument("`callback` cannot be written as JSON"))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(json))
}

/// The headers for `options.callback`, if given.
pub fn callback_headers(opts: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let Some(callback) = js::get(opts, "callback") else {
        return Ok(Vec::new());
    };
    let text = |key: &str| {
        js::get(&callback, key)
            .map(|v| {
                v.as_string().ok_or_else(|| {
                    Error::argument(text::fill("`callback.{}` must be a string", &[key]))
                })
            })
            .transpose()
    };
    let given = |t: Option<String>| t.filter(|s| !s.is_empty());
    let (Some(url), Some(body)) = (given(text("url")?), given(text("body")?)) else {
        return Err(Error::argument(
            "`callback` needs `url` and `body` (e.g. 'object=${object}&size=${size}')",
        ));
    };
    let config = js::object(&[
        // encodeURI, not encodeURIComponent: the URL's own `/`, `?` and `;` must stay.
        ("callbackUrl", js_sys::encode_uri(&url).into()),
        ("callbackBody", body.into()),
    ]);
    if let Some(host) = text("host")? {
        js::set(&config, "callbackHost", host);
    }
    if let Some(kind) = text("contentType")? {
        js::set(&config, "callbackBodyType", kind);
    }
    // As ali-oss: any true-ish value.
    if js::get(&callback, "callbackSNI").is_some_and(|v| v.is_truthy()) {
        js::set(&config, "callbackSNI", true);
    }
    let mut out = vec![("x-oss-callback".to_string(), base64_json(&config)?)];
    if let Some(values) = js::get(&callback, "customValue") {
        if !values.is_object() {
            return Err(Error::argument("`callback.customValue` must be an object"));
        }
        let vars = Object::new();
        for entry in Object::entries(values.unchecked_ref()).iter() {
            let pair = js_sys::Array::from(&entry);
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1);
            let value = value
                .as_string()
                .or_else(|| JSON::stringify(&value).ok().and_then(|s| s.as_string()))
                .unwrap_or_default();
            js::set(&vars, &text::fill("x:{}", &[&name]), value);
        }
        out.push(("x-oss-callback-var".to_string(), base64_json(&vars)?));
    }
    Ok(out)
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/web/url.js")]
extern "C" {
    /// ali-oss's `client.options.endpoint`: `fields` as a parsed URL whose `format()` gives
    /// it back (a plain object, as Node's url.parse() gives, not a class of the wasm's).
    #[wasm_bindgen(js_name = parsedUrl)]
    fn parsed_url(fields: &Object) -> JsValue;
}

/// ali-oss's `client.options`: what the page passed, with ali-oss's defaults and the values as
/// this client reads them (`endpoint` parsed, keys trimmed, `timeout` in milliseconds).
pub fn as_ali_oss(opts: &JsValue, o: &ClientOptions, bucket: &str) -> Object {
    let out = Object::assign(&Object::new(), opts.unchecked_ref());
    let e = &o.endpoint;
    // `[::1]:9000` has colons of its own: the port follows the bracket.
    let after_ip6 = text::rfind(&e.host, b']').map_or(0, |i| i + 1);
    let (hostname, port) = match text::rfind(&e.host[after_ip6..], b':') {
        Some(i) => (&e.host[..after_ip6 + i], &e.host[after_ip6 + i + 1..]),
        None => (e.host.as_str(), ""),
    };
    let endpoint = parsed_url(&js::object(&[
        // `http:` or `https:`.
        ("protocol", text::fill("{}:", &[&e.scheme]).into()),
        // Host name and port.
        ("host", e.host.as_str().into()),
        ("hostname", hostname.into()),
        ("port", port.into()),
        ("href", text::fill("{}://{}/", &[&e.scheme, &e.host]).into()),
    ]));
    let key = |read: fn(&Credentials) -> &str| {
        o.credentials
            .as_ref()
            .map_or(JsValue::UNDEFINED, |c| read(c).into())
    };
    for (name, value) in [
        ("accessKeyId", key(|c| &c.access_key_id)),
        ("accessKeySecret", key(|c| &c.access_key_secret)),
        (
            "bucket",
            if bucket.is_empty() {
                JsValue::NULL
            } else {
                bucket.into()
            },
        ),
        ("endpoint", endpoint),
        (
            "region",
            string(opts, "region")
                .ok()
                .flatten()
                .unwrap_or_else(|| "oss-cn-hangzhou".into())
                .into(),
        ),
        ("secure", (e.scheme == "https").into()),
        (
            "cname",
            (e.style == crate::protocol::endpoint::Style::Cname).into(),
        ),
        ("timeout", o.timeout_ms.into()),
        ("retryMax", o.retry.max_retries.into()),
        ("authorizationV4", o.v4.into()),
        ("refreshSTSTokenInterval", o.refresh_interval_ms.into()),
        ("inited", true.into()),
    ] {
        js::set(&out, name, value);
    }
    for (key, default) in [
        ("internal", JsValue::FALSE),
        ("sldEnable", JsValue::FALSE),
        ("useFetch", JsValue::FALSE),
        ("headerEncoding", "utf-8".into()),
    ] {
        if js::get(&out, key).is_none() {
            js::set(&out, key, default);
        }
    }
    out
}
