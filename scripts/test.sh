#!/usr/bin/env bash
# Builds onnxc and runs the whole test suite; ends with ctest's summary.
#   bash scripts/test.sh [--full] [ctest options]
# --full: the node tests at -O0 and -O3 over every case, not a third each
# (about 12 more minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
full=OFF
if [ "${1:-}" = --full ]; then
  full=ON
  shift
fi
bash scripts/setup.sh
cmake -S . -B build -DONNXC_FULL_NODE_TESTS=$full >/dev/null
cd build
ctest --output-on-failure -j2 "$@"
