#!/usr/bin/env bash
# cmake_package.sh BUILD_DIR SOURCE_DIR WORK_DIR: installs onnxc from
# BUILD_DIR into a fresh prefix, builds samples/cmake-consumer against it
# with find_package(onnxc) and onnxc_add_model() for two models, checks both
# outputs against ONNX Runtime, and checks that touching a model re-runs
# onnxc while a second build with nothing changed does not.
set -euo pipefail
build=$1; src=$2; work=$3
python3 -c "import onnxruntime" 2>/dev/null || { echo "skipped: no onnxruntime"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
echo "installed: $(cd "$work/prefix" && find . -name onnxc -type f -o -name 'onnxc*.cmake' | sort | tr '\n' ' ')"

python3 "$src/samples/two-models-cpp/make_mlp_tiny.py" "$work" "$src/samples/lenet-c/lenet.onnx" \
  "$src/samples/lenet-c/input.bin"
cp "$src/samples/lenet-c/lenet.onnx" "$work/lenet.onnx"
cmake -S "$src/samples/cmake-consumer" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DLENET_MODEL="$work/lenet.onnx" \
  -DMLP_MODEL="$work/mlp_tiny.onnx" >/dev/null
cmake --build "$work/consumer" -j2 | tee "$work/build1.txt"
grep -q "onnxc: compiling .*lenet.onnx" "$work/build1.txt"
grep -q "onnxc: compiling .*mlp_tiny.onnx" "$work/build1.txt"

"$work/consumer/consumer" "$src/samples/lenet-c/input.bin" "$work/mlp_input.bin" | tee "$work/out.txt"
python3 "$src/samples/two-models-cpp/compare.py" "$work" "$work/out.txt"

cmake --build "$work/consumer" -j2 > "$work/build2.txt"
if grep -q "onnxc: compiling" "$work/build2.txt"; then
  echo "FAIL: onnxc ran again with nothing changed"; exit 1
fi
touch "$work/lenet.onnx"
cmake --build "$work/consumer" -j2 > "$work/build3.txt"
grep -q "onnxc: compiling .*lenet.onnx" "$work/build3.txt" ||
  { echo "FAIL: a changed model did not re-run onnxc"; exit 1; }
if grep -q "onnxc: compiling .*mlp_tiny.onnx" "$work/build3.txt"; then
  echo "FAIL: an unchanged model was compiled again"; exit 1
fi
echo "OK: re-runs onnxc for the changed model only"
