// onnxc runtime: the few definitions generated code needs.
//
// Freestanding-friendly: no heap, no exceptions, no RTTI, no iostream, no
// static constructors. Only <stdint.h>, <stddef.h>, <string.h> and <math.h>.
#ifndef ONNXC_RUNTIME_H
#define ONNXC_RUNTIME_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ONNXC_ALIGN 64
#if defined(__GNUC__)
#define ONNXC_INLINE inline __attribute__((always_inline))
#define ONNXC_NOINLINE __attribute__((noinline))
#define ONNXC_RESTRICT __restrict__
#define ONNXC_PREFETCH(p) __builtin_prefetch(p)
#define ONNXC_PREFETCH_W(p) __builtin_prefetch(p, 1)
#else
#define ONNXC_INLINE inline
#define ONNXC_NOINLINE
#define ONNXC_RESTRICT
#define ONNXC_PREFETCH(p) ((void)(p))
#define ONNXC_PREFETCH_W(p) ((void)(p))
#endif

// Worker threads the generated code may use (--threads); 1 links none.
#ifndef ONNXC_THREADS
#define ONNXC_THREADS 1
#endif

// Everything lives in an inline namespace named after the vector ISA and the
// thread count the translation unit is compiled for: two models built with
// different --cpu or --threads link into one program without their
// same-named template instances replacing each other.
#if defined(__AVX512F__)
#define ONNXC_ISA_TAG avx512
#elif defined(__AVX2__) && defined(__FMA__)
#define ONNXC_ISA_TAG avx2
#else
#define ONNXC_ISA_TAG generic
#endif
#define ONNXC_ABI_NAME2(isa, threads) isa##_t##threads
#define ONNXC_ABI_NAME(isa, threads) ONNXC_ABI_NAME2(isa, threads)
#define ONNXC_NAMESPACE_BEGIN                                                  \
  namespace onnxc {                                                            \
  inline namespace ONNXC_ABI_NAME(ONNXC_ISA_TAG, ONNXC_THREADS) {
#define ONNXC_NAMESPACE_END                                                    \
  }                                                                            \
  }

ONNXC_NAMESPACE_BEGIN

// Sizes and offsets at the target's pointer width: on a 32-bit MCU, 64-bit
// index math would make every division a library call.
using index_t = ptrdiff_t;

/// A compile-time shape.
template <index_t... D> struct dims {
  static constexpr int rank = int(sizeof...(D));
  static constexpr index_t size = (index_t(1) * ... * D);
  static constexpr index_t at(int i) {
    constexpr index_t v[] = {D..., 0};
    return v[i];
  }
  /// Row-major stride of dimension i.
  static constexpr index_t stride(int i) {
    index_t s = 1;
    for (int k = rank - 1; k > i; --k)
      s *= at(k);
    return s;
  }
};

/// IEEE half and bfloat16 bit conversions (round to nearest even).
ONNXC_INLINE float half_bits_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else { // subnormal
      exp = 127 - 15 + 1;
      while (!(mant & 0x400u)) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

ONNXC_INLINE uint16_t float_to_half_bits(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u) // inf or nan
    return uint16_t(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0));
  if (absx >= 0x477ff000u) // rounds to inf
    return uint16_t(sign | 0x7c00u);
  if (absx < 0x38800000u) { // subnormal or zero in half
    float a;
    memcpy(&a, &absx, 4);
    float scaled = a * 16777216.0f; // 2^24: the subnormal's integer mantissa
    uint32_t m = uint32_t(scaled);
    float rem = scaled - float(m);
    if (rem > 0.5f || (rem == 0.5f && (m & 1u)))
      ++m;
    return uint16_t(sign | m);
  }
  uint32_t exp = ((absx >> 23) - 127 + 15) << 10;
  uint32_t mant = absx & 0x7fffffu;
  uint32_t r = exp | (mant >> 13);
  uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (r & 1u)))
    ++r;
  return uint16_t(sign | r);
}

ONNXC_INLINE float bfloat_bits_to_float(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

ONNXC_INLINE uint16_t float_to_bfloat_bits(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return uint16_t((x >> 16) | 0x40u);
  uint32_t lsb = (x >> 16) & 1u;
  x += 0x7fffu + lsb;
  return uint16_t(x >> 16);
}

/// float16 and bfloat16 storage types: two bytes each, converting to and
/// from float, so kernels written for T work on them with float arithmetic.
struct f16 {
  uint16_t bits;
  f16() = default;
  f16(float f) : bits(float_to_half_bits(f)) {}
  f16(double f) : bits(float_to_half_bits(float(f))) {}
  f16(int v) : bits(float_to_half_bits(float(v))) {}
  operator float() const { return half_bits_to_float(bits); }
};
struct bf16 {
  uint16_t bits;
  bf16() = default;
  bf16(float f) : bits(float_to_bfloat_bits(f)) {}
  bf16(double f) : bits(float_to_bfloat_bits(float(f))) {}
  bf16(int v) : bits(float_to_bfloat_bits(float(v))) {}
  operator float() const { return bfloat_bits_to_float(bits); }
};

ONNXC_INLINE float to_float(f16 h) { return half_bits_to_float(h.bits); }
ONNXC_INLINE float to_float(bf16 b) { return bfloat_bits_to_float(b.bits); }

/// Type traits without <type_traits> (freestanding toolchains may lack it).
template <class T> constexpr bool is_float_v = T(0.5) != T(0);
template <> constexpr bool is_float_v<f16> = true;
template <> constexpr bool is_float_v<bf16> = true;
template <> constexpr bool is_float_v<bool> = false;
template <class A, class B> constexpr bool is_same_v = false;
template <class A> constexpr bool is_same_v<A, A> = true;
template <class T> constexpr bool is_bool_v = false;
template <> constexpr bool is_bool_v<bool> = true;

/// The type arithmetic on T happens in.
template <class T> struct compute_type { using type = T; };
template <> struct compute_type<f16> { using type = float; };
template <> struct compute_type<bf16> { using type = float; };
template <class T> using compute_t = typename compute_type<T>::type;

template <class T> ONNXC_INLINE compute_t<T> load(T v) { return v; }
ONNXC_INLINE float load(f16 v) { return to_float(v); }
ONNXC_INLINE float load(bf16 v) { return to_float(v); }

template <class T, class C> ONNXC_INLINE T store(C v) { return T(v); }


/// Math for float and double under one name (float calls stay float, so
/// single-precision FPUs are not dragged into double).
namespace math {
#define ONNXC_MATH1(NAME, FN)                                                  \
  inline float NAME(float x) { return ::FN##f(x); }                           \
  inline double NAME(double x) { return ::FN(x); }
ONNXC_MATH1(exp, exp)
ONNXC_MATH1(log, log)
ONNXC_MATH1(sqrt, sqrt)
ONNXC_MATH1(tanh, tanh)
ONNXC_MATH1(erf, erf)
ONNXC_MATH1(sin, sin)
ONNXC_MATH1(cos, cos)
ONNXC_MATH1(tan, tan)
ONNXC_MATH1(asin, asin)
ONNXC_MATH1(acos, acos)
ONNXC_MATH1(atan, atan)
ONNXC_MATH1(sinh, sinh)
ONNXC_MATH1(cosh, cosh)
ONNXC_MATH1(asinh, asinh)
ONNXC_MATH1(acosh, acosh)
ONNXC_MATH1(atanh, atanh)
ONNXC_MATH1(floor, floor)
ONNXC_MATH1(ceil, ceil)
ONNXC_MATH1(fabs, fabs)
ONNXC_MATH1(log1p, log1p)
ONNXC_MATH1(nearbyint, nearbyint)
#undef ONNXC_MATH1
ONNXC_INLINE float pow(float x, float y) { return powf(x, y); }
ONNXC_INLINE double pow(double x, double y) { return ::pow(x, y); }
ONNXC_INLINE float fmod(float x, float y) { return fmodf(x, y); }
ONNXC_INLINE double fmod(double x, double y) { return ::fmod(x, y); }
template <class T> ONNXC_INLINE bool isnan(T x) { return x != x; }
} // namespace math

ONNXC_NAMESPACE_END

#endif // ONNXC_RUNTIME_H
