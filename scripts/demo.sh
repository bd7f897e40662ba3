#!/usr/bin/env bash
# Builds the package, then serves the demo page and the local OSS server it uploads to.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
EMULATOR_PORT=${EMULATOR_PORT:-9000}
DEMO_PORT=${DEMO_PORT:-8080}

scripts/pkg.sh
cargo build -p oss-emulator --release --quiet
target/release/oss-emulator --listen "127.0.0.1:$EMULATOR_PORT" --bucket demo-bucket --memory >/dev/null &
emulator=$!
node scripts/serve.mjs . "$DEMO_PORT" >/dev/null &
web=$!
trap 'kill $emulator $web 2>/dev/null' EXIT INT TERM
echo "demo: open http://localhost:$DEMO_PORT/www/?endpoint=http://127.0.0.1:$EMULATOR_PORT"
wait
