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

/// Tile rows per block: the convolution runs a block of tile rows at a
/// time (input transform, 16 products, output transform) so that the
/// block's V and M stay in L2 between being written and read; whole images'
/// V and M (3 MB each for 56 x 56 x 64) spill to L3, whose bandwidth the
/// transforms then wait on (resnet18's 56 x 56 x 64, best of four runs:
/// 1830 -> 1100 us on one thread, 940 -> 570 us on two).
/// Each block reads all of U again, so weights larger than a block take
/// the whole image at once (256 x 256: 4 MB, 1200 -> 1900 us in blocks);
/// so do images whose V and M are a few blocks' worth, where the blocks'
/// narrower products and partial last panels cost more than the spill
/// (27 x 27 x 32 -> 128: 292 -> 330 us in blocks).
constexpr index_t block_bytes = 512 * 1024; // mirrored by the compiler's scratch sizing
constexpr index_t block_tile_rows(index_t C, index_t M, index_t OH, index_t OW) {
  const index_t TH = (OH + 1) / 2, TW = (OW + 1) / 2;
  const index_t uBytes = 16 * C * M * index_t(sizeof(float));
  const index_t rowBytes = 16 * (C + M) * TW * index_t(sizeof(float));
  if (uBytes > block_bytes || TH * rowBytes <= 4 * block_bytes)
    return TH;
  const index_t r = block_bytes / rowBytes;
  return r < 1 ? 1 : r > TH ? TH : r;
}

/// Whether threads take whole blocks each (V, M and the products of a
/// block all on one core) rather than sharing every block: shared, each
/// block's V and M cross between the cores' caches twice, which on two
/// threads cost as much as the second thread saved.
constexpr bool blocks_per_thread(index_t C, index_t M, index_t OH, index_t OW) {
  const index_t TH = (OH + 1) / 2, TB = block_tile_rows(C, M, OH, OW);
  return ONNXC_THREADS > 1 && (TH + TB - 1) / TB >= 2 * ONNXC_THREADS;
}

/// Floats of one block's V and M, [16][C + M][block tiles].
constexpr index_t block_floats(index_t C, index_t M, index_t OH, index_t OW) {
  return 16 * (C + M) * block_tile_rows(C, M, OH, OW) * ((OW + 1) / 2);
}

/// Floats of scratch (the compiler reserves at least as much): a block's
/// V and M (one per thread when blocks_per_thread) and each thread's SGEMM
/// packing space.
constexpr index_t scratch_floats(index_t C, index_t M, index_t OH, index_t OW) {
  const index_t tiles = block_tile_rows(C, M, OH, OW) * ((OW + 1) / 2);
  const index_t blocks = blocks_per_thread(C, M, OH, OW) ? ONNXC_THREADS : 1;
  return blocks * block_floats(C, M, OH, OW) +
         ONNXC_THREADS * sgemm::scratch_floats(M, tiles, C, false, true);
}

/// V[xi][c][tile] for tile rows [th0, th0 + TH) of one image x [C, H, W]
/// with leading pads PH, PW; the channels split over the threads when
/// Shared.
template <bool Shared, index_t C, index_t H, index_t W, index_t TH, index_t TW, index_t PH,
          index_t PW>
void input_transform(const float *ONNXC_RESTRICT x, float *ONNXC_RESTRICT v, index_t th0) {
  constexpr index_t P = TH * TW, RW = 2 * TW + 2;
  auto channels = [&](index_t c0, index_t c1) {
    // The four input rows of a tile row, zero-padded: no bounds checks in
    // the tile loop, which the compiler vectorizes.
    float rows[4][RW];
    for (index_t c = c0; c < c1; ++c) {
      const float *plane = x + c * H * W;
      for (index_t th = 0; th < TH; ++th) {
        for (index_t r = 0; r < 4; ++r) {
          index_t ih = 2 * (th0 + th) - PH + r;
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
  };
  if constexpr (Shared)
    parallel_for(C, channels);
  else
    channels(0, C);
}

/// Y = act(A^T M A + bias + residual) for tile rows [th0, th0 + TH) of
/// one image, y [Mo, OH, OW]; the channels split over the threads when
/// Shared.
template <bool Shared, index_t Mo, index_t OH, index_t OW, index_t TH, index_t TW, class Act>
void output_transform(const float *ONNXC_RESTRICT m, const float *bias,
                      const float *residual, float *ONNXC_RESTRICT y, index_t th0, Act act) {
  constexpr index_t P = TH * TW;
  auto channels = [&](index_t m0, index_t m1) {
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
        for (index_t i = 0; i < 2 && 2 * (th0 + th) + i < OH; ++i) {
          index_t oh = 2 * (th0 + th) + i;
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
  };
  if constexpr (Shared)
    parallel_for(Mo, channels);
  else
    channels(0, Mo);
}

/// Tile rows [th0, th0 + R) of one image: V and M at vm, [16][C or Mo][R TW];
/// on the calling thread alone with packing scratch t (PerThread), or
/// with each step shared by the threads.
template <bool PerThread, index_t R, index_t C, index_t Mo, index_t H, index_t W, index_t OH,
          index_t OW, index_t PH, index_t PW, class Act>
void block(const float *x, const float *u, const float *bias, const float *residual, float *y,
           float *vm, float *pack, index_t th0, index_t t, Act act) {
  constexpr index_t TW = (OW + 1) / 2, P = R * TW;
  constexpr index_t uStride = sgemm::round_up(Mo, sgemm::MR) * C;
  constexpr index_t packFloats =
      sgemm::scratch_floats(Mo, block_tile_rows(C, Mo, OH, OW) * TW, C, false, true);
  float *v = vm, *m = vm + 16 * C * P;
  input_transform<!PerThread, C, H, W, R, TW, PH, PW>(x, v, th0);
  // Shares [s0, s1) of the products, share s being [16 s / T, 16 (s + 1) / T)
  // with packing scratch s (or t). The 16 products are independent: on
  // threads, each thread runs whole products with its own packing scratch,
  // one parallel region instead of 16 whose column panels rarely split
  // evenly (7x7 tiles: 49 columns). (The shares as parallel_for's own
  // chunks: called from a lambda of their own they ran 6-8% slower.)
  auto products = [&](index_t s0, index_t s1) {
    constexpr index_t T = PerThread ? 1 : ONNXC_THREADS;
    for (index_t s = s0; s < s1; ++s)
      for (index_t xi = 16 * s / T; xi < 16 * (s + 1) / T; ++xi)
        sgemm::gemm_on<false, Mo, P, C>(sgemm::prepacked_a{u + xi * uStride, C, Mo},
                                        sgemm::dense_b<false>{v + xi * C * P, P, P},
                                        m + xi * Mo * P, P, false,
                                        pack + (PerThread ? t : s) * packFloats);
  };
  if constexpr (PerThread)
    products(0, 1);
  else
    parallel_for(ONNXC_THREADS, products);
  output_transform<!PerThread, Mo, OH, OW, R, TW>(m, bias, residual, y, th0, act);
}

/// The convolution: x [N, C, H, W] -> y [N, M, OH, OW]; u the transformed
/// weights, 16 SGEMM A operands packed in panels of MR rows.
template <index_t N, index_t C, index_t Mo, index_t H, index_t W, index_t OH,
          index_t OW, index_t PH, index_t PW, class Act>
void conv(const float *x, const float *u, const float *bias, const float *residual,
          float *y, float *scratch, Act act) {
  constexpr index_t T = ONNXC_THREADS;
  constexpr index_t TH = (OH + 1) / 2;
  constexpr index_t TB = block_tile_rows(C, Mo, OH, OW), NB = (TH + TB - 1) / TB;
  constexpr index_t LastRows = TH - (NB - 1) * TB;
  constexpr bool perThread = blocks_per_thread(C, Mo, OH, OW);
  constexpr index_t vmFloats = block_floats(C, Mo, OH, OW);
  float *pack = scratch + (perThread ? T : 1) * vmFloats;
  for (index_t n = 0; n < N; ++n) {
    const float *xn = x + n * C * H * W;
    const float *rn = residual ? residual + n * Mo * OH * OW : nullptr;
    float *yn = y + n * Mo * OH * OW;
    // Blocks [b0, b1) in V and M at vm, with packing scratch t.
    auto blocks = [&](index_t b0, index_t b1, float *vm, index_t t) {
      for (index_t b = b0; b < b1; ++b) {
        if (b + 1 < NB)
          block<perThread, TB, C, Mo, H, W, OH, OW, PH, PW>(xn, u, bias, rn, yn, vm, pack,
                                                             b * TB, t, act);
        else
          block<perThread, LastRows, C, Mo, H, W, OH, OW, PH, PW>(xn, u, bias, rn, yn, vm,
                                                                   pack, b * TB, t, act);
      }
    };
    if constexpr (perThread) {
      parallel_for(T, [&](index_t t0, index_t t1) {
        for (index_t t = t0; t < t1; ++t)
          blocks(NB * t / T, NB * (t + 1) / T, scratch + t * vmFloats, t);
      });
    } else {
      blocks(0, NB, scratch, 0);
    }
  }
}

} // namespace winograd
ONNXC_NAMESPACE_END

#endif
