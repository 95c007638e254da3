// Matrix products, specialized on compile-time shapes.
#ifndef ONNXC_TEMPLATES_GEMM_H
#define ONNXC_TEMPLATES_GEMM_H

#include "onnxc/elementwise.h"
#include "onnxc/sgemm.h"

ONNXC_NAMESPACE_BEGIN

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

/// y[n] (+)= B[n] . x for n < N, B [N, K] row-major: dot products four rows
/// at a time, each a vector accumulator, reduced across lanes at the end.
template <index_t N, index_t K, bool Accumulate>
void gemv_rows(const float *ONNXC_RESTRICT x, const float *ONNXC_RESTRICT b,
               float *ONNXC_RESTRICT y) {
  using V = simd::native;
  constexpr index_t W = V::width, KV = K / W * W;
  auto hsum = [](typename V::reg v) {
    float t[W];
    V::store(t, v);
    float s = 0.0f;
    for (index_t l = 0; l < W; ++l)
      s += t[l];
    return s;
  };
  index_t n = 0;
  for (; n + 4 <= N; n += 4) {
    const float *b0 = b + n * K, *b1 = b0 + K, *b2 = b1 + K, *b3 = b2 + K;
    typename V::reg a0 = V::zero(), a1 = V::zero(), a2 = V::zero(), a3 = V::zero();
    for (index_t k = 0; k < KV; k += W) {
      typename V::reg xv = V::load(x + k);
      a0 = V::fma(V::load(b0 + k), xv, a0);
      a1 = V::fma(V::load(b1 + k), xv, a1);
      a2 = V::fma(V::load(b2 + k), xv, a2);
      a3 = V::fma(V::load(b3 + k), xv, a3);
    }
    float s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
    for (index_t k = KV; k < K; ++k) {
      s0 += b0[k] * x[k];
      s1 += b1[k] * x[k];
      s2 += b2[k] * x[k];
      s3 += b3[k] * x[k];
    }
    y[n] = Accumulate ? y[n] + s0 : s0;
    y[n + 1] = Accumulate ? y[n + 1] + s1 : s1;
    y[n + 2] = Accumulate ? y[n + 2] + s2 : s2;
    y[n + 3] = Accumulate ? y[n + 3] + s3 : s3;
  }
  // The rows past the last four (a loop GCC warns about where none are).
  for (; N % 4 != 0 && n < N; ++n) {
    const float *bn = b + n * K;
    typename V::reg a = V::zero();
    for (index_t k = 0; k < KV; k += W)
      a = V::fma(V::load(bn + k), V::load(x + k), a);
    float s = hsum(a);
    for (index_t k = KV; k < K; ++k)
      s += bn[k] * x[k];
    y[n] = Accumulate ? y[n] + s : s;
  }
}

/// y[N] = x[K] B, B stored [K, N] or, when TransB, [N, K]: a batch-1 fully
/// connected layer, bound by reading B once.
template <index_t N, index_t K, bool TransB>
void gemv(const float *ONNXC_RESTRICT x, const float *ONNXC_RESTRICT b,
          float *ONNXC_RESTRICT y) {
  if constexpr (TransB) {
    gemv_rows<N, K, false>(x, b, y);
  } else {
    // Eight rows of B per pass over y: y is loaded and stored once per
    // eight multiply-adds, and eight streams in flight read B from memory
    // faster than four (0.26 vs 0.31 ms for 1000 x 1280 from DRAM). Columns
    // split over the threads.
    constexpr bool parallel = ONNXC_THREADS > 1 && N * K >= (index_t(1) << 16);
    auto columns = [&](index_t n0, index_t n1) {
      for (index_t n = n0; n < n1; ++n)
        y[n] = 0.0f;
      constexpr index_t R = 8, KR = K / R * R;
      for (index_t k = 0; k < KR; k += R) {
        float xs[R];
        for (index_t i = 0; i < R; ++i)
          xs[i] = x[k + i];
        const float *r = b + k * N;
        for (index_t n = n0; n < n1; ++n) {
          float s = 0.0f;
#pragma GCC unroll 8
          for (index_t i = 0; i < R; ++i)
            s += xs[i] * r[i * N + n];
          y[n] += s;
        }
      }
      for (index_t k = KR; k < K; ++k) {
        const float xv = x[k], *row = b + k * N;
        for (index_t n = n0; n < n1; ++n)
          y[n] += xv * row[n];
      }
    };
    if constexpr (parallel) {
      // Chunks of whole vectors' worth of columns.
      constexpr index_t Step = 16, Chunks = (N + Step - 1) / Step;
      parallel_for<1>(Chunks, [&](index_t c0, index_t c1) {
        columns(c0 * Step, c1 * Step < N ? c1 * Step : N);
      });
    } else {
      columns(0, N);
    }
  }
}

/// The plain loops behind gemm for other types and general C.
template <index_t M, index_t N, index_t K, bool TransA, bool TransB, class CD,
          class T, class Act>
void gemm_reference(const T *a, const T *b, const T *c, const T *residual, T *y,
                    float alpha, float beta, Act act) {
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

/// Gemm: Y = act(alpha * op(A) op(B) + beta * C + residual), with C of
/// shape CD (dims<> right-aligned to [M,N]; dims<0> when absent) and
/// residual [M,N] or null. Float products run on the packed SGEMM; with
/// PackedB (= the micro-kernel's NR) B comes pre-packed by the compiler
/// (sgemm::prepacked_b), which it does only where the SGEMM path is taken.
template <index_t M, index_t N, index_t K, bool TransA, bool TransB, class CD,
          index_t PackedB = 0, class T, class Act = fn::Identity>
void gemm(const T *a, const T *b, const T *c, const T *residual, T *y,
          float alpha, float beta, T *scratch, Act act = Act{}) {
  static_assert(PackedB == 0 || PackedB == sgemm::NR,
                "weights were packed for another --cpu than this compiler targets");
  if constexpr (PackedB != 0) {
    static_assert(is_same_v<T, float> && M > 1, "packed B: float SGEMM only");
    sgemm::gemm<M, N, K>(sgemm::dense_a<TransA>{a, TransA ? M : K, M},
                         sgemm::prepacked_b{b, K, N}, y, N, false, scratch,
                         sgemm::bias_act_epilogue<Act>{nullptr, CD::size == 0 ? nullptr : c,
                                                       residual, N, act});
    (void)alpha;
    (void)beta;
    return;
  } else if constexpr (is_same_v<T, float>) {
    if (alpha == 1.0f) {
      // A C that is one row (or absent) with beta 1 is a per-column bias.
      constexpr bool colBias =
          CD::size == 0 || (CD::size == N && (CD::rank == 1 || CD::at(0) == 1));
      if (!colBias || (CD::size != 0 && beta != 1.0f)) {
        gemm_reference<M, N, K, TransA, TransB, CD>(a, b, c, residual, y, alpha,
                                                    beta, act);
        return;
      }
      const float *bias = CD::size == 0 ? nullptr : c;
      if constexpr (M == 1 && !TransA) {
        gemv<N, K, TransB>(a, b, y);
        sgemm::bias_act_epilogue<Act>{nullptr, bias, residual, N, act}(y, N, 0, 0, 1, N);
      } else {
        sgemm::gemm<M, N, K>(sgemm::dense_a<TransA>{a, TransA ? M : K, M},
                             sgemm::dense_b<TransB>{b, TransB ? K : N, N}, y, N,
                             false, scratch,
                             sgemm::bias_act_epilogue<Act>{nullptr, bias, residual, N, act});
      }
      return;
    }
  }
  (void)scratch;
  gemm_reference<M, N, K, TransA, TransB, CD>(a, b, c, residual, y, alpha, beta, act);
}

/// Elements of scratch gemm<M, N, K, TransA, TransB, CD, PackedB> on T may
/// use, following its dispatch above (checked against what the compiler
/// reserved, as conv_scratch_floats).
template <index_t M, index_t N, index_t K, bool TransA, bool TransB, class CD, index_t PackedB,
          class T>
constexpr index_t gemm_scratch_floats() {
  if constexpr (!is_same_v<T, float>)
    return 0;
  else if constexpr (PackedB != 0)
    return sgemm::scratch_floats(M, N, K, true, false);
  else if constexpr (M == 1 && !TransA)
    return 0; // a GEMV
  else
    return sgemm::scratch_floats(M, N, K, true, true);
}

/// Batched MatMul with numpy broadcasting over the batch dims: Batch is the
/// output batch shape, ABatch/BBatch the operands' (right-aligned, 1 where
/// broadcast).
template <class Batch, class ABatch, class BBatch, index_t M, index_t N,
          index_t K, class T>
void matmul(const T *a, const T *b, T *y, T *scratch) {
  // One B for every batch and A not broadcast: a single [Batch*M, K] product.
  if constexpr (is_same_v<T, float> && BBatch::size == 1 && ABatch::size == Batch::size &&
                Batch::size > 1) {
    matmul<dims<>, dims<>, dims<>, Batch::size * M, N, K>(a, b, y, scratch);
    return;
  }
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
    const T *ap = a + ao * M * K, *bp = b + bo * K * N;
    if constexpr (is_same_v<T, float> && M == 1) {
      gemv<N, K, false>(ap, bp, yp);
    } else if constexpr (is_same_v<T, float>) {
      sgemm::gemm<M, N, K>(sgemm::dense_a<false>{ap, K, M},
                           sgemm::dense_b<false>{bp, N, N}, yp, N, false, scratch);
    } else {
      (void)scratch;
      for (index_t i = 0; i < M * N; ++i)
        yp[i] = T(0);
      matmul_acc<M, N, K, false, false>(ap, bp, yp, compute_t<T>(1));
    }
    for (int d = Batch::rank - 1; d >= 0; --d) {
      if (++idx[d] < Batch::at(d))
        break;
      idx[d] = 0;
    }
  }
}

/// Elements of scratch matmul<Batch, ABatch, BBatch, M, N, K> on T may use.
template <class Batch, class ABatch, class BBatch, index_t M, index_t N, index_t K, class T>
constexpr index_t matmul_scratch_floats() {
  if constexpr (!is_same_v<T, float>)
    return 0;
  else if constexpr (BBatch::size == 1 && ABatch::size == Batch::size && Batch::size > 1)
    return matmul_scratch_floats<dims<>, dims<>, dims<>, Batch::size * M, N, K, T>();
  else if constexpr (M == 1)
    return 0; // GEMVs
  else
    return sgemm::scratch_floats(M, N, K, true, true);
}

ONNXC_NAMESPACE_END

#endif
