#!/usr/bin/env python3
"""samples/classify against ONNX Runtime.

    classify_check.py write IMAGE WIDTH HEIGHT CHANNELS   a seeded PGM/PPM image
    classify_check.py check MODEL IMAGE OUTPUT            the app's top-5 vs ORT's

The reference resizes (bilinear, pixel centres aligned), converts channels
and normalizes the way the sample documents, in numpy, then runs the model
in ONNX Runtime.
"""
import re
import sys

import numpy as np
import onnxruntime as ort


def write(path, width, height, channels):
    rng = np.random.default_rng(5)
    # Smooth gradients plus noise, so resizing has something to interpolate.
    y, x = np.mgrid[0:height, 0:width]
    base = (x * 255 // max(width - 1, 1) + y * 128 // max(height - 1, 1)) % 256
    pixels = np.stack([(base + 60 * c) % 256 for c in range(channels)], axis=-1)
    pixels = np.clip(pixels + rng.integers(-20, 21, pixels.shape), 0, 255).astype(np.uint8)
    with open(path, "wb") as f:
        f.write(b"P%d\n# written by classify_check.py\n%d %d\n255\n"
                % (5 if channels == 1 else 6, width, height))
        f.write(pixels.tobytes())


def read(path):
    data = open(path, "rb").read()
    tokens = re.sub(rb"#[^\n]*\n", b"\n", data[:200]).split()
    kind, width, height = tokens[0], int(tokens[1]), int(tokens[2])
    channels = 1 if kind == b"P5" else 3
    samples = np.frombuffer(data[-width * height * channels:], np.uint8)
    return samples.reshape(height, width, channels).astype(np.float32)


def resize(image, width, height):
    def source(out_size, in_size):
        s = np.clip((np.arange(out_size) + 0.5) * in_size / out_size - 0.5, 0, in_size - 1)
        i0 = s.astype(np.int64)
        return i0, np.minimum(i0 + 1, in_size - 1), (s - i0).astype(np.float32)
    x0, x1, tx = source(width, image.shape[1])
    y0, y1, ty = source(height, image.shape[0])
    top = image[y0][:, x0] + (image[y0][:, x1] - image[y0][:, x0]) * tx[None, :, None]
    bottom = image[y1][:, x0] + (image[y1][:, x1] - image[y1][:, x0]) * tx[None, :, None]
    return top + (bottom - top) * ty[:, None, None]


def check(model, image_path, output_path):
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    _, channels, height, width = [d if isinstance(d, int) else 1 for d in inp.shape]
    image = resize(read(image_path), width, height)
    if image.shape[2] != channels:
        image = (image @ np.array([0.299, 0.587, 0.114], np.float32))[..., None] \
            if channels == 1 else np.repeat(image, 3, axis=2)
    mean, dev = ((np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225]))
                 if channels == 3 else (np.zeros(1), np.ones(1)))
    x = ((image / 255.0 - mean) / dev).astype(np.float32).transpose(2, 0, 1)[None]
    scores = sess.run(None, {inp.name: x})[0].ravel()
    want = np.argsort(-scores, kind="stable")[:5]
    rows = re.findall(r"^\s*\d+\s+(\d+)\s+(-?[\d.]+)", open(output_path).read(), re.M)
    got_classes = [int(c) for c, _ in rows]
    got_scores = np.array([float(s) for _, s in rows])
    print("ONNX Runtime top-5:", [int(k) for k in want], np.round(scores[want], 5).tolist())
    if got_classes != [int(k) for k in want] or not np.allclose(got_scores, scores[want], rtol=1e-3, atol=1e-4):
        print("MISMATCH: classify printed", got_classes, got_scores)
        sys.exit(1)
    print("classify's top-5 matches ONNX Runtime")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], *map(int, sys.argv[3:6]))
    else:
        check(*sys.argv[2:5])
