#!/usr/bin/env bash
# Installs everything Redis Playground needs to build, serve and test, on Debian/Ubuntu with the
# Rust toolchain, gcc, Python, Node/npm and git already present. Idempotent: each tool is
# checked (at its pinned version) and installed only when missing, so a second run takes seconds.
# Everything comes from package registries: crates.io, Debian apt and npm.
#
# Usage: scripts/setup.sh            (sourced by serve.sh and test.sh; safe to run on its own)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than the toolchain here
GECKODRIVER_VERSION=0.37.1
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
APT_PACKAGES=(
  clang-19 llvm-19     # compile Lua's C sources for wasm32 (llvm-ar-19 archives them)
  wasi-libc            # C library headers and libc.a that Lua is built against for wasm32
  chromium chromium-driver firefox-esr   # browser tests
  redis-server redis-tools               # real Redis 7.0 for differential tests and benchmarks
)

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

install_apt_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    say "apt: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# cargo_install CRATE VERSION BINARY [extra cargo args...]
cargo_install() {
  local crate=$1 version=$2 binary=$3
  shift 3
  if command -v "$binary" >/dev/null && "$binary" --version 2>/dev/null | grep -qF "$version"; then
    return
  fi
  say "cargo: installing $crate $version (takes a few minutes the first time)"
  cargo install "$crate" --version "$version" "$@"
}

install_rust_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup: adding wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

install_npm_tools() {
  if ! node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version 132" \
    || ! grep -q '"version": "4.14.1"' node_modules/axe-core/package.json 2>/dev/null \
    || ! grep -q '"version": "12.2.3"' node_modules/lighthouse/package.json 2>/dev/null; then
    say "npm: installing build and test tools (binaryen, axe-core, lighthouse)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

install_apt_packages
install_rust_target
cargo_install trunk "$TRUNK_VERSION" trunk --locked
# No --locked: its lock file pins a crate version the registry no longer serves.
cargo_install wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
cargo_install geckodriver "$GECKODRIVER_VERSION" geckodriver --locked
install_npm_tools
# trunk runs cargo offline, so every dependency must be in the local registry cache first.
cargo fetch --locked -q
say "ready"
