/* Measures single-core peak float32 FMA throughput (GFLOP/s): independent
 * vector accumulators, as wide as the target's vectors, enough of them to
 * hide the FMA latency. compare.py and the GEMM sweep use it as "peak". */
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
typedef float vf __attribute__((vector_size(LANES * 4)));

int main(void) {
  vf a, b, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11;
  for (int i = 0; i < LANES; ++i) {
    a[i] = 0.999999f;
    b[i] = 1e-7f;
  }
  // Distinct starting values, so the compiler cannot merge accumulators.
  c0 = b * 1; c1 = b * 2; c2 = b * 3; c3 = b * 4; c4 = b * 5; c5 = b * 6;
  c6 = b * 7; c7 = b * 8; c8 = b * 9; c9 = b * 10; c10 = b * 11; c11 = b * 12;
  // The best of 5 runs: this host's other tenants slow whole stretches of
  // a core down, and one slow run would understate the peak (and overstate
  // every fraction of it).
  const long iters = 10000000;
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < iters; ++i) {
      c0 = c0 * a + b; c1 = c1 * a + b; c2 = c2 * a + b; c3 = c3 * a + b;
      c4 = c4 * a + b; c5 = c5 * a + b; c6 = c6 * a + b; c7 = c7 * a + b;
      c8 = c8 * a + b; c9 = c9 * a + b; c10 = c10 * a + b; c11 = c11 * a + b;
      __asm__ volatile("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4), "+v"(c5));
      __asm__ volatile("" : "+v"(c6), "+v"(c7), "+v"(c8), "+v"(c9), "+v"(c10), "+v"(c11));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double gflops = iters * 12.0 * LANES * 2 / s / 1e9;
    if (gflops > best)
      best = gflops;
  }
  vf sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
  float sink = 0;
  for (int i = 0; i < LANES; ++i)
    sink += sum[i];
  printf("%.3f %g\n", best, sink);
  return 0;
}
