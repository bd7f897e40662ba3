// Writes src/protocol/mime.types, the Content-Type of every file extension, from the `mime` npm
// package (broofa/mime over jshttp's mime-db: IANA's registry, Apache's and nginx's tables and
// the types browsers use, with one type per extension): a superset of what ali-oss's browser
// build knows (an older mime's standard types). One line per type, "type ext ext…", as
// Apache's mime.types.
//
//   node scripts/mime-types.mjs          write the file
//   (tests/js/mime-types.test.mjs checks the file is current)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mime from 'mime';
import standard from 'mime/types/standard.js';
import other from 'mime/types/other.js';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/protocol/mime.types');

export function table() {
  const byType = new Map();
  const extensions = new Set(
    [...Object.values(standard), ...Object.values(other)].flat().map((e) => e.replace(/^\*/, '')),
  );
  for (const ext of [...extensions].sort()) {
    // getType decides, so a starred (non-default) extension gets what mime itself gives it.
    const type = mime.getType(`x.${ext}`);
    if (type) byType.set(type, [...(byType.get(type) ?? []), ext]);
  }
  const lines = [...byType].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, exts]) => `${t} ${exts.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(out, table());
