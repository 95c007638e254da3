#!/usr/bin/env python3
"""Cuts models into single-layer cases, for compare.py to time layer by layer.

    benchmarks/layers.py [--ops Conv,Gemm,...] -o OUTDIR CASE...

Each CASE is a model in the ONNX backend-test layout. The model runs once
in ONNX Runtime (graph optimizations off, so every intermediate keeps its
name) on its data set's first input; each node of the chosen ops then
becomes a case of its own in OUTDIR (backend-test layout): the node alone,
its constant operands as initializers, the activations it read in that run
as inputs, and ONNX Runtime's output for them as the reference. Nodes of
the same op, operand shapes and attributes (and the same operands
constant) are cut once, from the first of them.
OUTDIR/layers.json maps each case to the model and nodes it stands for.

Then `benchmarks/compare.py OUTDIR/*/` times each layer in onnxc and in
ONNX Runtime side by side: where a model's time goes, and which layers a
kernel loses.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

DEFAULT_OPS = "Conv,ConvTranspose,Gemm,MatMul,LSTM,GRU,MaxPool,AveragePool"


def read_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def constants_of(graph):
    """Initializers and onnx Constant outputs, by name."""
    consts = {i.name: i for i in graph.initializer}
    for n in graph.node:
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            t = onnx.TensorProto()
            t.CopyFrom(n.attribute[0].t)
            t.name = n.output[0]
            consts[n.output[0]] = t
    return consts


def intermediates(model, case, names):
    """The values of `names` in one run of `model` on the case's first
    data set, graph optimizations off."""
    import onnxruntime as ort
    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = {o.name for o in m.graph.output}
    for n in names:
        if n not in have:
            m.graph.output.append(onnx.ValueInfoProto(name=n))
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(m.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    inputs = sorted(glob.glob(os.path.join(case, "test_data_set_0", "input_*.pb")),
                    key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))
    if len(inputs) != len(sess.get_inputs()):
        sys.exit(f"{case}: the model takes {len(sess.get_inputs())} inputs; "
                 f"test_data_set_0 has {len(inputs)} input_*.pb")
    feeds = {i.name: read_tensor(p) for i, p in zip(sess.get_inputs(), inputs)}
    outs = sess.run(names, feeds)
    return dict(zip(names, outs))


def reference(model_bytes, feeds):
    import onnxruntime as ort
    sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def layer_model(model, node, consts, values):
    """The node alone: constants as initializers, the rest as inputs."""
    inits, inputs, feeds = [], [], {}
    for name in node.input:
        if not name or name in feeds or any(i.name == name for i in inits):
            continue
        if name in consts:
            inits.append(consts[name])
        else:
            a = values[name]
            feeds[name] = a
            inputs.append(helper.make_tensor_value_info(
                name, helper.np_dtype_to_tensor_dtype(a.dtype), list(a.shape)))
    outputs = [onnx.ValueInfoProto(name=o) for o in node.output if o]
    graph = helper.make_graph([node], node.name or node.op_type, inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=model.opset_import)
    m.ir_version = model.ir_version
    return m, feeds


def layer_key(node, consts, values):
    """What makes two nodes the same layer to time: the op, its operands'
    shapes and types (which operands are constant), its attributes."""
    h = hashlib.sha1(node.op_type.encode())
    for name in node.input:
        if name in consts:
            c = consts[name]
            h.update(b"const" + str((c.data_type, list(c.dims))).encode())
        elif name:
            h.update(str((values[name].dtype, values[name].shape)).encode())
        h.update(b"|")
    for a in sorted(node.attribute, key=lambda a: a.name):
        h.update(a.SerializeToString())
    return h.hexdigest()


def shape_text(a):
    return "x".join(str(d) for d in a.shape)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--out", required=True)
    p.add_argument("--ops", default=DEFAULT_OPS, help="comma-separated op types")
    p.add_argument("cases", nargs="+")
    args = p.parse_args()
    ops = set(args.ops.split(","))
    os.makedirs(args.out, exist_ok=True)
    index, seen = {}, {}
    for case in args.cases:
        case = case.rstrip("/")
        path = os.path.join(case, "model.onnx")
        if not os.path.isfile(path):
            sys.exit(f"{case}: no model.onnx (a case in the ONNX backend-test layout?)")
        model = onnx.load(path)
        consts = constants_of(model.graph)
        nodes = [n for n in model.graph.node if n.op_type in ops]
        wanted = sorted({i for n in nodes for i in n.input if i and i not in consts})
        values = intermediates(model, case, wanted) if wanted else {}
        for n in nodes:
            if all(not i or i in consts for i in n.input):
                continue  # constant folding's business, not a layer to time
            floats = all(np.issubdtype(values[i].dtype, np.floating)
                         for i in n.input if i and i not in consts)
            if not floats:
                print(f"{case}: {n.name} ({n.op_type}): a non-float input; skipped")
                continue
            key = layer_key(n, consts, values)
            if key in seen:
                index[seen[key]]["nodes"].append(n.name)
                continue
            x = values[next(i for i in n.input if i and i not in consts)]
            name = f"{os.path.basename(case)}.{len(seen):02d}_{n.op_type}_{shape_text(x)}"
            seen[key] = name
            m, feeds = layer_model(model, n, consts, values)
            data = m.SerializeToString()
            outs = reference(data, feeds)
            d = os.path.join(args.out, name)
            os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
            with open(os.path.join(d, "model.onnx"), "wb") as f:
                f.write(data)
            for k, (iname, a) in enumerate(feeds.items()):
                with open(os.path.join(d, "test_data_set_0", f"input_{k}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(a, iname).SerializeToString())
            for k, (o, a) in enumerate(zip([o for o in n.output if o], outs)):
                with open(os.path.join(d, "test_data_set_0", f"output_{k}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(a, o).SerializeToString())
            index[name] = {"model": case, "op": n.op_type, "nodes": [n.name]}
            print(name)
    with open(os.path.join(args.out, "layers.json"), "w") as f:
        json.dump(index, f, indent=1)
    print(f"{len(index)} layers in {args.out}; time them with "
          f"benchmarks/compare.py {args.out.rstrip('/')}/*/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
