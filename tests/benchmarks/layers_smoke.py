#!/usr/bin/env python3
"""benchmarks/layers.py end to end: a three-convolution model (two of the
same shape) is cut into two single-layer cases, whose inputs are the
activations the model computed, and onnxc's build of each matches ONNX
Runtime's output for it (`onnxc check`).

    layers_smoke.py ONNXC WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = os.path.join(HERE, "..", "..", "benchmarks", "layers.py")


def make_model(case):
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    rng = np.random.default_rng(7)

    def weight(name, shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.2, name)

    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["c2", "w3", "b3"], ["y"], name="conv3", strides=[2, 2]),
    ]
    graph = helper.make_graph(
        nodes, "three_convs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 12, 12])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])],
        [weight("w1", (8, 8, 3, 3)), weight("w2", (8, 8, 3, 3)), weight("w3", (4, 8, 1, 1)),
         weight("b3", (4,))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    os.makedirs(os.path.join(case, "test_data_set_0"))
    onnx.save(model, os.path.join(case, "model.onnx"))
    x = rng.standard_normal((1, 8, 12, 12)).astype(np.float32)
    with open(os.path.join(case, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())
    return x


def main():
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        print("skipped: no onnxruntime")
        return 77
    import onnx
    from onnx import numpy_helper
    onnxc, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    case, out = os.path.join(work, "three_convs"), os.path.join(work, "layers")
    x = make_model(case)
    res = subprocess.run([sys.executable, LAYERS, "-o", out, "--ops", "Conv", case],
                         capture_output=True, text=True)
    print(res.stdout, res.stderr, sep="\n")
    if res.returncode != 0:
        print(f"FAIL: layers.py exited with {res.returncode}")
        return 1
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    index = json.load(open(os.path.join(out, "layers.json")))
    groups = sorted(v["nodes"] for v in index.values())
    check(groups == [["conv1", "conv2"], ["conv3"]], f"layers: {groups}")
    for name, entry in index.items():
        m = onnx.load(os.path.join(out, name, "model.onnx"))
        check([n.name for n in m.graph.node] == entry["nodes"][:1], f"{name}: one node")
        check(len(m.graph.input) == 1, f"{name}: one input, the weights initializers")
        got = onnx.TensorProto()
        got.ParseFromString(open(os.path.join(out, name, "test_data_set_0", "input_0.pb"),
                                 "rb").read())
        a = numpy_helper.to_array(got)
        if entry["nodes"][0] == "conv1":
            check(np.array_equal(a, x), f"{name}: the model's input")
        else:  # conv3 reads conv2's output: an activation of the model's run
            check(a.shape == (1, 8, 12, 12) and not np.array_equal(a, x),
                  f"{name}: the activation the model computed")
    cases = [os.path.join(out, n) for n in sorted(index)]
    res = subprocess.run([onnxc, "check"] + cases, capture_output=True, text=True)
    print(res.stdout, res.stderr, sep="\n")
    check(res.returncode == 0 and f"{len(cases)} passed, 0 failed" in res.stdout,
          "onnxc check passes every layer")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(index)} layers, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
