// Unit tests of the JavaScript shell's pure parts (js/src/), in Node with the real wasm core
// from pkg/ (make pkg): checkpoints, option checks, error shapes and the core's exports.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as core from '../../js/src/core.js';
import * as cp from '../../js/src/checkpoint.js';
import * as opt from '../../js/src/options.js';
import * as errors from '../../js/src/errors.js';

before(async () => {
  await core.load({ module_or_path: await readFile(new URL('../../pkg/oss_browser_upload_bg.wasm', import.meta.url)) });
});

const crcOf = (bytes) => {
  const c = new core.Crc64();
  c.update(bytes);
  return c.value();
};

test('part CRCs combine into the object CRC', () => {
  const data = Uint8Array.from({ length: 250 * 1024 }, (_, i) => i % 251);
  const partSize = 100 * 1024;
  const done = new Map();
  for (let n = 1; n <= cp.partCount(data.length, partSize); n++) {
    const part = data.subarray((n - 1) * partSize, (n - 1) * partSize + cp.partLength(data.length, partSize, n));
    done.set(n, { etag: `"${n}"`, crc64: crcOf(part) });
  }
  assert.equal(cp.combinedCrc64(data.length, partSize, done), crcOf(data));
  done.delete(2);
  assert.equal(cp.combinedCrc64(data.length, partSize, done), null, 'a part missing: not known yet');
});

test('the server decides which parts are done', () => {
  const [size, partSize] = [250 * 1024, 100 * 1024];
  const listed = [
    [1, '"E1"', 100 * 1024, '1'],
    [2, '"E2"', 99 * 1024, '2'], // a short write: not done
    [3, '"E3"', 50 * 1024, ''],
    [4, '"E4"', 1, '4'], // beyond the plan
  ];
  const done = cp.reconcile(size, partSize, listed);
  assert.deepEqual([...done.keys()], [1, 3]);
  assert.deepEqual(done.get(1), { etag: '"E1"', crc64: '1' });
  assert.deepEqual(done.get(3), { etag: '"E3"' });
  assert.equal(cp.bytesDone(size, partSize, done), 150 * 1024);
  const c = { name: 'k', fileSize: size, partSize, uploadId: 'U', done };
  assert.doesNotThrow(() => cp.checkFits(c, 'k', size));
  assert.throws(() => cp.checkFits(c, 'other', size), /for object "k", not "other"/);
  assert.throws(() => cp.checkFits(c, 'k', 1), /pick the same file again/);
});

test('checkpoints round-trip in ali-oss shape and bad ones are refused by field', () => {
  const done = new Map([[3, { etag: '"C"' }], [1, { etag: '"A"', crc64: '18446744073709551614' }]]);
  const file = { name: 'f' };
  const shown = cp.toJs({ name: 'k', fileSize: 5, partSize: 102400, uploadId: 'U', done }, file);
  assert.equal(shown.file, file);
  assert.deepEqual(shown.doneParts, [{ number: 1, etag: '"A"', crc64: '18446744073709551614' }, { number: 3, etag: '"C"' }]);
  assert.deepEqual(cp.fromJs(shown).done, done);
  for (const [field, value] of [['fileSize', -1], ['partSize', 1.5], ['uploadId', 7], ['name', null],
    ['doneParts', [{ number: 0, etag: 'x' }]], ['doneParts', [{ number: 1, etag: 'x', crc64: 'abc' }]]]) {
    assert.throws(() => cp.fromJs({ ...shown, [field]: value }), new RegExp(`checkpoint\\.${field} is missing or not valid`));
  }
});

test('object names, headers and counts are checked with errors that name them', () => {
  assert.equal(opt.checkName('a/b c.txt'), 'a/b c.txt');
  for (const bad of ['', '/lead', '\\lead', 'a\nb', 'a\u0085b', 'lone\ud800', 'x'.repeat(1024), 7]) {
    assert.throws(() => opt.checkName(bad), (e) => e.name === 'ArgumentError' && e.code === 'InvalidArgument');
  }
  assert.equal(opt.checkName('emoji 😀'), 'emoji 😀');
  assert.deepEqual(opt.objectHeaders({ meta: { Who: 'me', n: 3 }, headers: { 'Cache-Control': 'no-cache' } }, 'text/plain'),
    [['Cache-Control', 'no-cache'], ['x-oss-meta-who', 'me'], ['x-oss-meta-n', '3'], ['content-type', 'text/plain']]);
  assert.deepEqual(opt.objectHeaders({ mime: 'image/png', headers: { 'Content-Type': 'x/y' } }, 'a/b'), [['content-type', 'image/png']]);
  assert.throws(() => opt.objectHeaders({ headers: { 'bad name': 'v' } }, 'a/b'), /not a valid HTTP header name/);
  assert.throws(() => opt.objectHeaders({ meta: { 'a b': 'v' } }, 'a/b'), /meta key "a b"/);
  assert.throws(() => opt.count({ parallel: 0 }, 'parallel', 5, 1, 64), /`parallel` must be a whole number from 1 to 64, got 0/);
  assert.equal(opt.count({}, 'parallel', 5, 1, 64), 5);
});

test('error answers become errors of ali-oss shape', () => {
  const parsed = JSON.parse(core.parseError('<?xml version="1.0"?><Error><Code>NoSuchUpload</Code><Message>gone</Message><RequestId>R1</RequestId><HostId>H</HostId><ServerTime>2026-11-25T00:00:00.000Z</ServerTime></Error>'));
  const e = errors.fromAnswer(404, parsed, 'ignored');
  assert.equal(e instanceof Error, true);
  assert.deepEqual([e.name, e.code, e.status, e.requestId, e.hostId, e.message, e.ServerTime],
    ['NoSuchUploadError', 'NoSuchUpload', 404, 'R1', 'H', 'gone', '2026-11-25T00:00:00.000Z']);
  assert.equal(core.parseError('not xml'), '');
  const awkward = JSON.parse(core.parseError('<Error><Code>X</Code><Message>a "quoted" \\ path&#9;tab&#10;line</Message></Error>'));
  assert.equal(awkward[1], 'a "quoted" \\ path\ttab\nline', 'quotes, backslashes and control characters survive the JSON');
  const bare = errors.fromAnswer(503, null, 'R2');
  assert.deepEqual([bare.name, bare.code, bare.status, bare.requestId], ['ServerErrorError', 'ServerError', 503, 'R2']);
});

test('the core plans parts, decides retries and reads OSS time', () => {
  assert.deepEqual([...core.plan(0, undefined)], [1048576, 1, 0]);
  assert.deepEqual([...core.plan(20000 * 1048576, 1048576)], [2097152, 10000, 1048576], 'raised to stay within 10 000 parts');
  assert.throws(() => core.plan(10, 1000), /at least 100 KiB/);
  assert.equal(core.retryDecision(403, 'AccessDenied', 0, 0.5, false, 3), -1);
  assert.equal(core.retryDecision(403, 'RequestTimeTooSkewed', 0, 0.5, false, 3), -3);
  assert.equal(core.retryDecision(400, 'SecurityTokenExpired', 0, 0.5, true, 3), -2);
  assert.equal(core.retryDecision(0, 'Network', 0, 0.5, false, 3), 150);
  assert.equal(core.retryDecision(503, 'ServerError', 3, 0.5, false, 3), -1, 'out of retries');
  assert.equal(core.parseTime('2026-11-25T00:00:01.000Z'), Date.UTC(2026, 10, 25, 0, 0, 1));
  assert.ok(Number.isNaN(core.parseTime('yesterday')));
});
