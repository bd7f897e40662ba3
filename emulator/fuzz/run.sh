#!/usr/bin/env bash
# Runs every fuzz target of the emulator for FUZZ_SECONDS each (default 60), under cargo-fuzz
# with debug assertions (overflow checks) on and inputs up to 16 KiB from the start (libFuzzer
# otherwise grows them slowly, and a minute is short); installs nightly and cargo-fuzz if missing.
# A crash leaves its input in emulator/fuzz/artifacts/<target>/ and fails the run.
# Usage: emulator/fuzz/run.sh [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
for t in "${targets[@]}"; do
  echo "fuzz: $t for ${seconds}s"
  log=$(mktemp)
  status=0
  cargo +nightly fuzz run --debug-assertions "$t" -- -max_total_time="$seconds" \
    -len_control=0 -max_len=16384 >"$log" 2>&1 || status=$?
  grep -E '^(Done|==[0-9]+==|thread|SUMMARY|Test unit written)' "$log" || tail -20 "$log"
  rm -f "$log"
  [ "$status" -eq 0 ] || { echo "fuzz: $t failed"; exit 1; }
done
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, nothing found"
