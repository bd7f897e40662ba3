#!/usr/bin/env bash
# Runs a command with the emulator listening on a free port, its URL in OSS_TEST_ENDPOINT and
# its keys in OSS_TEST_ACCESS_KEY_ID / OSS_TEST_ACCESS_KEY_SECRET; stops it afterwards.
# Usage: scripts/with-emulator.sh [emulator flags --] command...
set -euo pipefail
cd "$(dirname "$0")/.."

flags=()
if printf '%s\n' "$@" | grep -qx -- '--'; then
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
fi

export OSS_TEST_ACCESS_KEY_ID=LTAI5tBrowserTestKey
export OSS_TEST_ACCESS_KEY_SECRET=BrowserTestSecret0123456789abc
log=$(mktemp)
target/debug/oss-emulator --listen 127.0.0.1:0 --bucket demo-bucket \
  --access-key-id "$OSS_TEST_ACCESS_KEY_ID" --access-key-secret "$OSS_TEST_ACCESS_KEY_SECRET" \
  "${flags[@]}" >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -f "$log"; }
trap 'cleanup; exit 130' INT TERM
for _ in $(seq 100); do
  grep -q '^listening on ' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; cleanup; exit 1; }
  sleep 0.1
done
OSS_TEST_ENDPOINT=$(sed -n 's/^listening on //p' "$log")
export OSS_TEST_ENDPOINT
status=0
"$@" || status=$?
cleanup
exit "$status"
