#!/usr/bin/env python3
"""Side-by-side timing of onnxc's compiled models and ONNX Runtime.

    benchmarks/compare.py [--onnxc PATH] [--threads N] [--json FILE] DIR...

Each DIR is a case in the ONNX backend-test layout (or a folder of them).
For each case: build the model with onnxc, time the compiled run and ONNX
Runtime's InferenceSession.run on the same input (warm-up, then the median
of many runs), each in its own child process so their peak RSS can be read
apart, and print a table. The two sides' processes alternate --rounds times
and each side keeps its fastest process's median: on a shared host a whole
process can run slowed by its neighbours, and alternating exposes both
sides to the same spells. Ratios are onnxc time / ORT time (< 1: onnxc is
faster). Peak comes from a short FMA loop measured on this machine.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))

ORT_CHILD = r"""
import sys, time, numpy as np, onnxruntime as ort
from onnx import numpy_helper
import onnx
model, threads, iters = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
opts = ort.SessionOptions()
opts.intra_op_num_threads = threads
opts.inter_op_num_threads = 1
opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
feeds = {}
for i, inp in enumerate(sess.get_inputs()):
    t = onnx.TensorProto()
    t.ParseFromString(open(sys.argv[4 + i], "rb").read())
    feeds[inp.name] = numpy_helper.to_array(t)
for _ in range(3):
    sess.run(None, feeds)
times = []
for _ in range(iters):
    t0 = time.perf_counter()
    sess.run(None, feeds)
    times.append((time.perf_counter() - t0) * 1e3)
times.sort()
print(times[len(times) // 2], times[0])
"""


def measured_rss(cmd):
    """Peak RSS (KiB) of one command, measured by a wrapper process."""
    wrapper = ("import resource, subprocess, sys; "
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); "
               "print('RSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.exit(r.returncode)")
    res = subprocess.run([sys.executable, "-c", wrapper] + cmd,
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    lines = res.stdout.strip().splitlines()
    rss = int(lines[-1].split()[1])
    return "\n".join(lines[:-1]), rss


def cases(dirs):
    for d in dirs:
        if os.path.exists(os.path.join(d, "model.onnx")):
            yield d.rstrip("/")
        else:
            for sub in sorted(glob.glob(os.path.join(d, "*", "model.onnx"))):
                yield os.path.dirname(sub)


def peak_gflops(work):
    exe = os.path.join(work, "peak_fma")
    flags = ["-O2", "-march=native"]
    subprocess.run(["cc"] + flags + [os.path.join(HERE, "peak_fma.c"), "-o", exe],
                   check=True)
    return float(subprocess.run([exe], check=True, capture_output=True,
                                text=True).stdout.split()[0])


def macs_of(onnxc, model, shapes):
    out = subprocess.run([onnxc, "inspect", model] + shapes, check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.strip().startswith("MACs"):
            return int(line.split()[-1])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--onnxc", default=os.path.join(HERE, "..", "build", "bin", "onnxc"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=10,
                    help="alternating processes per side; each keeps its fastest median")
    ap.add_argument("--json")
    ap.add_argument("--cxxflags", default="",
                    help="extra flags for the generated code (onnxc --cxxflags)")
    args = ap.parse_args()
    # Libraries, runners and input copies live only as long as the run.
    with tempfile.TemporaryDirectory(prefix="onnxc-bench-") as work:
        rows, peak = measure_all(args, work)
    report(rows, peak, args)


def measure_all(args, work):
    peak = peak_gflops(work)
    rows = []
    for case in cases(args.dirs):
        name = os.path.basename(case)
        model = os.path.join(case, "model.onnx")
        inputs = sorted(glob.glob(os.path.join(case, "test_data_set_0", "input_*.pb")),
                        key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
        # Bind dynamic inputs to the data set's shapes, as `onnxc check` does.
        m = onnx.load(model, load_external_data=False)
        inits = {i.name for i in m.graph.initializer}
        graph_inputs = [i for i in m.graph.input if i.name not in inits]
        shapes, raws = [], []
        for gi, path in zip(graph_inputs, inputs):
            t = onnx.TensorProto()
            t.ParseFromString(open(path, "rb").read())
            arr = numpy_helper.to_array(t)
            shapes += ["--shape", gi.name + "=" + ("x".join(map(str, arr.shape)) or "scalar")]
            raw = os.path.join(work, f"{name}_in{len(raws)}.bin")
            np.ascontiguousarray(arr).tofile(raw)
            raws.append(raw)
        lib = os.path.join(work, name + ".a")
        t0 = time.perf_counter()
        subprocess.run([args.onnxc, model, "-o", lib, "--name", "model",
                        "--threads", str(args.threads),
                        "--cxxflags", args.cxxflags] + shapes, check=True)
        compile_s = time.perf_counter() - t0
        header = os.path.join(work, "model.h")
        exe = os.path.join(work, name + "_bench")
        subprocess.run(["cc", "-O2", "-std=gnu11", f"-I{work}",
                        '-DMODEL_HEADER="model.h"', "-DPREFIX=model",
                        "-DPREFIX_UPPER=MODEL", os.path.join(HERE, "bench_runner.c"),
                        lib, "-lm", "-pthread", "-o", exe], check=True)
        arena = 0
        for line in open(header):
            if line.startswith("#define MODEL_ARENA_BYTES"):
                arena = int(line.split()[-1])
        onnxc_ms = ort_ms = float("inf")
        onnxc_rss = ort_rss = 0
        for _ in range(max(1, args.rounds)):
            out, rss = measured_rss([exe, str(args.iters)] + raws)
            onnxc_ms, onnxc_rss = min(onnxc_ms, float(out.split()[0])), max(onnxc_rss, rss)
            out, rss = measured_rss([sys.executable, "-c", ORT_CHILD, model,
                                     str(args.threads), str(args.iters)] + inputs)
            ort_ms, ort_rss = min(ort_ms, float(out.split()[0])), max(ort_rss, rss)
        macs = macs_of(args.onnxc, model, shapes)
        gflops = 2 * macs / (onnxc_ms / 1e3) / 1e9 if onnxc_ms > 0 else 0
        rows.append(dict(model=name, onnxc_ms=round(onnxc_ms, 4), ort_ms=round(ort_ms, 4),
                         ratio=round(onnxc_ms / ort_ms, 3), onnxc_rss_kb=onnxc_rss,
                         ort_rss_kb=ort_rss, arena_bytes=arena, gflops=round(gflops, 2),
                         peak_fraction=round(gflops / (peak * args.threads), 4) if peak else 0,
                         compile_s=round(compile_s, 2)))
    return rows, peak


def report(rows, peak, args):
    print(f"peak (measured FMA loop, 1 core): {peak:.1f} GFLOP/s; threads: {args.threads} "
          f"(of peak: against {args.threads} x that)")
    hdr = ("model", "onnxc ms", "ORT ms", "ratio", "onnxc RSS KiB", "ORT RSS KiB",
           "arena B", "GFLOP/s", "of peak", "compile s")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for r in rows:
        print(f"| {r['model']} | {r['onnxc_ms']:.3f} | {r['ort_ms']:.3f} | {r['ratio']:.2f} | "
              f"{r['onnxc_rss_kb']} | {r['ort_rss_kb']} | {r['arena_bytes']} | "
              f"{r['gflops']:.2f} | {100 * r['peak_fraction']:.1f}% | {r['compile_s']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
