// The option objects callers pass, checked once, with errors that name the option.
// `undefined` and `null` both mean "not given".
import { argument } from './errors.js';

export const DEFAULT_PARALLEL = 5;
const DEFAULT_TIMEOUT_MS = 60000;
const DEFAULT_REFRESH_INTERVAL_MS = 300000;
const DEFAULT_SAVED_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_RETRY_MAX = 3;

export const given = (o, key) => (o !== null && typeof o === 'object' || typeof o === 'function') && o[key] != null;

function typed(o, key, type, what) {
  if (!given(o, key)) return undefined;
  if (typeof o[key] !== type) throw argument(`\`${key}\` must be ${what}`);
  return o[key];
}

export const string = (o, key) => typed(o, key, 'string', 'a string');
export const boolean = (o, key) => typed(o, key, 'boolean', 'true or false');
export const number = (o, key) => typed(o, key, 'number', 'a number');
const func = (o, key) => typed(o, key, 'function', 'a function');

/** A whole number from `min` to `max`, or `fallback`. */
export function count(o, key, fallback, min, max) {
  const n = number(o, key);
  if (n === undefined) return fallback;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw argument(`\`${key}\` must be a whole number from ${min} to ${max}, got ${n}`);
  }
  return n;
}

/** A number of bytes: a whole number from 0 up to JavaScript's largest exact integer. */
export function byteCount(o, key) {
  const n = number(o, key);
  if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) {
    throw argument(`\`${key}\` must be a whole number of bytes, got ${n}`);
  }
  return n;
}

/** A header name or value must not break the request (no CR/LF, visible ASCII names). */
export function checkHeader(name, value) {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)) {
    throw argument(`header name ${JSON.stringify(name)} is not a valid HTTP header name`);
  }
  if (/[\r\n\0]/.test(value)) {
    throw argument(`the value of header ${JSON.stringify(name)} contains a line break or NUL`);
  }
}

/** The string entries of a plain object option (numbers and booleans as JavaScript writes them). */
function entries(o, what) {
  if (typeof o !== 'object') throw argument(`\`${what}\` must be an object of strings`);
  return Object.entries(o).map(([k, v]) => {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw argument(`\`${what}.${k}\` must be a string`);
    return [k, String(v)];
  });
}

/** Headers an upload sends: `headers`, `meta` and `mime` (else `defaultType`), checked. */
export function objectHeaders(o, defaultType) {
  const out = [];
  const mime = string(o, 'mime');
  if (given(o, 'headers')) {
    for (const [k, v] of entries(o.headers, 'headers')) {
      checkHeader(k, v);
      out.push([k, v]);
    }
  }
  if (given(o, 'meta')) {
    for (const [k, v] of entries(o.meta, 'meta')) {
      const header = `x-oss-meta-${k.toLowerCase()}`;
      try {
        checkHeader(header, v);
      } catch {
        throw argument(`meta key ${JSON.stringify(k)} must be letters, digits, '-' or '_', and its value one line`);
      }
      out.push([header, v]);
    }
  }
  const isType = ([k]) => k.toLowerCase() === 'content-type';
  if (mime) {
    checkHeader('content-type', mime);
    return [...out.filter((h) => !isType(h)), ['content-type', mime]];
  }
  if (!out.some(isType)) out.push(['content-type', defaultType]);
  return out;
}

/**
 * Object names as OSS accepts them: 1–1023 bytes of UTF-8, not starting with `/` or `\`,
 * no control characters or unpaired surrogates (they cannot travel in a header or be listed
 * back safely).
 */
export function checkName(name) {
  if (typeof name !== 'string') throw argument('the object name must be a string');
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0 || bytes > 1023) {
    throw argument(`the object name must be 1 to 1023 bytes of UTF-8, got ${bytes} bytes`);
  }
  if (name[0] === '/' || name[0] === '\\') throw argument("the object name must not start with '/' or '\\'");
  if (/[\0-\x1f\x7f-\x9f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) {
    throw argument('the object name must not contain control characters or unpaired surrogates');
  }
  return name;
}

/** `transport`: 'fetch' (the default) or 'xhr', which needs XMLHttpRequest (service workers lack it). */
function useXhr(o) {
  const t = string(o, 'transport');
  if (t === undefined || t === 'fetch') return false;
  if (t !== 'xhr') throw argument(`\`transport\` must be 'fetch' or 'xhr', got ${JSON.stringify(t)}`);
  if (typeof XMLHttpRequest === 'undefined') {
    throw argument("transport 'xhr' needs XMLHttpRequest, which this context (a service worker?) lacks: use 'fetch'");
  }
  return true;
}

const positive = (n, fallback) => (n > 0 ? n : fallback);

/** What `new OSS({...})` takes, but the endpoint, which the core checks (`endpoint.js`). */
export function clientOptions(o) {
  if (o === null || typeof o !== 'object') throw argument('new OSS(options) needs an options object');
  const bucket = string(o, 'bucket');
  if (!bucket) throw argument('`bucket` is required');
  const id = string(o, 'accessKeyId');
  const secret = string(o, 'accessKeySecret');
  let keys = null;
  if (id && secret) {
    keys = { accessKeyId: id, accessKeySecret: secret, stsToken: string(o, 'stsToken') || null };
  } else if (id !== undefined || secret !== undefined) {
    throw argument('give both `accessKeyId` and `accessKeySecret`');
  }
  const refresh = func(o, 'refreshSTSToken');
  const signer = func(o, 'signer');
  if (!keys && !refresh && !signer) {
    throw argument('give credentials: a `signer` or `refreshSTSToken` backed by your server (recommended), or `accessKeyId` + `accessKeySecret` [+ `stsToken`]');
  }
  return {
    bucket,
    keys,
    refresh,
    signer,
    endpoint: string(o, 'endpoint'),
    region: string(o, 'region'),
    secure: boolean(o, 'secure'),
    cname: boolean(o, 'cname') ?? false,
    refreshIntervalMs: positive(number(o, 'refreshSTSTokenInterval'), DEFAULT_REFRESH_INTERVAL_MS),
    v4: boolean(o, 'authorizationV4') ?? false,
    timeoutMs: count(o, 'timeout', DEFAULT_TIMEOUT_MS, 1, 2 ** 32 - 1),
    retryMax: count(o, 'retryMax', DEFAULT_RETRY_MAX, 0, 100),
    crc64: boolean(o, 'crc64') ?? true,
    xhr: useXhr(o),
    savedMaxAgeMs: positive(number(o, 'savedUploadMaxAge'), DEFAULT_SAVED_MAX_AGE_MS),
  };
}
