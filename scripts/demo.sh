#!/usr/bin/env bash
# Builds the package, then serves the demo page and the local OSS server it uploads to, and
# prints the URL once both answer. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
EMULATOR_PORT=${EMULATOR_PORT:-9000}
DEMO_PORT=${DEMO_PORT:-8080}

scripts/pkg.sh
cargo build -p oss-emulator --release --quiet
logs=$(mktemp -d)
target/release/oss-emulator --listen "127.0.0.1:$EMULATOR_PORT" --bucket demo-bucket --memory >"$logs/emulator" 2>&1 &
emulator=$!
node scripts/serve.mjs . "$DEMO_PORT" >"$logs/web" 2>&1 &
web=$!
trap 'kill $emulator $web 2>/dev/null; rm -rf "$logs"' EXIT INT TERM
for _ in $(seq 100); do
  if grep -q '^listening on ' "$logs/emulator" && grep -q '^serving on ' "$logs/web"; then break; fi
  if ! kill -0 $emulator 2>/dev/null || ! kill -0 $web 2>/dev/null; then cat "$logs"/*; exit 1; fi
  sleep 0.1
done
echo "demo: open http://localhost:$DEMO_PORT/www/?endpoint=http://127.0.0.1:$EMULATOR_PORT"
wait
