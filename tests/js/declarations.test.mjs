// index.d.ts is written by hand, beside a class wasm-bindgen generates from Rust, so nothing
// but this keeps the two describing the same thing: a method added in Rust and not declared is
// invisible to TypeScript users, and one declared and gone fails only when called. It reads the
// declarations through TypeScript's own checker (what users' editors see), the class through
// wasm-bindgen's glue (target/glue, written by scripts/pkg.sh), and imports the entry
// (js/index.js) itself with its wasm held back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DTS = path.join(root, 'js/index.d.ts');
const GLUE = path.join(root, 'target/glue/oss_browser_upload.js');

// wasm-bindgen's own members, and the static the entry calls once with the Buffer class.
const notApi = (name) => name === 'constructor' || name === 'free' || name.startsWith('__') || name === 'useBufferClass';

/** index.d.ts as TypeScript checks it: `interface OSS`'s members and `declare const OSS`. */
let checked;
function declarations() {
  checked ??= check();
  return checked;
}

function check() {
  const program = ts.createProgram([DTS], { strict: true, noEmit: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(DTS);
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(errors, [], 'index.d.ts type-checks');
  const symbol = checker.getSymbolsInScope(file, ts.SymbolFlags.Interface | ts.SymbolFlags.Variable).find((s) => s.name === 'OSS');
  const instance = checker.getDeclaredTypeOfSymbol(symbol);
  const statics = checker.getTypeOfSymbolAtLocation(symbol, symbol.valueDeclaration);
  const members = new Map();
  for (const prop of checker.getPropertiesOfType(instance)) {
    const decl = prop.declarations[0];
    const type = checker.getTypeOfSymbolAtLocation(prop, decl);
    const signatures = ts.isMethodSignature(decl) ? type.getCallSignatures() : [];
    members.set(prop.name, { decl, type, signatures });
  }
  return { checker, file, instance, statics, members };
}

/** How a declared member answers: a getter, a Promise, the client itself (chaining), or a
 * value at once. */
function kindOf({ checker, instance }, { signatures }) {
  if (signatures.length === 0) return 'getter';
  const returns = signatures.map((s) => checker.getReturnTypeOfSignature(s));
  if (returns.every((t) => t.getSymbol()?.name === 'Promise')) return 'promise';
  if (returns.every((t) => t === instance)) return 'chain';
  return 'sync';
}

/** The glue's class: each member, and for methods the parameter count and whether the Rust
 * returns a Promise (wasm-bindgen writes `@returns {Promise<any>}` from the Rust signature). */
function wasmClass() {
  const file = ts.createSourceFile(GLUE, readFileSync(GLUE, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const cls = file.statements.find((s) => ts.isClassDeclaration(s) && s.name?.text === 'OSS');
  const members = new Map();
  for (const m of cls.members) {
    const name = m.name?.getText(file);
    if (!name || notApi(name) || m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
    const returns = ts.getJSDocReturnType(m)?.getText(file) ?? 'void';
    members.set(name, {
      getter: ts.isGetAccessorDeclaration(m),
      params: ts.isMethodDeclaration(m) ? m.parameters.length : 0,
      promise: returns.startsWith('Promise'),
    });
  }
  return members;
}

/** The wasm class's names as pages meet them at run time, for the parse above to answer to. */
async function wasmNames() {
  const { OSS } = await import(pathToFileURL(GLUE));
  return Object.getOwnPropertyNames(OSS.prototype).filter((n) => !notApi(n)).sort();
}

/** js/index.js, imported with its wasm never arriving, so every call meets the client as a page
 * does in the moment after `new OSS()`. */
async function entryBeforeTheWasm() {
  const fetch = globalThis.fetch;
  globalThis.fetch = () => new Promise(() => {});
  try {
    return (await import(pathToFileURL(path.join(root, 'js/index.js')))).default;
  } finally {
    globalThis.fetch = fetch;
  }
}

function difference(a, b) {
  return [...a].filter((x) => !b.has(x)).sort();
}

test('index.d.ts declares each member of the wasm class and of the entry, and nothing else', async () => {
  const d = declarations();
  const glue = wasmClass();
  assert.deepEqual([...glue.keys()].sort(), await wasmNames(), 'the glue parsed as it runs');
  const OSS = await entryBeforeTheWasm();
  // What the entry adds to the forwarded methods (`ready`).
  const entryOwn = Object.getOwnPropertyNames(OSS.prototype).filter((n) => n !== 'constructor' && !glue.has(n));
  const have = new Set([...glue.keys(), ...entryOwn]);
  const declared = new Set(d.members.keys());
  assert.deepEqual(difference(have, declared), [], 'members of the class that index.d.ts does not declare');
  assert.deepEqual(difference(declared, have), [], 'members index.d.ts declares that the class lacks');
  // The statics: `OSS.Buffer` (a function's own `prototype` is its own).
  const statics = new Set(d.checker.getPropertiesOfType(d.statics).map((p) => p.name).filter((n) => n !== 'prototype'));
  assert.deepEqual([...statics].sort(), Object.keys(OSS).sort(), 'statics of OSS');
  for (const [name, m] of glue) {
    const declaredMember = d.members.get(name);
    assert.equal(kindOf(d, declaredMember) === 'getter', m.getter, `${name}: a getter in both or in neither`);
    if (m.getter) continue;
    // A declared parameter the Rust does not take would be dropped without a word.
    const most = Math.max(...declaredMember.signatures.map((s) => s.getParameters().length));
    assert.ok(most <= m.params, `${name}() declares ${most} parameters; the wasm method takes ${m.params}`);
    assert.equal(kindOf(d, declaredMember) === 'promise', m.promise,
      `${name}(): the Rust ${m.promise ? 'returns a Promise' : 'answers at once'}, index.d.ts says otherwise`);
  }
});

test('before the wasm is in, exactly the methods index.d.ts says answer at once throw', async () => {
  // The entry keeps its own list of them (SYNC): it must know before the wasm arrives, and what
  // is bundled is js/index.js as written. This holds that list, and the chaining methods, to
  // index.d.ts, which the test above holds to the Rust.
  const d = declarations();
  const OSS = await entryBeforeTheWasm();
  const client = new OSS({ region: 'oss-cn-hangzhou', bucket: 'b', signer: () => '' });
  const seen = {};
  for (const [name, member] of d.members) {
    const kind = kindOf(d, member);
    if (kind === 'getter') continue;
    let answer;
    try {
      answer = client[name]();
    } catch (e) {
      assert.match(e.message, /needs the module loaded/);
      seen[name] = 'sync';
      continue;
    }
    seen[name] = answer === client ? 'chain' : answer instanceof Promise ? 'promise' : `a ${typeof answer}`;
  }
  const expected = Object.fromEntries([...d.members].filter(([, m]) => kindOf(d, m) !== 'getter').map(([n, m]) => [n, kindOf(d, m)]));
  assert.deepEqual(seen, expected);
  assert.ok(client.ready instanceof Promise);
  assert.equal(client.options, undefined, 'a getter reads nothing before the wasm is in');
});

/** Every property name the d.ts declares for what the library is given: the options of
 * `new OSS()`, each method's parameters (options, queries, callbacks, checkpoints), and what
 * callbacks the page gives answer with (`signer`'s signature, `refreshSTSToken`'s keys), but not
 * what the library hands out (results, the checkpoint a `progress` receives). */
function declaredInputs(d) {
  const { checker, file } = d;
  const names = new Map(); // name → where declared
  const seen = new Set();
  const walk = (type, where) => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) return type.types.forEach((t) => walk(t, where));
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      return checker.getTypeArguments(type).forEach((t) => walk(t, where));
    }
    const calls = type.getCallSignatures();
    if (calls.length > 0) {
      // A callback: what it is handed is ours to give; what it returns, the library reads.
      for (const s of calls) walk(checker.getAwaitedType(checker.getReturnTypeOfSignature(s)), where);
      return;
    }
    for (const prop of checker.getPropertiesOfType(type)) {
      // Only shapes declared here: File, AbortSignal, ReadableStream are the platform's.
      if (!prop.declarations?.some((x) => x.getSourceFile() === file)) continue;
      if (!names.has(prop.name)) names.set(prop.name, where);
      walk(checker.getTypeOfSymbol(prop), `${where}.${prop.name}`);
    }
  };
  for (const s of d.statics.getConstructSignatures()) {
    for (const p of s.getParameters()) walk(checker.getTypeOfSymbol(p), 'new OSS()');
  }
  for (const [name, m] of d.members) {
    for (const s of m.signatures) {
      for (const p of s.getParameters()) walk(checker.getTypeOfSymbol(p), `${name}(${p.name})`);
    }
  }
  return names;
}

/** The Rust of src/web, comments dropped, and the string literals in it. A regular expression
 * alone pairs the wrong quotes (a `'"'`, a `"` in a comment). */
function rustSources(dir) {
  const files = readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && f.name.endsWith('.rs'))
    .map((f) => readFileSync(path.join(f.parentPath, f.name), 'utf8'));
  let code = '';
  const strings = [];
  for (const text of files) {
    let i = 0;
    const take = (end) => {
      code += text.slice(i, end);
      i = end;
    };
    while (i < text.length) {
      const rest = text.slice(i, i + 3);
      if (rest.startsWith('//')) {
        i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
      } else if (rest.startsWith('/*')) {
        i = text.indexOf('*/', i) + 2;
      } else if (/^r#*"/.test(text.slice(i, i + 8)) && !/\w/.test(text[i - 1] ?? '')) {
        const hashes = text.slice(i + 1).match(/^#*/)[0];
        const end = text.indexOf(`"${hashes}`, i + 2 + hashes.length);
        strings.push(text.slice(i + 2 + hashes.length, end));
        take(end + 1 + hashes.length);
      } else if (text[i] === '"') {
        let j = i + 1;
        while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        strings.push(text.slice(i + 1, j));
        take(j + 1);
      } else if (text[i] === "'" && /^'(\\.[^']*|[^\\'])'/.test(text.slice(i, i + 12))) {
        take(i + text.slice(i).match(/^'(\\.[^']*|[^\\'])'/)[0].length);
      } else {
        take(i + 1);
      }
    }
    code += '\n';
  }
  return { code, strings: new Set(strings) };
}

// The Rust reads an option by a helper given the object and the name as a literal:
// `js::get(&o, "signal")`, `options::count(&o, "parallel", …)`, `string(opts, "region")`, a
// closure over the object (`text("url")`, `whole("fileSize")`), or Reflect directly; and the
// query parameters a listing passes on as a list given to `query_from` (or first bound to
// `names`). Names read from a list of alternatives (the spellings of a key `refreshSTSToken`
// may answer with) count only the other way, below.
const READ = /\b(?:get|string|boolean|number|count|function|duration_ms|byte_count|typed|text|whole|num)\(\s*(?:&?[\w.]+\s*,\s*)?"([^"\\]+)"|Reflect::get\([^,]+,\s*&"([^"\\]+)"\.into\(\)|query_from\(\s*&?\w+\s*,\s*&\[([^\]]*)\]|\bnames = \[([^\]]*)\]/g;
const namesRead = (m) => m[1] ?? m[2] ?? [...(m[3] ?? m[4]).matchAll(/"([^"]+)"/g)].map((q) => q[1]);
// Names so read that are not options: the platform's objects (a thenable's `then`, a stream
// read's `done` and `value`, a typed array's `buffer`, IndexedDB's `result`, `error` and
// events' `type`, the global's `location`, `XMLHttpRequest`, `navigator` and its `onLine` and
// `userAgent`, an Error's
// `message`, the Buffer class's `from`, a FileSystemFileHandle's `kind`, `getFile` and
// `requestPermission`), and the `format` and `createdAt` of our own saved records.
const NOT_OPTIONS = new Set(['then', 'next', 'throw', 'done', 'value', 'buffer', 'result', 'error', 'type',
  'location', 'protocol', 'XMLHttpRequest', 'navigator', 'onLine', 'userAgent', 'message', 'from', 'addEventListener', 'getReader', 'read',
  'kind', 'getFile', 'requestPermission', 'format', 'createdAt']);
// Declared and deliberately not read: STS's AssumeRole answer is passed whole, and its expiry is
// not needed (a refresh is scheduled by `refreshSTSTokenInterval`, and an expired token is
// refreshed when OSS says so).
const NOT_READ = new Set(['Expiration']);

test('the option names index.d.ts declares are the ones the Rust reads', () => {
  // One set across all methods and options objects, not per method: the Rust's reading is
  // spread over helpers that several methods share, so which method reads a name is not in
  // the text. A name read for one method and declared for another passes; a name read
  // nowhere, or read and declared nowhere, does not.
  const declared = declaredInputs(declarations());
  const { code, strings } = rustSources(path.join(root, 'src/web'));
  const read = new Set([...code.matchAll(READ)].flatMap(namesRead));
  assert.ok(read.has('partSize') && read.has('signal'), 'the pattern still finds the Rust reading options');
  const undeclared = difference(read, new Set([...declared.keys(), ...NOT_OPTIONS]));
  assert.deepEqual(undeclared, [], 'names the Rust reads that index.d.ts does not declare');
  // A declared name must at least be a literal in the Rust: read by one of the helpers, or
  // listed (the query names ListObjects passes on, signatureUrl's known options).
  const unread = [...declared].filter(([n]) => !strings.has(n) && !NOT_READ.has(n)).map(([n, where]) => `${n} (${where})`);
  assert.deepEqual(unread, [], 'names index.d.ts declares that the Rust never reads');
});
