// Float vector registers for the compute kernels, one struct per ISA, picked
// by the target flags the library is compiled with (--cpu):
//   avx512  -march=x86-64-v4 and up: 16 lanes, 32 registers
//   avx2    -march=x86-64-v3 (AVX2 + FMA): 8 lanes, 16 registers
//   generic anything else: GCC/Clang vector extension of 4 lanes (SSE, NEON,
//           or scalar code where the target has no vectors)
// Each struct also carries the GEMM micro-tile that fits its register file.
#ifndef ONNXC_TEMPLATES_SIMD_H
#define ONNXC_TEMPLATES_SIMD_H

#include "onnxc/runtime.h"

// The registers are GCC/Clang vector extensions and FMA is the compilers'
// target builtin, so no <immintrin.h> is needed: it alone would triple the
// time to compile a small model.
ONNXC_NAMESPACE_BEGIN
namespace simd {

namespace lanes {
template <int... I> struct ints {};
template <int N, int... I> struct make_ints : make_ints<N - 1, N - 1, I...> {};
template <int... I> struct make_ints<0, I...> {
  using type = ints<I...>;
};
/// Lanes 0, 2, 4, ... of a then b.
template <class R, int... I> ONNXC_INLINE R even(R a, R b, ints<I...>) {
  return __builtin_shufflevector(a, b, (2 * I)...);
}
/// Lanes 1, 3, 5, ... of a then b.
template <class R, int... I> ONNXC_INLINE R odd(R a, R b, ints<I...>) {
  return __builtin_shufflevector(a, b, (2 * I + 1)...);
}
/// Lanes a[H], b[H], a[H + 1], b[H + 1], ... (H = 0: the first halves of a
/// and b interleaved; H = width / 2: the second halves).
template <int H, class R, int... I> ONNXC_INLINE R zip(R a, R b, ints<I...>) {
  return __builtin_shufflevector(a, b, (H + I / 2 + (I % 2) * int(sizeof...(I)))...);
}
/// Lanes S, S + 1, ... of a then b (S <= width).
template <int S, class R, int... I> ONNXC_INLINE R from(R a, R b, ints<I...>) {
  return __builtin_shufflevector(a, b, (I + S)...);
}
} // namespace lanes

/// Loads, stores and broadcasts shared by the vector structs, R being the
/// register type (memcpy compiles to one unaligned vector move), and lane
/// shuffles of two registers (stride-2 windows).
template <class R, int Width> struct vec_base {
  using reg = R;
  static constexpr int width = Width;
  static ONNXC_INLINE reg zero() { return reg{}; }
  static ONNXC_INLINE reg load(const float *p) {
    reg v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  static ONNXC_INLINE void store(float *p, reg v) { __builtin_memcpy(p, &v, sizeof v); }
  /// A load kept in a register for its several uses: without this, GCC
  /// folds a value used twice into both multiply-adds as memory operands,
  /// and a tile of few rows then issues more loads than the cores take
  /// per cycle (a 2-row AVX2 tile: 12 loads per 8 multiply-adds).
  static ONNXC_INLINE reg in_register(reg v) {
#if defined(__AVX512F__)
    __asm__("" : "+v"(v));
#elif defined(__AVX__)
    __asm__("" : "+x"(v));
#endif
    return v;
  }
  static ONNXC_INLINE reg add(reg a, reg b) { return a + b; }
  static ONNXC_INLINE reg even(reg a, reg b) {
    return lanes::even(a, b, typename lanes::make_ints<Width>::type{});
  }
  static ONNXC_INLINE reg odd(reg a, reg b) {
    return lanes::odd(a, b, typename lanes::make_ints<Width>::type{});
  }
  /// a and b interleaved lane by lane: the first halves, and the second.
  static ONNXC_INLINE reg zip_lo(reg a, reg b) {
    return lanes::zip<0>(a, b, typename lanes::make_ints<Width>::type{});
  }
  static ONNXC_INLINE reg zip_hi(reg a, reg b) {
    return lanes::zip<Width / 2>(a, b, typename lanes::make_ints<Width>::type{});
  }
  /// The Width lanes of a then b from lane S of a on.
  template <int S> static ONNXC_INLINE reg from(reg a, reg b) {
    return lanes::from<S>(a, b, typename lanes::make_ints<Width>::type{});
  }
  /// Whether load_first and store_first are single masked instructions;
  /// elsewhere they go through a copy.
  static constexpr bool masked = false;
  /// The first n (0 < n < Width) floats at p; the other lanes from fill.
  static ONNXC_INLINE reg load_first(const float *p, int n, reg fill = reg{}) {
    float t[Width];
    store(t, fill);
    for (int i = 0; i < n; ++i)
      t[i] = p[i];
    return load(t);
  }
  /// Stores the first n (0 < n < Width) lanes of v at p.
  static ONNXC_INLINE void store_first(float *p, reg v, int n) {
    float t[Width];
    store(t, v);
    for (int i = 0; i < n; ++i)
      p[i] = t[i];
  }
};

#if defined(__AVX512F__)
typedef float f32x16 __attribute__((vector_size(64)));
struct avx512 : vec_base<f32x16, 16> {
  // 8 x 32 tile: 16 accumulators, 2 B vectors, 1 broadcast of 32 registers.
  static constexpr int mr = 8, nvec = 2;
  static ONNXC_INLINE reg broadcast(const float *p) {
    float s = *p;
    return reg{s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s};
  }
  static ONNXC_INLINE reg fma(reg a, reg b, reg c) {
    return __builtin_ia32_vfmaddps512_mask(a, b, c, (unsigned short)-1, 4);
  }
  // Masked lanes are neither read nor written, so these never fault past
  // the end of a buffer.
  static constexpr bool masked = true;
  static ONNXC_INLINE reg load_first(const float *p, int n, reg fill = reg{}) {
    return __builtin_ia32_loadups512_mask(p, fill, (unsigned short)((1u << n) - 1));
  }
  static ONNXC_INLINE void store_first(float *p, reg v, int n) {
    __builtin_ia32_storeups512_mask(p, v, (unsigned short)((1u << n) - 1));
  }
};
using native = avx512;
#elif defined(__AVX2__) && defined(__FMA__)
typedef float f32x8 __attribute__((vector_size(32)));
struct avx2 : vec_base<f32x8, 8> {
  // 6 x 16 tile: 12 accumulators, 2 B vectors, 1 broadcast of 16 registers.
  static constexpr int mr = 6, nvec = 2;
  static ONNXC_INLINE reg broadcast(const float *p) {
    float s = *p;
    return reg{s, s, s, s, s, s, s, s};
  }
  static ONNXC_INLINE reg fma(reg a, reg b, reg c) {
    return __builtin_ia32_vfmaddps256(a, b, c);
  }
  static constexpr bool masked = true;
  typedef int i32x8 __attribute__((vector_size(32)));
  /// Lanes below n all ones (the sign bit selects a lane).
  static ONNXC_INLINE i32x8 first_lanes(int n) {
    return i32x8{0, 1, 2, 3, 4, 5, 6, 7} < n;
  }
  static ONNXC_INLINE reg load_first(const float *p, int n, reg fill = reg{}) {
    const i32x8 m = first_lanes(n);
    const i32x8 v = (i32x8)__builtin_ia32_maskloadps256((const reg *)p, m);
    return (reg)(v | ((i32x8)fill & ~m));
  }
  static ONNXC_INLINE void store_first(float *p, reg v, int n) {
    __builtin_ia32_maskstoreps256((reg *)p, first_lanes(n), v);
  }
};
using native = avx2;
#else
typedef float f32x4 __attribute__((vector_size(16)));
/// Any other target (SSE, NEON, or scalar code where it has no vectors);
/// the compiler fuses the multiply-add where the target can.
struct generic : vec_base<f32x4, 4> {
  static constexpr int mr = 6, nvec = 2;
  static ONNXC_INLINE reg broadcast(const float *p) {
    float s = *p;
    return reg{s, s, s, s};
  }
  static ONNXC_INLINE reg fma(reg a, reg b, reg c) { return a * b + c; }
};
using native = generic;
#endif

} // namespace simd
ONNXC_NAMESPACE_END

#endif
