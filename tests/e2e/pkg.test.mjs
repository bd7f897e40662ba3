// The npm package as a native ES module in a plain page: no bundler, no init() call, a file
// picked through a real <input type=file>, uploaded in parts, read back byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KEY_ID, SECRET, environment, startEmulator } from './harness.mjs';

const env = environment();

test('pkg/index.js uploads a picked file with no init() and no bundler', async () => {
  const bytes = randomBytes(3 * 1024 * 1024 + 123);
  const dir = await mkdtemp(path.join(tmpdir(), 'pkg-e2e-'));
  const picked = path.join(dir, 'holiday video.mp4');
  await writeFile(picked, bytes);

  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  await page.setInputFiles('#file', picked);
  const result = await page.evaluate(async ({ endpoint, id, secret }) => {
    const { default: OSS } = await import('/pkg/index.js');
    const client = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
    const file = document.getElementById('file').files[0];
    const seen = [];
    const done = await client.multipartUpload(`e2e/${file.name}`, file, {
      partSize: 512 * 1024,
      meta: { source: 'e2e' },
      progress: async (p, cp) => { seen.push([p, cp && cp.doneParts.length]); },
    });
    const got = await client.get(done.name);
    const digest = await crypto.subtle.digest('SHA-256', got.content);
    const head = await client.head(done.name);
    let rejected = null;
    try {
      await client.multipartUpload('', file);
    } catch (e) {
      rejected = { name: e.name, code: e.code, isError: e instanceof Error };
    }
    return {
      name: done.name,
      etag: done.etag,
      status: done.res.status,
      type: head.res.headers['content-type'],
      sha256: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join(''),
      seen,
      rejected,
      url: client.signatureUrl(done.name, { expires: 60 }),
    };
  }, { endpoint: env.emulator.url, id: KEY_ID, secret: SECRET });

  assert.deepEqual(errors, []);
  assert.equal(result.name, 'e2e/holiday video.mp4');
  assert.equal(result.status, 200);
  assert.match(result.etag, /^"[0-9A-F]{32}-7"$/);
  assert.equal(result.type, 'video/mp4');
  assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'));
  // Progress: once after init, once per part, 1 only at the end.
  assert.equal(result.seen.length, 1 + 7 + 1);
  assert.deepEqual(result.seen[0], [0, 0]);
  assert.equal(result.seen.at(-1)[0], 1);
  assert.ok(result.seen.slice(0, -1).every(([p]) => p < 1));
  assert.deepEqual(result.rejected, { name: 'ArgumentError', code: 'InvalidArgument', isError: true });
  const viaUrl = Buffer.from(await (await fetch(result.url)).arrayBuffer());
  assert.ok(viaUrl.equals(bytes));
});

test('a bucket whose CORS rule hides ETag: a put resolves, a multipart upload fails saying how to fix it and leaves nothing', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'cors-'));
  const rules = path.join(dir, 'cors.json');
  await writeFile(rules, JSON.stringify([{
    allowedOrigins: ['*'], allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
    allowedHeaders: ['*'], exposeHeaders: ['x-oss-request-id'],
  }]));
  const strict = await startEmulator('--cors-rules', rules);
  try {
    const page = await env.browser.newPage();
    await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
    const err = await page.evaluate(async ({ endpoint, id, secret }) => {
      const { default: OSS } = await import('/pkg/index.js');
      const client = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
      const file = new File([new Uint8Array(300 * 1024)], 'f.bin');
      const put = await client.put('hidden-etag-put.bin', 'stored');
      try {
        await client.multipartUpload('hidden-etag.bin', file, { partSize: 100 * 1024 });
        return null;
      } catch (e) {
        const left = await client.listUploads({ prefix: 'hidden-etag' });
        return {
          name: e.name, code: e.code, message: e.message, checkpoint: e.checkpoint ?? null,
          left: left.uploads.length, putEtag: put.etag, putName: put.name,
        };
      }
    }, { endpoint: strict.url, id: KEY_ID, secret: SECRET });
    assert.equal(err?.name, 'ETagNotExposedError');
    assert.match(err.message, /ExposeHeaders/);
    assert.equal(err.checkpoint, null, 'an upload that can never complete is not resumable');
    assert.equal(err.left, 0, 'the upload was aborted');
    assert.deepEqual([err.putName, err.putEtag], ['hidden-etag-put.bin', null]);
  } finally {
    strict.stop();
  }
});

test('progress as a generator function or a thunk, the forms ali-oss documents, is driven', async () => {
  const page = await env.browser.newPage();
  try {
    await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
    const seen = await page.evaluate(async ({ endpoint, id, secret }) => {
      const { default: OSS } = await import('/pkg/index.js');
      const client = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
      const file = new File([new Uint8Array(300 * 1024)], 'f.bin');
      const wait = (v) => new Promise((r) => setTimeout(() => r(v), 1));
      const generator = [];
      await client.multipartUpload('progress/generator.bin', file, {
        partSize: 100 * 1024,
        // What each yield gives back is what it yielded, awaited.
        *progress(p) {
          generator.push(yield wait(p));
        },
      });
      const thunk = [];
      await client.multipartUpload('progress/thunk.bin', file, {
        partSize: 100 * 1024,
        progress: (p) => (done) => {
          thunk.push(p);
          setTimeout(done, 1);
        },
      });
      return { generator, thunk };
    }, { endpoint: env.emulator.url, id: KEY_ID, secret: SECRET });
    for (const [form, calls] of Object.entries(seen)) {
      assert.ok(calls.length >= 4, `${form}: ${JSON.stringify(calls)}`);
      assert.equal(calls.at(-1), 1, form);
      assert.ok(calls.every((p, i) => i === 0 || p >= calls[i - 1]), `${form}: never backwards`);
    }
  } finally {
    await page.close();
  }
});
