// `new OSS({...})`: the class pages use, with ali-oss's method and option names. Each method
// checks its arguments, then hands the work to the transport or the upload engine. The wasm
// core starts loading when this module is imported, so nobody calls an init(): every method
// waits for it first.
import { fromJs as checkpointFromJs } from './checkpoint.js';
import { callbackHeaders } from './callback.js';
import * as core from './core.js';
import { Signer } from './credentials.js';
import * as errors from './errors.js';
import * as opt from './options.js';
import { SavedUploads, summary, tryLock } from './saved.js';
import { Transport, pairsOf, spec } from './transport.js';
import { listAllParts, readComplete, run } from './upload.js';

const MAX_PART_SIZE = 5 * 1024 ** 3;

let loaded = false;
const loading = core.load().then(() => {
  loaded = true;
});
let warnedLongTerm = false;

/** The data put() accepts, as a Blob: Blob and File as they are, bytes and text wrapped. */
function toBlob(data) {
  if (data instanceof Blob) return data;
  if (typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new Blob([data]);
  throw errors.argument('data must be a File, Blob, ArrayBuffer, typed array or string');
}

/** A core function that throws a message string, its message made an ArgumentError. */
function checked(f) {
  try {
    return f();
  } catch (e) {
    throw typeof e === 'string' ? errors.argument(e) : e;
  }
}

/** What a picked file says about itself; a Blob has no name or date. */
const identity = (f) => (f instanceof File
  ? { fileName: f.name, fileSize: f.size, lastModified: f.lastModified, fileType: f.type }
  : { fileName: '', fileSize: f.size, lastModified: 0, fileType: f.type });

/** Those of `names` the caller's query object holds, as query parameters. */
function queryFrom(query, names) {
  const out = [];
  for (const name of names) {
    if (!opt.given(query, name)) continue;
    const v = query[name];
    if (typeof v === 'number') out.push([name, String(Math.trunc(v))]);
    else if (typeof v === 'string') out.push([name, v]);
    else throw errors.argument(`query.${name} must be a string`);
  }
  return out;
}

export default class OSS {
  #o;
  #signer;
  #transport = null;
  /** Aborted by cancel(), then replaced so later uploads start clean. */
  #cancel = new AbortController();
  #saved;
  #ready;

  constructor(options) {
    const o = opt.clientOptions(options);
    this.#o = o;
    this.#signer = new Signer(o.keys, o.refresh, o.refreshIntervalMs);
    if (this.#signer.isLongTerm && !warnedLongTerm) {
      warnedLongTerm = true;
      console.warn('oss-browser-upload: a long-term AccessKey is in this page, where anyone can read it. Give the page short-lived STS tokens from your backend (refreshSTSToken) instead.');
    }
    this.#saved = new SavedUploads(o.savedMaxAgeMs);
    // The endpoint is checked by the core: at once if it is loaded, else as it loads.
    const setUp = () => {
      const region = checked(() => core.v4Region(o.endpoint, o.region, o.secure, o.cname));
      this.#transport = new Transport(o, this.#signer, region);
      return this;
    };
    this.#ready = loaded ? Promise.resolve(setUp()) : loading.then(setUp);
  }

  /** Resolves to this client once the wasm core is loaded and the options checked. */
  get ready() {
    return this.#ready;
  }

  /**
   * What a call runs under, fixed when it is made: aborted by the client's cancel() or the
   * caller's `signal`, bounded by the caller's `timeout` or the client's.
   */
  #control(o) {
    const client = this.#cancel.signal;
    let signal = client;
    if (opt.given(o, 'signal')) {
      if (!(o.signal instanceof AbortSignal)) throw errors.argument('`signal` must be an AbortSignal');
      signal = AbortSignal.any([client, o.signal]);
    }
    return { signal, timeoutMs: opt.count(o, 'timeout', undefined, 1, 2 ** 32 - 1) };
  }

  /** Runs `work(control)` once the core is in; bad arguments reject rather than throw. */
  #call(o, work) {
    try {
      const control = this.#control(o);
      return this.#ready.then(() => work(control));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #send(s, control) {
    return this.#transport.send(s, control);
  }

  /** An upload's job: its source, plan, headers, and what it reports to. */
  #job(name, data, o, control, call) {
    let source;
    let size;
    let ownType = '';
    if (call === 'stream') {
      if (!(data instanceof ReadableStream)) throw errors.argument('putStream() takes a ReadableStream (of bytes)');
      // 0 stands for "unknown": a stream's parts are counted as they come.
      size = opt.byteCount(o, 'contentLength') ?? 0;
      source = { stream: data };
    } else {
      const blob = toBlob(data);
      ({ size, type: ownType } = blob);
      source = { blob };
    }
    const checkpoint = opt.given(o, 'checkpoint') ? checkpointFromJs(o.checkpoint) : null;
    if (checkpoint && call === 'stream') {
      throw errors.argument('putStream() cannot resume from a checkpoint: a stream is read only once');
    }
    if (call === 'put' && size > MAX_PART_SIZE) {
      throw errors.argument('put() sends one request, which OSS limits to 5 GiB: use multipartUpload() for larger files');
    }
    // A checkpoint fixes the part size: its parts must line up with the file's.
    const asked = call === 'put' ? MAX_PART_SIZE : checkpoint ? checkpoint.partSize : opt.number(o, 'partSize');
    const [partSize, count, raisedFrom] = checked(() => core.plan(size, asked));
    if (raisedFrom) {
      console.warn(`oss-browser-upload: partSize ${raisedFrom} would need more than 10000 parts for ${size} bytes; using ${partSize}`);
    }
    return {
      name,
      source,
      file: data,
      plan: { size, partSize, count },
      headers: opt.objectHeaders(o, ownType || core.mimeType(name)),
      parallel: opt.count(o, 'parallel', opt.DEFAULT_PARALLEL, 1, 64),
      progress: typeof o?.progress === 'function' ? o.progress : null,
      control,
      checkpoint,
      callback: callbackHeaders(o),
      crc64: opt.boolean(o, 'crc64') ?? this.#o.crc64,
      saver: null,
      live: null,
    };
  }

  /**
   * Finds the job's saved upload (unless a checkpoint was given) and takes its lock: the
   * saver keeps the upload's record as it goes, and releases the lock when the job ends.
   */
  async #saverFor(job) {
    const file = identity(job.source.blob);
    const { bucket } = this.#o;
    const fp = core.fingerprint(bucket, job.name, file.fileName, file.fileSize, file.lastModified, file.fileType, job.plan.partSize);
    const release = await tryLock(`oss-browser-upload:${fp}`);
    if (!release) throw errors.inProgress();
    const saved = await this.#saved.load(fp);
    job.checkpoint ??= saved && {
      name: saved.name, fileSize: saved.fileSize, partSize: saved.partSize, uploadId: saved.uploadId, done: new Map(saved.done),
    };
    const now = Date.now();
    const template = { fingerprint: fp, bucket, name: job.name, ...file, partSize: job.plan.partSize, createdAt: saved?.createdAt ?? now };
    const store = this.#saved;
    return {
      save: (cp) => store.save({ ...template, uploadId: cp.uploadId, done: new Map(cp.done), updatedAt: Date.now() }),
      forget: () => store.forget(fp),
      release,
    };
  }

  /** put, putStream and multipartUpload: checked, then run by the one engine. */
  #upload(name, data, o, call) {
    return this.#call(o, async (control) => {
      const job = this.#job(opt.checkName(name), data, o, control, call);
      const { bucket } = this.#o;
      const first = call === 'multipart' ? { name: job.name, bucket } : { name: job.name, url: this.#transport.url(job.name) };
      const resume = o?.resume !== false;
      if (call === 'multipart' && resume && (job.plan.size > job.plan.partSize || job.checkpoint)) {
        job.saver = await this.#saverFor(job);
      }
      try {
        return await run(this.#transport, job, first);
      } finally {
        job.saver?.release();
      }
    });
  }

  /** Uploads `data` in one request. */
  put(name, data, options) {
    return this.#upload(name, data, options, 'put');
  }

  /**
   * Uploads what a ReadableStream gives, in one request if it fits in one part, else in parts
   * through the same engine as files, holding at most `parallel` parts at a time.
   */
  putStream(name, stream, options) {
    return this.#upload(name, stream, options, 'stream');
  }

  /**
   * Uploads a File or Blob in parts, in parallel. Resumes from `options.checkpoint`, or else
   * from the upload of the same file saved in IndexedDB (unless `resume: false`).
   */
  multipartUpload(name, file, options) {
    if (!(file instanceof Blob)) return Promise.reject(errors.argument('multipartUpload() takes a File or Blob'));
    return this.#upload(name, file, options, 'multipart');
  }

  initMultipartUpload(name, options) {
    return this.#call(options, async (control) => {
      name = opt.checkName(name);
      const s = spec('POST', name, [['uploads', '']], opt.objectHeaders(options, core.mimeType(name)));
      const reply = await this.#send(s, control);
      const uploadId = await reply.parse(core.parseInitiate);
      return { bucket: this.#o.bucket, name, uploadId, res: reply.res };
    });
  }

  /** Uploads bytes `start..end` of `file` as part `partNo`. */
  uploadPart(name, uploadId, partNo, file, start, end, options) {
    return this.#call(options, async (control) => {
      name = opt.checkName(name);
      if (!Number.isInteger(partNo) || partNo < 1 || partNo > 10000) throw errors.argument('partNo must be from 1 to 10000');
      const s = spec('PUT', name, [['partNumber', String(partNo)], ['uploadId', String(uploadId)]], [], toBlob(file).slice(start, end));
      const reply = await this.#send(s, control);
      return { name, etag: reply.etag(), res: reply.res };
    });
  }

  /** `parts` is `[{number, etag}]`, in any order. */
  completeMultipartUpload(name, uploadId, parts, options) {
    return this.#call(options, async (control) => {
      name = opt.checkName(name);
      if (!Array.isArray(parts)) throw errors.argument('parts must be an array of {number, etag}');
      const list = [];
      for (const p of parts) {
        if (typeof p?.number !== 'number' || typeof p?.etag !== 'string') throw errors.argument('each part must be {number, etag}');
        list.push(String(p.number), p.etag);
      }
      const callback = callbackHeaders(options);
      const s = spec('POST', name, [['uploadId', String(uploadId)]], [['content-type', 'application/xml'], ...callback], core.completeBody(list));
      const reply = await this.#send(s, control);
      const [etag, data] = await readComplete(this.#transport, reply, callback);
      const crc64 = reply.header('x-oss-hash-crc64ecma');
      return { bucket: this.#o.bucket, name, etag, crc64, res: reply.res, data };
    });
  }

  /** Every part the server holds for an upload (all pages). */
  listParts(name, uploadId, options) {
    return this.#call(options, async (control) => {
      const parts = await listAllParts(this.#transport, opt.checkName(name), String(uploadId), control);
      return {
        uploadId,
        parts: parts.map(([PartNumber, ETag, Size, crc]) => ({ PartNumber, ETag, Size, HashCrc64ecma: crc || null })),
      };
    });
  }

  /** Uploads in progress: `query` takes prefix, max-uploads, key-marker, upload-id-marker. */
  listUploads(query, options) {
    return this.#call(options, async (control) => {
      const q = [['uploads', ''], ['encoding-type', 'url'], ...queryFrom(query, ['prefix', 'max-uploads', 'key-marker', 'upload-id-marker'])];
      const reply = await this.#send(spec('GET', '', q), control);
      const [isTruncated, nextKeyMarker, nextUploadIdMarker, uploads] = JSON.parse(await reply.parse(core.parseListUploads));
      return {
        uploads: uploads.map(([name, uploadId, initiated]) => ({ name, uploadId, initiated })),
        bucket: this.#o.bucket,
        nextKeyMarker,
        nextUploadIdMarker,
        isTruncated,
        res: reply.res,
      };
    });
  }

  /**
   * Objects in the bucket (ListObjects): `query` takes prefix, marker, max-keys (default 100,
   * at most 1000).
   */
  list(query, options) {
    return this.#call(options, async (control) => {
      const q = [['encoding-type', 'url'], ...queryFrom(query, ['prefix', 'marker', 'max-keys'])];
      const reply = await this.#send(spec('GET', '', q), control);
      const [isTruncated, nextMarker, objects] = JSON.parse(await reply.parse(core.parseListObjects));
      return {
        objects: objects.map(([name, size, etag, lastModified, type]) => ({ name, size, etag, lastModified, type })),
        nextMarker,
        isTruncated,
        res: reply.res,
      };
    });
  }

  /** Aborts an upload on the server and frees its parts. */
  abortMultipartUpload(name, uploadId, options) {
    return this.#call(options, async (control) => {
      const reply = await this.#send(spec('DELETE', opt.checkName(name), [['uploadId', String(uploadId)]]), control);
      await this.#saved.forgetUpload(uploadId);
      return { res: reply.res };
    });
  }

  /** `{status, meta, res}`: the object's x-oss-meta-* as `meta`. */
  head(name, options) {
    return this.#call(options, async (control) => {
      const reply = await this.#send(spec('HEAD', opt.checkName(name)), control);
      const meta = {};
      for (const [k, v] of reply.response.headers) if (k.startsWith('x-oss-meta-')) meta[k.slice(11)] = v;
      return { status: reply.status, meta, res: reply.res };
    });
  }

  /** `{content: Uint8Array, res}`. */
  get(name, options) {
    return this.#call(options, async (control) => {
      const reply = await this.#send(spec('GET', opt.checkName(name)), control);
      return { content: await reply.bytes(), res: reply.res };
    });
  }

  delete(name, options) {
    return this.#call(options, async (control) => {
      const reply = await this.#send(spec('DELETE', opt.checkName(name)), control);
      return { res: reply.res };
    });
  }

  /**
   * A presigned URL (V1, or V4 with authorizationV4) with the credentials in hand:
   * `{expires: seconds (default 1800), method: 'GET', 'Content-Type', subResource}`.
   * Synchronous, as in ali-oss: needs the core loaded (`await client.ready` once).
   */
  signatureUrl(name, options) {
    if (!this.#transport) {
      throw new Error('signatureUrl() needs the module loaded: `await client.ready` once before calling it');
    }
    name = opt.checkName(name);
    const expires = opt.count(options, 'expires', 1800, 1, 7 * 24 * 3600);
    const method = (opt.string(options, 'method') ?? 'GET').toUpperCase();
    const headers = opt.given(options, 'Content-Type') ? ['content-type', String(options['Content-Type'])] : [];
    const query = Object.entries(options?.subResource ?? {}).flatMap(([k, v]) => [k, String(v ?? '')]);
    const creds = this.#signer.current;
    if (!creds) {
      throw errors.credentials('signatureUrl() needs credentials in hand: await an upload first, or pass accessKeyId/accessKeySecret');
    }
    const t = this.#transport;
    const signed = new core.Request(method, this.#o.bucket, name, query, headers)
      .presign(creds.accessKeyId, creds.accessKeySecret, creds.stsToken ?? undefined, this.#o.v4 ? t.region : undefined, this.#signer.nowSecs(), expires);
    return t.url(name, pairsOf(signed));
  }

  /**
   * The uploads saved for this bucket that resume when their file is picked again, newest
   * first.
   */
  listSavedUploads() {
    return this.#ready.then(async () => (await this.#saved.all()).filter((s) => s.bucket === this.#o.bucket).map(summary));
  }

  /**
   * Forgets a saved upload (its fingerprint, or an entry of listSavedUploads()); with
   * `{abort: true}` also aborts it on the server, freeing its parts.
   */
  forgetSavedUpload(which, options) {
    return this.#call(options, async (control) => {
      const fp = typeof which === 'string' ? which : which?.fingerprint;
      if (typeof fp !== 'string') throw errors.argument('pass a fingerprint or an entry of listSavedUploads()');
      if (options?.abort === true) {
        const s = (await this.#saved.all()).find((x) => x.fingerprint === fp);
        if (s) {
          try {
            await this.#send(spec('DELETE', s.name, [['uploadId', s.uploadId]]), control);
          } catch (e) {
            if (e.code !== 'NoSuchUpload') throw e;
          }
        }
      }
      await this.#saved.forget(fp);
    });
  }

  /**
   * Stops every upload and request of this client at once (ali-oss's cancel()); their
   * promises reject with an error isCancel() recognises, checkpoints intact.
   */
  cancel() {
    const old = this.#cancel;
    this.#cancel = new AbortController();
    old.abort();
  }

  /** Whether `err` is the rejection of a cancelled upload. */
  isCancel(err) {
    return Boolean(err) && err.name === errors.CANCEL;
  }
}

export { OSS };
