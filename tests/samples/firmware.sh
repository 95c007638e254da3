#!/usr/bin/env bash
# firmware.sh BUILD_DIR SOURCE_DIR WORK_DIR: installs onnxc into a fresh
# prefix and cross-builds samples/firmware-cortex-m with Debian's
# gcc-arm-none-eabi and newlib-nano (through the package's onnxc_add_model
# and the sample's toolchain files) for a Cortex-M4F and a Cortex-M7, for
# LeNet and a keyword-spotting model; runs each under QEMU (mps2-an386,
# mps2-an500). Each must match ONNX Runtime's outputs and exit 0; each
# build with one input value changed must report a mismatch and exit 1.
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

# -icount shift=0: one virtual nanosecond per instruction, so the boards'
# 25 MHz SysTick advances once per 40 instructions.
run() { # MACHINE ELF OUT
  timeout 300 qemu-system-arm -M "$1" -nographic -semihosting -icount shift=0 \
    -kernel "$2" </dev/null >"$3" 2>&1
}
status=0
printf '%-4s %-6s %9s %9s %9s %8s %8s %14s\n' core model text data bss arena stack instructions
for target in m4:cortex-m4.cmake:mps2-an386 m7:cortex-m7.cmake:mps2-an500; do
  IFS=: read -r core toolchain machine <<<"$target"
  fw=$work/fw-$core
  cmake -S "$sample" -B "$fw" --toolchain "$sample/$toolchain" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$work/prefix" "-DFIRMWARE_MODELS=$models" >/dev/null
  cmake --build "$fw" -j2 >/dev/null
  # Float models stay in single precision (no soft-float double helpers on a
  # core whose FPU has none) and take no heap.
  for lib in "$fw"/onnxc/*/*.a; do
    undefined=$(arm-none-eabi-nm -u "$lib" | awk 'NF == 2 {print $2}' | sort -u | tr '\n' ' ')
    if echo " $undefined" | grep -Eq ' (__aeabi_d[a-z0-9]*|__aeabi_[fi]2d|malloc|free) '; then
      echo "FAIL: $core $(basename "$lib") calls double-precision helpers or the heap: $undefined"
      exit 1
    fi
  done
  for m in lenet kws; do
    out=$work/$core-$m.out
    rc=0; run "$machine" "$fw/$m.elf" "$out" || rc=$?
    if [ $rc -ne 0 ] || ! grep -q "^PASS" "$out"; then
      echo "FAIL: $core $m (exit $rc):"; cat "$out"; status=1; continue
    fi
    read -r text data bss _ < <(arm-none-eabi-size "$fw/$m.elf" | tail -1)
    ticks=$(sed -n 's/^systick clocks per inference: //p' "$out")
    arena=$(sed -n 's/^stack used: .* arena: \([0-9]*\) bytes/\1/p' "$out")
    stack=$(sed -n 's/^stack used: \([0-9]*\) bytes.*/\1/p' "$out")
    printf '%-4s %-6s %9s %9s %9s %8s %8s %14s\n' $core $m $text $data $bss $arena $stack \
      "~$((ticks * 40))"
    rc=0; run "$machine" "$fw/${m}_corrupt.elf" "$out.corrupt" || rc=$?
    if [ $rc -ne 1 ] || ! grep -q "^MISMATCH" "$out.corrupt"; then
      echo "FAIL: $core ${m}_corrupt exited $rc without reporting the changed input:"
      cat "$out.corrupt"; status=1
    else
      echo "            ${m}_corrupt: $(grep '^largest error' "$out.corrupt"), exit 1 as it must"
    fi
  done
done
[ $status -eq 0 ] && echo "OK: every firmware matches ONNX Runtime under QEMU; corrupted inputs are caught"
exit $status
