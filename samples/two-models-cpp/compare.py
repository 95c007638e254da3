"""Compares the two-models app's printed outputs with ONNX Runtime's."""
import sys

import numpy as np

out, text = sys.argv[1], open(sys.argv[2]).read().split("\n")
got = {line.split(":")[0]: np.array(line.split(":")[1].split(), np.float32)
       for line in text if ":" in line}
ok = True
for name in ("lenet", "mlp"):
    ref = np.load(f"{out}/ref_{name}.npy").ravel()
    key = "lenet" if name == "lenet" else "mlp_tiny"
    if not np.allclose(got[key], ref, rtol=1e-3, atol=1e-5):
        print(f"{name}: got {got[key]}, ONNX Runtime {ref}")
        ok = False
print("both models match ONNX Runtime" if ok else "MISMATCH")
sys.exit(0 if ok else 1)
