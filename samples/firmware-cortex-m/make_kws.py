#!/usr/bin/env python3
"""Writes kws.onnx: a keyword-spotting-size network in the shape of
DS-CNN-S (Zhang et al., "Hello Edge", 2017) with seeded random weights:
49 frames x 10 MFCCs in, a 10x4 stride-2 convolution to 64 channels, two
depthwise-separable blocks, global average pooling, 12 classes out.

    make_kws.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(11)
inits, nodes = [], []


def weight(name, shape, fan_in):
    w = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    inits.append(numpy_helper.from_array(w, name))
    return name


def conv_relu(name, x, c_in, c_out, kernel, stride, pads, group=1):
    w = weight(name + ".weight", [c_out, c_in // group] + kernel,
               c_in // group * kernel[0] * kernel[1])
    b = weight(name + ".bias", [c_out], 50)
    nodes.append(helper.make_node("Conv", [x, w, b], [name], name=name, kernel_shape=kernel,
                                  strides=stride, pads=pads, group=group))
    nodes.append(helper.make_node("Relu", [name], [name + ".relu"], name=name + ".relu"))
    return name + ".relu"


x = conv_relu("conv0", "mfcc", 1, 64, [10, 4], [2, 2], [4, 1, 5, 2])
for i in range(2):
    x = conv_relu(f"block{i}.depthwise", x, 64, 64, [3, 3], [1, 1], [1, 1, 1, 1], group=64)
    x = conv_relu(f"block{i}.pointwise", x, 64, 64, [1, 1], [1, 1], [0, 0, 0, 0])
nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="pool"))
nodes.append(helper.make_node("Flatten", ["pooled"], ["features"], name="flatten"))
nodes.append(helper.make_node("Gemm", ["features", weight("fc.weight", [12, 64], 64),
                                       weight("fc.bias", [12], 50)], ["logits"],
                              name="fc", transB=1))
nodes.append(helper.make_node("Softmax", ["logits"], ["scores"], name="softmax", axis=1))
graph = helper.make_graph(
    nodes, "kws_ds_cnn",
    [helper.make_tensor_value_info("mfcc", TensorProto.FLOAT, [1, 1, 49, 10])],
    [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 12])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
