// The one upload engine. put, putStream, multipartUpload and resuming all come here: an upload
// that fits in one part is a single PutObject, anything larger is Initiate (or a checkpoint
// checked against ListParts), up to `parallel` UploadParts at a time, then Complete.
//
// A File's parts are `Blob.slice`s handed to the transport as they are: the file's bytes are
// never copied into wasm memory or the JS heap (only hashing reads them). A stream's parts are
// read one at a time as the engine asks for them (`stream.js`). A part that fails for good
// does not stop the parts in flight; the checkpoint holds every part that succeeded and
// travels with the error.
import { completeBody, parseComplete, parseInitiate, parseListParts } from './core.js';
import { callbackOutcome } from './callback.js';
import { bytesDone, checkFits, combinedCrc64, partLength, reconcile, toJs } from './checkpoint.js';
import * as errors from './errors.js';
import { crc64Of, readable } from './hash.js';
import { Live } from './live.js';
import { StreamParts } from './stream.js';
import { spec } from './transport.js';

/** How many times a body whose CRC64 the server disputes is sent before giving up. */
const CRC_TRIES = 3;
let warnedCrcHidden = false;

/** The parts of a File still to send, in order: slices made as they are asked for. */
class FileParts {
  #blob;
  #plan;
  #next = 1;

  constructor(blob, plan) {
    this.#blob = blob;
    this.#plan = plan;
  }

  whole() {
    return this.#plan.size <= this.#plan.partSize ? this.#blob : null;
  }

  next(done) {
    while (done.has(this.#next)) this.#next++;
    if (this.#next > this.#plan.count) return null;
    const n = this.#next++;
    const offset = (n - 1) * this.#plan.partSize;
    return [n, this.#blob.slice(offset, offset + partLength(this.#plan.size, this.#plan.partSize, n))];
  }
}

/**
 * Sends a request whose body is `blob`, hashing the blob meanwhile when CRC64 checks are on,
 * and sends it again when the server's CRC64 of what it received differs from ours. Returns
 * the answer and our CRC64 of the body (null when not checked).
 */
async function sendChecked(t, job, s, blob, what) {
  let last;
  for (let i = 0; i < CRC_TRIES; i++) {
    let reply;
    let ours = null;
    try {
      if (job.crc64) [reply, ours] = await Promise.all([t.send(s, job.control), crc64Of(blob)]);
      else reply = await t.send(s, job.control);
    } catch (e) {
      if (e.name === 'RequestError' && job.source.blob && !(await readable(job.source.blob, job.plan.size))) {
        throw errors.fileUnreadable();
      }
      throw e;
    }
    const theirs = reply.header('x-oss-hash-crc64ecma')?.trim();
    if (ours && theirs && ours !== theirs) {
      last = errors.inconsistent(what, ours, theirs);
      continue;
    }
    if (ours && !theirs && !warnedCrcHidden) {
      warnedCrcHidden = true;
      console.warn("oss-browser-upload: OSS's x-oss-hash-crc64ecma header is not exposed by the bucket's CORS rule, so uploads cannot be checked end to end: add it to ExposeHeaders.");
    }
    return [reply, ours];
  }
  throw last;
}

/**
 * Calls `progress(p, checkpoint, res)`, awaiting it if it returns a promise. `p` reaches 1
 * only once the object exists.
 */
async function report(job, p, cp, res) {
  if (!job.progress) return;
  const checkpoint = cp ? toJs(cp, job.file) : null;
  if (job.live) p = job.live.perPart(p, checkpoint);
  try {
    await job.progress(p, checkpoint, res ?? null);
  } catch (e) {
    throw errors.argument(`the progress callback threw: ${errors.messageOf(e)}`);
  }
}

/** Never 1 before Complete has answered: 100 % means the object exists. */
const fraction = (cp, plan) => (plan.size ? Math.min(bytesDone(plan.size, plan.partSize, cp.done) / plan.size, 0.9999) : 0);

/** What an upload resolves to: `first` (name, url or bucket), then etag, crc64, res, data. */
const result = (first, etag, reply, data) => ({
  ...first,
  etag,
  crc64: reply.header('x-oss-hash-crc64ecma'),
  res: reply.res,
  data,
});

/** The callback server's answer, if the job asked for a callback. */
const calledBack = (t, job, reply) => (job.callback.length ? callbackOutcome(t, reply) : undefined);

/**
 * `[etag, data]` of a CompleteMultipartUpload's answer. With a callback, the body is the
 * callback server's answer (`data`), not Complete's XML, and the ETag is in the header.
 */
export async function readComplete(t, reply, callback) {
  if (!callback.length) return [await reply.parse(parseComplete), undefined];
  const etag = reply.etag();
  return [etag, await callbackOutcome(t, reply)];
}

/** Every part the server holds for an upload, following ListParts' pages. */
export async function listAllParts(t, name, uploadId, control) {
  const parts = [];
  let marker = 0;
  for (;;) {
    const s = spec('GET', name, [['uploadId', uploadId], ['max-parts', '1000'], ['part-number-marker', String(marker)]]);
    const reply = await t.send(s, control);
    const [truncated, next, page] = JSON.parse(await reply.parse(parseListParts));
    parts.push(...page);
    if (!truncated || next <= marker) return parts;
    marker = next;
  }
}

/** Runs `job` to the end: resolves to the upload's result fields after `first`. */
export async function run(t, job, first) {
  const { plan } = job;
  const parts = job.source.blob
    ? new FileParts(job.source.blob, plan)
    : new StreamParts(job.source.stream, plan.partSize, plan.size > 0 ? plan.size : undefined);
  if (t.o.xhr && plan.size > 0 && job.progress) job.live = new Live(job.progress, plan.size);
  try {
    if (!job.checkpoint) {
      const body = await parts.whole(job.control.signal);
      if (body) return await single(t, job, body, first);
    }
    return await multipart(t, job, parts, first);
  } catch (e) {
    if (parts instanceof StreamParts) parts.cancel();
    throw e;
  }
}

async function single(t, job, body, first) {
  const s = spec('PUT', job.name, [], [...job.headers, ...job.callback], body);
  if (job.live) s.onProgress = job.live.hook(1);
  const [reply] = await sendChecked(t, job, s, body, 'the object');
  const etag = reply.etag();
  const data = await calledBack(t, job, reply);
  await report(job, 1, null, reply.res);
  return result(first, etag, reply, data);
}

/**
 * Where a saved or given checkpoint stands on the server: the upload goes on (its done parts
 * the server's), or is gone (null: start afresh), or was completed though whoever completed it
 * (a page reloaded just after Complete) never learnt it: then the result.
 */
async function resume(t, job, cp, first) {
  checkFits(cp, job.name, job.plan.size);
  let listed;
  try {
    listed = await listAllParts(t, job.name, cp.uploadId, job.control);
  } catch (e) {
    if (e.code !== 'NoSuchUpload') throw e;
    return { finished: await finishedAlready(t, job, cp, first) };
  }
  cp.done = reconcile(job.plan.size, job.plan.partSize, listed);
  return { cp };
}

/** The completed object's result, if it is exactly what the checkpoint's parts make up. */
async function finishedAlready(t, job, cp, first) {
  const expected = combinedCrc64(job.plan.size, job.plan.partSize, cp.done);
  if (!expected) return null;
  let reply;
  try {
    reply = await t.send(spec('HEAD', job.name), job.control);
  } catch {
    return null;
  }
  const size = Number(reply.header('content-length'));
  const crc = reply.header('x-oss-hash-crc64ecma')?.trim();
  const etag = reply.header('etag');
  return size === job.plan.size && crc === expected && etag ? result(first, etag, reply) : null;
}

async function initiate(t, job) {
  const reply = await t.send(spec('POST', job.name, [['uploads', '']], job.headers), job.control);
  const uploadId = await reply.parse(parseInitiate);
  return [{ name: job.name, fileSize: job.plan.size, partSize: job.plan.partSize, uploadId, done: new Map() }, reply];
}

async function uploadPart(t, job, uploadId, n, slice) {
  const s = spec('PUT', job.name, [['partNumber', String(n)], ['uploadId', uploadId]], [], slice);
  if (job.live) s.onProgress = job.live.hook(n);
  const [reply, crc64] = await sendChecked(t, job, s, slice, `part ${n}`);
  return [crc64 ? { etag: reply.etag(), crc64 } : { etag: reply.etag() }, reply];
}

async function multipart(t, job, parts, first) {
  const { signal } = job.control;
  let cp;
  let firstReply = null;
  if (job.checkpoint) {
    const resumed = await resume(t, job, job.checkpoint, first);
    if (resumed.finished) {
      await job.saver?.forget();
      await report(job, 1, null, resumed.finished.res);
      return resumed.finished;
    }
    cp = resumed.cp;
  }
  if (!cp) [cp, firstReply] = await initiate(t, job);
  await job.saver?.save(cp);
  await report(job, fraction(cp, job.plan), cp, firstReply?.res);

  // Parts in flight, each a promise of [number, length, outcome, error].
  const running = new Map();
  let failure = null;
  let spent = false;
  // The answer of the part that just finished, reported once the next part is on its way:
  // saving the checkpoint and the progress callback must not hold a slot idle.
  let finished = null;
  const plan = job.plan;
  for (;;) {
    while (!spent && !failure && running.size < job.parallel) {
      let next;
      try {
        next = await parts.next(cp.done, signal);
      } catch (e) {
        failure = e;
        break;
      }
      if (!next) {
        spent = true;
        break;
      }
      const [n, slice] = next;
      running.set(n, uploadPart(t, job, cp.uploadId, n, slice).then(
        (ok) => [n, slice.size, ok, null],
        (e) => [n, slice.size, null, e],
      ));
    }
    if (finished) {
      await job.saver?.save(cp);
      try {
        await report(job, fraction(cp, plan), cp, finished.res);
      } catch (e) {
        failure ??= e;
      }
      finished = null;
    }
    if (!running.size) break;
    const [n, length, ok, e] = await Promise.race(running.values());
    running.delete(n);
    if (ok) {
      cp.done.set(n, ok[0]);
      job.live?.partDone(n, length);
      finished = ok[1];
    } else if (e.name === errors.CANCEL) {
      // A cancel wins, so that isCancel() holds; otherwise the first failure is reported.
      failure = e;
    } else {
      failure ??= e;
    }
  }
  if (failure) throw await failed(t, job, cp, failure);
  // A stream's length is known only at its end.
  const size = parts instanceof StreamParts ? parts.total : plan.size;

  const etags = [];
  for (const [n, { etag }] of cp.done) etags.push(String(n), etag);
  const s = spec('POST', job.name, [['uploadId', cp.uploadId]], [['content-type', 'application/xml'], ...job.callback], completeBody(etags));
  let reply;
  try {
    reply = await t.send(s, job.control);
  } catch (e) {
    throw await failed(t, job, cp, e);
  }
  await job.saver?.forget();
  const ours = job.crc64 ? combinedCrc64(size, plan.partSize, cp.done) : null;
  const theirs = reply.header('x-oss-hash-crc64ecma')?.trim();
  if (ours && theirs && ours !== theirs) throw errors.inconsistent('the completed object', ours, theirs);
  const [etag, data] = await readComplete(t, reply, job.callback);
  await report(job, 1, cp, reply.res);
  return result(first, etag, reply, data);
}

/**
 * What a multipart upload that failed leaves: a File's checkpoint travels with the error to
 * resume from; a stream cannot be read again, so its parts are dropped (best effort: the error
 * that led here is what matters).
 */
async function failed(t, job, cp, e) {
  if (job.source.blob) {
    e.checkpoint = toJs(cp, job.file);
  } else {
    await t.send(spec('DELETE', job.name, [['uploadId', cp.uploadId]]), { signal: new AbortController().signal }).catch(() => {});
  }
  return e;
}

