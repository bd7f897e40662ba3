// Chaos that needs control of processes, files and the browser's network: the server
// restarted mid-upload, five random reloads during one upload, the browser offline mid-upload,
// a picked file deleted before it is read, and secrets kept out of errors and logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile, mkdtemp, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KEY_ID, SECRET, environment, playwrightOnly, startEmulator } from './harness.mjs';

const env = environment({ emulator: false });

async function pickable(bytes, name) {
  const dir = await mkdtemp(path.join(tmpdir(), 'chaos-'));
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

/** Starts an upload of the picked file in the page; progress and outcome land on window. */
async function start(page, endpoint, key, extra = {}) {
  await page.evaluate(async ({ endpoint, key, id, secret, extra }) => {
    const { default: OSS } = await import('/pkg/index.js');
    window.client = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret, ...extra });
    window.progress = 0;
    window.outcome = null;
    const file = document.getElementById('file').files[0];
    window.client
      .multipartUpload(key, file, { progress: (p) => { window.progress = p; } })
      .then((r) => { window.outcome = { etag: r.etag, crc64: r.crc64 }; },
        (e) => { window.outcome = { name: e.name, message: e.message }; });
  }, { endpoint, key, id: KEY_ID, secret: SECRET, extra });
}

async function digest(page, key) {
  return page.evaluate(async (key) => {
    const got = await window.client.get(key);
    const d = await crypto.subtle.digest('SHA-256', got.content);
    return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
  }, key);
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

test('the server restarted mid-upload on the same --data-dir', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'chaos-data-'));
  let emulator = await startEmulator('--data-dir', dataDir);
  const port = new URL(emulator.url).port;
  await emulator.call('POST', 'faults', { op: 'UploadPart', bytesPerSecond: 1_000_000 });
  const bytes = randomBytes(8 * 1024 * 1024);
  const picked = await pickable(bytes, 'restart.bin');
  const page = await env.browser.newPage();
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  await page.setInputFiles('#file', picked);
  await start(page, emulator.url, 'chaos/restart.bin', { retryMax: 6 });
  await page.waitForFunction(() => window.progress >= 0.3, null, { timeout: 30_000 });
  emulator.stop();
  await new Promise((r) => setTimeout(r, 300));
  emulator = await startEmulator('--data-dir', dataDir, '--listen', `127.0.0.1:${port}`);
  try {
    await page.waitForFunction(() => window.outcome !== null, null, { timeout: 60_000 });
    const outcome = await page.evaluate(() => window.outcome);
    assert.ok(outcome.etag, JSON.stringify(outcome));
    assert.equal(await digest(page, 'chaos/restart.bin'), sha256(bytes));
    t.diagnostic(`restarted at ≥30 %; completed with ETag ${outcome.etag}`);
  } finally {
    emulator.stop();
    await page.close();
  }
});

test('five random reloads during one upload, then it completes whole', async (t) => {
  const emulator = await startEmulator();
  await emulator.call('POST', 'faults', { op: 'UploadPart', bytesPerSecond: 2_000_000 });
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100000);
  let x = seed || 1;
  const random = () => { x = (x * 48271) % 2147483647; return x / 2147483647; };
  const points = Array.from({ length: 5 }, () => 0.05 + random() * 0.85).sort((a, b) => a - b);
  t.diagnostic(`seed ${seed}: reloads at ${points.map((p) => `${Math.round(p * 100)} %`).join(', ')}`);
  const bytes = randomBytes(24 * 1024 * 1024);
  const picked = await pickable(bytes, 'reloads.bin');
  const page = await env.browser.newPage();
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  try {
    let reloads = 0;
    for (const point of points) {
      await page.setInputFiles('#file', picked);
      await start(page, emulator.url, 'chaos/reloads.bin');
      await page.waitForFunction((p) => window.progress >= p || window.outcome, point, { timeout: 60_000 });
      // Parts whose bytes were all sent before a reload can still be stored by the server, so
      // a later page may find every part done and finish before its reload point: reloading
      // then would start a second, new upload of the same file, as it should.
      if (await page.evaluate(() => window.outcome)) break;
      await page.reload();
      reloads += 1;
    }
    if (reloads === points.length) {
      await page.setInputFiles('#file', picked);
      await start(page, emulator.url, 'chaos/reloads.bin');
    }
    await page.waitForFunction(() => window.outcome !== null, null, { timeout: 60_000 });
    const outcome = await page.evaluate(() => window.outcome);
    assert.ok(outcome.etag, JSON.stringify(outcome));
    assert.equal(await digest(page, 'chaos/reloads.bin'), sha256(bytes));
    const parts = (await emulator.call('GET', 'requests')).filter((e) => e.op === 'UploadPart');
    const stored = parts.filter((e) => e.status === 200).length;
    const log = await emulator.call('GET', 'requests');
    const initiated = log.filter((e) => e.op === 'InitiateMultipartUpload').length;
    const completed = log.filter((e) => e.op === 'CompleteMultipartUpload' && e.status === 200).length;
    // A reload that loses the checkpoint starts an upload that is never completed. (A page can
    // also finish just before its reload, after which picking the file again rightly starts a
    // new upload: that one is completed too.)
    assert.equal(initiated, completed, 'every reload resumed the same upload');
    t.diagnostic(`${reloads} reloads; ${parts.length} part requests, ${stored} stored, for 24 parts`);
  } finally {
    emulator.stop();
    await page.close();
  }
});

test('offline mid-upload: the upload waits for the network, spends no retry, and completes whole', playwrightOnly('offline mode (context.setOffline)'), async () => {
  const emulator = await startEmulator();
  await emulator.call('POST', 'faults', { op: 'UploadPart', bytesPerSecond: 1_000_000 });
  const bytes = randomBytes(4 * 1024 * 1024);
  const picked = await pickable(bytes, 'offline.bin');
  const context = await env.browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
    await page.setInputFiles('#file', picked);
    // retryMax 0: a single failure counted as a retry would fail the upload.
    await start(page, emulator.url, 'chaos/offline.bin', { retryMax: 0 });
    await page.waitForFunction(() => window.progress >= 0.2, null, { timeout: 30_000 });
    await context.setOffline(true);
    await new Promise((r) => setTimeout(r, 2000));
    const during = await page.evaluate(() => ({ outcome: window.outcome, online: navigator.onLine }));
    assert.deepEqual(during, { outcome: null, online: false }, 'still waiting while offline');
    await context.setOffline(false);
    await page.waitForFunction(() => window.outcome !== null, null, { timeout: 60_000 });
    const outcome = await page.evaluate(() => window.outcome);
    assert.ok(outcome.etag, JSON.stringify(outcome));
    assert.equal(await digest(page, 'chaos/offline.bin'), sha256(bytes));
  } finally {
    emulator.stop();
    await context.close();
  }
});

test('a file deleted after it was picked gets FileUnreadableError', async () => {
  const emulator = await startEmulator();
  const picked = await pickable(randomBytes(600 * 1024), 'vanishing.bin');
  const page = await env.browser.newPage();
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  await page.setInputFiles('#file', picked);
  await unlink(picked);
  try {
    await start(page, emulator.url, 'chaos/vanishing.bin', { retryMax: 1 });
    await page.waitForFunction(() => window.outcome !== null, null, { timeout: 30_000 });
    const outcome = await page.evaluate(() => window.outcome);
    assert.equal(outcome.name, 'FileUnreadableError', JSON.stringify(outcome));
    assert.match(outcome.message, /pick it again/i);
  } finally {
    emulator.stop();
    await page.close();
  }
});

test('secrets stay out of errors and logs; long-term keys warn once', async () => {
  const emulator = await startEmulator();
  const page = await env.browser.newPage();
  const console = [];
  page.on('console', (m) => console.push(m.text()));
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  const sts = await emulator.call('POST', 'sts', {});
  const seen = await page.evaluate(async ({ endpoint, id, secret, sts }) => {
    const { default: OSS } = await import('/pkg/index.js');
    const a = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
    const b = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
    await a.put('secrets/a.txt', 'a');
    await b.put('secrets/b.txt', 'b');
    const wrong = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: sts.AccessKeyId,
      accessKeySecret: `${sts.AccessKeySecret}x`, stsToken: sts.SecurityToken });
    try {
      await wrong.put('secrets/c.txt', 'c');
      return 'accepted';
    } catch (e) {
      console.log(e);
      return JSON.stringify({ ...e, message: e.message, name: e.name, stack: e.stack });
    }
  }, { endpoint: emulator.url, id: KEY_ID, secret: SECRET, sts });
  emulator.stop();
  assert.match(seen, /SignatureDoesNotMatch/);
  assert.match(seen, /StringToSign/);
  for (const secret of [sts.SecurityToken, sts.AccessKeySecret, SECRET]) {
    assert.ok(!seen.includes(secret), 'a secret is in the error');
    assert.ok(!console.some((line) => line.includes(secret)), 'a secret is in the console');
  }
  const warnings = console.filter((line) => line.includes('long-term AccessKey'));
  assert.equal(warnings.length, 1);
  await page.close();
});
