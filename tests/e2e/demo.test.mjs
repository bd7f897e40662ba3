// Clicks through the demo as a person would, in a desktop window and at a phone's width: pick
// two files, watch progress with speed and time left, pause and resume with the keyboard, see
// both finished objects listed with ETag and CRC64. Checks what a person would notice: every
// control of a row on the row and inside the card (screenshots at 1200 and 390 px, and the
// buttons' boxes read from the page), sizes as people read them, a clean console, and axe-core
// reporting nothing serious. With UPDATE_SCREENSHOT=1 it saves the README's docs/demo.png and
// docs/demo-phone.png (otherwise a test run would leave the checkout changed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environment, playwrightOnly, root, watchConsole } from './harness.mjs';

const env = environment();
const BIG = 'holiday video.mp4';
const BIG_SIZE = 30_000_000;

/** axe-core's violations of impact serious or critical, as "rule: selector" lines. */
async function seriousViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: path.join(root, 'node_modules/axe-core/axe.min.js') });
  }
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.targets.map((t) => `${v.id} (${v.impact}): ${t}`));
}

/** The boxes of each row's parts and of its card, read from the page. */
function rowBoxes(page) {
  return page.evaluate(() => [...document.querySelectorAll('.oss-upload-item')].map((li) => {
    const box = (sel) => {
      const node = li.querySelector(sel);
      if (!node) return null;
      const r = node.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height, clipped: node.scrollWidth > node.clientWidth };
    };
    const card = li.closest('.card').getBoundingClientRect();
    return {
      name: li.querySelector('.oss-upload-name').textContent,
      card: { left: card.left, right: card.right },
      parts: { name: box('.oss-upload-name'), size: box('.oss-upload-size'), bar: box('progress'), status: box('.oss-upload-status'), pause: box('.oss-upload-pause'), cancel: box('.oss-upload-cancel') },
      pageWidth: document.documentElement.scrollWidth,
    };
  }));
}

const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
const sameLine = (a, b) => Math.abs((a.top + a.bottom) / 2 - (b.top + b.bottom) / 2) < 4;

/** Every row with buttons: both on one line, inside the card, whole, overlapping nothing. */
function checkRows(rows, width, { oneLine }) {
  const withButtons = rows.filter((r) => r.parts.pause);
  assert.ok(withButtons.length > 0, 'a row with buttons to check');
  for (const { name, card, parts, pageWidth } of withButtons) {
    const what = `${name} at ${width} px`;
    assert.ok(pageWidth <= width, `${what}: the page scrolls sideways (${pageWidth} px)`);
    const { pause, cancel } = parts;
    assert.ok(sameLine(pause, cancel), `${what}: Pause and Cancel on one line`);
    assert.ok(pause.right <= cancel.left, `${what}: Pause before Cancel, not overlapping`);
    for (const [part, b] of Object.entries(parts)) {
      assert.ok(b.width > 0 && b.height > 0, `${what}: ${part} is shown`);
      assert.ok(b.left >= card.left && b.right <= card.right, `${what}: ${part} inside the card (${b.left}–${b.right} in ${card.left}–${card.right})`);
    }
    for (const button of ['pause', 'cancel']) {
      const b = parts[button];
      assert.ok(!b.clipped, `${what}: ${button}'s label is whole`);
      assert.ok(b.width < 160, `${what}: ${button} is a button, not a bar across the card (${b.width} px)`);
      for (const other of ['name', 'size', 'bar', 'status']) assert.ok(!overlap(b, parts[other]), `${what}: ${button} overlaps ${other}`);
    }
    assert.ok(parts.bar.width >= 60, `${what}: the bar is wide enough to read (${parts.bar.width} px)`);
    if (oneLine) {
      for (const part of ['name', 'size', 'bar', 'status', 'cancel']) assert.ok(sameLine(parts.pause, parts[part]), `${what}: ${part} on the row's line`);
    }
  }
}

/** Presses Tab (or `key`) until the focused element's label is `label`; returns what it passed. */
async function tabTo(page, label, key = 'Tab') {
  const seen = [];
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press(key);
    const at = await page.evaluate(() => {
      const a = document.activeElement;
      return a.getAttribute('aria-label') ?? (a.id ? `#${a.id}` : `.${a.className}`);
    });
    seen.push(at);
    if (at === label) return seen;
  }
  assert.fail(`Tab never reached ${label}; it went through ${seen.join(', ')}`);
}

test('pick, watch progress and speed, pause and resume by keyboard, see the objects, at two widths', playwrightOnly("the keyboard, the viewport size, screenshots, locators and the page's responses"), async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'demo-'));
  const big = randomBytes(BIG_SIZE);
  const small = randomBytes(150 * 1024);
  await writeFile(path.join(dir, BIG), big);
  await writeFile(path.join(dir, '<img src=x onerror=window.hacked=1>.txt'), small);

  const page = await env.browser.newPage({ viewport: { width: 1200, height: 800 } });
  const problems = watchConsole(page);
  await page.goto(`${env.web.url}/www/?endpoint=${encodeURIComponent(env.emulator.url)}`, { waitUntil: 'networkidle' });
  await page.waitForFunction(() => document.getElementById('empty').textContent === 'Nothing uploaded yet.');
  assert.deepEqual(problems, [], 'a clean console on load');
  assert.deepEqual(await seriousViolations(page), [], 'axe on the page as loaded');

  await page.check('#slow');
  await page.waitForFunction(async (u) => (await (await fetch(`${u}/_emulator/faults`)).json()).length === 1, env.emulator.url);
  // Slower still than the box says while the rows are measured, so they are mid-upload, with a
  // speed and a time left to show; the box's 2 MB/s comes back before the resume.
  await env.emulator.call('DELETE', 'faults');
  await env.emulator.call('POST', 'faults', { op: 'UploadPart', bytesPerSecond: 300_000 });
  await page.setInputFiles('#files', [path.join(dir, BIG), path.join(dir, '<img src=x onerror=window.hacked=1>.txt')]);

  const bigItem = page.locator('.oss-upload-item', { hasText: BIG });
  // The bar is a progressbar named by its file; the size is read as people read it, with the
  // exact count in the tooltip.
  assert.equal(await page.getByRole('progressbar', { name: BIG, exact: true }).count(), 1);
  assert.equal(await bigItem.locator('.oss-upload-size').textContent(), '28.6 MiB');
  assert.match(await bigItem.locator('.oss-upload-size').getAttribute('title'), /^30\D?000\D?000 bytes$/);
  // Speed and time left, once a second of progress has been measured.
  await page.waitForFunction((name) => /^\d+ % · [\d.]+ (B|KiB|MiB)\/s · .+ left$/.test(
    [...document.querySelectorAll('.oss-upload-item')].find((li) => li.textContent.includes(name)).querySelector('.oss-upload-status').textContent,
  ), BIG, { timeout: 10_000 });
  const status = await bigItem.locator('.oss-upload-status').textContent();
  const [, speed, unit] = status.match(/· ([\d.]+) (B|KiB|MiB)\/s/);
  const bytesPerSecond = Number(speed) * { B: 1, KiB: 1024, MiB: 1024 * 1024 }[unit];
  // Five parts at 300 kB/s each, plus what the sockets buffer at the start: a sane figure, not
  // a burst divided by a millisecond.
  assert.ok(bytesPerSecond > 100_000 && bytesPerSecond < 20_000_000, `speed shown: ${status}`);

  // The upload running in this page is not offered as one to resume.
  assert.ok(!(await page.locator('.oss-upload-resumable').isVisible()), await page.locator('.oss-upload-resumable').textContent());
  checkRows(await rowBoxes(page), 1200, { oneLine: true });
  const desktop = await page.screenshot();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => document.documentElement.clientWidth === 390);
  checkRows(await rowBoxes(page), 390, { oneLine: false });
  const phone = await page.screenshot();
  assert.deepEqual(await seriousViolations(page), [], 'axe at 390 px, mid-upload');
  for (const [shot, width] of [[desktop, 1200], [phone, 390]]) {
    assert.equal(shot.readUInt32BE(16), width, 'a PNG of the window');
    assert.ok(shot.length > 20_000, 'the demo renders');
  }
  await page.setViewportSize({ width: 1200, height: 800 });

  // The keyboard reaches every control, and Pause works from it.
  await page.locator('body').focus();
  const passed = await tabTo(page, `Pause ${BIG}`);
  for (const control of ['#files', '.oss-upload-choose']) assert.ok(passed.includes(control), `Tab reaches ${control}: ${passed}`);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('.oss-upload-item[data-state=paused]'));
  assert.match(await bigItem.locator('.oss-upload-status').textContent(), /^paused at \d+ %$/);
  await page.waitForFunction((name) => document.querySelector('.oss-upload-live').textContent.includes(`${name}: paused at`), BIG);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), `Resume ${BIG}`, 'the focus stays on the button');
  const afterResume = await tabTo(page, '#big');
  assert.ok(afterResume.includes(`Cancel ${BIG}`) && afterResume.includes('#slow'), `Tab reaches Cancel and the tools: ${afterResume}`);
  assert.deepEqual(await seriousViolations(page), [], 'axe with a paused row');

  await env.emulator.call('DELETE', 'faults');
  await env.emulator.call('POST', 'faults', { op: 'UploadPart', bytesPerSecond: 2_000_000 });
  await tabTo(page, `Resume ${BIG}`, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.oss-upload-item[data-state=done]').length === 2, null, { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelectorAll('#objects tbody tr').length === 2);
  await page.waitForFunction((name) => document.querySelector('.oss-upload-live').textContent.includes(`${name}: uploaded`), BIG);

  // A name with markup in it is shown as text, never run as HTML.
  assert.equal(await page.locator('.oss-upload-name img, #objects img').count(), 0);
  assert.equal(await page.evaluate(() => window.hacked), undefined);
  const rows = await page.locator('#objects tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent).concat(tr.cells[1].title)));
  const byName = Object.fromEntries(rows.map((r) => [r[0], r]));
  // A multipart ETag: the parts' count follows the link (2 MiB first, 1 MiB at the least).
  const etag = byName[`demo/${BIG}`][2].match(/^"[0-9A-F]{32}-(\d+)"$/);
  assert.ok(etag, byName[`demo/${BIG}`][2]);
  const parts = Number(etag[1]);
  assert.ok(parts >= Math.ceil(BIG_SIZE / (2 * 1024 * 1024)) && parts <= Math.ceil(BIG_SIZE / (1024 * 1024)), `${parts} parts`);
  assert.equal(byName[`demo/${BIG}`][1], '28.6 MiB');
  assert.match(byName[`demo/${BIG}`][4], /^30\D?000\D?000 bytes$/);
  assert.equal(byName['demo/<img src=x onerror=window.hacked=1>.txt'][1], '150 KiB');
  assert.equal(byName['demo/<img src=x onerror=window.hacked=1>.txt'][2], `"${createHash('md5').update(small).digest('hex').toUpperCase()}"`);
  assert.match(byName[`demo/${BIG}`][3], /^\d+$/);
  assert.deepEqual(await seriousViolations(page), [], 'axe with the objects listed');
  assert.deepEqual(problems, [], 'a clean console throughout');

  // The pause really stopped requests: none was stored twice.
  const stored = (await env.emulator.call('GET', 'requests')).filter((e) => e.op === 'UploadPart' && e.key === `demo/${BIG}` && e.status === 200);
  assert.equal(stored.length, parts);
  if (process.env.UPDATE_SCREENSHOT === '1') {
    await writeFile(path.join(root, 'docs/demo.png'), desktop);
    await writeFile(path.join(root, 'docs/demo-phone.png'), phone);
  }
  await page.close();
});

test('the uploader in Chinese at two widths: every row whole, axe clean', playwrightOnly('the viewport size, screenshots'), async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'demo-zh-'));
  await writeFile(path.join(dir, '假期视频.mp4'), randomBytes(12 * 1024 * 1024));
  await writeFile(path.join(dir, '说明.txt'), randomBytes(150 * 1024));
  const page = await env.browser.newPage({ viewport: { width: 1200, height: 800 } });
  const problems = watchConsole(page);
  await page.goto(`${env.web.url}/www/?lang=zh-CN&endpoint=${encodeURIComponent(env.emulator.url)}`, { waitUntil: 'networkidle' });
  await env.emulator.call('POST', 'faults', { op: 'UploadPart', bytesPerSecond: 300_000 });
  await page.setInputFiles('#files', [path.join(dir, '假期视频.mp4'), path.join(dir, '说明.txt')]);
  // Speed and time left in Chinese, once a second of progress has been measured.
  await page.waitForFunction(() => [...document.querySelectorAll('.oss-upload-status')]
    .some((s) => /^\d+ % · [\d.]+ (B|KiB|MiB)\/秒 · 剩余 .+$/.test(s.textContent)), null, { timeout: 10_000 });
  assert.equal(await page.locator('.oss-upload-drop').textContent(), '将文件或文件夹拖到这里，或选择文件、选择文件夹');
  assert.equal(await page.getByRole('button', { name: '暂停 假期视频.mp4' }).count(), 1);
  checkRows(await rowBoxes(page), 1200, { oneLine: true });
  assert.deepEqual(await seriousViolations(page), [], 'axe at 1200 px, in Chinese');
  const desktop = await page.screenshot();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => document.documentElement.clientWidth === 390);
  checkRows(await rowBoxes(page), 390, { oneLine: false });
  assert.deepEqual(await seriousViolations(page), [], 'axe at 390 px, in Chinese');
  const phone = await page.screenshot();
  assert.deepEqual(problems, [], 'a clean console');
  await env.emulator.call('DELETE', 'faults');
  if (process.env.UPDATE_SCREENSHOT === '1') {
    await writeFile(path.join(root, 'docs/demo-zh.png'), desktop);
    await writeFile(path.join(root, 'docs/demo-zh-phone.png'), phone);
  }
  await page.close();
});
