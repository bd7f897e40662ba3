// One OSS request: signed, sent with `fetch` (the global one, so it works in workers too) or
// XMLHttpRequest, bounded by a timeout, aborted at once by the caller's signal, read into an
// error when OSS refuses it, and retried as the core's retry policy decides.
import { Request, parseError, retryDecision, url } from './core.js';
import * as errors from './errors.js';
import { checkHeader } from './options.js';
import { xhrFetch } from './xhr.js';

/** `[[k, v], …]` → `[k, v, …]`, as the core takes pairs. */
const flat = (pairs) => pairs.flat();

/** `[k, v, …]` → `[[k, v], …]`, as the core returns pairs. */
export const pairsOf = (list) => {
  const out = [];
  for (let i = 0; i < list.length; i += 2) out.push([list[i], list[i + 1]]);
  return out;
};

/** A request before signing: `key` '' for bucket-level requests, `body` a Blob or string. */
export const spec = (method, key, query = [], headers = [], body) => ({ method, key, query, headers, body });

/** A successful answer. */
class Reply {
  constructor(response) {
    this.response = response;
    this.status = response.status;
  }

  header(name) {
    return this.response.headers.get(name);
  }

  /** The ETag, which the bucket's CORS rule must expose. */
  etag() {
    const etag = this.header('etag');
    if (!etag) throw errors.etagNotExposed();
    return etag;
  }

  get requestId() {
    return this.header('x-oss-request-id') ?? '';
  }

  async text() {
    try {
      return await this.response.text();
    } catch {
      throw errors.network('the connection dropped while reading the answer');
    }
  }

  /** The body parsed by one of the core's XML readers. */
  async parse(read) {
    const body = await this.text();
    try {
      return read(body);
    } catch (e) {
      throw errors.badResponse(this.status, String(e));
    }
  }

  async bytes() {
    try {
      return new Uint8Array(await this.response.arrayBuffer());
    } catch {
      throw errors.network('the connection dropped while reading the answer');
    }
  }

  /** ali-oss's `res`: `{status, headers (lower-case names), requestId}`. */
  get res() {
    return { status: this.status, headers: Object.fromEntries(this.response.headers), requestId: this.requestId };
  }
}

/** Sleeps, but wakes at once if `signal` aborts; false if it was aborted. */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve(!signal.aborted);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** OSS echoes the string it signed, which holds the STS token: keep it out of errors. */
function scrub(e, token) {
  if (token) {
    for (const k of Object.keys(e)) if (typeof e[k] === 'string') e[k] = e[k].replaceAll(token, '<security-token>');
    e.message = e.message.replaceAll(token, '<security-token>');
  }
  return e;
}

export class Transport {
  /**
   * @param o the client's checked options
   * @param signer the keys in hand and their refresh (`credentials.js`)
   * @param region the region V4 signatures are scoped to
   */
  constructor(o, signer, region) {
    this.o = o;
    this.signer = signer;
    this.region = region;
  }

  url(key, query = []) {
    const o = this.o;
    return url(o.endpoint, o.region, o.secure, o.cname, o.bucket, key, flat(query));
  }

  /**
   * Sends `spec`, retrying as the policy says, until it succeeds, fails for good, or the
   * control's signal aborts (then the request in flight is aborted too, at once).
   */
  async send(s, { signal, timeoutMs }) {
    timeoutMs ??= this.o.timeoutMs;
    let retries = 0;
    let refreshes = 0;
    let corrections = 0;
    for (;;) {
      if (signal.aborted) throw errors.cancelled();
      const creds = this.o.signer ? null : await this.signer.credentials();
      const outcome = await this.#attempt(s, creds, signal, timeoutMs);
      if (outcome instanceof Reply) return outcome;
      const { error, status, code } = outcome;
      // A backend signs afresh each time, so an expired token it added is mended by simply
      // trying again.
      const canRefresh = Boolean(this.o.signer) || this.signer.canRefresh;
      const d = retryDecision(status, code, retries, Math.random(), canRefresh, this.o.retryMax);
      if (d >= 0) {
        retries++;
        if (!(await sleep(d, signal))) throw errors.cancelled();
      } else if (d === -2 && refreshes < 2) {
        refreshes++;
        if (creds) await this.signer.refresh(creds.stsToken);
      } else if (d === -3 && corrections < 1 && this.signer.correctClock(error.ServerTime)) {
        corrections++;
      } else {
        throw error;
      }
    }
  }

  /** The request as the core signs it, with a Content-Type named for any body. */
  #request(s, headers) {
    // A browser gives a body without a Content-Type one of its own after signing; naming (and
    // so signing) one keeps the signature valid.
    if (s.body !== undefined && !headers.some(([k]) => k.toLowerCase() === 'content-type')) {
      headers = [...headers, ['content-type', 'application/octet-stream']];
    }
    return new Request(s.method, this.o.bucket, s.key, flat(s.query), flat(headers));
  }

  #v4() {
    return this.o.v4 ? this.region : undefined;
  }

  /**
   * Has the `signer` sign the request: it gets the request (with x-oss-date from this page's
   * clock, as corrected by the server) and what V1 or V4 would sign, and returns the
   * Authorization header, or `{authorization, headers}` to add headers it signed too.
   */
  async #signByBackend(s) {
    const [stringToSign, canonicalRequest, ...headers] = this.#request(s, s.headers).toSign(this.#v4(), this.signer.nowSecs());
    const pairs = pairsOf(headers);
    const request = {
      method: s.method,
      bucket: this.o.bucket,
      key: s.key,
      subresources: Object.fromEntries(s.query),
      headers: Object.fromEntries(pairs.map(([k, v]) => [k.toLowerCase(), v])),
      version: this.o.v4 ? 'v4' : 'v1',
      region: this.region,
      stringToSign,
    };
    if (this.o.v4) request.canonicalRequest = canonicalRequest;
    let signed;
    try {
      signed = await this.o.signer(request);
    } catch (e) {
      throw errors.credentials(`the signer failed: ${errors.messageOf(e)}`);
    }
    const authorization = typeof signed === 'string' ? signed : signed?.authorization;
    if (typeof authorization !== 'string') {
      throw errors.credentials('the signer must resolve to the Authorization header, or {authorization, headers}');
    }
    const set = (name, value) => {
      checkHeader(name, value);
      const i = pairs.findIndex(([k]) => k.toLowerCase() === name.toLowerCase());
      if (i >= 0) pairs.splice(i, 1);
      pairs.push([name, value]);
    };
    for (const [k, v] of Object.entries(signed?.headers ?? {})) set(k, String(v));
    set('authorization', authorization);
    return pairs;
  }

  /**
   * One try: a Reply, or `{error, status, code}` for the retry policy. Throws only what no
   * retry can mend (a cancel, a header the browser refuses).
   */
  async #attempt(s, creds, signal, timeoutMs) {
    const signed = creds
      ? pairsOf(this.#request(s, s.headers).sign(creds.accessKeyId, creds.accessKeySecret, creds.stsToken ?? undefined, this.#v4(), this.signer.nowSecs()))
      : await this.#signByBackend(s);
    const headers = new Headers();
    for (const [k, v] of signed) {
      try {
        headers.set(k, v);
      } catch {
        throw errors.argument(`the browser refuses header ${JSON.stringify(k)}: check its value`);
      }
    }
    const controller = new AbortController();
    let timedOut = false;
    // Stays armed after the answer: reading its body is bounded too.
    setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const either = AbortSignal.any([controller.signal, signal]);
    const target = this.url(s.key, s.query);
    let response;
    try {
      response = await (this.o.xhr
        ? xhrFetch(target, s.method, headers, s.body, either, s.onProgress)
        : fetch(target, { method: s.method, headers, body: s.body, signal: either }));
    } catch (e) {
      if (signal.aborted) throw errors.cancelled();
      if (timedOut) return { error: errors.timeout(timeoutMs), status: 0, code: 'Timeout' };
      return { error: errors.network(errors.messageOf(e)), status: 0, code: 'Network' };
    }
    const reply = new Reply(response);
    if (reply.status >= 200 && reply.status < 300) return reply;
    const error = scrub(await this.readError(reply, s.method), headers.get('x-oss-security-token'));
    return { error, status: error.status, code: error.code };
  }

  /** The error an answer carries: in its body, or for HEAD in the base64 x-oss-err header. */
  async readError(reply, method) {
    let xml = '';
    try {
      xml = method === 'HEAD'
        ? new TextDecoder().decode(Uint8Array.from(atob(reply.header('x-oss-err') ?? ''), (c) => c.charCodeAt(0)))
        : await reply.response.text();
    } catch {
      // No readable body: the status alone says what happened.
    }
    const parsed = xml && parseError(xml);
    return errors.fromAnswer(reply.status, parsed ? JSON.parse(parsed) : null, reply.requestId);
  }
}
