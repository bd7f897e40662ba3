#!/usr/bin/env bash
# Every check and test suite, in order of cost; exits non-zero if any fails and ends with
# one line totalling what the runners reported.
set -uo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()

step() {
  local name=$1; shift
  printf '\n=== %s\n' "$name"
  if ! "$@" 2>&1 | tee -a "$log"; then failed+=("$name"); fi
}

step "rustfmt" cargo fmt --all --check
step "clippy (native)" cargo clippy --workspace --all-targets --quiet -- -D warnings
step "clippy (wasm32)" cargo clippy -p oss-browser-upload --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
step "build emulator" cargo build -p oss-emulator --quiet
step "native tests" cargo test --workspace --quiet
step "conformance: oss2 + alibabacloud-oss-v2" .venv/bin/python -m pytest tests/conformance -q -p no:cacheprovider
step "conformance: ali-oss" node --test tests/conformance/
# The browser tests drive the package as pages load it (pkg/index.js), so it is built first.
step "package (make pkg)" scripts/pkg.sh
step "size budget" node --test tests/js/
# The test bucket's CORS rule is what a real bucket needs: OSS has no wildcard for exposed
# headers, so the x-oss-meta-* a page reads must be listed.
step "browser tests (Chromium)" scripts/with-emulator.sh --cors-rules tests/cors-rules.json -- \
  cargo test -p oss-browser-upload --target wasm32-unknown-unknown --test 'browser_*'
step "browser tests (Firefox ESR)" scripts/with-emulator.sh --cors-rules tests/cors-rules.json -- \
  env -u CHROMEDRIVER GECKODRIVER="$(command -v geckodriver)" \
  cargo test -p oss-browser-upload --target wasm32-unknown-unknown --test 'browser_*'
# WebKitGTK, Safari's engine: wasm-bindgen-test-runner drives WebKitWebDriver as it would
# safaridriver (it passes --port=N, which both take, and asks for no capabilities, so the driver
# opens its default, MiniBrowser --automation). MiniBrowser opens a real window, so xvfb-run
# gives it a display. --no-fail-fast: a suite failing in WebKit only still lets the others run.
step "browser tests (WebKitGTK)" scripts/with-emulator.sh --cors-rules tests/cors-rules.json -- \
  xvfb-run -a env -u CHROMEDRIVER SAFARIDRIVER="$(command -v WebKitWebDriver)" \
  cargo test -p oss-browser-upload --target wasm32-unknown-unknown --no-fail-fast --test 'browser_*'
step "types: README examples under tsc --strict" node_modules/.bin/tsc -p tests/types
step "end-to-end (Playwright + Chromium)" node --test tests/e2e/
# The same files in WebKitGTK through WebDriver (tests/e2e/webdriver.mjs); the tests that need
# what only Playwright gives (offline mode, the keyboard, the page's responses) skip, saying so.
step "end-to-end (WebDriver + WebKitGTK)" xvfb-run -a env E2E_BROWSER=webkit node --test tests/e2e/

# Totals from each runner's own summary lines: cargo, pytest and node's test runner.
passed=$(( $(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}') \
  + $(grep -oE '^[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}') \
  + $(grep -oE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
failed_tests=$(( $(grep -oE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}') \
  + $(grep -oE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed steps: ${failed[*]}"
  [ "$failed_tests" -gt 0 ] || failed_tests=${#failed[@]}
fi
echo "$passed passed, $failed_tests failed"
[ ${#failed[@]} -eq 0 ]
