#!/usr/bin/env bash
# Builds pkg/, the npm package: the release wasm, wasm-bindgen's glue, the JS entry that loads
# it by itself, the drop-in uploader, the type declarations and package.json.
# wasm-opt comes from npm's binaryen (Debian's older one writes modules Chromium rejects) and
# gets exactly the features Rust emits for wasm32: more would let it use encodings browsers
# reject.
set -euo pipefail
cd "$(dirname "$0")/.."

# The standard library is rebuilt with panics that abort at once: a panic here is a bug, and
# its message machinery (formatting, locations) is ~11 KB of gzipped wasm nobody downloads
# for. That needs the toolchain's rust-src and RUSTC_BOOTSTRAP (its own target dir, so the
# test builds keep their cache).
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" \
  cargo build -p oss-browser-upload --release --target wasm32-unknown-unknown --quiet \
  -Z build-std=std,panic_abort --target-dir target/pkg
rm -rf pkg
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir pkg --out-name oss_browser_upload \
  target/pkg/wasm32-unknown-unknown/release/oss_browser_upload.wasm
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-multivalue --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
  pkg/oss_browser_upload_bg.wasm -o pkg/oss_browser_upload_bg.wasm
cp js/*.js js/*.d.ts js/package.json README.md LICENSE pkg/
size() { printf '%s bytes (%s gzip -9)' "$(wc -c <"$1")" "$(gzip -9 -c "$1" | wc -c)"; }
echo "pkg/: wasm $(size pkg/oss_browser_upload_bg.wasm), glue $(size pkg/oss_browser_upload.js), entry $(size pkg/index.js)"

# Install it where bundlers and tsc look for it, as `npm install ./pkg` would.
ln -sfn ../pkg node_modules/oss-browser-upload
