#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then builds and serves the playground at
# http://127.0.0.1:8080 with live rebuilds (trunk serve). Pass --release for the optimised build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
source scripts/env.sh
exec trunk serve "$@"
