// src/protocol/mime.types is what the pinned `mime` package gives for every extension, packed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pack, table, unpack } from '../../scripts/mime-types.mjs';

const committed = readFileSync(new URL('../../src/protocol/mime.types', import.meta.url), 'utf8');

test('mime.types matches the mime package', () => {
  assert.equal(committed, pack(table()), 'run node scripts/mime-types.mjs');
});

// src/protocol/mime.rs unpacks it as unpack() does, and packs it back in its own test.
test('mime.types unpacks to the whole table', () => {
  const types = table();
  assert.equal(unpack(committed), types);
  assert.ok(types.split('\n').length > 340);
});

test('packing: shared prefixes, the subtype-word shorthand, groups', () => {
  const sample = [
    'application/vnd.ms-cab-compressed cab',
    'application/vnd.ms-excel xla xls excel',
    'application/x-7z-compressed 7z',
    'image/png png',
    'image/svg+xml svg svgz',
    'x-conference/x-cooltalk ice',
    '',
  ].join('\n');
  const packed = pack(sample);
  assert.equal(packed, 'applicationAvnd.ms-cab-compressed cabHexcel xla xls Ax-7z-compressed 7z\nimageApng Asvg+xml  svgz\nx-conferenceAx-cooltalk ice\n');
  assert.equal(unpack(packed), sample);
  assert.throws(() => pack('text/Plain txt\n'), /cannot pack/);
  assert.throws(() => pack('text/plain t x\nimage/png png\ntext/css css\n'), /apart from/);
});
