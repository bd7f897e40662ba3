// The size budget: what `import OSS from 'oss-browser-upload'` loads (the wasm core and
// index.js) must stay within 75 KB gzipped. The benchmark reports the same figure beside
// ali-oss's; this keeps a change from spending the last kilobyte unnoticed until then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

const BUDGET = 75_000;
const loaded = ['oss_browser_upload_bg.wasm', 'index.js'];

test(`pkg/ wasm + index.js stay within ${BUDGET} bytes gzip -9`, async () => {
  let total = 0;
  const parts = [];
  for (const name of loaded) {
    const gz = gzipSync(await readFile(new URL(`../../pkg/${name}`, import.meta.url)), { level: 9 }).length;
    parts.push(`${name} ${gz}`);
    total += gz;
  }
  assert.ok(total <= BUDGET, `${total} bytes gzip -9 (${parts.join(', ')}): over the ${BUDGET}-byte budget`);
});
