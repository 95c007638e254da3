/* The FMA peak loop that peak_fma.c and the GEMM sweep share: single-core
 * float32 FMA throughput (GFLOP/s) of independent vector accumulators, as
 * wide as the target's vectors, enough of them to hide the FMA latency.
 * C and C++. */
#ifndef ONNXC_BENCHMARKS_PEAK_FMA_H
#define ONNXC_BENCHMARKS_PEAK_FMA_H

#include <time.h>

#if defined(__AVX512F__)
#define PEAK_FMA_LANES 16
#elif defined(__AVX__)
#define PEAK_FMA_LANES 8
#else
#define PEAK_FMA_LANES 4
#endif
typedef float peak_fma_vf __attribute__((vector_size(PEAK_FMA_LANES * 4)));

/* GFLOP/s of one run of `iters` steps of 12 vector multiply-adds. */
static inline double peak_fma_gflops(long iters) {
  peak_fma_vf a, b, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11;
  for (int i = 0; i < PEAK_FMA_LANES; ++i) {
    a[i] = 0.999999f;
    b[i] = 1e-7f;
  }
  /* Distinct starting values, so the compiler cannot merge accumulators. */
  c0 = b * 1; c1 = b * 2; c2 = b * 3; c3 = b * 4; c4 = b * 5; c5 = b * 6;
  c6 = b * 7; c7 = b * 8; c8 = b * 9; c9 = b * 10; c10 = b * 11; c11 = b * 12;
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
  peak_fma_vf sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
  /* The sums stay live, so the loop is not removed. */
  __asm__ volatile("" : : "v"(sum));
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  return iters * 12.0 * PEAK_FMA_LANES * 2 / s / 1e9;
}

#endif
