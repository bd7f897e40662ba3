// ali-oss is the judge of this package's API (#19): each test runs the same snippet with
// ali-oss 6.23.0's own browser build and with this package, in one page, against the local
// server, and asserts that the two agree (and what they agree on). Keys are prefixed per
// library so the two runs never see each other's objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { KEY_ID, SECRET, environment } from './harness.mjs';

const env = environment();
let page;

/** The page with both libraries, opened once the environment is up. */
async function opened() {
  if (!page) {
    page = await env.browser.newPage();
    await page.goto(`${env.web.url}/tests/e2e/alioss.html`);
    await page.waitForFunction(() => window.AliOSS && window.Ours);
  }
  return page;
}

/**
 * Runs `snippet(OSS, options, prefix, emulator)` with each library and returns both results.
 * A snippet that throws returns the error's fields instead.
 */
async function both(snippet) {
  await opened();
  const run = (which) => page.evaluate(async ({ src, which, endpoint, id, secret }) => {
    const OSS = which === 'ali' ? window.AliOSS : window.Ours;
    // ali-oss addresses an IP endpoint without the bucket: `localhost` gives it
    // `demo-bucket.localhost`, which browsers resolve to loopback.
    const options = { endpoint: endpoint.replace('127.0.0.1', 'localhost'), bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret };
    const emulator = (method, path, body) => fetch(`${endpoint}/_emulator/${path}`, { method, body: body && JSON.stringify(body) });
    // eslint-disable-next-line no-new-func
    const fn = new Function(`return (${src})`)();
    try {
      return await fn(OSS, options, `${which}/`, emulator);
    } catch (e) {
      return { threw: { name: e.name, code: e.code, status: e.status, partNum: e.partNum, message: String(e.message).slice(0, 300), sts: e.StringToSign || e.stringToSign } };
    } finally {
      await emulator('DELETE', 'faults');
    }
  }, { src: snippet.toString(), which, endpoint: env.emulator.url, id: KEY_ID, secret: SECRET });
  return { ali: await run('ali'), ours: await run('ours') };
}

/** Both libraries give `expected`. */
async function agree(snippet, expected) {
  const { ali, ours } = await both(snippet);
  assert.deepEqual(ali, expected, 'ali-oss itself');
  assert.deepEqual(ours, expected, 'this package, as ali-oss');
}

test('get(): content.toString() is the text, and a Range header is honoured', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  await c.put(`${p}body.txt`, new Blob(['body and more']));
  const whole = await c.get(`${p}body.txt`);
  const range = await c.get(`${p}body.txt`, { headers: { Range: 'bytes=0-3' } });
  return [whole.content.toString(), JSON.stringify(String(range.content)), range.res.status, whole.content.length];
}, ['body and more', '"body"', 206, 13]));

test('cancel(): isCancel() with no argument, resetCancelFlag()', () => agree(async (OSS, o) => {
  const c = new OSS(o);
  const before = c.isCancel();
  c.cancel();
  const after = c.isCancel();
  c.resetCancelFlag();
  return [before, after, c.isCancel()];
}, [false, true, false]));

test('construction: without new, without a bucket (useBucket/getBucket), timeout as a string', () => agree(async (OSS, o, p) => {
  const { bucket, ...rest } = o;
  const c = OSS({ ...rest, timeout: '60s' });
  const none = c.getBucket() ?? null;
  let refused = null;
  try {
    await c.put(`${p}nobucket.txt`, new Blob(['x']));
  } catch (e) {
    refused = e instanceof Error;
  }
  c.useBucket(bucket);
  const put = await c.put(`${p}bucket.txt`, new Blob(['x']));
  return [none, refused, c.getBucket(), put.res.status];
}, [null, true, 'demo-bucket', 200]));

test('names: a leading slash is dropped', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const put = await c.put(`/${p}lead.txt`, new Blob(['x']));
  const head = await c.head(`${p}lead.txt`);
  return [put.name.slice(p.length), head.status];
}, ['lead.txt', 200]));

test('Content-Type: a File is typed by its own name before the object name', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  await c.put(`${p}typed.png`, new File(['x'], 'photo.jpg'));
  await c.put(`${p}blob.png`, new Blob(['x']));
  const a = await c.head(`${p}typed.png`);
  const b = await c.head(`${p}blob.png`);
  return [a.res.headers['content-type'], b.res.headers['content-type']];
}, ['image/jpeg', 'image/png']));

test('errors: a missing object, a network failure, a timeout', () => agree(async (OSS, o, p, emulator) => {
  const c = new OSS(o);
  const fields = (e) => [e.name, e.code, e.status];
  const missing = await c.head(`${p}missing.txt`).catch(fields);
  const gone = await c.get(`${p}missing.txt`).catch(fields);
  const closed = new OSS({ ...o, endpoint: 'http://localhost:9', retryMax: 0 });
  const network = await closed.get(`${p}x.txt`).catch((e) => [e.name, e.code, e.status]);
  await emulator('POST', 'faults', { op: 'GetObject', delayMs: 3000 });
  const slow = new OSS({ ...o, timeout: 300, retryMax: 0 });
  const timeout = await slow.get(`${p}missing.txt`).catch(fields);
  return { missing, gone, network, timeout };
}, {
  missing: ['NoSuchKeyError', 'NoSuchKey', 404],
  gone: ['NoSuchKeyError', 'NoSuchKey', 404],
  network: ['RequestError', 'RequestError', -1],
  timeout: ['ConnectionTimeoutError', 'ConnectionTimeoutError', -2],
}));

test('errors: a failed part carries partNum; a vanished upload ID rejects as abort', () => agree(async (OSS, o, p, emulator) => {
  const c = new OSS(o);
  const file = new File([new Uint8Array(350 * 1024)], 'parts.bin');
  await emulator('POST', 'faults', { op: 'UploadPart', partNumber: 2, status: 403, code: 'AccessDenied', message: 'no' });
  const denied = await c.multipartUpload(`${p}parts.bin`, file, { partSize: 100 * 1024, parallel: 1 })
    .catch((e) => [e.name, e.code, e.status, e.partNum]);
  await emulator('DELETE', 'faults');
  await emulator('POST', 'faults', { op: 'UploadPart', partNumber: 3, status: 404, code: 'NoSuchUpload', message: 'gone' });
  const gone = await c.multipartUpload(`${p}gone.bin`, file, { partSize: 100 * 1024, parallel: 1 })
    .catch((e) => [e.name, e.partNum]);
  return { denied, gone };
}, { denied: ['AccessDeniedError', 'AccessDenied', 403, 2], gone: ['abort', 3] }));

test('results: res has status, statusCode, headers, size, rt, requestUrls; head() meta is null without meta', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const put = await c.put(`${p}res.txt`, new Blob(['12345']));
  const got = await c.get(`${p}res.txt`);
  const head = await c.head(`${p}res.txt`);
  const r = got.res;
  return {
    keys: ['status', 'statusCode', 'headers', 'size', 'rt', 'requestUrls'].filter((k) => k in r),
    status: [r.status, r.statusCode, r.size, typeof r.rt, r.requestUrls.length, r.requestUrls[0].includes('res.txt')],
    put: [put.res.statusCode, typeof put.res.rt],
    meta: head.meta,
  };
}, {
  keys: ['status', 'statusCode', 'headers', 'size', 'rt', 'requestUrls'],
  status: [200, 200, 5, 'number', 1, true],
  put: [200, 'number'],
  meta: null,
}));

test('list(): storageClass, owner, and prefixes with a delimiter', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  for (const k of ['l/a.txt', 'l/d/b.txt', 'l/d/c.txt', 'l/e/f.txt']) await c.put(`${p}${k}`, new Blob(['x']));
  const flat = await c.list({ prefix: `${p}l/`, 'max-keys': 10 });
  const folders = await c.list({ prefix: `${p}l/`, delimiter: '/' });
  const first = flat.objects[0];
  return {
    names: flat.objects.map((x) => x.name.slice(p.length)),
    first: [first.storageClass, typeof first.owner.id, first.size, first.type],
    folder: [folders.objects.map((x) => x.name.slice(p.length)), folders.prefixes.map((x) => x.slice(p.length))],
    truncated: flat.isTruncated,
  };
}, {
  names: ['l/a.txt', 'l/d/b.txt', 'l/d/c.txt', 'l/e/f.txt'],
  first: ['Standard', 'string', 1, 'Normal'],
  folder: [['l/a.txt'], ['l/d/', 'l/e/']],
  truncated: false,
}));

test('listV2(): a delimiter, keyCount and a continuation token', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  for (const k of ['v/a.txt', 'v/b.txt', 'v/c.txt']) await c.put(`${p}${k}`, new Blob(['x']));
  const one = await c.listV2({ prefix: `${p}v/`, 'max-keys': 2 });
  const two = await c.listV2({ prefix: `${p}v/`, 'continuation-token': one.nextContinuationToken });
  return [one.keyCount, one.isTruncated, two.objects.map((x) => x.name.slice(p.length)), two.isTruncated];
}, [2, true, ['v/c.txt'], false]));

test('Content-Type: bytes are typed by the object name\'s extension, by the mime table', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const names = ['site.webmanifest', 'mod.wasm', 'pic.avif', 'pic.HEIC', 'sub.vtt', 'model.glb', 'font.woff2', 'anim.apng'];
  const types = [];
  for (const n of names) {
    await c.put(`${p}${n}`, new Blob(['x']));
    types.push((await c.head(`${p}${n}`)).res.headers['content-type']);
  }
  return types;
}, ['application/manifest+json', 'application/wasm', 'image/avif', 'image/heic', 'text/vtt', 'model/gltf-binary', 'font/woff2', 'image/apng']));

test('signatureUrl(): a PUT URL that signs Content-Type is accepted with it', () => agree(async (OSS, o, p) => {
  const c = new OSS({ ...o, endpoint: o.endpoint });
  const url = c.signatureUrl(`${p}signed.txt`, { method: 'PUT', 'Content-Type': 'text/plain', expires: 60 });
  const put = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'signed' });
  // Content-Type is a header every page may read (CORS-safelisted).
  const get = await fetch(c.signatureUrl(`${p}signed.txt`, { response: { 'content-type': 'text/csv' } }));
  return [put.status, get.status, await get.text(), get.headers.get('content-type')];
}, [200, 200, 'signed', 'text/csv']));

test('asyncSignatureUrl() and signatureUrlV4() give URLs the server accepts', () => agree(async (OSS, o, p) => {
  const c = new OSS({ ...o, endpoint: o.endpoint });
  await c.put(`${p}v4.txt`, new Blob(['v4']));
  const a = await fetch(await c.asyncSignatureUrl(`${p}v4.txt`));
  const v4 = await fetch(await c.signatureUrlV4('GET', 60, undefined, `${p}v4.txt`));
  return [a.status, v4.status, await v4.text()];
}, [200, 200, 'v4']));

test('getObjectUrl() and generateObjectUrl() with a base URL', () => agree(async (OSS, o) => {
  const c = new OSS({ ...o, endpoint: o.endpoint });
  return [c.getObjectUrl('/a b/c+d.txt', 'https://cdn.example.com'), c.generateObjectUrl('a b.txt', 'https://cdn.example.com/')];
}, ['https://cdn.example.com/a%20b/c%2Bd.txt', 'https://cdn.example.com/a%20b.txt']));

test('multipartUpload() of bytes, and its progress', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const bytes = new Uint8Array(300 * 1024).map((_, i) => i % 251);
  const data = OSS.Buffer ? OSS.Buffer.from(bytes) : bytes;
  const seen = [];
  const done = await c.multipartUpload(`${p}bytes.bin`, data, { partSize: 100 * 1024, progress: (f) => { seen.push(f); } });
  const got = await c.get(`${p}bytes.bin`);
  return [done.res.status, got.content.length, got.content.every((b, i) => b === i % 251), seen.at(-1), seen[0]];
}, [200, 300 * 1024, true, 1, 0]));

test('append(), getObjectMeta(), copy(), putMeta(), deleteMulti()', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const first = await c.append(`${p}log.txt`, new Blob(['one,']));
  const second = await c.append(`${p}log.txt`, new Blob(['two']), { position: first.nextAppendPosition });
  const text = (await c.get(`${p}log.txt`)).content.toString();
  const meta = await c.getObjectMeta(`${p}log.txt`);
  // The emulator's default CORS rule, like a real bucket's, exposes no x-oss-meta-*: the
  // copy's metadata shows through Content-Type, which every page may read.
  const copied = await c.copy(`${p}copy.txt`, `${p}log.txt`, { headers: { 'Content-Type': 'text/csv' } });
  const copyHead = await c.head(`${p}copy.txt`);
  const put = await c.putMeta(`${p}copy.txt`, { by: 'putmeta' });
  const copyText = (await c.get(`${p}copy.txt`)).content.toString();
  const deleted = await c.deleteMulti([`${p}log.txt`, `${p}copy.txt`]);
  const left = await c.list({ prefix: p + 'log' });
  return {
    append: [first.nextAppendPosition, second.nextAppendPosition, text],
    meta: [meta.status, meta.res.headers['content-length']],
    copy: [copied.res.status, typeof copied.data.etag, copyHead.res.headers['content-type'], put.res.status, copyText],
    deleted: deleted.deleted.map((d) => d.Key.slice(p.length)).sort(),
    left: left.objects.length,
  };
}, {
  append: ['4', '7', 'one,two'],
  meta: [200, '7'],
  copy: [200, 'string', 'text/csv', 200, 'one,two'],
  deleted: ['copy.txt', 'log.txt'],
  left: 0,
}));

test('conditional get() and head(): 304 is a result, a failed If-Match a 412 error', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const put = await c.put(`${p}cond.txt`, new Blob(['cond']));
  const etag = put.res.headers.etag;
  const got = await c.get(`${p}cond.txt`, { headers: { 'If-None-Match': etag } });
  const head = await c.head(`${p}cond.txt`, { headers: { 'If-None-Match': etag } });
  const failed = await c.get(`${p}cond.txt`, { headers: { 'If-Match': '"0"' } }).catch((e) => [e.name, e.code, e.status]);
  return [got.res.status, got.content.length, head.status, head.meta, failed];
}, [304, 0, 304, null, ['PreconditionFailedError', 'PreconditionFailed', 412]]));

test('OSS.Buffer: pages upload with it, and get() gives one back', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  await c.put(`${p}buffer.txt`, OSS.Buffer.from('héllo'));
  const got = await c.get(`${p}buffer.txt`);
  return [OSS.Buffer.isBuffer(got.content), got.content.toString(), got.content.toString('hex')];
}, [true, 'héllo', '68c3a96c6c6f']));

test('names with control characters and symbols are stored as they are', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const name = `${p}?{测}\r\n[试];,/?:@&=+$<中>-_.!~*'(文)"￥#%！（字）^ \`符|\\test.txt`;
  const put = await c.put(name, new Blob(['odd']));
  const got = await c.get(name);
  const listed = await c.list({ prefix: `${p}?{` });
  return [put.res.status, got.content.toString(), listed.objects.map((x) => x.name === name)];
}, [200, 'odd', [true]]));

test("get(name, file, options): ali-oss's three-argument form, and no-cache by default", () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  await c.put(`${p}three.txt`, new Blob(['0123456789']));
  const ranged = await c.get(`${p}three.txt`, null, { headers: { Range: 'bytes=0-3' } });
  const plain = await c.get(`${p}three.txt`);
  const asIs = await c.get(`${p}three.txt`, { responseCacheControl: null });
  return [ranged.content.toString(), plain.res.requestUrls[0].includes('response-cache-control=no-cache'),
    asIs.res.requestUrls[0].includes('response-cache-control')];
}, ['0123', true, false]));

test('listV2 with fetch-owner names the owner', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  await c.put(`${p}owner/a.txt`, new Blob(['x']));
  const without = await c.listV2({ prefix: `${p}owner/` });
  const withOwner = await c.listV2({ prefix: `${p}owner/`, 'fetch-owner': true });
  return [without.objects[0].owner, typeof withOwner.objects[0].owner.id];
}, [null, 'string']));

test('signatureUrl checks names strictly unless told not to; signatureUrlV4 signs a bucket URL', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const strict = (() => { try { c.signatureUrl('?x.txt'); return 'signed'; } catch (e) { return e.message; } })();
  const loose = typeof c.signatureUrl('?x.txt', undefined, false);
  const bucketUrl = await c.signatureUrlV4('GET', 60, undefined);
  const missing = await c.signatureUrlV4('GET', 60, undefined, 'a.txt', ['cache-control']).catch((e) => e.message);
  return [strict, loose, new URL(bucketUrl).searchParams.has('x-oss-signature'), missing];
}, ['Invalid object name ?x.txt', 'string', true, "Can't find additional header cache-control in request headers."]));

test('copy(): /bucket/key sources, conditions on the source, and the condition in the message', () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const put = await c.put(`${p}src.txt`, new Blob(['source']));
  const etag = put.res.headers.etag;
  const slash = await c.copy(`${p}dst.txt`, `/${o.bucket}/${p}src.txt`);
  const same = await c.copy(`${p}dst.txt`, `${p}src.txt`, { headers: { 'If-None-Match': etag } });
  const failed = await c.copy(`${p}dst.txt`, `${p}src.txt`, { headers: { 'If-Match': '"0"' } })
    .catch((e) => [e.name, e.status, e.message.endsWith('(condition: If-Match)')]);
  return [slash.res.status, (await c.get(`${p}dst.txt`)).content.toString(), same.res.status, same.data, failed];
}, [200, 'source', 304, null, ['PreconditionFailedError', 412, true]]));

test("multipartUpload's partSize checks use ali-oss's words", () => agree(async (OSS, o, p) => {
  const c = new OSS(o);
  const file = new File([new Uint8Array(300 * 1024)], 'f.bin');
  const fraction = await c.multipartUpload(`${p}f.bin`, file, { partSize: 14.56 * 1024 * 1024 + 0.5 }).catch((e) => e.message);
  const small = await c.multipartUpload(`${p}f.bin`, file, { partSize: 1 }).catch((e) => e.message);
  return [fraction, small.startsWith('partSize must not be smaller')];
}, ['partSize must be int number', true]));

test("client.options: ali-oss's shape, endpoint.format(), the bucket in use", () => agree(async (OSS, o) => {
  const region = OSS({ region: 'oss-cn-hangzhou', accessKeyId: ' id ', accessKeySecret: ' secret ', bucket: 'one-bucket' });
  await region.ready;
  const internal = OSS({ region: 'oss-cn-beijing', internal: true, accessKeyId: 'a', accessKeySecret: 'b' });
  const vpc = OSS({ region: 'vpc100-oss-cn-beijing', internal: true, accessKeyId: 'a', accessKeySecret: 'b' });
  const local = OSS(o);
  region.useBucket('two-bucket');
  const opts = region.options;
  return {
    endpoint: [opts.endpoint.format(), internal.options.endpoint.format(), vpc.options.endpoint.format()],
    keys: [opts.accessKeyId, opts.accessKeySecret],
    bucket: [opts.bucket, internal.options.bucket],
    fields: [opts.timeout, opts.authorizationV4, opts.cname, opts.useFetch, local.options.endpoint.host === new URL(o.endpoint).host],
    urls: [region.getObjectUrl('/foo/bar/a%2Faa/test&+-123~!.js', 'https://foo.com')],
  };
}, {
  endpoint: ['http://oss-cn-hangzhou.aliyuncs.com/', 'http://oss-cn-beijing-internal.aliyuncs.com/', 'http://vpc100-oss-cn-beijing.aliyuncs.com/'],
  keys: ['id', 'secret'],
  bucket: ['two-bucket', null],
  fields: [60000, false, false, false, true],
  urls: ['https://foo.com/foo/bar/a%252Faa/test%26%2B-123~!.js'],
}));

test("a client kept in a Proxy (as Vue's reactive() keeps it) still works", () => agree(async (OSS, o, p) => {
  const c = new Proxy(new OSS(o), {});
  const put = await c.put(`${p}proxied.txt`, new Blob(['via proxy']));
  c.useBucket(o.bucket);
  return [put.res.status, (await c.get(`${p}proxied.txt`)).content.toString(), c.getBucket()];
}, [200, 'via proxy', 'demo-bucket']));

test('calculatePostSignature() and signPostObjectPolicyV4(): the values ali-oss gives for the same policy, and its refusals', async () => {
  // ali-oss's browser build has neither helper (its Node build has both): the page's results
  // are held to ali-oss in Node and to signatures worked out from OSS's documentation.
  const policy = { expiration: '2030-01-01T00:00:00.000Z', conditions: [{ bucket: 'demo-bucket' }, ['content-length-range', 1, 1024], ['starts-with', '$key', 'user/中文/']] };
  const day = new Date(Date.UTC(2030, 0, 2, 23, 59));
  await opened();
  const ours = await page.evaluate(async ({ endpoint, id, secret, policy, day }) => {
    const c = new window.Ours({ endpoint, region: 'oss-cn-hangzhou', bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
    await c.ready;
    const refused = [];
    for (const bad of ['string', 123, null, '{"a":']) {
      try {
        c.calculatePostSignature(bad);
        refused.push('signed');
      } catch (e) {
        refused.push(e.message);
      }
    }
    let v4Refused;
    try {
      c.signPostObjectPolicyV4('{"a":', new Date(day));
    } catch (e) {
      v4Refused = e.message.startsWith('Policy string is not a valid JSON: ');
    }
    return {
      v1: c.calculatePostSignature(policy),
      v1FromText: c.calculatePostSignature(`  ${JSON.stringify(policy, null, 2)} `),
      v4: c.signPostObjectPolicyV4(policy, new Date(day)),
      v4FromText: c.signPostObjectPolicyV4(JSON.stringify(policy, null, 1), new Date(day)),
      refused,
      v4Refused,
      fresh: c.stsTokenFreshTime instanceof Date && c.stsTokenFreshTime <= new Date(),
      userAgent: c.userAgent,
      browser: navigator.userAgent,
    };
  }, { endpoint: env.emulator.url, id: KEY_ID, secret: SECRET, policy, day: day.getTime() });
  const { default: AliOSS } = await import('ali-oss');
  const ali = new AliOSS({ region: 'oss-cn-hangzhou', bucket: 'demo-bucket', accessKeyId: KEY_ID, accessKeySecret: SECRET });
  assert.deepEqual(ours.v1, ali.calculatePostSignature(policy));
  assert.equal(ours.v4, ali.signPostObjectPolicyV4(policy, day));
  const aliRefused = ['string', 123, null].map((bad) => {
    try {
      ali.calculatePostSignature(bad);
      return 'signed';
    } catch (e) {
      return e.message;
    }
  });
  assert.deepEqual(ours.refused.slice(0, 3), aliRefused);
  // What they agree on, worked out here from OSS's documentation of PostObject signatures.
  const encoded = Buffer.from(JSON.stringify(policy)).toString('base64');
  const hmac = (alg, key, data) => createHmac(alg, key).update(data).digest();
  const key = ['20300102', 'cn-hangzhou', 'oss', 'aliyun_v4_request'].reduce((k, part) => hmac('sha256', k, part), `aliyun_v4${SECRET}`);
  assert.deepEqual(ours.v1, { OSSAccessKeyId: KEY_ID, Signature: hmac('sha1', SECRET, encoded).toString('base64'), policy: encoded });
  assert.deepEqual(ours.v1FromText, ours.v1);
  assert.equal(ours.v4, createHmac('sha256', key).update(encoded).digest('hex'));
  assert.equal(ours.v4FromText, ours.v4);
  assert.deepEqual(ours.refused, Array(4).fill('policy must be JSON string or Object'));
  assert.equal(ours.v4Refused, true);
  // ali-oss's is `aliyun-sdk-js/<its version> <platform>`; ours names this package.
  assert.match(ali.userAgent, /^aliyun-sdk-nodejs\/\d+\.\d+\.\d+ /);
  assert.match(ours.userAgent, /^oss-browser-upload\/\d+\.\d+\.\d+ /);
  assert.ok(ours.userAgent.endsWith(` ${ours.browser}`), ours.userAgent);
  assert.equal(ours.fresh, true);
});
