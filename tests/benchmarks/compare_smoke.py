#!/usr/bin/env python3
"""benchmarks/compare.py end to end on two small in-repo cases: the table and
the JSON it documents, each side's timings and peak RSS read from its own
child. No timing is asserted: the figures only have to be measured.

    compare_smoke.py ONNXC WORKDIR CASE...
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "..", "..", "benchmarks", "compare.py")
KEYS = {"model", "onnxc_ms", "ort_ms", "ratio", "paired_ratio", "onnxc_rss_kb", "ort_rss_kb",
        "arena_bytes", "gflops", "peak_fraction", "compile_s"}


def main():
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        print("skipped: no onnxruntime")
        return 77
    onnxc, work, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "compare.json")
    res = subprocess.run([sys.executable, COMPARE, "--onnxc", onnxc, "--rounds", "3",
                          "--iters", "5", "--json", out] + cases,
                         capture_output=True, text=True)
    print(res.stdout, res.stderr, sep="\n")
    if res.returncode != 0:
        print(f"FAIL: compare.py exited with {res.returncode}")
        return 1
    rows = json.load(open(out))
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    check([r["model"] for r in rows] == [os.path.basename(c.rstrip("/")) for c in cases],
          "one row per case, in order")
    for r in rows:
        name = r.get("model")
        check(set(r) == KEYS, f"{name}: keys {sorted(r)}")
        check(f"| {name} |" in res.stdout, f"{name}: a table row")
        check(r["onnxc_ms"] > 0 and r["ort_ms"] > 0, f"{name}: both sides timed")
        check(abs(r["ratio"] - r["onnxc_ms"] / r["ort_ms"]) <= 0.002 + 0.01 * r["ratio"],
              f"{name}: ratio is onnxc_ms / ort_ms")
        check(r["paired_ratio"] > 0, f"{name}: paired ratio")
        # The compiled runner of a small model holds a few MB; a figure
        # near the Python parent's (20 MB and up) would be the parent's
        # pages counted into the child's.
        check(0 < r["onnxc_rss_kb"] < 8192, f"{name}: onnxc RSS {r['onnxc_rss_kb']} KiB")
        check(r["ort_rss_kb"] > r["onnxc_rss_kb"], f"{name}: ORT RSS {r['ort_rss_kb']} KiB")
        check(r["arena_bytes"] > 0 and r["compile_s"] > 0, f"{name}: arena and compile time")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(rows)} cases, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
