/* peak_fma.h's loop as a shared library, for the Python benchmarks that
 * time ONNX Runtime against the same peak (gemm/ort_matmul.py). */
#include "peak_fma.h"

double peak_fma_run(long iters) { return peak_fma_gflops(iters); }
