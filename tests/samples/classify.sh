#!/usr/bin/env bash
# classify.sh BUILD_DIR SOURCE_DIR WORK_DIR SHARED_MODELS_DIR: builds
# samples/classify against onnxc installed into a fresh prefix, for LeNet
# (a gray PGM, resized) and, when ../shared is there, SqueezeNet (an RGB
# PPM, resized), and checks each top-5 against ONNX Runtime.
set -euo pipefail
build=$1; src=$2; work=$3; shared=$4
python3 -c "import onnxruntime" 2>/dev/null || { echo "skipped: no onnxruntime"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
check=$src/tests/samples/classify_check.py

run() { # NAME MODEL IMAGE_WIDTH IMAGE_HEIGHT IMAGE_CHANNELS
  local name=$1 model=$2 ext=pgm
  [ "$5" = 3 ] && ext=ppm
  python3 "$check" write "$work/$name.$ext" "$3" "$4" "$5"
  cmake -S "$src/samples/classify" -B "$work/$name" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DMODEL="$model" >/dev/null
  cmake --build "$work/$name" -j2 >/dev/null
  "$work/$name/classify" "$work/$name.$ext" | tee "$work/$name.out"
  python3 "$check" check "$model" "$work/$name.$ext" "$work/$name.out"
}
run lenet "$src/samples/lenet-c/lenet.onnx" 40 36 1
if [ -f "$shared/squeezenet1_1/model.onnx" ]; then
  run squeezenet "$shared/squeezenet1_1/model.onnx" 300 260 3
else
  echo "squeezenet skipped: $shared is absent"
fi
