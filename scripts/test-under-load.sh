#!/usr/bin/env bash
# Proof that the test command does not depend on a quiet machine: runs scripts/test.sh
# --skip-setup N times in a row (default 3) while another process keeps every core busy, and
# prints each run's result line and wall time. Not part of the test command.
#
# Usage: scripts/test-under-load.sh [RUNS]
#   LOAD='shell command' scripts/test-under-load.sh 3   # another load than stress-ng, e.g. two
#                                                       # fuzzers, then stress-ng once they end
# The load runs in its own process group and is stopped when the runs end.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=${1:-3}
bash scripts/setup.sh || exit 1
if ! command -v stress-ng >/dev/null; then
  echo "[test-under-load] apt: installing stress-ng" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y -qq stress-ng >/dev/null; else sudo apt-get install -y -qq stress-ng >/dev/null; fi
fi
logs="$root/target/test-logs"
mkdir -p "$logs"
load=${LOAD:-stress-ng --cpu $(nproc) --cpu-load 100 --quiet}
echo "[test-under-load] load: $load" >&2
setsid bash -c "$load" &
load_group=$!
trap 'kill -- -$load_group 2>/dev/null' EXIT
failed=0
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s)
  bash scripts/test.sh --skip-setup >"$logs/under-load-$i.log" 2>&1
  status=$?
  seconds=$(($(date +%s) - start))
  echo "run $i: $(tail -n 1 "$logs/under-load-$i.log") (exit $status, ${seconds} s)"
  ((status == 0)) || failed=$((failed + 1))
done
echo "under load: $((runs - failed)) of $runs runs green"
((failed == 0))
