#!/usr/bin/env python3
"""ONNX Runtime's SGEMM (a MatMul node, CPU execution provider) on the GEMM
sweep's square sizes, measured the way gemm_sweep.cpp measures onnxc's: at
least 15 timings and more until 2.5 s have passed, each right after a run
of the FMA peak loop, best timing against best peak. With --ours (the
sweep's table) it adds onnxc's GFLOP/s for the same case and the time ratio
onnxc / ORT.

Usage: ort_matmul.py --peak-lib LIB [--threads N] [--ours TABLE]
LIB is peak_fma.h built as a shared library (run.sh builds it)."""
import argparse
import ctypes
import sys
import time

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

# (M, N, K, B a constant): a constant B is pre-packed by ORT when the
# session is created, as onnxc pre-packs a weight.
CASES = [(256, 256, 256, False), (512, 512, 512, False), (1024, 1024, 1024, False),
         (1024, 1024, 1024, True), (2048, 2048, 2048, False)]


def session(m, n, k, const_b, b, threads):
    inputs = [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])]
    inits = []
    if const_b:
        inits.append(numpy_helper.from_array(b, "B"))
    else:
        inputs.append(helper.make_tensor_value_info("B", TensorProto.FLOAT, [k, n]))
    graph = helper.make_graph([helper.make_node("MatMul", ["A", "B"], ["C"])], "gemm", inputs,
                              [helper.make_tensor_value_info("C", TensorProto.FLOAT, [m, n])],
                              inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])


def read_ours(path):
    """onnxc's GFLOP/s by (M, N, K, A column) from the sweep's table."""
    ours = {}
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[1].isdigit():
            ours[(int(cells[1]), int(cells[2]), int(cells[3]), cells[4])] = float(cells[5])
    return ours


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peak-lib", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ours")
    args = ap.parse_args()
    lib = ctypes.CDLL(args.peak_lib)
    lib.peak_fma_run.restype = ctypes.c_double
    lib.peak_fma_run.argtypes = [ctypes.c_long]
    ours = read_ours(args.ours) if args.ours else {}

    print(f"ONNX Runtime {ort.__version__} MatMul, intra_op_num_threads {args.threads}\n")
    print("| case | M | N | K | B | GFLOP/s | of peak | median | runs | check "
          "| onnxc GFLOP/s | ratio onnxc/ORT |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(1)
    for m, n, k, const_b in CASES:
        a = (rng.random((m, k), dtype=np.float32) - 0.5).astype(np.float32)
        b = (rng.random((k, n), dtype=np.float32) - 0.5).astype(np.float32)
        sess = session(m, n, k, const_b, b, args.threads)
        feeds = {"A": a} if const_b else {"A": a, "B": b}
        out = sess.run(None, feeds)[0]
        ref = a.astype(np.float64) @ b.astype(np.float64)
        mag = np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)
        ok = bool(np.max(np.abs(out - ref) / (mag + 1e-30)) < 1e-5)
        flops = 2.0 * m * n * k
        reps = int(max(3, min(2000, 2e9 / flops)))
        peak, times, start = 0.0, [], time.perf_counter()
        while len(times) < 15 or (len(times) < 400 and time.perf_counter() - start < 2.5):
            peak = max(peak, lib.peak_fma_run(2000000))
            t0 = time.perf_counter()
            for _ in range(reps):
                sess.run(None, feeds)
            times.append((time.perf_counter() - t0) / reps)
        times.sort()
        gf, mid = flops / times[0] / 1e9, flops / times[len(times) // 2] / 1e9
        # The sweep's A column: "runtime" when both operands come at run
        # time; ORT's constant B pairs with onnxc's pre-packed A.
        mine = ours.get((m, n, k, "prepack" if const_b else "runtime"))
        tail = f"| {mine:.1f} | {gf / mine:.2f} |" if mine else "| | |"
        print(f"| square {m} | {m} | {n} | {k} | {'constant' if const_b else 'input'} "
              f"| {gf:.1f} | {100 * gf / peak:.1f}% | {mid:.1f} | {len(times)} "
              f"| {'ok' if ok else 'WRONG'} {tail}", flush=True)
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()
