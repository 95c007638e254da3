// Runs the two models onnxc_add_model() compiled, each in its own arena, on
// raw float32 input files, and prints their outputs.
#include "lenet.h"
#include "mlp_tiny.h"

#include <cstdint>
#include <cstdio>
#include <vector>

template <class Model> struct Buffers {
  std::vector<float> input = std::vector<float>(Model::input0_elements);
  std::vector<float> output = std::vector<float>(Model::output0_elements);
  // The arena must be 64-byte aligned: allocate 64 bytes more and align.
  std::vector<unsigned char> storage = std::vector<unsigned char>(Model::arena_bytes + 64);
  void *arena() {
    auto p = reinterpret_cast<std::uintptr_t>(storage.data());
    return reinterpret_cast<void *>((p + 63) / 64 * 64);
  }
};

static bool readFile(const char *path, std::vector<float> &data) {
  std::FILE *f = std::fopen(path, "rb");
  bool ok = f && std::fread(data.data(), sizeof(float), data.size(), f) == data.size();
  if (f)
    std::fclose(f);
  if (!ok)
    std::fprintf(stderr, "consumer: cannot read %zu floats from %s\n", data.size(), path);
  return ok;
}

static void print(const char *name, const std::vector<float> &values) {
  std::printf("%s:", name);
  for (float v : values)
    std::printf(" %.6g", v);
  std::printf("\n");
}

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: consumer LENET_INPUT MLP_INPUT\n");
    return 2;
  }
  Buffers<lenet::Model> lenet;
  Buffers<mlp_tiny::Model> mlp;
  if (!readFile(argv[1], lenet.input) || !readFile(argv[2], mlp.input))
    return 2;
  if (lenet::Model::run(lenet.input.data(), lenet.output.data(), lenet.arena()) != 0 ||
      mlp_tiny::Model::run(mlp.input.data(), mlp.output.data(), mlp.arena()) != 0) {
    std::fprintf(stderr, "consumer: a model failed to run\n");
    return 1;
  }
  print("lenet", lenet.output);
  print("mlp_tiny", mlp.output);
  return 0;
}
