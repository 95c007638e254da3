// Matrix products, specialized on compile-time shapes.
#ifndef ONNXC_TEMPLATES_GEMM_H
#define ONNXC_TEMPLATES_GEMM_H

#include "onnxc/elementwise.h"

namespace onnxc {

/// Y[M,N] (+)= A[M,K] * B[K,N]; row-major with leading dims LDA/LDB/LDY and
/// A optionally read transposed (A stored [K,M]). B transposed (stored
/// [N,K]) when TransB.
template <index_t M, index_t N, index_t K, bool TransA, bool TransB, class T>
void matmul_acc(const T *ONNXC_RESTRICT a, const T *ONNXC_RESTRICT b,
                T *ONNXC_RESTRICT y, compute_t<T> alpha) {
  for (index_t i = 0; i < M; ++i) {
    T *yrow = y + i * N;
    if constexpr (!TransB) {
      for (index_t k = 0; k < K; ++k) {
        compute_t<T> av = alpha * load(TransA ? a[k * M + i] : a[i * K + k]);
        const T *brow = b + k * N;
        for (index_t j = 0; j < N; ++j)
          yrow[j] = store<T>(load(yrow[j]) + av * load(brow[j]));
      }
    } else {
      for (index_t j = 0; j < N; ++j) {
        const T *bcol = b + j * K;
        compute_t<T> acc = 0;
        for (index_t k = 0; k < K; ++k)
          acc += load(TransA ? a[k * M + i] : a[i * K + k]) * load(bcol[k]);
        yrow[j] = store<T>(load(yrow[j]) + alpha * acc);
      }
    }
  }
}

/// Gemm: Y = act(alpha * op(A) op(B) + beta * C + residual), with C of
/// shape CD (dims<> right-aligned to [M,N]; dims<0> when absent) and
/// residual [M,N] or null.
template <index_t M, index_t N, index_t K, bool TransA, bool TransB, class CD,
          class T, class Act = fn::Identity>
void gemm(const T *a, const T *b, const T *c, const T *residual, T *y,
          float alpha, float beta, Act act = Act{}) {
  if constexpr (CD::size == 0) {
    for (index_t i = 0; i < M * N; ++i)
      y[i] = T(0);
  } else {
    for (index_t i = 0; i < M; ++i)
      for (index_t j = 0; j < N; ++j) {
        index_t ci = 0;
        if constexpr (CD::rank == 2)
          ci = (CD::at(0) == 1 ? 0 : i) * CD::at(1) + (CD::at(1) == 1 ? 0 : j);
        else if constexpr (CD::rank == 1)
          ci = CD::at(0) == 1 ? 0 : j;
        y[i * N + j] = store<T>(compute_t<T>(beta) * load(c[ci]));
      }
  }
  matmul_acc<M, N, K, TransA, TransB>(a, b, y, compute_t<T>(alpha));
  if (residual) {
    for (index_t i = 0; i < M * N; ++i)
      y[i] = store<T>(act(load(y[i]) + load(residual[i])));
  } else if constexpr (!is_identity_v<Act>) {
    for (index_t i = 0; i < M * N; ++i)
      y[i] = store<T>(act(load(y[i])));
  }
}

/// Batched MatMul with numpy broadcasting over the batch dims: Batch is the
/// output batch shape, ABatch/BBatch the operands' (right-aligned, 1 where
/// broadcast).
template <class Batch, class ABatch, class BBatch, index_t M, index_t N,
          index_t K, class T>
void matmul(const T *a, const T *b, T *y) {
  index_t idx[Batch::rank > 0 ? Batch::rank : 1] = {};
  for (index_t p = 0; p < Batch::size; ++p) {
    index_t ao = 0, bo = 0;
    constexpr int as = Batch::rank - ABatch::rank, bs = Batch::rank - BBatch::rank;
    for (int d = 0; d < ABatch::rank; ++d)
      if (ABatch::at(d) != 1)
        ao += idx[d + as] * ABatch::stride(d);
    for (int d = 0; d < BBatch::rank; ++d)
      if (BBatch::at(d) != 1)
        bo += idx[d + bs] * BBatch::stride(d);
    T *yp = y + p * M * N;
    for (index_t i = 0; i < M * N; ++i)
      yp[i] = T(0);
    matmul_acc<M, N, K, false, false>(a + ao * M * K, b + bo * K * N, yp,
                                      compute_t<T>(1));
    for (int d = Batch::rank - 1; d >= 0; --d) {
      if (++idx[d] < Batch::at(d))
        break;
      idx[d] = 0;
    }
  }
}

} // namespace onnxc

#endif
