#!/usr/bin/env bash
# GEMM sweep: builds gemm_sweep.cpp for this machine (or CPU=x86-64-v3 etc.)
# with THREADS threads, measures the FMA peak, prints GFLOP/s and % of peak.
#   bash benchmarks/gemm/run.sh            # -march=native, 1 thread
#   THREADS=2 bash benchmarks/gemm/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cpu="${CPU:-native}"
threads="${THREADS:-1}"
cc -O2 -march="$cpu" "$here/../peak_fma.c" -o "$work/peak_fma"
peak="$("$work/peak_fma" | cut -d' ' -f1)"
echo "peak (measured FMA loop, 1 core, best of 5 runs): $peak GFLOP/s; -march=$cpu"
echo "of peak: the best of 15 timings against the best of 15 FMA loop runs between them"
${CXX:-c++} -std=c++17 -O2 -march="$cpu" -DONNXC_THREADS="$threads" -pthread \
  -I "$root/templates" -I "$root/runtime" "$here/gemm_sweep.cpp" -o "$work/gemm_sweep"
"$work/gemm_sweep" | tee "$work/onnxc.txt"
# The same square products through ONNX Runtime's MatMul, measured the same
# way, with the time ratio onnxc / ORT (where onnxruntime is installed).
if python3 -c "import onnxruntime" 2>/dev/null; then
  cc -O2 -march="$cpu" -shared -fPIC "$here/../peak_fma_lib.c" -o "$work/peak_fma.so"
  echo
  python3 "$here/ort_matmul.py" --peak-lib "$work/peak_fma.so" --threads "$threads" \
    --ours "$work/onnxc.txt"
fi
