#!/usr/bin/env bash
# reproducible.sh ONNXC WORK_DIR MODEL...: compiling the same model again
# gives byte-identical sources, header and weights (the memory planner once
# placed equal buffers in pointer order, which changed from run to run).
set -euo pipefail
onnxc=$1; work=$2; shift 2
rm -rf "$work" && mkdir -p "$work"
ran=0
for model in "$@"; do
  [ -f "$model" ] || { echo "skipped: $model is absent"; continue; }
  name=$(basename "$(dirname "$model")")
  for run in 1 2 3; do
    "$onnxc" "$model" --name "$name" --emit=cpp -o "$work/$name.$run" >/dev/null
  done
  for run in 2 3; do
    if ! diff -r "$work/$name.1" "$work/$name.$run" >/dev/null; then
      echo "FAIL: $name: compile $run differs from compile 1:"
      diff -r "$work/$name.1" "$work/$name.$run" | head -20
      exit 1
    fi
  done
  echo "OK: $name: 3 compiles, identical output ($(ls "$work/$name.1" | wc -l) files)"
  ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || exit 77
