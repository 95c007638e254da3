#!/usr/bin/env bash
# aarch64.sh ONNXC MODEL_DIR...: builds shared models for aarch64 with
# Debian's cross compiler (onnxc --target-triple) and checks them under
# qemu-aarch64 against their reference outputs.
set -euo pipefail
onnxc=$1; shift
for tool in aarch64-linux-gnu-g++ qemu-aarch64; do
  command -v $tool >/dev/null || { echo "skipped: no $tool (scripts/setup.sh installs it)"; exit 77; }
done
for d in "$@"; do
  [ -f "$d/model.onnx" ] || { echo "skipped: $d is absent (../shared/models)"; exit 77; }
done
"$onnxc" check -j 2 --target-triple aarch64-linux-gnu \
  --run-prefix "qemu-aarch64 -L /usr/aarch64-linux-gnu" "$@"
