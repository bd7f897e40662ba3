// Resume without picking again (#30): where the browser has File System Access (Chromium), the
// drop-in uploader picks files and folders with their handles and its saved uploads keep them;
// after a reload one button resumes them from the server's part list, and a file changed since
// starts afresh. The handles are real ones, of files in the origin's private file system; only
// the picker's dialog, which a headless browser cannot show, is stood in for by a function that
// returns them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { environment, playwrightOnly } from './harness.mjs';

const env = environment();
const MIB = 1024 * 1024;

const md5 = (bytes) => `"${createHash('md5').update(bytes).digest('hex').toUpperCase()}"`;

/** Bytes the page writes, the same in Node: `size` bytes from `seed`. */
function bytesOf(size, seed) {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) b[i] = (i * 31 + seed * 7 + (i >> 13)) & 0xff;
  return b;
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The SHA-256 of the object `key` as the server stores it, read by the page. */
const storedSha256 = (page, key) => page.evaluate(async (key) => {
  const { default: OSS } = await import('/pkg/index.js');
  const endpoint = document.querySelector('oss-upload').getAttribute('endpoint');
  const refreshSTSToken = async () => (await fetch(`${endpoint}/_emulator/sts`, { method: 'POST' })).json();
  const client = new OSS({ endpoint, bucket: 'demo-bucket', refreshSTSToken });
  const got = await client.get(key);
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', got.content)), (b) => b.toString(16).padStart(2, '0')).join('');
}, key);

/** The element's page with the uploader loaded; completed uploads kept by name. */
async function load(page) {
  await page.evaluate(async ({ endpoint, source }) => {
    window.bytesOf = new Function(`return ${source}`)();
    const el = document.querySelector('oss-upload');
    el.setAttribute('endpoint', endpoint);
    el.credentials = async () => (await fetch(`${endpoint}/_emulator/sts`, { method: 'POST' })).json();
    window.completed = {};
    el.addEventListener('upload-complete', (e) => {
      window.completed[e.detail.result.name] = e.detail.result.etag;
    });
    /** Writes `files` ({path: [size, seed]}) into the private file system: the top handles. */
    window.writeFiles = async (files) => {
      const root = await navigator.storage.getDirectory();
      for (const [path, [size, seed]] of Object.entries(files)) {
        let dir = root;
        const parts = path.split('/');
        for (const name of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(name, { create: true });
        const file = await dir.getFileHandle(parts.at(-1), { create: true });
        const w = await file.createWritable();
        await w.write(window.bytesOf(size, seed));
        await w.close();
      }
    };
    await import('/pkg/uploader.js');
  }, { endpoint: env.emulator.url, source: bytesOf.toString() });
}

async function open(context) {
  const page = await context.newPage();
  await page.goto(`${env.web.url}/tests/e2e/element.html`);
  await load(page);
  return page;
}

/** Picks `names` (files at the private root) through the uploader's "choose files" button, the
 * picker's dialog answering with their handles. */
async function pick(page, names) {
  await page.evaluate((names) => {
    window.showOpenFilePicker = async () => {
      const root = await navigator.storage.getDirectory();
      return Promise.all(names.map((n) => root.getFileHandle(n)));
    };
  }, names);
  await page.click('oss-upload .oss-upload-choose');
}

const barOf = (page, name) => page.evaluate((name) => {
  const row = [...document.querySelectorAll('oss-upload .oss-upload-item')].find((li) => li.querySelector('.oss-upload-name').textContent === name);
  return row ? row.querySelector('progress').value : -1;
}, name);

async function waitForBar(page, name, least) {
  for (let i = 0; i < 200 && (await barOf(page, name)) < least; i += 1) await new Promise((r) => setTimeout(r, 50));
  assert.ok((await barOf(page, name)) >= least, `${name} reached ${least}`);
  // A reload loses what IndexedDB has not committed: wait until the saved upload is there.
  const saved = () => page.evaluate(async () => {
    const { default: OSS } = await import('/pkg/index.js');
    return (await new OSS({ endpoint: location.origin, bucket: 'demo-bucket', accessKeyId: 'x', accessKeySecret: 'y' }).listSavedUploads()).length;
  });
  for (let i = 0; i < 100 && (await saved()) === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
  assert.ok((await saved()) > 0, `${name} saved before the reload`);
}

/** UploadPart requests stored for `key`, once the server has ended every one. */
async function storedParts(key) {
  let parts = [];
  for (let i = 0; i < 50; i += 1) {
    parts = (await env.emulator.call('GET', 'requests')).filter((e) => e.op === 'UploadPart' && e.key === key);
    if (parts.every((e) => e.endMs > 0)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return parts.filter((e) => e.status === 200);
}

test('files picked with their handles resume after a reload from one button, nothing picked again and no done part sent again', playwrightOnly('File System Access'), async () => {
  const context = await env.browser.newContext();
  const page = await open(context);
  await page.evaluate((files) => window.writeFiles(files), { 'big.bin': [12 * MIB, 1], 'small.bin': [100 * 1024, 2] });
  await env.emulator.call('POST', 'faults', { op: 'UploadPart', key: 'element/big.bin', bytesPerSecond: 600_000 });
  await pick(page, ['big.bin', 'small.bin']);
  await page.waitForFunction(() => window.completed['element/small.bin'], null, { timeout: 30_000 });
  await waitForBar(page, 'big.bin', 0.3);
  await page.reload();
  await load(page);

  // Listed with its handle, it is offered as one button, not as a file to pick again.
  const button = page.locator('oss-upload .oss-upload-resume-saved');
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await button.textContent(), 'Resume 1 upload');
  assert.equal(await page.locator('oss-upload .oss-upload-resumable').isHidden(), true);
  const saved = await page.evaluate(async () => {
    const { default: OSS } = await import('/pkg/index.js');
    return (await new OSS({ endpoint: location.origin, bucket: 'demo-bucket', accessKeyId: 'x', accessKeySecret: 'y' }).listSavedUploads())[0].bytesDone;
  });
  await env.emulator.call('DELETE', 'faults');
  const before = (await storedParts('element/big.bin')).length;
  await button.click();
  await page.waitForFunction(() => window.completed['element/big.bin'], null, { timeout: 60_000 });
  assert.equal(await storedSha256(page, 'element/big.bin'), sha256(bytesOf(12 * MIB, 1)), 'the stored object is the file');
  // What the saved upload claimed is not sent again; the rest (the parts in flight at the
  // reload among them, whose answers the page never saw) once.
  const after = (await storedParts('element/big.bin')).slice(before);
  const sent = after.reduce((sum, e) => sum + e.bytesReceived, 0);
  assert.ok(saved >= MIB && after.length > 0, `saved ${saved} bytes done`);
  assert.ok(sent <= 12 * MIB - saved, `sent ${sent} bytes after the reload, where ${12 * MIB - saved} were not saved as done`);
  assert.equal(await button.isHidden(), true, 'nothing left to resume');
  await context.close();
});

test('a file changed since it was picked starts afresh when resumed, and its old upload is aborted', playwrightOnly('File System Access'), async () => {
  const context = await env.browser.newContext();
  const page = await open(context);
  await page.evaluate((files) => window.writeFiles(files), { 'edited.bin': [12 * MIB, 3] });
  await env.emulator.call('POST', 'faults', { op: 'UploadPart', key: 'element/edited.bin', bytesPerSecond: 250_000 });
  await pick(page, ['edited.bin']);
  await waitForBar(page, 'edited.bin', 0.2);
  await page.reload();
  await load(page);
  const old = await page.evaluate(async () => {
    const { default: OSS } = await import('/pkg/index.js');
    return (await new OSS({ endpoint: location.origin, bucket: 'demo-bucket', accessKeyId: 'x', accessKeySecret: 'y' }).listSavedUploads())[0].uploadId;
  });
  // Saved again by an editor: another size and date.
  await page.evaluate((files) => window.writeFiles(files), { 'edited.bin': [3 * MIB + 5, 4] });
  await env.emulator.call('DELETE', 'faults');
  await page.click('oss-upload .oss-upload-resume-saved');
  await page.waitForFunction(() => window.completed['element/edited.bin'], null, { timeout: 60_000 });
  const log = await env.emulator.call('GET', 'requests');
  assert.ok(log.some((e) => e.op === 'AbortMultipartUpload' && e.query === `uploadId=${old}` && e.status === 204), `the old upload ${old} was aborted: ${JSON.stringify(log.filter((e) => e.key === 'element/edited.bin' && e.op !== 'UploadPart').map((e) => [e.op, e.query, e.status]))}`);
  const complete = log.filter((e) => e.op === 'CompleteMultipartUpload' && e.key === 'element/edited.bin');
  assert.equal(complete.length, 1);
  assert.ok(!complete[0].query.includes(old), 'completed as a new upload');
  assert.equal(await storedSha256(page, 'element/edited.bin'), sha256(bytesOf(3 * MIB + 5, 4)), 'the stored object is the file as edited');
  await context.close();
});

test('a folder picked with its handle is stored under its paths', playwrightOnly('File System Access'), async () => {
  const context = await env.browser.newContext();
  const page = await open(context);
  const files = { 'trip/a.txt': [10, 5], 'trip/day 2/b.bin': [300 * 1024, 6], 'trip/day 2/.DS_Store': [4, 7] };
  await page.evaluate((files) => window.writeFiles(files), files);
  await page.evaluate(() => {
    window.showDirectoryPicker = async () => (await navigator.storage.getDirectory()).getDirectoryHandle('trip');
  });
  await page.click('oss-upload .oss-upload-folder');
  await page.waitForFunction(() => Object.keys(window.completed).length >= 2, null, { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await page.evaluate(() => window.completed), {
    'element/trip/a.txt': md5(bytesOf(10, 5)),
    'element/trip/day 2/b.bin': md5(bytesOf(300 * 1024, 6)),
  });
  await context.close();
});
