// Winograd F(2x2, 3x3) convolution: 3x3, stride 1, dilation 1, one group.
// Each 2x2 output tile comes from a 4x4 input patch with 16 multiplies per
// channel pair instead of 36, the multiplies being 16 SGEMMs
//   M_xi [M, tiles] = U_xi [M, C] V_xi [C, tiles],   xi = 0..15,
// with U = G g G^T the weights transformed (and packed) by the compiler,
// V = B^T d B the input patches and Y = A^T M A the outputs:
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
#ifndef ONNXC_TEMPLATES_WINOGRAD_H
#define ONNXC_TEMPLATES_WINOGRAD_H

#include "onnxc/sgemm.h"

ONNXC_NAMESPACE_BEGIN
namespace winograd {

/// Floats of scratch (the compiler reserves at least as much): V, M and
/// each thread's SGEMM packing space.
constexpr index_t scratch_floats(index_t C, index_t M, index_t OH, index_t OW) {
  index_t tiles = ((OH + 1) / 2) * ((OW + 1) / 2);
  return 16 * C * tiles + 16 * M * tiles +
         ONNXC_THREADS * sgemm::scratch_floats(M, tiles, C, false, true);
}

/// V[xi][c][tile] for one image x [C, H, W] with leading pads PH, PW.
template <index_t C, index_t H, index_t W, index_t TH, index_t TW, index_t PH,
          index_t PW>
void input_transform(const float *ONNXC_RESTRICT x, float *ONNXC_RESTRICT v) {
  constexpr index_t P = TH * TW, RW = 2 * TW + 2;
  parallel_for(C, [&](index_t c0, index_t c1) {
    // The four input rows of a tile row, zero-padded: no bounds checks in
    // the tile loop, which the compiler vectorizes.
    float rows[4][RW];
    for (index_t c = c0; c < c1; ++c) {
      const float *plane = x + c * H * W;
      for (index_t th = 0; th < TH; ++th) {
        for (index_t r = 0; r < 4; ++r) {
          index_t ih = 2 * th - PH + r;
          for (index_t j = 0; j < RW; ++j) {
            index_t iw = j - PW;
            rows[r][j] = ih >= 0 && ih < H && iw >= 0 && iw < W ? plane[ih * W + iw] : 0.0f;
          }
        }
        float *out = v + c * P + th * TW;
        for (index_t tw = 0; tw < TW; ++tw) {
          float d[4][4], t[4][4];
          for (int r = 0; r < 4; ++r)
            for (int s = 0; s < 4; ++s)
              d[r][s] = rows[r][2 * tw + s];
          for (int s = 0; s < 4; ++s) {
            t[0][s] = d[0][s] - d[2][s];
            t[1][s] = d[1][s] + d[2][s];
            t[2][s] = d[2][s] - d[1][s];
            t[3][s] = d[1][s] - d[3][s];
          }
          for (int r = 0; r < 4; ++r) {
            out[(r * 4 + 0) * C * P + tw] = t[r][0] - t[r][2];
            out[(r * 4 + 1) * C * P + tw] = t[r][1] + t[r][2];
            out[(r * 4 + 2) * C * P + tw] = t[r][2] - t[r][1];
            out[(r * 4 + 3) * C * P + tw] = t[r][1] - t[r][3];
          }
        }
      }
    }
  });
}

/// Y = act(A^T M A + bias + residual) for one image, y [Mo, OH, OW].
template <index_t Mo, index_t OH, index_t OW, index_t TH, index_t TW, class Act>
void output_transform(const float *ONNXC_RESTRICT m, const float *bias,
                      const float *residual, float *ONNXC_RESTRICT y, Act act) {
  constexpr index_t P = TH * TW;
  parallel_for(Mo, [&](index_t m0, index_t m1) {
    float rows[2][2 * TW];
    for (index_t o = m0; o < m1; ++o) {
      const float b = bias ? bias[o] : 0.0f;
      for (index_t th = 0; th < TH; ++th) {
        const float *in = m + o * P + th * TW;
        for (index_t tw = 0; tw < TW; ++tw) {
          float q[4][4], s[2][4];
          for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c)
              q[r][c] = in[(r * 4 + c) * Mo * P + tw];
          for (int c = 0; c < 4; ++c) {
            s[0][c] = q[0][c] + q[1][c] + q[2][c];
            s[1][c] = q[1][c] - q[2][c] - q[3][c];
          }
          for (int i = 0; i < 2; ++i) {
            rows[i][2 * tw] = s[i][0] + s[i][1] + s[i][2];
            rows[i][2 * tw + 1] = s[i][1] - s[i][2] - s[i][3];
          }
        }
        for (index_t i = 0; i < 2 && 2 * th + i < OH; ++i) {
          index_t oh = 2 * th + i;
          float *yr = y + (o * OH + oh) * OW;
          if (residual) {
            const float *rr = residual + (o * OH + oh) * OW;
            for (index_t ow = 0; ow < OW; ++ow)
              yr[ow] = act(rows[i][ow] + b + rr[ow]);
          } else {
            for (index_t ow = 0; ow < OW; ++ow)
              yr[ow] = act(rows[i][ow] + b);
          }
        }
      }
    }
  });
}

/// The convolution: x [N, C, H, W] -> y [N, M, OH, OW]; u the transformed
/// weights, 16 SGEMM A operands packed in panels of MR rows.
template <index_t N, index_t C, index_t Mo, index_t H, index_t W, index_t OH,
          index_t OW, index_t PH, index_t PW, class Act>
void conv(const float *x, const float *u, const float *bias, const float *residual,
          float *y, float *scratch, Act act) {
  constexpr index_t TH = (OH + 1) / 2, TW = (OW + 1) / 2, P = TH * TW;
  float *v = scratch, *m = v + 16 * C * P, *pack = m + 16 * Mo * P;
  constexpr index_t uStride = sgemm::round_up(Mo, sgemm::MR) * C;
  // The 16 products are independent: on threads, each thread runs whole
  // products with its own packing scratch, one parallel region instead of
  // 16 whose column panels rarely split evenly (7x7 tiles: 49 columns).
  constexpr index_t packFloats = sgemm::scratch_floats(Mo, P, C, false, true);
  for (index_t n = 0; n < N; ++n) {
    input_transform<C, H, W, TH, TW, PH, PW>(x + n * C * H * W, v);
    // Share t of the products, [16 t / T, 16 (t + 1) / T), with packing
    // scratch t.
    auto products = [&](index_t t0, index_t t1) {
      constexpr index_t T = ONNXC_THREADS;
      for (index_t t = t0; t < t1; ++t)
        for (index_t xi = 16 * t / T; xi < 16 * (t + 1) / T; ++xi)
          sgemm::gemm_on<false, Mo, P, C>(sgemm::prepacked_a{u + xi * uStride, C, Mo},
                                          sgemm::dense_b<false>{v + xi * C * P, P, P},
                                          m + xi * Mo * P, P, false, pack + t * packFloats);
    };
    parallel_for(ONNXC_THREADS, products);
    output_transform<Mo, OH, OW, TH, TW>(
        m, bias, residual ? residual + n * Mo * OH * OW : nullptr,
        y + n * Mo * OH * OW, act);
  }
}

} // namespace winograd
ONNXC_NAMESPACE_END

#endif
