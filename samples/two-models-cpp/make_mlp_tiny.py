"""Writes mlp_tiny.onnx (Gemm-Relu-Gemm-Softmax, seeded weights), an input,
and ONNX Runtime's outputs for it and for the shipped LeNet input."""
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

out, lenet, lenet_input = sys.argv[1], sys.argv[2], sys.argv[3]
rng = np.random.default_rng(7)
w1 = rng.standard_normal((16, 12)).astype(np.float32)
b1 = rng.standard_normal(12).astype(np.float32)
w2 = rng.standard_normal((12, 5)).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1"),
     helper.make_node("Relu", ["h"], ["r"], name="relu"),
     helper.make_node("MatMul", ["r", "w2"], ["z"], name="fc2"),
     helper.make_node("Softmax", ["z"], ["y"], name="softmax", axis=-1)],
    "mlp_tiny",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 16])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5])],
    initializer=[numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
                 numpy_helper.from_array(w2, "w2")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, f"{out}/mlp_tiny.onnx")
x = rng.standard_normal((2, 16)).astype(np.float32)
x.tofile(f"{out}/mlp_input.bin")
ref_mlp = ort.InferenceSession(f"{out}/mlp_tiny.onnx").run(None, {"x": x})[0]
image = np.fromfile(lenet_input, dtype=np.float32).reshape(1, 1, 32, 32)
sess = ort.InferenceSession(lenet)
ref_lenet = sess.run(None, {sess.get_inputs()[0].name: image})[0]
np.save(f"{out}/ref_lenet.npy", ref_lenet)
np.save(f"{out}/ref_mlp.npy", ref_mlp)
