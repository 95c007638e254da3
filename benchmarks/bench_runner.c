/* Times a compiled model. Built per model by compare.py with
 * -DMODEL_HEADER/-DPREFIX/-DPREFIX_UPPER.
 *
 *   bench_runner ITERS INPUTS...          one batch: prints the median and
 *                                         minimum ms of ITERS runs after a warm-up
 *   bench_runner --serve ITERS INPUTS...  after the warm-up, times one batch per
 *                                         line read from stdin until EOF, so that
 *                                         compare.py can interleave it with ORT */
#include MODEL_HEADER
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const int ni = CAT(PREFIX_UPPER, _NUM_INPUTS), no = CAT(PREFIX_UPPER, _NUM_OUTPUTS);
  int serve = argc > 1 && strcmp(argv[1], "--serve") == 0;
  argv += serve;
  argc -= serve;
  if (argc != 2 + ni || atoi(argv[1]) < 1) {
    fprintf(stderr, "usage: bench_runner [--serve] ITERS INPUTS...\n");
    return 2;
  }
  int iters = atoi(argv[1]);
  const void *in[ni > 0 ? ni : 1];
  void *out[no > 0 ? no : 1];
  for (int i = 0; i < ni; ++i) {
    const onnxc_tensor_info *t = &CAT(PREFIX, _inputs)[i];
    void *buf = malloc(t->bytes + 1);
    FILE *f = fopen(argv[2 + i], "rb");
    if (!f || fread(buf, 1, t->bytes, f) != (size_t)t->bytes)
      return 2;
    fclose(f);
    in[i] = buf;
  }
  for (int i = 0; i < no; ++i)
    out[i] = malloc(CAT(PREFIX, _outputs)[i].bytes + 1);
  void *arena = aligned_alloc(64, ((CAT(PREFIX_UPPER, _ARENA_BYTES) + 63) / 64) * 64 + 64);
  for (int i = 0; i < 3; ++i)
    CAT(PREFIX, _run_generic)(in, out, arena);
  double *times = malloc(sizeof(double) * iters);
  char line[64];
  while (!serve || fgets(line, sizeof line, stdin)) {
    for (int i = 0; i < iters; ++i) {
      double t0 = now_ms();
      CAT(PREFIX, _run_generic)(in, out, arena);
      times[i] = now_ms() - t0;
    }
    qsort(times, iters, sizeof(double), cmp);
    printf("%.6f %.6f\n", times[iters / 2], times[0]);
    fflush(stdout);
    if (!serve)
      break;
  }
  return 0;
}
