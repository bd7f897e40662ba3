// Shortens the names the wasm and wasm-bindgen's glue know each other by, in both at once:
// the glue's imports (`__wbg_fetch_1f0e…`, one per JS function the Rust calls), the import
// modules (`./oss_browser_upload_bg.js`) and the exports (`oss_multipartUpload`,
// `__wbindgen_malloc`, closures' invokers named after their whole Rust type) become one or two
// letters. wasm-bindgen keeps them long and readable; each is written once in the wasm and once
// or a few times in the glue, and nothing else sees them: pages reach the library through the
// glue's classes (`OSS`, its methods and getters, under the JS names wasm-bindgen gives them,
// which this leaves alone) and its init functions, and js/index.js uses only those. Exports the
// glue never reads are dropped, and the glue's import functions become methods.
//
//   node scripts/short-names.mjs DIR     rewrite DIR/NAME.js and DIR/NAME_bg.wasm in place
//
// Anything not in the shape this expects stops the build rather than ship a package whose
// glue and wasm disagree: an import that the glue does not name exactly once, as a key of its
// import object; an import module without its object; an unknown kind of import; a way into
// the exports other than `wasm.NAME`. After the rewrite the glue's own import object (built,
// not run) must give every import the wasm asks for, and every `wasm.NAME` the glue reads must
// be an export.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const fail = (message) => {
  throw new Error(`short-names: ${message}`);
};

// --- The wasm binary: only the import (2) and export (7) sections are read and rewritten;
// every other byte is copied as it is.

function reader(bytes, start = 0) {
  let pos = start;
  const r = {
    get pos() {
      return pos;
    },
    byte() {
      if (pos >= bytes.length) fail('the wasm ends inside a section');
      return bytes[pos++];
    },
    u32() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = r.byte();
        result += (b & 0x7f) * 2 ** shift;
        if (!(b & 0x80)) return result;
        shift += 7;
        if (shift > 63) fail('a LEB128 number is too long');
      }
    },
    name() {
      const length = r.u32();
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(pos, pos + length));
      pos += length;
      return text;
    },
    skip(n) {
      pos += n;
    },
  };
  return r;
}

function leb(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const nameBytes = (s) => {
  const b = new TextEncoder().encode(s);
  return [...leb(b.length), ...b];
};

/** A value type: one byte, or a typed reference (0x63/0x64) followed by its heap type. */
function valueType(r) {
  const t = r.byte();
  if (t === 0x63 || t === 0x64) r.u32(); // heap type: an s33, read as LEB bytes
}

function limits(r) {
  const flags = r.byte();
  if (flags > 7) fail(`unknown limits flags ${flags}`);
  r.u32();
  if (flags & 1) r.u32();
}

/** Splits the module into sections and reads its imports and exports. */
function parse(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100 || bytes.readUInt32LE(4) !== 1) fail('not a wasm module');
  const sections = [];
  const r = reader(bytes, 8);
  while (r.pos < bytes.length) {
    const header = r.pos;
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, header, start: r.pos, end: r.pos + size });
    r.skip(size);
  }
  const imports = [];
  const exports = [];
  for (const s of sections) {
    const c = reader(bytes, s.start);
    if (s.id === 2) {
      for (let n = c.u32(); n > 0; n--) {
        const module = c.name();
        const field = c.name();
        const descStart = c.pos;
        const kind = c.byte();
        if (kind === 0x00) c.u32(); // function: type index
        else if (kind === 0x01) { valueType(c); limits(c); } // table
        else if (kind === 0x02) limits(c); // memory
        else if (kind === 0x03) { valueType(c); c.byte(); } // global: type, mutability
        else if (kind === 0x04) { c.byte(); c.u32(); } // tag: attribute, type index
        else fail(`unknown import kind ${kind} (${module} ${field})`);
        imports.push({ module, field, desc: bytes.subarray(descStart, c.pos) });
      }
    } else if (s.id === 7) {
      for (let n = c.u32(); n > 0; n--) {
        const name = c.name();
        const descStart = c.pos;
        c.byte();
        c.u32();
        exports.push({ name, desc: bytes.subarray(descStart, c.pos) });
      }
    } else continue;
    if (c.pos !== s.end) fail(`section ${s.id} does not end where its size says`);
  }
  return { sections, imports, exports };
}

function write(bytes, { sections }, importSection, exportSection) {
  const parts = [bytes.subarray(0, 8)];
  for (const s of sections) {
    const body = s.id === 2 ? importSection : s.id === 7 ? exportSection : null;
    if (body) parts.push(Buffer.from([s.id, ...leb(body.length), ...body]));
    else parts.push(bytes.subarray(s.header, s.end));
  }
  return Buffer.concat(parts);
}

// --- Names.

/** a…z, A…Z, then two characters and more; never a word JavaScript reserves. */
function* shortNames() {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rest = `${first}0123456789_$`;
  const reserved = new Set(['do', 'if', 'in', 'for', 'let', 'new', 'try', 'var']);
  for (let length = 1; ; length++) {
    const index = Array(length).fill(0);
    for (;;) {
      const name = index.map((k, i) => (i === 0 ? first : rest)[k]).join('');
      if (!reserved.has(name)) yield name;
      let i = length - 1;
      while (i >= 0 && ++index[i] === (i === 0 ? first : rest).length) index[i--] = 0;
      if (i < 0) break;
    }
  }
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `name` as a whole JavaScript identifier, not part of a longer one. */
const token = (name, before = '') => new RegExp(`(?<![\\w$])${before}${escape(name)}(?![\\w$])`, 'g');
const count = (text, re) => (text.match(re) ?? []).length;

export function shorten(dir) {
  const files = readdirSync(dir);
  const wasmFile = files.find((f) => f.endsWith('_bg.wasm')) ?? fail(`no *_bg.wasm in ${dir}`);
  const jsFile = wasmFile.replace(/_bg\.wasm$/, '.js');
  if (!files.includes(jsFile)) fail(`no ${jsFile} beside ${wasmFile}`);
  const bytes = readFileSync(path.join(dir, wasmFile));
  let glue = readFileSync(path.join(dir, jsFile), 'utf8');
  const module = parse(bytes);

  // The glue's one way into the exports: `wasm = instance.exports;`, then `wasm.NAME`.
  if (count(glue, /\.exports\b/g) !== 1 || !/\bwasm = instance\.exports;/.test(glue)) {
    fail('the glue reaches the exports other than by `wasm = instance.exports`');
  }
  // …and `wasm` itself only declared, set, tested and returned to init's caller.
  const whole = /(?<![\w$./'"-])wasm(?![\w$])(?!\.[\w$])/g;
  const allowed = /^(?:let [\w$, ]*wasm;|wasm = instance\.exports;|if \(wasm !== undefined\) return wasm;|return wasm;)$/;
  for (const m of glue.matchAll(whole)) {
    const line = glue.slice(glue.lastIndexOf('\n', m.index) + 1, glue.indexOf('\n', m.index)).trim();
    if (!allowed.test(line)) fail(`the glue uses the exports other than as wasm.NAME: ${line}`);
  }

  // The import object: `return { __proto__: null, "MODULE": importN, … };` in __wbg_get_imports.
  const table = /return \{\s*__proto__: null,((?:\s*"[^"\n]+": import\d+,)+)\s*\};/.exec(glue)
    ?? fail('no import object `return { __proto__: null, "module": importN, … }` in the glue');
  const moduleObject = new Map(
    [...table[1].matchAll(/"([^"\n]+)": (import\d+),/g)].map(([, name, object]) => [name, object]),
  );
  const importModules = new Set(module.imports.map((i) => i.module));
  for (const m of importModules) if (!moduleObject.has(m)) fail(`the glue gives no object for import module ${m}`);
  for (const m of moduleObject.keys()) if (!importModules.has(m)) fail(`the wasm imports nothing from ${m}`);

  const names = shortNames();
  const moduleNames = new Map([...importModules].map((m) => [m, names.next().value]));
  // Fields of an object the glue writes (`const import0 = { NAME: function(…) {…}, … }`) are
  // renamed; those of a snippet's namespace (`import * as import1 from "…"`) must keep the
  // names the snippet exports.
  const fieldNames = new Map();
  const literal = new Set(
    [...moduleObject].filter(([, object]) => new RegExp(`\\bconst ${object} = \\{`).test(glue)).map(([m]) => m),
  );
  for (const [m, object] of moduleObject) {
    if (!literal.has(m) && !new RegExp(`^import \\* as ${object} from "${escape(m)}"`, 'm').test(glue)) {
      fail(`${object} (${m}) is neither an object literal nor a snippet's namespace in the glue`);
    }
  }
  for (const { module: m, field } of module.imports) {
    if (!literal.has(m)) continue;
    if (fieldNames.has(field)) fail(`${field} is imported twice`);
    // Exactly one mention, as the key of its function: `\n        NAME: `.
    if (count(glue, token(field)) !== 1 || count(glue, new RegExp(`\\n\\s+${escape(field)}: `, 'g')) !== 1) {
      fail(`import ${field} is not named exactly once, as a key of ${moduleObject.get(m)}, in the glue`);
    }
    fieldNames.set(field, null);
  }
  // Exports the glue never reads (wasm-bindgen's `__instance_terminated` and `__abort_handler`,
  // for panic=unwind builds) are dropped: nothing else could read them.
  const reads = new Map(module.exports.map(({ name }) => [name, count(glue, token(name, 'wasm\\.'))]));
  const kept = module.exports.filter(({ name }) => reads.get(name) > 0);
  const exportNames = new Map(kept.map(({ name }) => [name, null]));
  // The shortest names to those written most: modules (in every import) first, then exports by
  // how often the glue reads them.
  const byUse = [
    ...[...exportNames.keys()].map((name) => [exportNames, name, reads.get(name)]),
    ...[...fieldNames.keys()].map((field) => [fieldNames, field, 1]),
  ].sort((a, b) => b[2] - a[2]);
  for (const [map, name] of byUse) map.set(name, names.next().value);

  // The glue: one pass each, so a new short name is never taken for an old one.
  glue = glue.replace(table[0], table[0].replace(/"([^"\n]+)": (import\d+),/g, (_, m, o) => `"${moduleNames.get(m)}": ${o},`));
  if (fieldNames.size) {
    // `NAME: function(…) {…}` as a method, `a(…) {…}`, which minifies shorter: the wasm calls
    // it as a plain function either way (`this` undefined, never `new`).
    const keys = new RegExp(`(\\n\\s+)(${[...fieldNames.keys()].map(escape).join('|')}): (function\\()?`, 'g');
    glue = glue.replace(keys, (_, space, field, fn) => `${space}${fieldNames.get(field)}${fn ? '(' : ': '}`);
  }
  const readsRe = new RegExp(`(?<![\\w$])wasm\\.(${[...exportNames.keys()].map(escape).join('|')})(?![\\w$])`, 'g');
  glue = glue.replace(readsRe, (_, name) => `wasm.${exportNames.get(name)}`);

  // The wasm.
  const imports = module.imports.flatMap(({ module: m, field, desc }) => [
    ...nameBytes(moduleNames.get(m)),
    ...nameBytes(fieldNames.get(field) ?? field),
    ...desc,
  ]);
  const exports = kept.flatMap(({ name, desc }) => [...nameBytes(exportNames.get(name)), ...desc]);
  const out = write(
    bytes,
    module,
    Buffer.from([...leb(module.imports.length), ...imports]),
    Buffer.from([...leb(kept.length), ...exports]),
  );
  const reparsed = parse(out);
  if (reparsed.imports.length !== module.imports.length || reparsed.exports.length !== kept.length) {
    fail('the rewritten wasm lost imports or exports');
  }
  writeFileSync(path.join(dir, wasmFile), out);
  writeFileSync(path.join(dir, jsFile), glue);
  return { wasmFile, jsFile };
}

/**
 * Compiles the rewritten wasm and checks that the glue's own import object (built, the wasm not
 * run) gives every import it asks for, and that every export the glue reads is there.
 */
export async function check(dir, { wasmFile, jsFile }) {
  const glue = readFileSync(path.join(dir, jsFile), 'utf8');
  const probe = path.join(dir, `.short-names-check-${process.pid}.mjs`);
  writeFileSync(probe, `${glue}\nexport { __wbg_get_imports as __imports };\n`);
  let imports;
  try {
    ({ __imports: imports } = await import(pathToFileURL(probe).href));
  } finally {
    rmSync(probe);
  }
  const wasmModule = new WebAssembly.Module(readFileSync(path.join(dir, wasmFile)));
  const given = imports();
  for (const { module: m, name, kind } of WebAssembly.Module.imports(wasmModule)) {
    const value = given[m]?.[name];
    if (kind === 'function' ? typeof value !== 'function' : value === undefined) {
      fail(`the glue does not provide the wasm's import ${m}.${name}`);
    }
  }
  const exported = new Set(WebAssembly.Module.exports(wasmModule).map((e) => e.name));
  for (const [, name] of glue.matchAll(/(?<![\w$])wasm\.([\w$]+)/g)) {
    if (!exported.has(name)) fail(`the glue reads wasm.${name}, which the wasm does not export`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? fail('usage: node scripts/short-names.mjs DIR');
  const done = shorten(dir);
  await check(dir, done);
}
