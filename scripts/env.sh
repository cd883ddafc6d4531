# Environment for building and testing; sourced by the other scripts.
# Puts the project's npm tools (wasm-opt) and cargo-installed tools (trunk, wasm-bindgen,
# geckodriver) on PATH and tells wasm-bindgen-test where the browser drivers are.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export TRUNK_OFFLINE=true
# Chromium on a closed network stalls on background services without these flags.
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/scripts/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
