// Reductions, softmax, argmax and normalizations.
#ifndef ONNXC_TEMPLATES_REDUCE_H
#define ONNXC_TEMPLATES_REDUCE_H

#include "onnxc/fastmath.h"
#include "onnxc/runtime.h"

ONNXC_NAMESPACE_BEGIN

enum class reduce_kind { sum, mean, max, min, prod, l1, l2, log_sum, log_sum_exp, sum_square };

/// Reduces x (shape In) into y (shape Keep: In with reduced dims set to 1).
template <reduce_kind K, class In, class Keep, class T>
void reduce(const T *x, T *y) {
  using C = compute_t<T>;
  constexpr index_t outN = Keep::size;
  constexpr index_t count = outN ? In::size / (outN ? outN : 1) : 0;
  C acc[outN > 0 ? outN : 1];
  C init = K == reduce_kind::max ? C(-INFINITY)
           : K == reduce_kind::min ? C(INFINITY)
           : K == reduce_kind::prod ? C(1) : C(0);
  if constexpr (K == reduce_kind::max || K == reduce_kind::min)
    if constexpr (!is_float_v<C>) // integers have no infinity
      init = K == reduce_kind::max ? C(C(1) << (sizeof(C) * 8 - 2)) * C(-2)
                                   : C(~(C(1) << (sizeof(C) * 8 - 1)));
  C maxv[outN > 0 ? outN : 1];
  for (index_t o = 0; o < outN; ++o) {
    acc[o] = init;
    maxv[o] = C(-INFINITY);
  }
  constexpr int R = In::rank;
  index_t idx[R > 0 ? R : 1] = {};
  if constexpr (K == reduce_kind::log_sum_exp) {
    for (index_t i = 0; i < In::size; ++i) {
      index_t o = 0;
      for (int d = 0; d < R; ++d)
        if (Keep::at(d) != 1)
          o += idx[d] * Keep::stride(d);
      C v = load(x[i]);
      if (v > maxv[o])
        maxv[o] = v;
      for (int d = R - 1; d >= 0; --d) {
        if (++idx[d] < In::at(d))
          break;
        idx[d] = 0;
      }
    }
    for (int d = 0; d < R; ++d)
      idx[d] = 0;
  }
  for (index_t i = 0; i < In::size; ++i) {
    index_t o = 0;
    for (int d = 0; d < R; ++d)
      if (Keep::at(d) != 1)
        o += idx[d] * Keep::stride(d);
    C v = load(x[i]);
    switch (K) {
    case reduce_kind::sum: case reduce_kind::mean: case reduce_kind::log_sum:
      acc[o] += v; break;
    case reduce_kind::max: acc[o] = v > acc[o] ? v : acc[o]; break;
    case reduce_kind::min: acc[o] = v < acc[o] ? v : acc[o]; break;
    case reduce_kind::prod: acc[o] *= v; break;
    case reduce_kind::l1: acc[o] += v < C(0) ? C(-v) : v; break;
    case reduce_kind::l2: case reduce_kind::sum_square: acc[o] += v * v; break;
    case reduce_kind::log_sum_exp: acc[o] += C(math::exp(double(v - maxv[o]))); break;
    }
    for (int d = R - 1; d >= 0; --d) {
      if (++idx[d] < In::at(d))
        break;
      idx[d] = 0;
    }
  }
  for (index_t o = 0; o < outN; ++o) {
    C v = acc[o];
    if (K == reduce_kind::mean) v = count ? C(v / C(count)) : v;
    if (K == reduce_kind::l2) v = C(math::sqrt(double(v)));
    if (K == reduce_kind::log_sum) v = C(math::log(double(v)));
    if (K == reduce_kind::log_sum_exp) v = C(math::log(double(v)) + double(maxv[o]));
    y[o] = store<T>(v);
  }
}

/// The sum of f(i) for i < n, in S, in 16 independent partial sums, which
/// the compiler keeps in vector registers, instead of one chain of
/// dependent adds (without reassociation it vectorizes no plain sum): a
/// LayerNorm row of 128 floats waited on 256 adds in a row
/// (tiny_transformer's took 8 us for 32 rows).
template <class S = float, class F> ONNXC_INLINE S lane_sum(index_t n, const F &f) {
  constexpr index_t L = 16;
  S acc[L] = {};
  index_t i = 0;
  for (; i + L <= n; i += L)
#pragma GCC unroll 16
    for (index_t l = 0; l < L; ++l)
      acc[l] += f(i + l);
  S sum = 0;
  for (index_t l = 0; l < L; ++l)
    sum += acc[l];
  for (; i < n; ++i)
    sum += f(i);
  return sum;
}

/// The mean and the (biased) variance of f(i) for i < n, in S, in two
/// passes of lane_sum: the second sums squared deviations from the mean,
/// which stays accurate where the mean is far from zero.
template <class S, class F>
ONNXC_INLINE void mean_variance(index_t n, const F &f, S &mean, S &var) {
  mean = lane_sum<S>(n, f) / S(n);
  const S m = mean;
  var = lane_sum<S>(n,
                    [&](index_t i) {
                      const S d = f(i) - m;
                      return d * d;
                    }) /
        S(n);
}

/// The largest of the n >= 1 floats at p (NaNs passed over, as by
/// `v > m`) in 16 independent lanes the compiler vectorizes, not one chain
/// of compares.
ONNXC_INLINE float lane_max(const float *p, index_t n) {
  constexpr index_t L = 16;
  float m = p[0];
  index_t i = 0;
  if (n >= L) {
    float acc[L];
    for (index_t l = 0; l < L; ++l)
      acc[l] = p[l];
    for (i = L; i + L <= n; i += L)
#pragma GCC unroll 16
      for (index_t l = 0; l < L; ++l)
        acc[l] = p[i + l] > acc[l] ? p[i + l] : acc[l];
    m = acc[0];
    for (index_t l = 1; l < L; ++l)
      m = acc[l] > m ? acc[l] : m;
  }
  for (; i < n; ++i)
    m = p[i] > m ? p[i] : m;
  return m;
}

/// Softmax / LogSoftmax / Hardmax over the middle axis of [Outer, N, Inner].
enum class softmax_kind { softmax, log_softmax, hardmax };
template <softmax_kind K, index_t Outer, index_t N, index_t Inner, class T>
void softmax(const T *x, T *y) {
  using C = compute_t<T>;
  for (index_t o = 0; o < Outer; ++o)
    for (index_t in = 0; in < Inner; ++in) {
      const T *xp = x + o * N * Inner + in;
      T *yp = y + o * N * Inner + in;
      if constexpr (K == softmax_kind::softmax && Inner == 1 && is_same_v<T, float>) {
        // Contiguous float rows: the maximum and the sum in vector lanes,
        // vectorized exp into y (tiny_transformer's 128 rows of 32: 7.4 us
        // with the maximum one compare at a time).
        const float m = lane_max(xp, N);
        for (index_t i = 0; i < N; ++i)
          yp[i] = fastmath::exp(xp[i] - m);
        const float inv = 1.0f / lane_sum(N, [&](index_t i) { return yp[i]; });
        for (index_t j = 0; j < N; ++j)
          yp[j] *= inv;
        continue;
      }
      C m = load(xp[0]);
      index_t arg = 0;
      for (index_t i = 1; i < N; ++i) {
        C v = load(xp[i * Inner]);
        if (v > m) { m = v; arg = i; }
      }
      if (K == softmax_kind::hardmax) {
        for (index_t i = 0; i < N; ++i)
          yp[i * Inner] = store<T>(C(i == arg ? 1 : 0));
        continue;
      }
      C sum = 0;
      for (index_t i = 0; i < N; ++i)
        sum += math::exp(C(load(xp[i * Inner]) - m));
      if (K == softmax_kind::softmax) {
        C inv = C(1) / sum;
        for (index_t i = 0; i < N; ++i)
          yp[i * Inner] = store<T>(C(math::exp(C(load(xp[i * Inner]) - m)) * inv));
      } else {
        C lse = math::log(sum);
        for (index_t i = 0; i < N; ++i)
          yp[i * Inner] = store<T>(C(load(xp[i * Inner]) - m - lse));
      }
    }
}

/// ArgMax / ArgMin over the middle axis of [Outer, N, Inner].
template <bool IsMax, bool SelectLast, index_t Outer, index_t N, index_t Inner,
          class T>
void arg_reduce(const T *x, int64_t *y) {
  for (index_t o = 0; o < Outer; ++o)
    for (index_t in = 0; in < Inner; ++in) {
      const T *xp = x + o * N * Inner + in;
      auto best = load(xp[0]);
      index_t arg = 0;
      for (index_t i = 1; i < N; ++i) {
        auto v = load(xp[i * Inner]);
        bool better = IsMax ? (SelectLast ? v >= best : v > best)
                            : (SelectLast ? v <= best : v < best);
        if (better) { best = v; arg = i; }
      }
      y[o * Inner + in] = arg;
    }
}

/// BatchNormalization in inference: per channel of [N, C, Plane].
template <index_t N, index_t C, index_t Plane, class T>
void batch_norm(const T *x, const T *scale, const T *bias, const T *mean,
                const T *var, T *y, float epsilon) {
  using CT = compute_t<T>;
  for (index_t c = 0; c < C; ++c) {
    CT s = load(scale[c]) / math::sqrt(CT(load(var[c]) + CT(epsilon)));
    CT b = load(bias[c]) - load(mean[c]) * s;
    for (index_t n = 0; n < N; ++n) {
      const T *xp = x + (n * C + c) * Plane;
      T *yp = y + (n * C + c) * Plane;
      for (index_t i = 0; i < Plane; ++i)
        yp[i] = store<T>(CT(load(xp[i]) * s + b));
    }
  }
}

/// InstanceNormalization over each [Plane] of [N, C, Plane].
template <index_t N, index_t C, index_t Plane, class T>
void instance_norm(const T *x, const T *scale, const T *bias, T *y,
                   float epsilon) {
  using CT = compute_t<T>;
  for (index_t n = 0; n < N; ++n)
    for (index_t c = 0; c < C; ++c) {
      const T *xp = x + (n * C + c) * Plane;
      T *yp = y + (n * C + c) * Plane;
      CT mean, var;
      mean_variance<CT>(
          Plane, [&](index_t i) { return CT(load(xp[i])); }, mean, var);
      CT s = load(scale[c]) / math::sqrt(var + CT(epsilon));
      for (index_t i = 0; i < Plane; ++i)
        yp[i] = store<T>(CT((load(xp[i]) - mean) * s + load(bias[c])));
    }
}

/// LayerNormalization over the trailing Inner elements of [Outer, Inner];
/// scale/bias broadcast as ScaleN/BiasN elements (Inner or 1; 0 if absent).
template <index_t Outer, index_t Inner, index_t ScaleN, index_t BiasN, class T>
void layer_norm(const T *x, const T *scale, const T *bias, T *y, float *mean_out,
                float *inv_std_out, float epsilon) {
  for (index_t o = 0; o < Outer; ++o) {
    const T *xp = x + o * Inner;
    T *yp = y + o * Inner;
    float mean, var;
    mean_variance<float>(
        Inner, [&](index_t i) { return float(load(xp[i])); }, mean, var);
    float inv = 1.0f / math::sqrt(var + epsilon);
    if (mean_out) mean_out[o] = mean;
    if (inv_std_out) inv_std_out[o] = inv;
    for (index_t i = 0; i < Inner; ++i) {
      float v = (float(load(xp[i])) - mean) * inv;
      if (ScaleN) v *= float(load(scale[ScaleN == 1 ? 0 : i]));
      if (BiasN) v += float(load(bias[BiasN == 1 ? 0 : i]));
      yp[i] = store<T>(compute_t<T>(v));
    }
  }
}

/// CumSum along the middle axis of [Outer, N, Inner].
template <bool Exclusive, bool Reverse, index_t Outer, index_t N, index_t Inner,
          class T>
void cumsum(const T *x, T *y) {
  for (index_t o = 0; o < Outer; ++o)
    for (index_t in = 0; in < Inner; ++in) {
      compute_t<T> acc = 0;
      for (index_t k = 0; k < N; ++k) {
        index_t i = Reverse ? N - 1 - k : k;
        index_t off = (o * N + i) * Inner + in;
        compute_t<T> v = load(x[off]);
        if (Exclusive) {
          y[off] = store<T>(acc);
          acc += v;
        } else {
          acc += v;
          y[off] = store<T>(acc);
        }
      }
    }
}

/// LRN across channels of [N, C, Plane].
template <index_t N, index_t C, index_t Plane, index_t Size, class T>
void lrn(const T *x, T *y, float alpha, float beta, float bias) {
  constexpr index_t lo = (Size - 1) / 2, hi = Size - 1 - lo;
  for (index_t n = 0; n < N; ++n)
    for (index_t c = 0; c < C; ++c)
      for (index_t p = 0; p < Plane; ++p) {
        float sum = 0;
        for (index_t k = c - lo; k <= c + hi; ++k)
          if (k >= 0 && k < C) {
            float v = float(load(x[(n * C + k) * Plane + p]));
            sum += v * v;
          }
        float v = float(load(x[(n * C + c) * Plane + p]));
        y[(n * C + c) * Plane + p] =
            store<T>(compute_t<T>(v / math::pow(bias + alpha / float(Size) * sum, beta)));
      }
}

/// MeanVarianceNormalization: x viewed with reduced dims Keep (dims<> of
/// In with the normalized axes set to 1).
template <class In, class Keep, class T> void mean_variance_norm(const T *x, T *y) {
  constexpr index_t outN = Keep::size;
  constexpr index_t count = In::size / (outN ? outN : 1);
  float mean[outN > 0 ? outN : 1] = {}, sq[outN > 0 ? outN : 1] = {};
  constexpr int R = In::rank;
  for (int pass = 0; pass < 2; ++pass) {
    index_t idx[R > 0 ? R : 1] = {};
    for (index_t i = 0; i < In::size; ++i) {
      index_t o = 0;
      for (int d = 0; d < R; ++d)
        if (Keep::at(d) != 1)
          o += idx[d] * Keep::stride(d);
      float v = float(load(x[i]));
      if (pass == 0) {
        mean[o] += v;
        sq[o] += v * v;
      } else {
        float m = mean[o] / float(count);
        float var = sq[o] / float(count) - m * m;
        y[i] = store<T>(compute_t<T>((v - m) / (math::sqrt(var) + 1e-9f)));
      }
      for (int d = R - 1; d >= 0; --d) {
        if (++idx[d] < In::at(d))
          break;
        idx[d] = 0;
      }
    }
  }
}

/// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point),
/// per tensor (ScaleN == 1) or per channel of [Outer, ScaleN, Inner].
template <index_t Outer, index_t ScaleN, index_t Inner, class T, class Q>
void quantize_linear(const T *x, const T *scale, const Q *zero, Q *y) {
  constexpr float lo = Q(-1) < Q(0) ? float(Q(1) << (sizeof(Q) * 8 - 1)) * -1.f : 0.f;
  constexpr float hi = Q(-1) < Q(0) ? -lo - 1.f : float(Q(-1));
  for (index_t o = 0; o < Outer; ++o)
    for (index_t c = 0; c < ScaleN; ++c)
      for (index_t i = 0; i < Inner; ++i) {
        index_t k = (o * ScaleN + c) * Inner + i;
        float v = math::nearbyint(float(load(x[k])) / float(load(scale[c])));
        v += zero ? float(zero[c]) : 0.f;
        v = v < lo ? lo : v > hi ? hi : v;
        y[k] = Q(v);
      }
}

/// DequantizeLinear: y = (x - zero_point) * scale.
template <index_t Outer, index_t ScaleN, index_t Inner, class Q, class T>
void dequantize_linear(const Q *x, const T *scale, const Q *zero, T *y) {
  for (index_t o = 0; o < Outer; ++o)
    for (index_t c = 0; c < ScaleN; ++c)
      for (index_t i = 0; i < Inner; ++i) {
        index_t k = (o * ScaleN + c) * Inner + i;
        float z = zero ? float(zero[c]) : 0.f;
        y[k] = store<T>(compute_t<T>((float(x[k]) - z) * float(load(scale[c]))));
      }
}

ONNXC_NAMESPACE_END

#endif
