#!/usr/bin/env python3
"""Checks `onnxc inspect --json` against figures worked out without onnxc:

- parameters and their bytes as the model is written: its initializers and
  Constant nodes (numpy),
- MACs of Conv, Gemm and MatMul from ONNX's own shape inference,
- input and output bytes from the declared shapes,
- code bytes from binutils' readelf on the library `onnxc -o` builds
  (allocated sections with contents of its code object), and the header's
  figures from that build,
- the memory map: every buffer 64-byte aligned inside the arena, a tensor's
  bytes equal to its node's output size by ONNX shape inference, and no two
  buffers live at the same step sharing a byte.

    inspect_json.py ONNXC WORK_DIR MODEL.onnx...
"""
import json
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

failures = []


def expect(what, got, want):
    if got != want:
        failures.append(f"{what}: inspect says {got}, expected {want}")


def dims_of(value_info):
    return [d.dim_value for d in value_info.type.tensor_type.shape.dim]


def constant_value(node):
    a = node.attribute[0]
    v = helper.get_attribute_value(a)
    if a.name == "value":
        return numpy_helper.to_array(v)
    dtype = {"value_float": np.float32, "value_floats": np.float32,
             "value_int": np.int64, "value_ints": np.int64}.get(a.name)
    if dtype is None:
        raise SystemExit(f"Constant {node.name}: {a.name} is not handled here")
    return np.array(v, dtype)


def independent(model_path):
    model = onnx.load(model_path)
    # Unbound symbolic dims are 1, as onnxc binds them (with a warning).
    for i in model.graph.input:
        for d in i.type.tensor_type.shape.dim:
            if d.dim_param or d.dim_value == 0:
                d.dim_value = 1
    model = shape_inference.infer_shapes(model)
    g = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    constants = [constant_value(n) for n in g.node if n.op_type == "Constant"]
    itemsize = {v.name: np.dtype(helper.tensor_dtype_to_np_dtype(v.type.tensor_type.elem_type)).itemsize
                for v in list(g.value_info) + list(g.input) + list(g.output)}
    shapes = {v.name: dims_of(v) for v in list(g.value_info) + list(g.input) + list(g.output)}
    shapes.update({k: list(v.shape) for k, v in inits.items()})
    macs = 0
    for n in g.node:
        out = int(np.prod(shapes[n.output[0]]))
        if n.op_type == "Conv":
            macs += out * int(np.prod(shapes[n.input[1]][1:]))
        elif n.op_type == "Gemm":
            trans_a = next((a.i for a in n.attribute if a.name == "transA"), 0)
            macs += out * shapes[n.input[0]][0 if trans_a else 1]
        elif n.op_type == "MatMul":
            macs += out * shapes[n.input[0]][-1]
        elif n.op_type in ("LSTM", "GRU", "RNN"):
            seq, batch, width = shapes[n.input[0]]
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            hidden = attrs["hidden_size"]
            dirs = 2 if attrs.get("direction", b"forward") == b"bidirectional" else 1
            gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[n.op_type]
            macs += seq * batch * dirs * gates * hidden * (width + hidden)
    graph_inputs = [i for i in g.input if i.name not in inits]
    params = list(inits.values()) + constants

    def nbytes(v):
        return itemsize[v.name] * int(np.prod(dims_of(v)))
    return {
        "parameters": sum(int(v.size) for v in params),
        "parameter_bytes": sum(int(v.nbytes) for v in params),
        "macs": macs,
        "inputs": [(i.name, dims_of(i), nbytes(i)) for i in graph_inputs],
        "outputs": [(o.name, dims_of(o), nbytes(o)) for o in g.output],
        # Nodes whose one output has a fully known shape.
        "node_bytes": {n.name: itemsize[n.output[0]] * int(np.prod(shapes[n.output[0]]))
                       for n in g.node if len(n.output) == 1 and n.output[0] in itemsize
                       and shapes[n.output[0]] and all(shapes[n.output[0]])},
    }


def stored_section_bytes(obj):
    """Allocated sections with contents, by readelf's section table."""
    text = subprocess.run(["readelf", "-S", "-W", obj], check=True, capture_output=True,
                          text=True).stdout
    total = 0
    for line in text.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(\S*)", line)
        if m and m.group(2) != "NOBITS" and "A" in m.group(4):
            total += int(m.group(3), 16)
    return total


def check(onnxc, work, model_path):
    name = os.path.splitext(os.path.basename(model_path))[0]
    report = json.loads(subprocess.run([onnxc, "inspect", "--json", model_path], check=True,
                                       stdout=subprocess.PIPE, text=True).stdout)
    ref = independent(model_path)
    for key in ("parameters", "parameter_bytes", "macs"):
        expect(f"{name} {key}", report[key], ref[key])
    for what in ("inputs", "outputs"):
        got = [(t["name"], t["bound_shape"], t["bytes"]) for t in report[what]]
        expect(f"{name} {what}", got, ref[what])
        expect(f"{name} {what[:-1]}_bytes", report[what[:-1] + "_bytes"],
               sum(b for _, _, b in ref[what]))
    expect(f"{name} flash_bytes", report["flash_bytes"],
           report["weights_bytes"] + report["code_bytes"])
    expect(f"{name} ram_bytes", report["ram_bytes"],
           report["arena_bytes"] + report["input_bytes"] + report["output_bytes"])

    # The library `onnxc -o` builds: its code object and its header.
    build = os.path.join(work, name)
    os.makedirs(build, exist_ok=True)
    subprocess.run([onnxc, model_path, "--name", "model", "-o", f"{build}/model.a"], check=True)
    subprocess.run(["ar", "x", "model.a", "model.o"], cwd=build, check=True)
    expect(f"{name} code_bytes (readelf)", report["code_bytes"],
           stored_section_bytes(f"{build}/model.o"))
    header = open(f"{build}/model.h").read()
    for key, macro in (("arena_bytes", "ARENA_BYTES"), ("weights_bytes", "WEIGHTS_BYTES"),
                       ("code_bytes", "CODE_BYTES"), ("macs", "MACS"),
                       ("input_bytes", "INPUT_BYTES"), ("output_bytes", "OUTPUT_BYTES")):
        m = re.search(rf"#define MODEL_{macro} (\d+)", header)
        expect(f"{name} header {macro}", int(m.group(1)) if m else None, report[key])

    entries = report["memory_map"]
    for e in entries:
        if e["offset"] % 64 or e["offset"] + e["bytes"] > report["arena_bytes"]:
            failures.append(f"{name} map: {e} is unaligned or outside the arena")
        want = ref["node_bytes"].get(e["name"])
        if e["kind"] == "tensor" and want is not None:
            expect(f"{name} map bytes of {e['name']}", e["bytes"], want)
    for i, a in enumerate(entries):
        for b in entries[i + 1:]:
            live = not (a["last_step"] < b["first_step"] or b["last_step"] < a["first_step"])
            shared = a["offset"] < b["offset"] + b["bytes"] and b["offset"] < a["offset"] + a["bytes"]
            if live and shared:
                failures.append(f"{name} map: {a['name']} and {b['name']} share bytes while both live")
    print(f"{name}: {report['macs']} MACs, {report['parameters']} parameters, flash "
          f"{report['flash_bytes']} = weights {report['weights_bytes']} + code "
          f"{report['code_bytes']}, RAM {report['ram_bytes']}, {len(entries)} arena buffers")


def main(onnxc, work, *models):
    for m in models:
        if not os.path.exists(m):
            print(f"skipped: {m} is absent")
            continue
        check(onnxc, work, m)
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("OK: inspect's figures agree with the independent ones")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(*sys.argv[1:])
