#!/usr/bin/env bash
# The main job: compile the shipped LeNet with onnxc, link it into the C
# sample app, run it on the shipped input.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/samples/lenet-c
mkdir -p "$out"
build/bin/onnxc samples/lenet-c/lenet.onnx -o "$out/lenet.a" --name lenet
cc -O2 -std=c11 -I"$out" samples/lenet-c/main.c "$out/lenet.a" -lm -o "$out/lenet-classify"
(cd samples/lenet-c && "../../$out/lenet-classify" input.bin)
