#!/usr/bin/env bash
# Serves the demo page and the emulator it uploads to; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
EMULATOR_PORT=${EMULATOR_PORT:-9000}
DEMO_PORT=${DEMO_PORT:-8080}

cargo build -p oss-emulator --release --quiet
target/release/oss-emulator --listen "127.0.0.1:$EMULATOR_PORT" --bucket demo-bucket --memory &
emulator=$!
python3 -m http.server "$DEMO_PORT" --bind 127.0.0.1 --directory www >/dev/null 2>&1 &
web=$!
trap 'kill $emulator $web 2>/dev/null' EXIT INT TERM
echo "demo: open http://localhost:$DEMO_PORT/ (uploads go to http://127.0.0.1:$EMULATOR_PORT)"
wait
