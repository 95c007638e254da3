// Two compiled models in one binary: LeNet and a small MLP, each under its
// own symbol prefix, sharing one arena sized for the larger.
#include "lenet.h"
#include "mlp_tiny.h"

#include <cstdio>
#include <cstdlib>

alignas(64) static unsigned char arena[lenet::Model::arena_bytes > mlp_tiny::Model::arena_bytes
                                           ? lenet::Model::arena_bytes
                                           : mlp_tiny::Model::arena_bytes + 1];

static bool readFile(const char *path, void *data, size_t bytes) {
  FILE *f = std::fopen(path, "rb");
  bool ok = f && std::fread(data, 1, bytes, f) == bytes;
  if (f)
    std::fclose(f);
  return ok;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: two-models LENET_INPUT MLP_INPUT\n");
    return 2;
  }
  static float image[lenet::Model::input0_elements];
  static float scores[lenet::Model::output0_elements];
  static float features[mlp_tiny::Model::input0_elements];
  static float logits[mlp_tiny::Model::output0_elements];
  if (!readFile(argv[1], image, sizeof image) || !readFile(argv[2], features, sizeof features)) {
    std::fprintf(stderr, "cannot read the inputs\n");
    return 2;
  }
  lenet::Model::run(image, scores, arena);
  mlp_tiny::Model::run(features, logits, arena);
  std::printf("lenet:");
  for (float s : scores)
    std::printf(" %.6g", s);
  std::printf("\nmlp_tiny:");
  for (float s : logits)
    std::printf(" %.6g", s);
  std::printf("\n");
  return 0;
}
