#!/usr/bin/env bash
# Builds pkg/, the npm package: the wasm library, and wasm-bindgen's glue with the thin entry
# (js/index.js) bundled and minified into index.js; the drop-in uploader, the type
# declarations and package.json beside them.
# wasm-opt comes from npm's binaryen (Debian's older one writes modules Chromium rejects) and
# gets exactly the features Rust emits for wasm32: more would let it use encodings browsers
# reject.
set -euo pipefail
cd "$(dirname "$0")/.."

# The standard library is rebuilt with panics that abort at once: a panic here is a bug, and
# its message machinery (formatting, locations) is ~11 KB of gzipped wasm nobody downloads
# for. That needs the toolchain's rust-src and RUSTC_BOOTSTRAP (its own target dir, so the
# test builds keep their cache).
# Built as a cdylib alone: with the rlib beside it (which the tests link) the same exports
# came out 7 KB larger. The standard library's optimize_for_size feature picks its smaller
# variants of sorting, formatting and the like: −0.7 KB gzipped.
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" \
  cargo rustc -p oss-browser-upload --lib --crate-type cdylib --release \
  --target wasm32-unknown-unknown --quiet \
  -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size --target-dir target/pkg
# No core::fmt: one format! or integer to_string() on a path the package runs links its
# machinery (src/text.rs fills templates and writes integers instead). The names are still
# in the module here (mangled: `4core3fmt`), before wasm-bindgen strips them.
if grep -aq '_4core3fmt' target/pkg/wasm32-unknown-unknown/release/oss_browser_upload.wasm; then
  echo "pkg.sh: core::fmt is linked into the wasm; find the caller with twiggy paths" >&2
  exit 1
fi
rm -rf pkg target/glue
# TextEncoder's encodeInto, used at once: every browser that runs the entry's ES2022 has it.
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --encode-into always --out-dir target/glue --out-name oss_browser_upload \
  target/pkg/wasm32-unknown-unknown/release/oss_browser_upload.wasm
# The names the glue and the wasm know each other by, one or two letters in both instead of
# wasm-bindgen's (`__wbg_fetch_1f0e…`, closures named after their whole Rust type): −5.2 KB
# gzipped. Pages' names (OSS, its methods, init) are not among them; it stops the build on
# glue it does not recognise.
node scripts/short-names.mjs target/glue
mkdir pkg
# --converge repeats -Oz while it still shrinks; the module is always instantiated fresh
# (zero-filled memory) and Rust never uses the first KB of memory: −0.7 % gzipped together.
# Then the control flow flattened and rebuilt by binaryen's relooper and shrunk again, twice,
# and functions specialised to their constant arguments: −0.75 KB gzipped that -Oz alone
# leaves. No browser reads the target_features section.
node_modules/.bin/wasm-opt -Oz --converge \
  --flatten --rereloop -Oz -Oz --flatten --rereloop -Oz -Oz \
  --monomorphize -Oz \
  --low-memory-unused --zero-filled-memory \
  --strip-debug --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-multivalue --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
  target/glue/oss_browser_upload_bg.wasm -o pkg/oss_browser_upload_bg.wasm
# ES2022 keeps class fields and top-level await-free modules as every supported browser
# runs them; the glue's `new URL('…_bg.wasm', import.meta.url)` stays, so bundlers and the
# browser find the wasm beside index.js.
# esbuild bundles and minifies; terser then compresses again (two passes, names mangled):
# −0.5 KB gzipped of index.js that esbuild's single pass leaves, most of it in the `buffer`
# package. Only its safe transforms: no unsafe_* and no pure_getters.
bundle() {
  local out=$1; shift
  node_modules/.bin/esbuild "$@" --bundle --format=esm --target=es2022 --minify \
    --legal-comments=none --log-level=warning --outfile="target/glue/$(basename "$out")"
  node_modules/.bin/terser "target/glue/$(basename "$out")" --module --ecma 2020 \
    --compress passes=2 --mangle --output "$out"
}
bundle pkg/index.js js/index.js
bundle pkg/uploader.js js/uploader.js --external:./index.js
cp js/*.d.ts js/package.json README.md LICENSE pkg/
size() { printf '%s bytes (%s gzip -9)' "$(wc -c <"$1")" "$(gzip -9 -c "$1" | wc -c)"; }
echo "pkg/: wasm $(size pkg/oss_browser_upload_bg.wasm), index.js $(size pkg/index.js), uploader.js $(size pkg/uploader.js)"
# The figure tests/js/size.test.mjs holds to its budget, in the requirement's unit: gzip -9.
total=$(( $(gzip -9 -c pkg/oss_browser_upload_bg.wasm | wc -c) + $(gzip -9 -c pkg/index.js | wc -c) ))
echo "pkg/: what \`import OSS\` loads, wasm + index.js: $total bytes gzip -9 (budget in tests/js/size.test.mjs)"

# Install it where bundlers and tsc look for it, as `npm install ./pkg` would.
ln -sfn ../pkg node_modules/oss-browser-upload
