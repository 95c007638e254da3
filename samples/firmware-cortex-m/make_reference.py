#!/usr/bin/env python3
"""Writes <name>_reference.h for the firmware: a one-input, one-output
model's input (a raw float32 file, or seeded normal values) and ONNX
Runtime's output for it, as exact C float literals.

    make_reference.py MODEL.onnx OUT.h [INPUT.bin]
"""
import sys

import numpy as np
import onnx
import onnxruntime as ort


def c_floats(values):
    lines, row = [], []
    for v in values:
        row.append(float(v).hex() + "f")
        if len(row) == 6:
            lines.append("  " + ", ".join(row) + ",")
            row = []
    if row:
        lines.append("  " + ", ".join(row) + ",")
    return "\n".join(lines)


def main(model_path, out_path, input_path=None):
    model = onnx.load(model_path)
    inits = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in inits]
    if len(inputs) != 1 or len(model.graph.output) != 1:
        sys.exit(f"{model_path}: the firmware sample takes one input and one output")
    shape = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
    if input_path:
        x = np.fromfile(input_path, np.float32).reshape(shape)
    else:
        x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    sess = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    y = sess.run(None, {inputs[0].name: x})[0].astype(np.float32)
    with open(out_path, "w") as f:
        f.write(f"/* {model_path}: input and ONNX Runtime's output "
                f"(written by make_reference.py). */\n")
        f.write(f"#define REFERENCE_INPUT_ELEMENTS {x.size}\n")
        f.write(f"#define REFERENCE_OUTPUT_ELEMENTS {y.size}\n")
        f.write(f"static const float reference_input[{x.size}] = {{\n{c_floats(x.ravel())}\n}};\n")
        f.write(f"static const float reference_output[{y.size}] = {{\n{c_floats(y.ravel())}\n}};\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
