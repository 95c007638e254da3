#!/usr/bin/env bash
# Installs what onnxc needs (Debian packages, PyPI packages for tests) and
# builds it into build/. Safe to run again: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
PKGS="cmake g++ make libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools \
libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata libgtest-dev python3-pip"
# Cross toolchains and emulators for the firmware and aarch64 tests.
CROSS_PKGS="gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib \
qemu-system-arm qemu-user g++-aarch64-linux-gnu"

# install_missing [APT_OPTION...] -- PACKAGE...: installs those not installed.
install_missing() {
  local options=() missing=""
  while [ "$1" != "--" ]; do options+=("$1"); shift; done
  shift
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${options[@]}" $missing >/dev/null
  fi
}
install_missing -- $PKGS
# Without qemu's recommended GUI and audio packages.
install_missing --no-install-recommends -- $CROSS_PKGS
# onnx, onnxruntime and numpy serve the tests only (reference outputs, bad
# models); Debian's own python refuses plain pip installs (PEP 668).
if ! python3 -c "import onnx, onnxruntime, numpy" 2>/dev/null; then
  python3 -m pip install -q onnx onnxruntime numpy 2>/dev/null ||
    python3 -m pip install -q --break-system-packages onnx onnxruntime numpy
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
