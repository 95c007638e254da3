// Branch-free float exp, sigmoid and tanh that the compiler vectorizes (the
// libm calls stay scalar): the recurrent cells spend most of their time in
// them. Cephes-style range reduction and polynomials; relative error within
// a few float ulps of libm over the whole range.
#ifndef ONNXC_TEMPLATES_FASTMATH_H
#define ONNXC_TEMPLATES_FASTMATH_H

#include "onnxc/runtime.h"

ONNXC_NAMESPACE_BEGIN
namespace fastmath {

ONNXC_INLINE float exp(float x) {
  // Past these exp is 0 or inf in float; the clamps keep n in int range.
  x = x < -104.0f ? -104.0f : x;
  x = x > 89.0f ? 89.0f : x;
  // x = n ln2 + r with |r| <= ln2/2, ln2 split in two for precision.
  // Round to nearest by adding and removing 1.5 * 2^23 (floorf would be a
  // libm call without -fno-trapping-math).
  float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * r * r + r + 1.0f;
  // 2^n built in the exponent bits, as 2^(n/2) 2^(n - n/2) so both halves
  // stay normal at either end of the range.
  int32_t n1 = int32_t(n) >> 1, n2 = int32_t(n) - n1;
  int32_t b1 = (n1 + 127) << 23, b2 = (n2 + 127) << 23;
  float s1, s2;
  __builtin_memcpy(&s1, &b1, 4);
  __builtin_memcpy(&s2, &b2, 4);
  return y * s1 * s2;
}

ONNXC_INLINE float sigmoid(float x) { return 1.0f / (1.0f + fastmath::exp(-x)); }

ONNXC_INLINE float tanh(float x) {
  float a = x < 0.0f ? -x : x;
  // Small |x|: odd polynomial (no cancellation); else 1 - 2 / (e^2a + 1).
  float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  float small = p * z * x + x;
  float big = 1.0f - 2.0f / (fastmath::exp(2.0f * a) + 1.0f);
  big = x < 0.0f ? -big : big;
  return a < 0.625f ? small : big;
}

/// erf within 1.5e-7 absolute (Abramowitz and Stegun 7.1.26), for GELU.
ONNXC_INLINE float erf(float x) {
  float a = x < 0.0f ? -x : x;
  float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  float e = 1.0f - p * t * fastmath::exp(-a * a);
  return x < 0.0f ? -e : e;
}

} // namespace fastmath
ONNXC_NAMESPACE_END

#endif
