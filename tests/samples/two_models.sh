#!/usr/bin/env bash
# two_models.sh ONNXC SAMPLES_DIR WORK_DIR: builds samples/two-models-cpp
# with two compiled models and compares both outputs with ONNX Runtime.
set -euo pipefail
onnxc=$1; samples=$2; work=$3
python3 -c "import onnxruntime" 2>/dev/null || { echo "skipped: no onnxruntime"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
python3 "$samples/two-models-cpp/make_mlp_tiny.py" "$work" "$samples/lenet-c/lenet.onnx" \
  "$samples/lenet-c/input.bin"
"$onnxc" "$samples/lenet-c/lenet.onnx" --name lenet -o "$work/lenet.a"
"$onnxc" "$work/mlp_tiny.onnx" --name mlp_tiny -o "$work/mlp_tiny.a"
c++ -std=c++17 -O2 -Wall -Wextra -Werror -I"$work" "$samples/two-models-cpp/main.cpp" \
  "$work/lenet.a" "$work/mlp_tiny.a" -lm -o "$work/two-models"
"$work/two-models" "$samples/lenet-c/input.bin" "$work/mlp_input.bin" | tee "$work/out.txt"
python3 "$samples/two-models-cpp/compare.py" "$work" "$work/out.txt"
