/* Classifies one 1x1x32x32 float image with the LeNet compiled by onnxc. */
#include "lenet.h"

#include <stdalign.h>
#include <stdio.h>

static alignas(64) unsigned char arena[LENET_ARENA_BYTES > 0 ? LENET_ARENA_BYTES : 1];

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "input.bin";
  static float image[1 * 1 * 32 * 32];
  float scores[10];
  FILE *f = fopen(path, "rb");
  if (!f || fread(image, sizeof image, 1, f) != 1) {
    fprintf(stderr, "lenet: cannot read %s (1x1x32x32 float32)\n", path);
    return 1;
  }
  fclose(f);
  if (lenet_run(image, scores, arena) != 0)
    return 1;
  int best = 0;
  for (int i = 1; i < 10; ++i)
    if (scores[i] > scores[best])
      best = i;
  printf("predicted class: %d\nscores:", best);
  for (int i = 0; i < 10; ++i)
    printf(" %d:%.4f", i, scores[i]);
  printf("\narena: %d bytes, weights: %d bytes\n", LENET_ARENA_BYTES, LENET_WEIGHTS_BYTES);
  return 0;
}
