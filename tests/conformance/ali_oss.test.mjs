// ali-oss (the official JS SDK, in Node) judges the emulator, signing V1 and V4.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OSS from 'ali-oss';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY_ID = 'LTAI5tConformanceKey';
const SECRET = 'ConformanceSecret0123456789xyz';
const BUCKET = 'demo-bucket';
const PART = 100 * 1024;
let server;
let port;

before(async () => {
  const bin = process.env.OSS_EMULATOR_BIN || path.join(root, 'target/debug/oss-emulator');
  server = spawn(bin, ['--listen', '127.0.0.1:0', '--bucket', BUCKET,
    '--access-key-id', KEY_ID, '--access-key-secret', SECRET], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve) => createInterface({ input: server.stdout }).once('line', resolve));
  assert.match(line, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
  port = line.split(':').pop();
});

after(() => server.kill());

// ali-oss forces a Host header for IP endpoints; `localhost` with sldEnable gives path-style.
function client(opts = {}) {
  return new OSS({
    endpoint: `http://localhost:${port}`, sldEnable: true, bucket: BUCKET,
    accessKeyId: KEY_ID, accessKeySecret: SECRET, region: 'oss-cn-hangzhou', retryMax: 0, ...opts,
  });
}

async function sts(durationSeconds = 3600) {
  const r = await fetch(`http://127.0.0.1:${port}/_emulator/sts`, { method: 'POST', body: JSON.stringify({ durationSeconds }) });
  return r.json();
}

function bytes(n, seed = 0) {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + seed) % 256));
}

const md5 = (b) => createHash('md5').update(b).digest('hex').toUpperCase();

const kinds = {
  v1: () => client(),
  v4: () => client({ authorizationV4: true }),
  'sts-v1': async () => { const c = await sts(); return client({ accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken }); },
  'sts-v4': async () => { const c = await sts(); return client({ accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken, authorizationV4: true }); },
};

for (const [kind, make] of Object.entries(kinds)) {
  test(`${kind}: put, get, head, delete`, async () => {
    const c = await make();
    const name = `ali/${kind}/中文 +%#?.txt`;
    const body = bytes(2048, 3);
    const put = await c.put(name, body, { mime: 'text/x-ali', meta: { author: 'carol' }, headers: { 'Cache-Control': 'no-store' } });
    assert.equal(put.res.status, 200);
    assert.equal(put.res.headers.etag, `"${md5(body)}"`);
    const got = await c.get(name);
    assert.deepEqual(got.content, body);
    const head = await c.head(name);
    assert.equal(head.status, 200);
    assert.equal(head.meta.author, 'carol');
    assert.equal(head.res.headers['content-type'], 'text/x-ali');
    assert.equal(head.res.headers['cache-control'], 'no-store');
    const ranged = await c.get(name, { headers: { Range: 'bytes=0-9' } });
    assert.deepEqual(ranged.content, body.subarray(0, 10));
    await c.delete(name);
    await assert.rejects(c.head(name), (e) => e.status === 404 && e.code === 'NoSuchKey');
  });

  test(`${kind}: multipartUpload, listParts, listUploads, abort`, async () => {
    const c = await make();
    const name = `ali/${kind}/multi.bin`;
    const whole = bytes(3 * PART + 17, 5);
    let progressCalls = 0;
    const r = await c.multipartUpload(name, whole, { partSize: PART, parallel: 2, progress: () => { progressCalls += 1; } });
    assert.equal(r.res.status, 200);
    assert.ok(progressCalls >= 4);
    const got = await c.get(name);
    assert.equal(md5(got.content), md5(whole));
    assert.equal(got.res.headers['x-oss-object-type'], 'Multipart');

    const init = await c.initMultipartUpload(`ali/${kind}/aborted.bin`);
    await c.uploadPart(`ali/${kind}/aborted.bin`, init.uploadId, 1, bytes(10), 0, 10);
    const parts = await c.listParts(`ali/${kind}/aborted.bin`, init.uploadId);
    // ali-oss returns a lone <Part> as an object, several as an array.
    const listed = [].concat(parts.parts);
    assert.equal(listed.length, 1);
    assert.equal(Number(listed[0].Size), 10);
    const uploads = await c.listUploads({ prefix: `ali/${kind}/`, 'max-uploads': 10 });
    assert.ok(uploads.uploads.some((u) => u.uploadId === init.uploadId));
    await c.abortMultipartUpload(`ali/${kind}/aborted.bin`, init.uploadId);
    await assert.rejects(c.listParts(`ali/${kind}/aborted.bin`, init.uploadId), (e) => e.status === 404 && e.code === 'NoSuchUpload');
  });
  test(`${kind}: list and listV2 with owner, delimiter, pages and encoding-type=url`, async () => {
    const c = await make();
    const p = `lst/${kind}/`;
    const keys = ['a/1.txt', 'a/2.txt', 'b/x y.txt', 'c.txt', '中.txt'].map((k) => p + k);
    for (const k of keys) await c.put(k, Buffer.from(k));
    const all = await c.list({ prefix: p, 'max-keys': 100 });
    assert.deepEqual(all.objects.map((o) => o.name), keys);
    assert.ok(all.objects.every((o) => /^\d+$/.test(o.owner.id) && o.owner.displayName));
    assert.equal(all.objects[0].storageClass, 'Standard');
    assert.equal(all.prefixes, null);

    const folders = await c.list({ prefix: p, delimiter: '/' });
    assert.deepEqual(folders.prefixes, [`${p}a/`, `${p}b/`]);
    assert.deepEqual(folders.objects.map((o) => o.name), [`${p}c.txt`, `${p}中.txt`]);
    // A page holds max-keys entries, a common prefix counting once; the next starts after it.
    const first = await c.list({ prefix: p, delimiter: '/', 'max-keys': 1 });
    assert.deepEqual([first.prefixes, first.objects, first.isTruncated, first.nextMarker],
      [[`${p}a/`], [], true, `${p}a/`]);
    const second = await c.list({ prefix: p, delimiter: '/', 'max-keys': 2, marker: first.nextMarker });
    assert.deepEqual([second.prefixes, second.objects.map((o) => o.name), second.isTruncated],
      [[`${p}b/`], [`${p}c.txt`], true]);

    const v2 = await c.listV2({ prefix: p, delimiter: '/', 'max-keys': 2 });
    assert.deepEqual([v2.prefixes, v2.objects, v2.keyCount, v2.isTruncated], [[`${p}a/`, `${p}b/`], [], 2, true]);
    const rest = await c.listV2({ prefix: p, delimiter: '/', 'max-keys': 2, 'continuation-token': v2.nextContinuationToken });
    assert.deepEqual([rest.objects.map((o) => o.name), rest.isTruncated, rest.continuationToken],
      [[`${p}c.txt`, `${p}中.txt`], false, v2.nextContinuationToken]);
    // ListObjectsV2 names owners only when asked to.
    assert.equal(rest.objects[0].owner, null);
    const owned = await c.listV2({ prefix: p, 'fetch-owner': true, 'start-after': `${p}b/x y.txt` });
    assert.deepEqual(owned.objects.map((o) => o.name), [`${p}c.txt`, `${p}中.txt`]);
    assert.match(owned.objects[0].owner.id, /^\d+$/);

    // ali-oss hands encoded names back as they came.
    const enc = await c.list({ prefix: `${p}b/`, delimiter: '/', 'encoding-type': 'url' });
    assert.equal(enc.objects.length, 1);
    assert.ok(!enc.objects[0].name.includes(' '), enc.objects[0].name);
    assert.equal(decodeURIComponent(enc.objects[0].name), `${p}b/x y.txt`);
    const encPrefixes = await c.listV2({ prefix: p, delimiter: '/', 'encoding-type': 'url' });
    assert.deepEqual(encPrefixes.prefixes.map(decodeURIComponent), [`${p}a/`, `${p}b/`]);
    assert.deepEqual(encPrefixes.objects.map((o) => decodeURIComponent(o.name)), [`${p}c.txt`, `${p}中.txt`]);
    for (const k of keys) await c.delete(k);
  });
}

test('storage class and server-side encryption are kept and echoed on put, multipart, head, get and list', async () => {
  const c = client();
  const sse = { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-encryption-key-id': 'key-1234' };
  const put = await c.put('ali/sse.txt', Buffer.from('secret'), { headers: { ...sse, 'x-oss-storage-class': 'IA' } });
  assert.equal(put.res.headers['x-oss-server-side-encryption'], 'KMS');
  assert.equal(put.res.headers['x-oss-server-side-encryption-key-id'], 'key-1234');
  for (const res of [(await c.head('ali/sse.txt')).res, (await c.get('ali/sse.txt')).res]) {
    assert.equal(res.headers['x-oss-storage-class'], 'IA');
    assert.equal(res.headers['x-oss-server-side-encryption'], 'KMS');
    assert.equal(res.headers['x-oss-server-side-encryption-key-id'], 'key-1234');
  }
  const listed = await c.list({ prefix: 'ali/sse.txt' });
  assert.equal(listed.objects[0].storageClass, 'IA');

  const init = await c.initMultipartUpload('ali/sse-multi.bin', { headers: { 'x-oss-server-side-encryption': 'AES256', 'x-oss-storage-class': 'Archive' } });
  assert.equal(init.res.headers['x-oss-server-side-encryption'], 'AES256');
  const part = await c.uploadPart('ali/sse-multi.bin', init.uploadId, 1, bytes(10), 0, 10);
  assert.equal(part.res.headers['x-oss-server-side-encryption'], 'AES256');
  const done = await c.completeMultipartUpload('ali/sse-multi.bin', init.uploadId, [{ number: 1, etag: part.etag }]);
  assert.equal(done.res.headers['x-oss-server-side-encryption'], 'AES256');
  const head = await c.head('ali/sse-multi.bin');
  assert.equal(head.res.headers['x-oss-storage-class'], 'Archive');
  assert.equal((await c.head('ali/sse-multi.bin')).res.headers['x-oss-server-side-encryption'], 'AES256');
  // A plain object is Standard and names no encryption.
  await c.put('ali/plain.txt', Buffer.from('p'));
  const plain = await c.head('ali/plain.txt');
  assert.equal(plain.res.headers['x-oss-storage-class'], 'Standard');
  assert.equal(plain.res.headers['x-oss-server-side-encryption'], undefined);

  await assert.rejects(c.put('ali/bad-class.txt', Buffer.from('x'), { headers: { 'x-oss-storage-class': 'Frozen' } }),
    (e) => e.status === 400 && e.code === 'InvalidArgument');
  await assert.rejects(c.put('ali/bad-sse.txt', Buffer.from('x'), { headers: { 'x-oss-server-side-encryption': 'ROT13' } }),
    (e) => e.status === 400 && e.code === 'InvalidEncryptionAlgorithmError');
  await assert.rejects(c.head('ali/bad-class.txt'), (e) => e.status === 404);
});

test('errors: wrong secret, expired STS token, EntityTooSmall, InvalidPart, NoSuchUpload', async () => {
  for (const v4 of [false, true]) {
    const bad = client({ accessKeySecret: 'wrong', authorizationV4: v4 });
    await assert.rejects(bad.put('x', Buffer.from('y')), (e) => e.status === 403 && e.code === 'SignatureDoesNotMatch');
  }
  const c = await sts(1);
  await new Promise((r) => setTimeout(r, 2100));
  const expired = client({ accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, stsToken: c.SecurityToken });
  await assert.rejects(expired.put('x', Buffer.from('y')), (e) => e.code === 'SecurityTokenExpired');

  const good = client();
  const name = 'ali/small.bin';
  const { uploadId } = await good.initMultipartUpload(name);
  const p1 = await good.uploadPart(name, uploadId, 1, bytes(100), 0, 100);
  const p2 = await good.uploadPart(name, uploadId, 2, bytes(100), 0, 100);
  await assert.rejects(good.completeMultipartUpload(name, uploadId, [{ number: 1, etag: p1.etag }, { number: 2, etag: p2.etag }]),
    (e) => e.status === 400 && e.code === 'EntityTooSmall');
  // ali-oss sorts and de-duplicates the list itself, so InvalidPartOrder cannot be sent from
  // it (alibabacloud-oss-v2 covers that); an ETag that does not match can.
  await assert.rejects(good.completeMultipartUpload(name, uploadId, [{ number: 1, etag: '"0123456789ABCDEF0123456789ABCDEF"' }]),
    (e) => e.status === 400 && e.code === 'InvalidPart');
  await assert.rejects(good.completeMultipartUpload(name, 'F'.repeat(32), [{ number: 1, etag: p1.etag }]),
    (e) => e.status === 404 && e.code === 'NoSuchUpload');
});

test('signatureUrl (V1) and signatureUrlV4 fetch the object', async () => {
  const c = client();
  await c.put('ali/signed.txt', Buffer.from('signed'));
  const url = c.signatureUrl('ali/signed.txt', { expires: 60 });
  assert.equal(await (await fetch(url)).text(), 'signed');
  const url4 = await client({ authorizationV4: true }).signatureUrlV4('GET', 60, undefined, 'ali/signed.txt');
  assert.equal(await (await fetch(url4)).text(), 'signed');
});

test('signatureUrlV4 with additional headers, response overrides, PUT with headers, STS', async () => {
  const c = client({ authorizationV4: true });
  await c.put('ali/v4 signed+1.txt', Buffer.from('0123456789'));
  // ali-oss names the headers it signed besides the default ones in x-oss-additional-headers.
  const host = `localhost:${port}`;
  const withHost = await c.signatureUrlV4('GET', 60, { headers: { host } }, 'ali/v4 signed+1.txt', ['host']);
  assert.match(withHost, /x-oss-additional-headers=host/);
  const r = await fetch(withHost);
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal(await r.text(), '0123456789');
  const overrides = { 'response-content-type': 'text/csv', 'response-content-disposition': 'attachment; filename="a b.csv"' };
  const got = await fetch(await c.signatureUrlV4('GET', 60, { queries: overrides }, 'ali/v4 signed+1.txt'));
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'text/csv');
  assert.equal(got.headers.get('content-disposition'), 'attachment; filename="a b.csv"');
  const put = await c.signatureUrlV4('PUT', 60, { headers: { 'Content-Type': 'text/plain', 'x-oss-meta-by': 'url' } }, 'ali/v4-put.txt');
  const sent = await fetch(put, { method: 'PUT', headers: { 'Content-Type': 'text/plain', 'x-oss-meta-by': 'url' }, body: Buffer.from('via v4 url') });
  assert.equal(sent.status, 200, await sent.clone().text());
  assert.equal((await c.head('ali/v4-put.txt')).meta.by, 'url');
  const creds = await sts();
  const viaSts = client({ authorizationV4: true, accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret, stsToken: creds.SecurityToken });
  assert.equal(await (await fetch(await viaSts.signatureUrlV4('GET', 60, undefined, 'ali/v4-put.txt'))).text(), 'via v4 url');
  // A signed header that differs is refused.
  const bad = await fetch(put, { method: 'PUT', headers: { 'Content-Type': 'text/plain', 'x-oss-meta-by': 'someone else' }, body: Buffer.from('x') });
  assert.equal(bad.status, 403);
});

test('signatureUrl (V1) with response overrides; Latin-1 meta round-trips', async () => {
  const c = client();
  await c.put('ali/override.txt', Buffer.from('a,b'), { mime: 'text/plain', meta: { city: 'Zürich café' } });
  const url = c.signatureUrl('ali/override.txt', { expires: 60, response: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="r.csv"', 'cache-control': 'no-cache' } });
  const r = await fetch(url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/csv');
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="r.csv"');
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.equal((await fetch(url.replace('text%2Fcsv', 'text%2Fhtml'))).status, 403);
  // Node sends 'é' as the byte E9, as browsers do; it comes back as that byte.
  const head = await c.head('ali/override.txt');
  assert.equal(head.meta.city, 'Zürich café');
});

/** Posts a PostObject form of `fields` and `file` to the bucket, as a page's form would. */
async function postForm(fields, file) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file]), 'upload.bin');
  return fetch(`http://127.0.0.1:${port}/${BUCKET}/`, { method: 'POST', body: form });
}

test('PostObject: forms signed by ali-oss helpers (V1, V4 with STS) store their file; a broken policy stores nothing', async () => {
  const expiration = new Date(Date.now() + 600_000).toISOString();
  const conditions = [['starts-with', '$key', 'ali/post/'], ['content-length-range', 1, 4096]];
  const c = client();
  const v1 = c.calculatePostSignature({ expiration, conditions });
  const body = bytes(3000, 7);
  let r = await postForm({ key: 'ali/post/v1.bin', OSSAccessKeyId: v1.OSSAccessKeyId, policy: v1.policy, Signature: v1.Signature, success_action_status: '200' }, body);
  assert.equal(r.status, 200, await r.text());
  assert.equal(md5((await c.get('ali/post/v1.bin')).content), md5(body));

  const creds = await sts();
  const viaSts = client({ accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret, stsToken: creds.SecurityToken });
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  // As OSS's V4 guide has it: the policy names the form's signing fields too.
  const signing = {
    'x-oss-signature-version': 'OSS4-HMAC-SHA256',
    'x-oss-credential': `${creds.AccessKeyId}/${stamp.slice(0, 8)}/cn-hangzhou/oss/aliyun_v4_request`,
    'x-oss-date': stamp,
    'x-oss-security-token': creds.SecurityToken,
  };
  const policyV4 = { expiration, conditions: [...conditions, ...Object.entries(signing).map(([k, v]) => ({ [k]: v }))] };
  const fieldsV4 = {
    key: 'ali/post/v4.bin',
    policy: Buffer.from(JSON.stringify(policyV4)).toString('base64'),
    ...signing,
    'x-oss-signature': viaSts.signPostObjectPolicyV4(policyV4, now),
  };
  r = await postForm(fieldsV4, body);
  assert.equal(r.status, 204, await r.text());
  assert.equal(md5((await c.get('ali/post/v4.bin')).content), md5(body));

  // Outside the prefix, and over the size: OSS's codes, nothing stored.
  r = await postForm({ key: 'ali/elsewhere.bin', OSSAccessKeyId: v1.OSSAccessKeyId, policy: v1.policy, Signature: v1.Signature }, body);
  assert.equal(r.status, 403);
  assert.match(await r.text(), /<Code>AccessDenied<\/Code>.*Policy Condition failed/s);
  r = await postForm({ key: 'ali/post/big.bin', OSSAccessKeyId: v1.OSSAccessKeyId, policy: v1.policy, Signature: v1.Signature }, bytes(5000));
  assert.equal(r.status, 400);
  assert.match(await r.text(), /<Code>EntityTooLarge<\/Code>/);
  await assert.rejects(c.head('ali/elsewhere.bin'), { status: 404 });
  await assert.rejects(c.head('ali/post/big.bin'), { status: 404 });
});
