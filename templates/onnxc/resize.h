// Resize (nearest / linear / cubic) over any rank, as ONNX opset 11-19
// defines it.
#ifndef ONNXC_TEMPLATES_RESIZE_H
#define ONNXC_TEMPLATES_RESIZE_H

#include "onnxc/runtime.h"

ONNXC_NAMESPACE_BEGIN

enum class resize_mode { nearest, linear, cubic };
enum class resize_coord {
  half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners,
  asymmetric, tf_crop_and_resize
};
enum class resize_nearest { round_prefer_floor, round_prefer_ceil, floor, ceil };

namespace detail {
inline float resize_source(resize_coord mode, float o, float scale, index_t in,
                           index_t out, float roiStart, float roiEnd) {
  switch (mode) {
  case resize_coord::half_pixel:
    return (o + 0.5f) / scale - 0.5f;
  case resize_coord::half_pixel_symmetric: {
    float outWidth = scale * float(in);
    float adjustment = float(out) / outWidth;
    float center = float(in) / 2;
    float offset = center * (1 - adjustment);
    return offset + (o + 0.5f) / scale - 0.5f;
  }
  case resize_coord::pytorch_half_pixel:
    return out > 1 ? (o + 0.5f) / scale - 0.5f : 0.0f;
  case resize_coord::align_corners:
    return out == 1 ? 0.0f : o * float(in - 1) / float(out - 1);
  case resize_coord::asymmetric:
    return o / scale;
  case resize_coord::tf_crop_and_resize:
    return out > 1 ? roiStart * float(in - 1) +
                         o * (roiEnd - roiStart) * float(in - 1) / float(out - 1)
                   : 0.5f * (roiStart + roiEnd) * float(in - 1);
  }
  return 0;
}

inline float cubic_weight(float x, float a) {
  x = x < 0 ? -x : x;
  if (x <= 1)
    return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2)
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}
} // namespace detail

/// y (shape Out) = resize(x (shape In)); scales and roi per axis (roi as
/// [starts..., ends...]).
template <class In, class Out, resize_mode Mode, resize_coord Coord,
          resize_nearest Nearest, bool ExcludeOutside, class T>
void resize(const T *x, const float *scales, const float *roi, T *y,
            float cubicA, float extrapolation) {
  constexpr int R = In::rank;
  constexpr int Taps = Mode == resize_mode::nearest ? 1
                       : Mode == resize_mode::linear ? 2 : 4;
  constexpr index_t sumOut = [] {
    index_t s = 0;
    for (int d = 0; d < R; ++d)
      s += Out::at(d);
    return s;
  }();
  // Per axis and output coordinate: source indices, weights, and whether
  // the coordinate falls outside (tf_crop_and_resize extrapolation).
  index_t idx[sumOut * Taps > 0 ? sumOut * Taps : 1];
  float wgt[sumOut * Taps > 0 ? sumOut * Taps : 1];
  bool outside[sumOut > 0 ? sumOut : 1];
  index_t base[R > 0 ? R : 1];
  index_t b = 0;
  for (int d = 0; d < R; ++d) {
    base[d] = b;
    const index_t in = In::at(d), out = Out::at(d);
    for (index_t o = 0; o < out; ++o, ++b) {
      float src = detail::resize_source(Coord, float(o), scales[d], in, out,
                                        roi ? roi[d] : 0.f, roi ? roi[R + d] : 1.f);
      outside[b] = Coord == resize_coord::tf_crop_and_resize &&
                   (src < 0 || src > float(in - 1));
      index_t *ti = idx + b * Taps;
      float *tw = wgt + b * Taps;
      if (Mode == resize_mode::nearest) {
        float f = math::floor(src);
        float frac = src - f;
        index_t n;
        switch (Nearest) {
        case resize_nearest::round_prefer_floor:
          n = index_t(frac <= 0.5f ? f : f + 1);
          break;
        case resize_nearest::round_prefer_ceil:
          n = index_t(frac < 0.5f ? f : f + 1);
          break;
        case resize_nearest::floor:
          n = index_t(f);
          break;
        default:
          n = index_t(math::ceil(src));
          break;
        }
        ti[0] = n < 0 ? 0 : n >= in ? in - 1 : n;
        tw[0] = 1;
      } else if (Mode == resize_mode::linear) {
        float s = src < 0 ? 0 : src > float(in - 1) ? float(in - 1) : src;
        index_t i0 = index_t(math::floor(s));
        float r = s - float(i0);
        index_t i1 = i0 + 1 < in ? i0 + 1 : in - 1;
        ti[0] = i0;
        ti[1] = i1;
        tw[0] = 1 - r;
        tw[1] = r;
      } else {
        float f = math::floor(src);
        float r = src - f;
        index_t i0 = index_t(f);
        float total = 0;
        for (int t = 0; t < 4; ++t) {
          index_t i = i0 - 1 + t;
          float w = detail::cubic_weight(r - float(t - 1), cubicA);
          if (ExcludeOutside && (i < 0 || i >= in))
            w = 0;
          ti[t] = i < 0 ? 0 : i >= in ? in - 1 : i;
          tw[t] = w;
          total += w;
        }
        if (ExcludeOutside && total != 0)
          for (int t = 0; t < 4; ++t)
            tw[t] /= total;
      }
    }
  }
  index_t o[R > 0 ? R : 1] = {};
  for (index_t i = 0; i < Out::size; ++i) {
    bool out = false;
    for (int d = 0; d < R; ++d)
      out |= outside[base[d] + o[d]];
    float acc = 0;
    if (out) {
      acc = extrapolation;
    } else {
      // Sum over every combination of taps along the axes.
      index_t combos = 1;
      for (int d = 0; d < R; ++d)
        combos *= Taps;
      for (index_t c = 0; c < combos; ++c) {
        index_t rest = c, off = 0;
        float w = 1;
        for (int d = R - 1; d >= 0; --d) {
          int t = int(rest % Taps);
          rest /= Taps;
          index_t k = (base[d] + o[d]) * Taps + t;
          w *= wgt[k];
          off += idx[k] * In::stride(d);
        }
        if (w != 0)
          acc += w * float(load(x[off]));
      }
    }
    y[i] = store<T>(compute_t<T>(acc));
    for (int d = R - 1; d >= 0; --d) {
      if (++o[d] < Out::at(d))
        break;
      o[d] = 0;
    }
  }
}

ONNXC_NAMESPACE_END

#endif
