// Resume after a reload: a 64 MiB file picked through a real <input type=file>, uploaded
// with the server throttled, the page reloaded at about half way, the file picked again; the
// upload finishes from where it was, and the server saw little more than the file once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environment } from './harness.mjs';

const SIZE = 64 * 1024 * 1024;
// The first parts' size for 64 MiB at parallel 5 (the file over 4 × 5, in whole MiB): the
// largest part the link's sizing keeps here.
const PART = 4 * 1024 * 1024;
const PARALLEL = 5;
const KEY = 'e2e/resume/big video.bin';

const env = environment();

/** Starts the upload in the page; its outcome lands in window.outcome. */
async function start(page) {
  await page.evaluate(async ({ endpoint, key }) => {
    const { default: OSS } = await import('/pkg/index.js');
    const sts = async () => (await fetch(`${endpoint}/_emulator/sts`, { method: 'POST' })).json();
    window.client = new OSS({ endpoint, bucket: 'demo-bucket', refreshSTSToken: sts });
    window.progress = 0;
    window.outcome = null;
    const file = document.getElementById('file').files[0];
    window.client
      .multipartUpload(key, file, { progress: (p) => { window.progress = p; } })
      .then((r) => { window.outcome = { etag: r.etag }; }, (e) => { window.outcome = { error: `${e.name}: ${e.message}` }; });
  }, { endpoint: env.emulator.url, key: KEY });
}

/** Everything IndexedDB holds for the library, read with plain IndexedDB calls. */
function rawRecords(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('oss-browser-upload');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(['uploads', 'parts']);
      const uploads = tx.objectStore('uploads').getAll();
      const parts = tx.objectStore('parts').getAll();
      tx.oncomplete = () => resolve(JSON.stringify([uploads.result, parts.result]));
      tx.onerror = () => reject(tx.error);
    };
  }));
}

test('a reload at half way resumes without sending the file twice', async (t) => {
  const bytes = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
  const dir = await mkdtemp(path.join(tmpdir(), 'resume-'));
  const picked = path.join(dir, 'big video.bin');
  await writeFile(picked, bytes);
  await env.emulator.call('POST', 'faults', { op: 'UploadPart', bytesPerSecond: 2_000_000 });

  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  await page.setInputFiles('#file', picked);
  await start(page);
  await page.waitForFunction(() => window.progress >= 0.5, null, { timeout: 60_000 });

  // What is stored holds no secret and no token (those the STS endpoint handed out).
  const issued = await page.evaluate(() => window.client.ready.then(() => true));
  assert.ok(issued);
  const raw = await rawRecords(page);
  assert.match(raw, /"uploadId"/);
  const log = await env.emulator.call('GET', 'requests');
  assert.ok(log.some((e) => e.path === '/_emulator/sts'), 'the page used STS');
  for (const secretField of ['AccessKeySecret', 'SecurityToken', 'accessKeySecret', 'stsToken', 'CAIS']) {
    assert.ok(!raw.includes(secretField), `IndexedDB holds ${secretField}`);
  }

  await page.reload();
  const saved = await page.evaluate(async () => {
    const { default: OSS } = await import('/pkg/index.js');
    const client = new OSS({ endpoint: location.origin, bucket: 'demo-bucket', accessKeyId: 'x', accessKeySecret: 'y' });
    return client.listSavedUploads();
  });
  assert.equal(saved.length, 1);
  assert.equal(saved[0].fileName, 'big video.bin');
  assert.equal(saved[0].fileSize, SIZE);
  assert.ok(saved[0].bytesDone >= SIZE * 0.4, `saved ${saved[0].bytesDone} bytes done`);

  await page.setInputFiles('#file', picked);
  await start(page);
  await page.waitForFunction(() => window.outcome !== null, null, { timeout: 120_000 });
  const outcome = await page.evaluate(() => window.outcome);
  assert.ok(outcome.etag, JSON.stringify(outcome));
  // A multipart ETag: 4 MiB parts, some smaller toward the end (sized by the link), none
  // under 1 MiB.
  const count = Number(outcome.etag.match(/-(\d+)"$/)?.[1]);
  assert.ok(count >= SIZE / PART && count <= SIZE / (1024 * 1024), outcome.etag);

  const digest = await page.evaluate(async (key) => {
    const got = await window.client.get(key);
    const d = await crypto.subtle.digest('SHA-256', got.content);
    return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
  }, KEY);
  assert.equal(digest, createHash('sha256').update(bytes).digest('hex'));

  // Requests the reload cut off end on the server a moment later; count them once they have.
  let parts;
  for (let i = 0; i < 50; i += 1) {
    parts = (await env.emulator.call('GET', 'requests')).filter((e) => e.op === 'UploadPart');
    if (parts.every((e) => e.endMs > 0)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(parts.every((e) => e.endMs > 0), 'part requests still open on the server');
  const received = parts.reduce((sum, e) => sum + e.bytesReceived, 0);
  t.diagnostic(`saved at reload: ${saved[0].bytesDone} of ${SIZE} bytes; part bytes received over both loads: ${received} (limit ${SIZE + PARALLEL * PART})`);
  assert.ok(received <= SIZE + PARALLEL * PART, `the server received ${received} part bytes for a ${SIZE}-byte file`);
  assert.equal(await page.evaluate(() => window.client.listSavedUploads().then((l) => l.length)), 0);
  await context.close();
});
