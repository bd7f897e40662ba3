// Writes src/protocol/mime.types, the Content-Type of file extensions, from the `mime` npm
// package (broofa/mime over jshttp's mime-db: IANA's registry, Apache's and nginx's tables and
// the types browsers use, with one type per extension): its standard types and the common of
// its others (COMMON_OTHER), a superset of what ali-oss's browser build knows (an older mime's
// standard types).
//
// The table, "type ext ext…" a type as Apache's mime.types (table() below); the file holds it
// packed, as the wasm carries it (src/protocol/mime.rs unpacks it once, on the first lookup),
// smaller gzipped than the plain lines even with the unpacking:
//   - one line per top-level type ("application"), its types sorted after it;
//   - each subtype written as a capital letter, A + how many leading characters it shares
//     with the one before (Z: 25 or more), then the rest of it;
//   - then " ext" for each extension, where an empty one stands for the subtype's last word
//     (before any "+suffix", after the last "." or "-": "vnd.ms-excel" → "excel").
// For example "application/vnd.ms-excel xla xls" after "application/vnd.ms-cab-compressed cab"
// is "Hexcel xla xls" on the application line; "image/png png" is "Apng ".
//
//   node scripts/mime-types.mjs          write the file
//   node scripts/mime-types.mjs --table  print the unpacked table
//   (tests/js/mime-types.test.mjs checks the file is current)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mime from 'mime';
import standard from 'mime/types/standard.js';
import other from 'mime/types/other.js';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/protocol/mime.types');

/** Of the package's other types (vendors' and x- ones: 684, most of them formats nobody
 * uploads from a browser), the extensions people do upload: video and audio containers,
 * office documents, archives, Photoshop images, e-books, subtitles.
 * Every other one types as ali-oss's browser build does (not at all); a picked File still
 * gets the browser's type. */
const COMMON_OTHER = `docx xls xlsx ppt pptx odt ods odp
  avi mkv flv wmv flac wma 7z rar bz2 xz tar ico psd srt mobi`.split(/\s+/);

export function table() {
  const byType = new Map();
  const otherExtensions = new Set(Object.values(other).flat().map((e) => e.replace(/^\*/, '')));
  for (const e of COMMON_OTHER) if (!otherExtensions.has(e)) throw new Error(`${e} is not among mime's other types`);
  const extensions = new Set([
    ...Object.values(standard).flat().map((e) => e.replace(/^\*/, '')),
    ...COMMON_OTHER,
  ]);
  for (const ext of [...extensions].sort()) {
    // getType decides, so a starred (non-default) extension gets what mime itself gives it.
    const type = mime.getType(`x.${ext}`);
    if (type) byType.set(type, [...(byType.get(type) ?? []), ext]);
  }
  const lines = [...byType].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, exts]) => `${t} ${exts.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** The word an empty extension stands for. */
export const lastWord = (subtype) => subtype.split('+')[0].split(/[.-]/).pop();

const MAX_SHARED = 25;

export function pack(text) {
  let top = null;
  const seen = new Set();
  let previous = '';
  let packed = '';
  for (const line of text.trimEnd().split('\n')) {
    const [type, ...exts] = line.split(' ');
    const [group, subtype, extra] = type.split('/');
    // What the packing relies on: the separators and markers never occur in a name.
    if (!group || !subtype || extra !== undefined || !/^[a-z0-9.+_-]+$/.test(group + subtype)) {
      throw new Error(`cannot pack type ${type}`);
    }
    for (const e of exts) if (!/^[a-z0-9._+-]+$/.test(e)) throw new Error(`cannot pack extension ${e} of ${type}`);
    if (group !== top) {
      if (seen.has(group)) throw new Error(`${type} apart from the other ${group} types`);
      seen.add(group);
      packed += `${top === null ? '' : '\n'}${group}`;
      top = group;
      previous = '';
    }
    let shared = 0;
    while (shared < MAX_SHARED && shared < previous.length && previous[shared] === subtype[shared]) shared++;
    const word = lastWord(subtype);
    packed += String.fromCharCode(65 + shared) + subtype.slice(shared);
    for (const e of exts) packed += ` ${e === word ? '' : e}`;
    previous = subtype;
  }
  return `${packed}\n`;
}

/** As src/protocol/mime.rs unpacks it. */
export function unpack(packed) {
  let text = '';
  for (const line of packed.split('\n').filter(Boolean)) {
    const [top, ...records] = line.split(/(?=[A-Z])/);
    let subtype = '';
    for (const record of records) {
      const [rest, ...exts] = record.slice(1).split(' ');
      subtype = subtype.slice(0, record.charCodeAt(0) - 65) + rest;
      const word = lastWord(subtype);
      text += `${top}/${subtype}${exts.map((e) => ` ${e || word}`).join('')}\n`;
    }
  }
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--table') process.stdout.write(table());
  else writeFileSync(out, pack(table()));
}
