// src/protocol/mime.types is what the pinned `mime` package gives for every extension.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { table } from '../../scripts/mime-types.mjs';

test('mime.types matches the mime package', () => {
  const committed = readFileSync(new URL('../../src/protocol/mime.types', import.meta.url), 'utf8');
  assert.equal(committed, table(), 'run node scripts/mime-types.mjs');
});
