#!/usr/bin/env bash
# Runs a command with the emulator listening on a free port, its URL in OSS_TEST_ENDPOINT and
# its keys in OSS_TEST_ACCESS_KEY_ID / OSS_TEST_ACCESS_KEY_SECRET, and the repository served
# (for pkg/ and js/src/) at OSS_TEST_WEB; stops both afterwards.
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
web_log=$(mktemp)
node scripts/serve.mjs . >"$web_log" 2>&1 &
web=$!
cleanup() {
  kill "$pid" "$web" 2>/dev/null
  wait "$pid" "$web" 2>/dev/null || true
  rm -f "$log" "$web_log"
}
trap 'cleanup; exit 130' INT TERM
for _ in $(seq 100); do
  grep -q '^listening on ' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; cleanup; exit 1; }
  sleep 0.1
done
for _ in $(seq 100); do
  grep -q '^serving on ' "$web_log" && break
  kill -0 "$web" 2>/dev/null || { cat "$web_log"; cleanup; exit 1; }
  sleep 0.1
done
OSS_TEST_ENDPOINT=$(sed -n 's/^listening on //p' "$log")
OSS_TEST_WEB=$(sed -n 's/^serving on //p' "$web_log")
export OSS_TEST_ENDPOINT OSS_TEST_WEB
status=0
"$@" || status=$?
cleanup
exit "$status"
