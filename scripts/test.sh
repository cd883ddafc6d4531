#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs every test:
#   1. native tests of the whole workspace (unit, integration, differential against a real
#      redis-server 7.0, real-client tests of redis-emu);
#   2. the engine's wasm-bindgen-test suites in headless Chromium and headless Firefox;
#   3. the release build of the site (trunk) and its size report;
#   4. end-to-end tests of the built site in headless Chromium and Firefox.
# Exits non-zero if anything fails; the last line gives the totals ("N passed, N failed").
#
# Usage: scripts/test.sh [--skip-setup]
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ${1:-} != --skip-setup ]]; then
  bash scripts/setup.sh || exit 1
fi
source scripts/env.sh

logs="$root/target/test-logs"
mkdir -p "$logs"
passed=0
failed=0
failed_steps=()

# step NAME COMMAND...: runs a step, echoing its output and adding its test counts to the totals.
step() {
  local name=$1
  shift
  printf '\n\033[1;34m== %s\033[0m\n' "$name"
  local log="$logs/$name.log"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p f
  # cargo / wasm-bindgen-test: "test result: ok. 7 passed; 0 failed; ..."
  p=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
  f=$(grep -oE '[0-9]+ passed; [0-9]+ failed' "$log" | awk '{s+=$3} END {print s+0}')
  # node --test: "# pass 2" / "# fail 0"
  p=$((p + $(grep -oE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')))
  f=$((f + $(grep -oE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')))
  passed=$((passed + p))
  failed=$((failed + f))
  if ((status != 0)); then
    failed_steps+=("$name")
    # A step that failed without counting a failed test (a build error, say) still counts as one.
    ((f == 0)) && failed=$((failed + 1))
  fi
}

wasm_tests() {
  local browser=$1
  if [[ $browser == chromium ]]; then
    env -u GECKODRIVER CHROMEDRIVER=/usr/bin/chromedriver \
      cargo test -p emulator --target wasm32-unknown-unknown
  else
    env -u CHROMEDRIVER GECKODRIVER="$(command -v geckodriver)" \
      cargo test -p emulator --target wasm32-unknown-unknown
  fi
}

step native cargo test --workspace --no-fail-fast
step wasm-chromium wasm_tests chromium
step wasm-firefox wasm_tests firefox
step site-build trunk build --release
step size-report bash scripts/size-report.sh
step e2e node --test tests/e2e/

echo
if ((${#failed_steps[@]})); then
  echo "failed steps: ${failed_steps[*]}"
fi
echo "total: $passed passed, $failed failed"
((${#failed_steps[@]} == 0))
