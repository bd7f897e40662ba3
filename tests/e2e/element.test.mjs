// The <oss-upload> custom element: configured by attributes, credentials set from script,
// files given by its own input and by a drop on its drop zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environment, playwrightOnly } from './harness.mjs';

const env = environment();

test('<oss-upload> uploads picked and dropped files', playwrightOnly('the file chooser event, the keyboard and role locators'), async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'element-'));
  const picked = randomBytes(300 * 1024);
  await writeFile(path.join(dir, 'picked.bin'), picked);
  const page = await env.browser.newPage();
  await page.goto(`${env.web.url}/tests/e2e/element.html`);
  await page.evaluate(async (endpoint) => {
    // As a page would: markup first, then script sets what markup must not hold, then the
    // element's definition loads and upgrades it.
    const el = document.querySelector('oss-upload');
    el.setAttribute('endpoint', endpoint);
    // The page's own <input>: Playwright's filechooser event is not raised for the File
    // System Access picker the button opens by default in Chromium (tests/e2e/handles.test.mjs).
    el.setAttribute('file-system-access', 'false');
    el.credentials = async () => (await fetch(`${endpoint}/_emulator/sts`, { method: 'POST' })).json();
    window.completed = [];
    el.addEventListener('upload-complete', (e) => window.completed.push([e.detail.result.name, e.detail.result.etag]));
    await import('/pkg/uploader.js');
  }, env.emulator.url);
  // Picked from the keyboard: the drop zone's "choose files" button opens the file chooser.
  const chooser = page.waitForEvent('filechooser', { timeout: 5_000 });
  await page.locator('oss-upload .oss-upload-choose').focus();
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(path.join(dir, 'picked.bin'));
  await page.evaluate(() => {
    const zone = document.querySelector('oss-upload .oss-upload-drop');
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(150 * 1024).fill(7)], 'dropped.bin'));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, cancelable: true }));
  });
  await page.waitForFunction(() => window.completed.length === 2, null, { timeout: 30_000 });
  const completed = Object.fromEntries(await page.evaluate(() => window.completed));
  assert.deepEqual(Object.keys(completed).sort(), ['element/dropped.bin', 'element/picked.bin']);
  assert.equal(completed['element/picked.bin'], `"${createHash('md5').update(picked).digest('hex').toUpperCase()}"`);
  const states = await page.evaluate(() => [...document.querySelectorAll('oss-upload .oss-upload-item')].map((li) => li.dataset.state));
  assert.deepEqual(states, ['done', 'done']);
  // Each bar is named by its file, and each finish was announced.
  for (const name of ['picked.bin', 'dropped.bin']) {
    assert.equal(await page.getByRole('progressbar', { name, exact: true }).count(), 1);
  }
  const live = page.locator('oss-upload [role=status][aria-live=polite]');
  await page.waitForFunction(() => document.querySelector('oss-upload [role=status]').childElementCount === 2);
  assert.deepEqual((await live.locator('p').allTextContents()).sort(), ['dropped.bin: uploaded', 'picked.bin: uploaded']);
  await page.close();
});
