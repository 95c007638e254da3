"""Writes one malformed ONNX model per kind of bad input into a folder.

Each model is small and wrong in exactly one way; the lit tests beside this
file check that onnxc refuses each with a clear one-line error.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])


def save(name, graph, opset=13, ir=8):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir
    onnx.save(model, os.path.join(out, name + ".onnx"))


def relu_graph(**kw):
    return helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                             "g", [X], [Y], **kw)


# A valid model, to show the others fail for their own reason.
save("valid", relu_graph())
# Cycle: a -> b -> a.
save("cycle", helper.make_graph(
    [helper.make_node("Relu", ["b"], ["a"], name="first"),
     helper.make_node("Relu", ["a"], ["b"], name="second"),
     helper.make_node("Relu", ["x"], ["y"], name="third")], "g", [X], [Y]))
# Dangling input name.
save("dangling", helper.make_graph(
    [helper.make_node("Add", ["x", "nowhere"], ["y"], name="add")], "g", [X], [Y]))
# Graph output nothing produces.
save("missing_output", helper.make_graph(
    [helper.make_node("Relu", ["x"], ["z"], name="relu")], "g", [X], [Y]))
# Unknown operator.
save("unknown_op", helper.make_graph(
    [helper.make_node("FrobnicateTensor", ["x"], ["y"], name="frob")], "g", [X], [Y]))
# Opset that cannot exist.
save("bad_opset", relu_graph(), opset=999)
save("old_opset", relu_graph(), opset=3)
# Declared output shape contradicts what the graph computes.
save("shape_contradiction", helper.make_graph(
    [helper.make_node("Relu", ["x"], ["y"], name="relu")], "g", [X],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5, 7])]))
# Operand shapes that cannot broadcast.
save("bad_broadcast", helper.make_graph(
    [helper.make_node("Add", ["x", "w"], ["y"], name="add")], "g", [X], [Y],
    initializer=[numpy_helper.from_array(np.ones((4,), np.float32), "w")]))
# Initializer whose data does not fill its shape.
bad = numpy_helper.from_array(np.ones((3,), np.float32), "w")
bad.dims[:] = [100]
save("short_initializer", helper.make_graph(
    [helper.make_node("Add", ["x", "w"], ["y"], name="add")], "g", [X], [Y],
    initializer=[bad]))
# Strings are refused.
S = helper.make_tensor_value_info("s", TensorProto.STRING, [2])
save("string_input", helper.make_graph(
    [helper.make_node("Identity", ["s"], ["y"], name="id")], "g", [S], [Y]))
# External data pointing outside the model's folder.
ext = numpy_helper.from_array(np.ones((3,), np.float32), "w")
ext.ClearField("raw_data")
ext.data_location = TensorProto.EXTERNAL
entry = ext.external_data.add()
entry.key, entry.value = "location", "../../etc/passwd"
save("external_escape", helper.make_graph(
    [helper.make_node("Add", ["x", "w"], ["y"], name="add")], "g", [X], [Y],
    initializer=[ext]))
# An op the backend cannot lower yet.
save("unsupported_op", helper.make_graph(
    [helper.make_node("Det", ["m"], ["d"], name="det")], "g",
    [helper.make_tensor_value_info("m", TensorProto.FLOAT, [3, 3])],
    [helper.make_tensor_value_info("d", TensorProto.FLOAT, [])]))
# A shape no machine could hold.
save("huge_shape", helper.make_graph(
    [helper.make_node("ConstantOfShape", ["shape"], ["big"], name="fill"),
     helper.make_node("Add", ["x", "big"], ["y"], name="add")], "g", [X], [Y],
    initializer=[numpy_helper.from_array(np.array([2, 100000, 100000, 100000], np.int64), "shape")]))
# Garbage and truncated files.
with open(os.path.join(out, "garbage.onnx"), "wb") as f:
    f.write(b"this is not a protobuf \xff\xfe\x00\x01" * 8)
with open(os.path.join(out, "valid.onnx"), "rb") as f:
    data = f.read()
with open(os.path.join(out, "truncated.onnx"), "wb") as f:
    f.write(data[: len(data) // 2])
open(os.path.join(out, "empty.onnx"), "wb").close()
