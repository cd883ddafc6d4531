#!/usr/bin/env bash
# Prints the size of the built site (dist/, from `trunk build --release`): the .wasm raw and
# gzipped, and the total first-load transfer (wasm + js + css + html, gzipped).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${1:-$root/dist}"
gz() { gzip -9 -c "$1" | wc -c; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
total_raw=0
total_gz=0
printf '%-40s %12s %12s\n' file raw gzip
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css "$dist"/index.html; do
  [[ -f $f ]] || continue
  raw=$(wc -c <"$f")
  z=$(gz "$f")
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + z))
  printf '%-40s %12s %12s\n' "$(basename "$f")" "$(kb "$raw")" "$(kb "$z")"
done
printf '%-40s %12s %12s\n' "first load (wasm+js+css+html)" "$(kb $total_raw)" "$(kb $total_gz)"
