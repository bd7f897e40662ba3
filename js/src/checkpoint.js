// A checkpoint says which parts of an upload are done, in ali-oss's shape. It is advice, not
// truth: before resuming, the parts the server lists decide what is kept (`reconcile`).
// Inside, done parts are a Map from part number to `{etag, crc64}` (crc64 a decimal string
// when known: from our own hashing checked against OSS's, or from the server's part list).
import { crc64Combine } from './core.js';
import { argument } from './errors.js';

/** Bytes in part `n` (1-based) of a file of `size` bytes cut in `partSize` parts. */
export const partLength = (size, partSize, n) => Math.max(0, Math.min(partSize, size - (n - 1) * partSize));

export const partCount = (size, partSize) => Math.max(1, Math.ceil(size / partSize));

export const bytesDone = (size, partSize, done) => {
  let sum = 0;
  for (const n of done.keys()) sum += partLength(size, partSize, n);
  return sum;
};

const sorted = (done) => [...done].sort((a, b) => a[0] - b[0]);

export const doneToJs = (done) => sorted(done).map(([number, { etag, crc64 }]) => (crc64 ? { number, etag, crc64 } : { number, etag }));

/** `[{number, etag, crc64?}]` read back, or null if it is not that. */
export function doneFromJs(v) {
  if (!Array.isArray(v)) return null;
  const done = new Map();
  for (const p of v) {
    const { number, etag, crc64 } = p ?? {};
    if (!Number.isInteger(number) || number < 1 || number > 10000 || typeof etag !== 'string') return null;
    if (crc64 != null && !(typeof crc64 === 'string' && /^\d{1,20}$/.test(crc64))) return null;
    done.set(number, crc64 != null ? { etag, crc64 } : { etag });
  }
  return done;
}

export const toJs = (cp, file) => ({
  file,
  name: cp.name,
  fileSize: cp.fileSize,
  partSize: cp.partSize,
  uploadId: cp.uploadId,
  doneParts: doneToJs(cp.done),
});

/** A checkpoint the caller passed, checked. */
export function fromJs(v) {
  const bad = (what) => argument(`checkpoint.${what} is missing or not valid`);
  const whole = (k) => {
    if (!(Number.isSafeInteger(v?.[k]) && v[k] >= 0)) throw bad(k);
    return v[k];
  };
  const text = (k) => {
    if (typeof v?.[k] !== 'string') throw bad(k);
    return v[k];
  };
  const done = v?.doneParts == null ? new Map() : doneFromJs(v.doneParts);
  if (!done) throw bad('doneParts');
  return { name: text('name'), fileSize: whole('fileSize'), partSize: whole('partSize'), uploadId: text('uploadId'), done };
}

/** Whether checkpoint `cp` can continue uploading `name` of `size` bytes. */
export function checkFits(cp, name, size) {
  if (cp.name !== name) throw argument(`the checkpoint is for object ${JSON.stringify(cp.name)}, not ${JSON.stringify(name)}`);
  if (cp.fileSize !== size) {
    throw argument(`the checkpoint is for a file of ${cp.fileSize} bytes, this one has ${size}: pick the same file again`);
  }
  if (!cp.uploadId) throw argument('the checkpoint has no uploadId');
}

/**
 * The parts of the plan that the server holds at the right size: those are done, whatever a
 * checkpoint claimed. `listed` is ListParts' `[number, etag, size, crc64 or '']`.
 */
export function reconcile(size, partSize, listed) {
  const done = new Map();
  const count = partCount(size, partSize);
  for (const [n, etag, bytes, crc64] of listed) {
    if (n >= 1 && n <= count && bytes === partLength(size, partSize, n)) done.set(n, crc64 ? { etag, crc64 } : { etag });
  }
  return done;
}

/** The whole object's CRC64 from its parts', if every part's is known; else null. */
export function combinedCrc64(size, partSize, done) {
  let acc = '0';
  for (let n = 1; n <= partCount(size, partSize); n++) {
    const crc = done.get(n)?.crc64;
    if (!crc) return null;
    acc = crc64Combine(acc, crc, partLength(size, partSize, n));
  }
  return acc;
}
