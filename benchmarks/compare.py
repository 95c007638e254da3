#!/usr/bin/env python3
"""Side-by-side timing of onnxc's compiled models and ONNX Runtime.

    benchmarks/compare.py [--onnxc PATH] [--threads N] [--json FILE] DIR...

Each DIR is a case in the ONNX backend-test layout (or a folder of them).
For each case: build the model with onnxc, then time the compiled run and
ONNX Runtime's InferenceSession.run on the same input, each in its own
long-lived child process (so their peak RSS can be read apart). After a
warm-up the two children take turns, one batch of --iters runs at a time,
--rounds batches each; each side reports its fastest batch median. On a
shared host the speed of a core changes in spells of a tenth of a second to
seconds; batches that alternate every few tens of milliseconds expose both
sides to the same spells, and each side's fastest batch is its speed in the
quietest one. `ratio` is onnxc time / ORT time (< 1: onnxc is faster);
`paired_ratio` is the median, over the rounds, of onnxc's batch median
over ORT's next one: the ratio on this host as loaded as it was. Peak comes
from a short FMA loop measured on this machine.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
from statistics import median

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
for _ in sys.stdin:  # one batch per line, as bench_runner --serve
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    print(times[len(times) // 2], times[0], flush=True)
"""



class BatchServer:
    """A child that times one batch of runs per request (bench_runner --serve
    or ORT_CHILD). Its peak RSS is read from /proc (VmHWM) before it exits:
    the rusage of a child spawned from this process also counts this
    process's own pages, which the child shared until its exec."""

    def __init__(self, cmd):
        # stderr to a file: a pipe read only at the end would block a child
        # that writes more than the pipe holds.
        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True)

    def batch(self):
        """Median ms of one batch."""
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.finish()  # raises with the child's stderr if it failed
            raise RuntimeError(f"{self.proc.args[0]} ended without timing a batch")
        return float(line.split()[0])

    def cpu_ticks(self):
        """CPU time (clock ticks) used so far by all the child's threads."""
        ticks = 0
        task = f"/proc/{self.proc.pid}/task"
        for tid in os.listdir(task):
            try:
                with open(f"{task}/{tid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
            except OSError:  # thread gone
                pass
        return ticks

    def wait_idle(self, limit_s=1.0):
        """Waits until the child's worker threads stop spinning after a batch
        (ORT's keep a core busy for some 60 ms), so the other side's next
        batch does not share its cores with them."""
        end = time.monotonic() + limit_s
        last = self.cpu_ticks()
        while time.monotonic() < end:
            time.sleep(0.025)  # more than two ticks of 10 ms
            now = self.cpu_ticks()
            if now == last:
                return
            last = now

    def peak_rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def finish(self):
        """Ends the child; returns its peak RSS in KiB."""
        if self.err.closed:  # finished before (a failed batch)
            return 0
        rss = self.peak_rss_kb() if self.proc.poll() is None else 0
        try:
            self.proc.stdin.close()
        except BrokenPipeError:  # the child is gone already
            pass
        code = self.proc.wait()
        self.err.seek(0)
        err = self.err.read()
        self.err.close()
        if code != 0:
            raise RuntimeError(f"{self.proc.args[0]} exited with {code}: " + err[-2000:])
        return rss


def interleaved(cmd_a, cmd_b, rounds):
    """Alternates batches of the two children; returns each side's batch
    medians (in time order) and peak RSS."""
    a, b = BatchServer(cmd_a), BatchServer(cmd_b)
    times_a, times_b = [], []
    try:
        for _ in range(rounds):
            times_a.append(a.batch())
            a.wait_idle()
            times_b.append(b.batch())
            b.wait_idle()
    finally:
        try:
            rss_a = a.finish()
        finally:  # b ends too when a's finish raises
            rss_b = b.finish()
    return times_a, times_b, rss_a, rss_b


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
    ap.add_argument("--rounds", type=int, default=40,
                    help="alternating batches of --iters runs per side; each side keeps "
                         "its fastest batch median")
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
        onnxc_times, ort_times, onnxc_rss, ort_rss = interleaved(
            [exe, "--serve", str(args.iters)] + raws,
            [sys.executable, "-c", ORT_CHILD, model, str(args.threads), str(args.iters)]
            + inputs, max(1, args.rounds))
        onnxc_ms, ort_ms = min(onnxc_times), min(ort_times)
        paired = median(x / y for x, y in zip(onnxc_times, ort_times))
        macs = macs_of(args.onnxc, model, shapes)
        gflops = 2 * macs / (onnxc_ms / 1e3) / 1e9 if onnxc_ms > 0 else 0
        rows.append(dict(model=name, onnxc_ms=round(onnxc_ms, 4), ort_ms=round(ort_ms, 4),
                         ratio=round(onnxc_ms / ort_ms, 3), paired_ratio=round(paired, 3),
                         onnxc_rss_kb=onnxc_rss,
                         ort_rss_kb=ort_rss, arena_bytes=arena, gflops=round(gflops, 2),
                         peak_fraction=round(gflops / (peak * args.threads), 4) if peak else 0,
                         compile_s=round(compile_s, 2)))
    return rows, peak


def report(rows, peak, args):
    print(f"peak (measured FMA loop, 1 core): {peak:.1f} GFLOP/s; threads: {args.threads} "
          f"(of peak: against {args.threads} x that)")
    hdr = ("model", "onnxc ms", "ORT ms", "ratio", "paired", "onnxc RSS KiB", "ORT RSS KiB",
           "arena B", "GFLOP/s", "of peak", "compile s")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for r in rows:
        print(f"| {r['model']} | {r['onnxc_ms']:.3f} | {r['ort_ms']:.3f} | {r['ratio']:.2f} | {r['paired_ratio']:.2f} | "
              f"{r['onnxc_rss_kb']} | {r['ort_rss_kb']} | {r['arena_bytes']} | "
              f"{r['gflops']:.2f} | {100 * r['peak_fraction']:.1f}% | {r['compile_s']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
