#!/usr/bin/env bash
# freestanding.sh ONNXC MODEL WORK_DIR: the generated code builds with
# -fno-exceptions -fno-rtti and the library references no allocator and no
# exception machinery.
set -euo pipefail
onnxc=$1; model=$2; work=$3
[ -f "$model" ] || { echo "skipped: $model is absent"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
"$onnxc" "$model" --name resnet18 -o "$work/resnet18.a" \
  --cxxflags "-fno-exceptions -fno-rtti -Wall -Wextra -Werror -Wno-unused-parameter"
echo "undefined symbols of resnet18.a:"
nm -u "$work/resnet18.a" | sort -u | tee "$work/undefined.txt"
if grep -E ' (malloc|calloc|realloc|free|_Znwm|_Znam|_ZdlPv|_ZdaPv|__cxa_throw|__cxa_allocate_exception|__cxa_guard_acquire)$' "$work/undefined.txt"; then
  echo "FAIL: the library needs the heap, exceptions or guarded statics"
  exit 1
fi
echo "OK: no malloc/new/exception symbols referenced"
