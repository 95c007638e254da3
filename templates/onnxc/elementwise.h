// Elementwise kernels: unary maps, numpy-broadcast binary ops, Where, Cast.
#ifndef ONNXC_TEMPLATES_ELEMENTWISE_H
#define ONNXC_TEMPLATES_ELEMENTWISE_H

#include "onnxc/fastmath.h"
#include "onnxc/runtime.h"
#include "onnxc/threads.h"

ONNXC_NAMESPACE_BEGIN
namespace fn {

// Unary functors compute in compute_t<T>; parameterized ones carry their
// attributes as members.
struct Identity { template <class C> C operator()(C x) const { return x; } };
// NaNs pass through, as in ONNX's reference (max(x, 0)) and ONNX Runtime.
struct Relu {
  template <class C> C operator()(C x) const { return x < C(0) ? C(0) : x; }
};
struct Neg { template <class C> C operator()(C x) const { return -x; } };
struct Abs { template <class C> C operator()(C x) const { return x < C(0) ? C(-x) : x; } };
struct Exp { template <class C> C operator()(C x) const { return math::exp(x); } };
struct Log { template <class C> C operator()(C x) const { return math::log(x); } };
struct Sqrt { template <class C> C operator()(C x) const { return math::sqrt(x); } };
struct Tanh { template <class C> C operator()(C x) const { return math::tanh(x); } };
struct Erf { template <class C> C operator()(C x) const { return math::erf(x); } };
struct Sin { template <class C> C operator()(C x) const { return math::sin(x); } };
struct Cos { template <class C> C operator()(C x) const { return math::cos(x); } };
struct Tan { template <class C> C operator()(C x) const { return math::tan(x); } };
struct Asin { template <class C> C operator()(C x) const { return math::asin(x); } };
struct Acos { template <class C> C operator()(C x) const { return math::acos(x); } };
struct Atan { template <class C> C operator()(C x) const { return math::atan(x); } };
struct Sinh { template <class C> C operator()(C x) const { return math::sinh(x); } };
struct Cosh { template <class C> C operator()(C x) const { return math::cosh(x); } };
struct Asinh { template <class C> C operator()(C x) const { return math::asinh(x); } };
struct Acosh { template <class C> C operator()(C x) const { return math::acosh(x); } };
struct Atanh { template <class C> C operator()(C x) const { return math::atanh(x); } };
struct Floor { template <class C> C operator()(C x) const { return math::floor(x); } };
struct Ceil { template <class C> C operator()(C x) const { return math::ceil(x); } };
struct Round { template <class C> C operator()(C x) const { return math::nearbyint(x); } };
struct Reciprocal { template <class C> C operator()(C x) const { return C(1) / x; } };
struct Sigmoid {
  template <class C> C operator()(C x) const {
    return x >= C(0) ? C(1) / (C(1) + math::exp(-x))
                     : math::exp(x) / (C(1) + math::exp(x));
  }
};
struct SiLU {
  template <class C> C operator()(C x) const { return x * Sigmoid()(x); }
};
struct Softplus {
  template <class C> C operator()(C x) const {
    return x > C(0) ? x + math::log1p(math::exp(-x)) : math::log1p(math::exp(x));
  }
};
struct Softsign { template <class C> C operator()(C x) const { return x / (C(1) + (x < C(0) ? C(-x) : x)); } };
struct Sign { template <class C> C operator()(C x) const { return x > C(0) ? C(1) : x < C(0) ? C(-1) : C(0); } };
struct Mish {
  template <class C> C operator()(C x) const { return x * math::tanh(Softplus()(x)); }
};
struct Not { template <class C> C operator()(C x) const { return !x; } };
struct BitwiseNot { template <class C> C operator()(C x) const { return C(~x); } };
struct IsNaN { template <class C> bool operator()(C x) const { return x != x; } };
struct IsInf {
  int pos, neg;
  template <class C> bool operator()(C x) const {
    return (pos && x == C(INFINITY)) || (neg && x == C(-INFINITY));
  }
};
struct LeakyRelu {
  float alpha;
  template <class C> C operator()(C x) const { return x >= C(0) ? x : C(alpha) * x; }
};
struct Elu {
  float alpha;
  template <class C> C operator()(C x) const { return x >= C(0) ? x : C(alpha) * (math::exp(x) - C(1)); }
};
struct Celu {
  float alpha;
  template <class C> C operator()(C x) const {
    C m = C(alpha) * (math::exp(x / C(alpha)) - C(1));
    return (x > C(0) ? x : C(0)) + (m < C(0) ? m : C(0));
  }
};
struct Selu {
  float alpha, gamma;
  template <class C> C operator()(C x) const {
    return x > C(0) ? C(gamma) * x : C(gamma) * (C(alpha) * math::exp(x) - C(alpha));
  }
};
struct ThresholdedRelu {
  float alpha;
  template <class C> C operator()(C x) const { return x > C(alpha) ? x : C(0); }
};
struct HardSigmoid {
  float alpha, beta;
  template <class C> C operator()(C x) const {
    C v = C(alpha) * x + C(beta);
    return v < C(0) ? C(0) : v > C(1) ? C(1) : v;
  }
};
struct HardSwish {
  template <class C> C operator()(C x) const { return x * HardSigmoid{1.0f / 6, 0.5f}(x); }
};
struct Shrink {
  float bias, lambd;
  template <class C> C operator()(C x) const {
    return x < C(-lambd) ? C(x + C(bias)) : x > C(lambd) ? C(x - C(bias)) : C(0);
  }
};
struct Gelu {
  int tanh_approx;
  template <class C> C operator()(C x) const {
    // Float takes fastmath's vectorizable tanh and erf.
    if constexpr (is_same_v<C, float>) {
      if (tanh_approx)
        return 0.5f * x * (1.0f + fastmath::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
      return 0.5f * x * (1.0f + fastmath::erf(x * 0.7071067811865476f));
    }
    if (tanh_approx)
      return C(0.5) * x * (C(1) + math::tanh(C(0.7978845608028654) * (x + C(0.044715) * x * x * x)));
    return C(0.5) * x * (C(1) + math::erf(x * C(0.7071067811865476)));
  }
};
template <class T> struct Clip {
  T lo, hi;
  template <class C> C operator()(C x) const {
    // ONNX's min(max(x, lo), hi): hi where lo > hi; NaNs pass through.
    C l = load(lo), h = load(hi);
    C m = l > x ? l : x;
    return h < m ? h : m;
  }
};

// Binary functors.
struct Add { template <class C> C operator()(C a, C b) const { return a + b; } };
struct Sub { template <class C> C operator()(C a, C b) const { return a - b; } };
struct Mul { template <class C> C operator()(C a, C b) const { return a * b; } };
struct Div { template <class C> C operator()(C a, C b) const { return a / b; } };
struct Max { template <class C> C operator()(C a, C b) const { return math::isnan(a) || a > b ? a : b; } };
struct Min { template <class C> C operator()(C a, C b) const { return math::isnan(a) || a < b ? a : b; } };
struct Pow {
  template <class C, class D> C operator()(C a, D b) const {
    return C(math::pow(double(a), double(b)));
  }
  float operator()(float a, float b) const { return math::pow(a, b); }
};
struct Mod {
  int fmod;
  template <class C> C operator()(C a, C b) const {
    if constexpr (is_float_v<C>) { // floating point: always fmod semantics
      return math::fmod(a, b);
    } else {
      if (fmod) return C(a % b);
      C r = C(a % b);
      if (r != 0 && ((r < 0) != (b < 0))) r = C(r + b);
      return r;
    }
  }
};
struct BitShiftLeft { template <class C> C operator()(C a, C b) const { return C(a << b); } };
struct BitShiftRight { template <class C> C operator()(C a, C b) const { return C(a >> b); } };
struct BitwiseAnd { template <class C> C operator()(C a, C b) const { return C(a & b); } };
struct BitwiseOr { template <class C> C operator()(C a, C b) const { return C(a | b); } };
struct BitwiseXor { template <class C> C operator()(C a, C b) const { return C(a ^ b); } };
struct And { template <class C> bool operator()(C a, C b) const { return a && b; } };
struct Or { template <class C> bool operator()(C a, C b) const { return a || b; } };
struct Xor { template <class C> bool operator()(C a, C b) const { return bool(a) != bool(b); } };
struct Equal { template <class C> bool operator()(C a, C b) const { return a == b; } };
struct Less { template <class C> bool operator()(C a, C b) const { return a < b; } };
struct LessOrEqual { template <class C> bool operator()(C a, C b) const { return a <= b; } };
struct Greater { template <class C> bool operator()(C a, C b) const { return a > b; } };
struct GreaterOrEqual { template <class C> bool operator()(C a, C b) const { return a >= b; } };
struct PRelu { template <class C> C operator()(C x, C s) const { return x < C(0) ? s * x : x; } };

} // namespace fn

template <class F> constexpr bool is_identity_v = false;
template <> constexpr bool is_identity_v<fn::Identity> = true;

/// body(begin, end) over [0, N): split over the threads when N is large
/// enough to pay for it, in chunks of whole cache lines.
template <index_t N, class Body> ONNXC_INLINE void elementwise_for(const Body &body) {
  if constexpr (ONNXC_THREADS > 1 && N >= (index_t(1) << 15)) {
    constexpr index_t Step = 64, Chunks = (N + Step - 1) / Step;
    parallel_for(Chunks, [&](index_t c0, index_t c1) {
      body(c0 * Step, c1 * Step < N ? c1 * Step : N);
    });
  } else {
    body(index_t(0), N);
  }
}

/// y[i] = f(x[i]) over N elements.
template <index_t N, class TX, class TY, class F>
void unary(const TX *ONNXC_RESTRICT x, TY *ONNXC_RESTRICT y, F f) {
  elementwise_for<N>([&](index_t i0, index_t i1) {
    for (index_t i = i0; i < i1; ++i)
      y[i] = store<TY>(f(load(x[i])));
  });
}

namespace detail {
/// Offset into an input of shape In (right-aligned to Out's rank, so
/// broadcast dims are 1) for the multi-index `idx` of Out.
template <class Out, class In>
ONNXC_INLINE index_t broadcast_offset(const index_t *idx) {
  index_t off = 0;
  constexpr int shift = Out::rank - In::rank;
  for (int d = 0; d < In::rank; ++d)
    if (In::at(d) != 1)
      off += idx[d + shift] * In::stride(d);
  return off;
}

/// Whether In (right-aligned to Out) equals Out's trailing dims with only
/// 1s before them: In's elements repeat along Out's leading dims.
template <class Out, class In> constexpr bool trailing() {
  constexpr int shift = Out::rank - In::rank;
  int first = 0; // first of In's dims that is not a leading 1
  while (first < In::rank && In::at(first) == 1)
    ++first;
  for (int d = first; d < In::rank; ++d)
    if (In::at(d) != Out::at(d + shift))
      return false;
  return In::size > 1;
}
template <class Out, class In> constexpr bool is_trailing_v = trailing<Out, In>();

template <class Out> ONNXC_INLINE void next_index(index_t *idx) {
  for (int d = Out::rank - 1; d >= 0; --d) {
    if (++idx[d] < Out::at(d))
      return;
    idx[d] = 0;
  }
}
} // namespace detail

/// y = f(a, b) with numpy broadcasting; A, B and Out are dims<> types.
template <class Out, class A, class B, class TA, class TB, class TY, class F>
void binary(const TA *a, const TB *b, TY *y, F f) {
  constexpr index_t n = Out::size;
  if constexpr (A::size == n && B::size == n) {
    elementwise_for<n>([&](index_t i0, index_t i1) {
      for (index_t i = i0; i < i1; ++i)
        y[i] = store<TY>(f(load(a[i]), load(b[i])));
    });
  } else if constexpr (B::size == 1 && A::size == n) {
    auto bv = load(b[0]);
    elementwise_for<n>([&](index_t i0, index_t i1) {
      for (index_t i = i0; i < i1; ++i)
        y[i] = store<TY>(f(load(a[i]), bv));
    });
  } else if constexpr (A::size == 1 && B::size == n) {
    auto av = load(a[0]);
    elementwise_for<n>([&](index_t i0, index_t i1) {
      for (index_t i = i0; i < i1; ++i)
        y[i] = store<TY>(f(av, load(b[i])));
    });
  } else if constexpr (A::size == n && detail::is_trailing_v<Out, B>) {
    // b repeats along the leading dims (a bias row): rows of b's size.
    constexpr index_t m = B::size;
    for (index_t o = 0; o < n / m; ++o)
      for (index_t j = 0; j < m; ++j)
        y[o * m + j] = store<TY>(f(load(a[o * m + j]), load(b[j])));
  } else if constexpr (B::size == n && detail::is_trailing_v<Out, A>) {
    constexpr index_t m = A::size;
    for (index_t o = 0; o < n / m; ++o)
      for (index_t j = 0; j < m; ++j)
        y[o * m + j] = store<TY>(f(load(a[j]), load(b[o * m + j])));
  } else {
    index_t idx[Out::rank > 0 ? Out::rank : 1] = {};
    for (index_t i = 0; i < n; ++i) {
      y[i] = store<TY>(f(load(a[detail::broadcast_offset<Out, A>(idx)]),
                         load(b[detail::broadcast_offset<Out, B>(idx)])));
      detail::next_index<Out>(idx);
    }
  }
}

template <class... S> struct shapes {};

namespace detail {
template <class Out, class... Ins, class TY, class F, class... TX>
void map_impl(shapes<Ins...>, TY *y, F f, const TX *...xs) {
  constexpr index_t n = Out::size;
  if constexpr (((Ins::size == n || Ins::size == 1) && ...)) {
    elementwise_for<n>([&](index_t i0, index_t i1) {
      for (index_t i = i0; i < i1; ++i)
        y[i] = store<TY>(f(load(xs[Ins::size == 1 ? 0 : i])...));
    });
  } else {
    index_t idx[Out::rank > 0 ? Out::rank : 1] = {};
    for (index_t i = 0; i < n; ++i) {
      y[i] = store<TY>(f(load(xs[broadcast_offset<Out, Ins>(idx)])...));
      next_index<Out>(idx);
    }
  }
}
} // namespace detail

/// A fused elementwise chain: y[i] = f(x0[..], x1[..], ...) with each input
/// broadcast (shapes<In0, In1, ...>) to Out, in one loop.
template <class Out, class InShapes, class TY, class F, class... TX>
void map(TY *y, F f, const TX *...xs) {
  detail::map_impl<Out>(InShapes{}, y, f, xs...);
}

/// y = cond ? a : b with broadcasting.
template <class Out, class C, class A, class B, class T>
void where(const bool *cond, const T *a, const T *b, T *y) {
  index_t idx[Out::rank > 0 ? Out::rank : 1] = {};
  for (index_t i = 0; i < Out::size; ++i) {
    y[i] = cond[detail::broadcast_offset<Out, C>(idx)]
               ? a[detail::broadcast_offset<Out, A>(idx)]
               : b[detail::broadcast_offset<Out, B>(idx)];
    detail::next_index<Out>(idx);
  }
}

/// Broadcasts x (shape In) to y (shape Out): Expand.
template <class Out, class In, class T> void expand(const T *x, T *y) {
  index_t idx[Out::rank > 0 ? Out::rank : 1] = {};
  for (index_t i = 0; i < Out::size; ++i) {
    y[i] = x[detail::broadcast_offset<Out, In>(idx)];
    detail::next_index<Out>(idx);
  }
}

template <class TY, class TX> ONNXC_INLINE TY cast_one(TX v) {
  auto c = load(v);
  if constexpr (is_bool_v<TY>) {
    return c != decltype(c)(0);
  } else if constexpr (!is_float_v<TY> && is_float_v<TX>) {
    // float -> integer: truncate; saturate NaN to 0 as most runtimes do
    return c != c ? TY(0) : TY(c);
  } else {
    return store<TY>(compute_t<TY>(c));
  }
}

template <index_t N, class TX, class TY> void cast(const TX *x, TY *y) {
  for (index_t i = 0; i < N; ++i)
    y[i] = cast_one<TY>(x[i]);
}

template <index_t Bytes> ONNXC_INLINE void copy(const void *x, void *y) {
  if (x != y)
    memcpy(y, x, size_t(Bytes));
}

/// Sum/Mean/Max/Min over several inputs, folded pairwise by the caller.
template <index_t N, class T> void scale(const T *x, T *y, float s) {
  for (index_t i = 0; i < N; ++i)
    y[i] = store<T>(compute_t<T>(load(x[i]) * s));
}

ONNXC_NAMESPACE_END

#endif
