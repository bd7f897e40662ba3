#!/usr/bin/env bash
# Builds pkg/, the npm package: the release wasm, wasm-bindgen's glue, the JS entry that loads
# it by itself, the type declarations and package.json.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p oss-browser-upload --release --target wasm32-unknown-unknown --quiet
rm -rf pkg
wasm-bindgen --target web --no-typescript --out-dir pkg --out-name oss_browser_upload \
  target/wasm32-unknown-unknown/release/oss_browser_upload.wasm
cp js/index.js js/index.d.ts js/package.json README.md LICENSE pkg/
echo "pkg/: $(du -b pkg/oss_browser_upload_bg.wasm | cut -f1) bytes wasm, $(du -b pkg/oss_browser_upload.js | cut -f1) bytes glue"
