#!/usr/bin/env bash
# firmware.sh BUILD_DIR SOURCE_DIR WORK_DIR: installs onnxc into a fresh
# prefix, cross-builds samples/firmware-cortex-m for a Cortex-M4F with
# Debian's gcc-arm-none-eabi and newlib-nano (through the package's
# onnxc_add_model and the sample's toolchain file) for LeNet and a
# keyword-spotting model, and runs each under QEMU (mps2-an386). Each must
# match ONNX Runtime's outputs and exit 0; each build with one input value
# changed must report a mismatch and exit 1.
set -euo pipefail
build=$1; src=$2; work=$3
for tool in arm-none-eabi-gcc qemu-system-arm; do
  command -v $tool >/dev/null || { echo "skipped: no $tool (scripts/setup.sh installs it)"; exit 77; }
done
python3 -c "import onnxruntime" 2>/dev/null || { echo "skipped: no onnxruntime"; exit 77; }
sample=$src/samples/firmware-cortex-m
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null

python3 "$sample/make_kws.py" "$work/kws.onnx"
python3 "$sample/make_reference.py" "$src/samples/lenet-c/lenet.onnx" "$work/lenet_reference.h" \
  "$src/samples/lenet-c/input.bin"
python3 "$sample/make_reference.py" "$work/kws.onnx" "$work/kws_reference.h"
models="lenet=$src/samples/lenet-c/lenet.onnx=$work/lenet_reference.h"
models="$models;kws=$work/kws.onnx=$work/kws_reference.h"
cmake -S "$sample" -B "$work/fw" --toolchain "$sample/cortex-m4.cmake" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "-DFIRMWARE_MODELS=$models" >/dev/null
cmake --build "$work/fw" -j2 >/dev/null
# Float models stay in single precision (no soft-float double helpers on a
# core whose FPU has none) and take no heap.
for lib in "$work"/fw/onnxc/*/*.a; do
  undefined=$(arm-none-eabi-nm -u "$lib" | awk 'NF == 2 {print $2}' | sort -u | tr '\n' ' ')
  echo "$(basename "$lib") needs: $undefined"
  if echo " $undefined" | grep -Eq ' (__aeabi_d[a-z0-9]*|__aeabi_[fi]2d|malloc|free) '; then
    echo "FAIL: $(basename "$lib") calls double-precision helpers or the heap"; exit 1
  fi
done

# -icount shift=0: one virtual nanosecond per instruction, so the 25 MHz
# SysTick advances once per 40 instructions.
run() {
  timeout 300 qemu-system-arm -M mps2-an386 -nographic -semihosting -icount shift=0 \
    -kernel "$work/fw/$1.elf" </dev/null >"$work/$1.out" 2>&1
}
status=0
printf '%-6s %9s %9s %9s %8s %8s %14s\n' model text data bss arena stack instructions
for m in lenet kws; do
  rc=0; run $m || rc=$?
  if [ $rc -ne 0 ] || ! grep -q "^PASS" "$work/$m.out"; then
    echo "FAIL: $m (exit $rc):"; cat "$work/$m.out"; status=1; continue
  fi
  read -r text data bss _ < <(arm-none-eabi-size "$work/fw/$m.elf" | tail -1)
  ticks=$(sed -n 's/^systick clocks per inference: //p' "$work/$m.out")
  arena=$(sed -n 's/^stack used: .* arena: \([0-9]*\) bytes/\1/p' "$work/$m.out")
  stack=$(sed -n 's/^stack used: \([0-9]*\) bytes.*/\1/p' "$work/$m.out")
  printf '%-6s %9s %9s %9s %8s %8s %14s\n' $m $text $data $bss $arena $stack "~$((ticks * 40))"
  rc=0; run ${m}_corrupt || rc=$?
  if [ $rc -ne 1 ] || ! grep -q "^MISMATCH" "$work/${m}_corrupt.out"; then
    echo "FAIL: ${m}_corrupt exited $rc without reporting the changed input:"
    cat "$work/${m}_corrupt.out"; status=1
  else
    echo "       ${m}_corrupt: $(grep '^largest error' "$work/${m}_corrupt.out"), exit 1 as it must"
  fi
done
[ $status -eq 0 ] && echo "OK: both firmwares match ONNX Runtime under QEMU; corrupted inputs are caught"
exit $status
