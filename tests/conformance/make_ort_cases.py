#!/usr/bin/env python3
"""Writes small cases in the ONNX backend-test layout whose reference
outputs come from ONNX Runtime, for behaviour the ONNX node tests do not
reach (asymmetric pads counted by average pooling, Concat inputs written in
place, InstanceNormalization, whose node tests are opset 6, Clip with
min > max, NaNs through Relu). The generated files are checked in, so the
tests need no ORT:

    python3 tests/conformance/make_ort_cases.py tests/conformance/ort_cases
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def write_case(root, name, graph, nans=0):
    """nans: that many NaNs placed at random in each input."""
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    case = os.path.join(root, name)
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(case, "model.onnx"))
    rng = np.random.default_rng(len(name))
    feeds = {}
    for i, inp in enumerate(graph.input):
        shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
        x = rng.standard_normal(shape).astype(np.float32)
        x.flat[rng.choice(x.size, nans, replace=False)] = np.nan
        feeds[inp.name] = x
        with open(os.path.join(data, f"input_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(x, inp.name).SerializeToString())
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for i, (out, y) in enumerate(zip(graph.output, sess.run(None, feeds))):
        with open(os.path.join(data, f"output_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(y, out.name).SerializeToString())


def value(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def average_pool_case(root, name, x_shape, y_shape, **attrs):
    node = helper.make_node("AveragePool", ["x"], ["y"], name="pool", **attrs)
    write_case(root, name, helper.make_graph([node], name, [value("x", x_shape)],
                                             [value("y", y_shape)]))


def instance_norm_case(root, name, shape, epsilon):
    # x + 3 first: a mean well away from zero, which a one-pass variance
    # (E[x^2] - E[x]^2) in float would get visibly wrong.
    rng = np.random.default_rng(len(name))
    c = shape[1]
    shift = numpy_helper.from_array(np.array(3.0, np.float32), "shift")
    scale = numpy_helper.from_array(rng.uniform(0.5, 1.5, c).astype(np.float32), "scale")
    bias = numpy_helper.from_array(rng.standard_normal(c).astype(np.float32), "bias")
    nodes = [
        helper.make_node("Add", ["x", "shift"], ["xs"], name="shift"),
        helper.make_node("InstanceNormalization", ["xs", "scale", "bias"], ["y"], name="norm",
                         epsilon=epsilon),
    ]
    write_case(root, name, helper.make_graph(nodes, name, [value("x", shape)],
                                             [value("y", shape)],
                                             initializer=[shift, scale, bias]))


def activation_cases(root, name, op, inputs=(), initializers=(), seed=0, nans=0,
                     conv_nans=0):
    """An activation alone (`name`), and fused into a convolution's
    epilogue (`conv_` + name): 3x3, 8 -> 24 channels over 7 x 7, whose
    outputs fill whole tiles and partial ones. inputs: the op's operands
    after the data; seed: the convolution's weights; nans, conv_nans: NaNs
    placed in each case's input."""
    act = helper.make_node(op, ["x"] + list(inputs), ["y"], name=op.lower())
    write_case(root, name,
               helper.make_graph([act], name, [value("x", [2, 3, 5])], [value("y", [2, 3, 5])],
                                 initializer=list(initializers)), nans=nans)
    rng = np.random.default_rng(seed)
    w = numpy_helper.from_array(rng.standard_normal([24, 8, 3, 3]).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal(24).astype(np.float32), "b")
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node(op, ["c"] + list(inputs), ["y"], name=op.lower()),
    ]
    write_case(root, "conv_" + name,
               helper.make_graph(nodes, "conv_" + name, [value("x", [1, 8, 7, 7])],
                                 [value("y", [1, 24, 7, 7])],
                                 initializer=[w, b] + list(initializers)), nans=conv_nans)


def main(root):
    # Trailing pads that differ from the leading ones, counted by
    # count_include_pad: rows of 16+ outputs (pool2d_separable) and short
    # ones (pool2d), with ceil-mode overhang that must not be counted.
    average_pool_case(root, "averagepool_2d_asymmetric_pads_count_pad",
                      [1, 3, 20, 21], [1, 3, 10, 20], kernel_shape=[3, 3],
                      strides=[2, 1], pads=[0, 1, 2, 0], count_include_pad=1)
    average_pool_case(root, "averagepool_2d_asymmetric_pads_ceil_count_pad",
                      [1, 2, 9, 10], [1, 2, 5, 5], kernel_shape=[3, 3],
                      strides=[2, 2], pads=[1, 0, 0, 1], ceil_mode=1,
                      count_include_pad=1)
    average_pool_case(root, "averagepool_2d_same_upper_count_pad",
                      [1, 2, 8, 8], [1, 2, 4, 4], kernel_shape=[3, 3],
                      strides=[2, 2], auto_pad="SAME_UPPER", count_include_pad=1)
    # Concat inputs written in place, the Concat a graph output, and one
    # input also read elsewhere (so it is copied).
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="relu"),
        helper.make_node("Sigmoid", ["x"], ["b"], name="sigmoid"),
        helper.make_node("Neg", ["x"], ["c"], name="neg"),
        helper.make_node("Concat", ["a", "b", "c"], ["y"], name="concat", axis=1),
        helper.make_node("Abs", ["c"], ["z"], name="abs"),
    ]
    write_case(root, "concat_in_place_graph_output",
               helper.make_graph(nodes, "concat_in_place", [value("x", [1, 4, 5, 6])],
                                 [value("y", [1, 12, 5, 6]), value("z", [1, 4, 5, 6])]))
    # Planes of 323 floats (16-float partial sums and a tail) over two
    # images, and of 6144.
    instance_norm_case(root, "instancenorm_plane_tail", [2, 3, 17, 19], 1e-3)
    instance_norm_case(root, "instancenorm_large_plane", [1, 4, 64, 96], 1e-5)
    # Clip with min > max gives max everywhere (min(max(x, min), max)).
    bounds = [numpy_helper.from_array(np.array(v, np.float32), n)
              for n, v in (("lo", 0.25), ("hi", -0.5))]
    activation_cases(root, "clip_min_above_max", "Clip", ["lo", "hi"], bounds, seed=5)
    # NaNs pass through Relu (each NaN input spreads to its 3 x 3
    # neighbourhood through the convolution).
    activation_cases(root, "relu_nan", "Relu", seed=6, nans=4, conv_nans=2)
    # Strided convolutions of many channels x taps but few output channels,
    # which read phase-split images over several K blocks (conv.h
    # im2col_phased_v): one with a residual and rows of 29 outputs (a
    # partial last panel), one 5x5 of stride 3 without.
    rng = np.random.default_rng(8)
    weights = [numpy_helper.from_array(rng.standard_normal(s).astype(np.float32) * 0.05, n)
               for n, s in (("wa", (40, 64, 3, 3)), ("ba", (40,)), ("wb", (24, 64, 5, 5)))]
    nodes = [
        helper.make_node("Conv", ["x", "wa", "ba"], ["ca"], name="conv_a", strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["ca", "r"], ["sa"], name="residual"),
        helper.make_node("Relu", ["sa"], ["ya"], name="relu"),
        helper.make_node("Conv", ["x", "wb"], ["yb"], name="conv_b", strides=[3, 3],
                         pads=[2, 2, 2, 2]),
    ]
    write_case(root, "conv_strided_few_outputs",
               helper.make_graph(nodes, "conv_strided_few_outputs",
                                 [value("x", [1, 64, 58, 58]), value("r", [1, 40, 29, 29])],
                                 [value("ya", [1, 40, 29, 29]), value("yb", [1, 24, 20, 20])],
                                 weights))


if __name__ == "__main__":
    main(sys.argv[1])
