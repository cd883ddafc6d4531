#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (cargo-fuzz, on the stable toolchain: no sanitizer,
# so it runs here without nightly). Not part of scripts/test.sh: `cargo test` replays the
# kept corpus and every crash reproducer instead (fuzz-targets/tests/corpus.rs).
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   scripts/fuzz.sh 1800                    # every target for 30 minutes each
#   scripts/fuzz.sh 60 request_parser       # one target for a minute
#
# Targets: request_parser cli_split restore_payload rdb_load aof_load commands
# (what each covers: fuzz-targets/src/lib.rs). New inputs that reach new code are added to
# fuzz/corpus/<target>/; run `scripts/fuzz.sh --minimize` before committing it. A crash is
# written to fuzz/artifacts/<target>/: once fixed, copy it to fuzz/regressions/<target>/ so
# cargo test replays it for good.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CARGO_FUZZ_VERSION=0.13.2
ALL_TARGETS=(request_parser cli_split restore_payload rdb_load aof_load commands)

if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
  echo "[fuzz] installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io" >&2
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

cd fuzz
if [[ ${1:-} == --minimize ]]; then
  for target in "${ALL_TARGETS[@]}"; do
    cargo fuzz cmin -s none "$target" "corpus/$target"
  done
  exit 0
fi

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=("${ALL_TARGETS[@]}")
for target in "${targets[@]}"; do
  echo "[fuzz] $target for ${seconds}s" >&2
  mkdir -p "corpus/$target"
  # -rss_limit_mb: RESTORE and the loaders may legitimately build values of a few hundred MB.
  cargo fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1
done
