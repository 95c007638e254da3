// Winograd F(Out x Out, 3x3) convolution, Out = 2 or 4: 3x3, stride 1,
// dilation 1, one group. Each Out x Out output tile comes from an
// A x A input patch (A = Out + 2) with A^2 multiplies per channel pair
// instead of 9 Out^2, the multiplies being A^2 SGEMMs
//   M_xi [M, tiles] = U_xi [M, C] V_xi [C, tiles],   xi = 0..A^2 - 1,
// with U = G g G^T the weights transformed (and packed) by the compiler,
// V = B^T d B the input patches and Y = A^T M A the outputs.
// F(2x2, 3x3):
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
// F(4x4, 3x3), points 0, +-1, +-2 and infinity (2.25 multiplies per output
// and channel instead of 4, and V and M that much smaller):
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
//          0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6;
//          1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
#ifndef ONNXC_TEMPLATES_WINOGRAD_H
#define ONNXC_TEMPLATES_WINOGRAD_H

#include "onnxc/sgemm.h"
#include "onnxc/winograd_blocking.h"

ONNXC_NAMESPACE_BEGIN
namespace winograd {

/// The transforms of F(Out x Out, 3x3) along one dimension.
template <index_t Out> struct transform;
template <> struct transform<2> {
  static constexpr index_t alpha = 4, xis = alpha * alpha; // A, and A^2 products
  /// out = B^T in
  template <class T> static ONNXC_INLINE void input(const T *in, T *out) {
    out[0] = in[0] - in[2];
    out[1] = in[1] + in[2];
    out[2] = in[2] - in[1];
    out[3] = in[1] - in[3];
  }
  /// out = A^T in
  template <class T> static ONNXC_INLINE void output(const T *in, T *out) {
    out[0] = in[0] + in[1] + in[2];
    out[1] = in[1] - in[2] - in[3];
  }
};
template <> struct transform<4> {
  static constexpr index_t alpha = 6, xis = alpha * alpha; // A, and A^2 products
  template <class T> static ONNXC_INLINE void input(const T *in, T *out) {
    out[0] = 4.0f * in[0] - 5.0f * in[2] + in[4];
    out[1] = in[3] + in[4] - 4.0f * (in[1] + in[2]);
    out[2] = 4.0f * (in[1] - in[2]) + in[4] - in[3];
    out[3] = 2.0f * (in[3] - in[1]) + in[4] - in[2];
    out[4] = 2.0f * (in[1] - in[3]) + in[4] - in[2];
    out[5] = 4.0f * in[1] - 5.0f * in[3] + in[5];
  }
  template <class T> static ONNXC_INLINE void output(const T *in, T *out) {
    const T p1 = in[1] + in[2], m1 = in[1] - in[2], p2 = in[3] + in[4], m2 = in[3] - in[4];
    out[0] = in[0] + p1 + p2;
    out[1] = m1 + 2.0f * m2;
    out[2] = p1 + 4.0f * p2;
    out[3] = m1 + 8.0f * m2 + in[5];
  }
};

// Blocking and scratch sizes: winograd_blocking.h, shared with the
// compiler.
template <index_t Out>
constexpr index_t block_tile_rows(index_t C, index_t M, index_t OH, index_t OW) {
  return winograd_blocking::block_tile_rows(Out, C, M, OH, OW);
}
template <index_t Out>
constexpr bool blocks_per_thread(index_t C, index_t M, index_t OH, index_t OW) {
  return winograd_blocking::blocks_per_thread(Out, C, M, OH, OW, ONNXC_THREADS);
}
template <index_t Out>
constexpr index_t block_floats(index_t C, index_t M, index_t OH, index_t OW) {
  return winograd_blocking::block_floats(Out, C, M, OH, OW);
}
template <index_t Out>
constexpr index_t scratch_floats(index_t C, index_t M, index_t OH, index_t OW) {
  return winograd_blocking::scratch_floats(Out, C, M, OH, OW, ONNXC_THREADS);
}

/// F(2x2, 3x3)'s V[xi][c][tile] for tile rows [th0, th0 + TH) of one
/// image x [C, H, W] with leading pads PH, PW; the channels split over the
/// threads when Shared. Its stride-2 reads in place vectorize well: the
/// phase-split transforms below took 17-36% longer for it.
template <bool Shared, index_t C, index_t H, index_t W, index_t TH, index_t TW, index_t PH,
          index_t PW>
void input_transform_f2(const float *ONNXC_RESTRICT x, float *ONNXC_RESTRICT v, index_t th0) {
  using Tr = transform<2>;
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
          float t[4][4], col[4], tc[4];
          for (int s = 0; s < 4; ++s) { // t = B^T d, column by column
            for (int r = 0; r < 4; ++r)
              col[r] = rows[r][2 * tw + s];
            Tr::input(col, tc);
            for (int r = 0; r < 4; ++r)
              t[r][s] = tc[r];
          }
          for (int r = 0; r < 4; ++r) { // V = t B, row by row
            float vr[4];
            Tr::input(t[r], vr);
            for (int s = 0; s < 4; ++s)
              out[(r * 4 + s) * C * P + tw] = vr[s];
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

/// F(2x2, 3x3)'s Y = act(A^T M A + bias + residual) for tile rows
/// [th0, th0 + TH) of one image, y [Mo, OH, OW]; the channels split over
/// the threads when Shared.
template <bool Shared, index_t Mo, index_t OH, index_t OW, index_t TH, index_t TW, class Act>
void output_transform_f2(const float *ONNXC_RESTRICT m, const float *bias,
                         const float *residual, float *ONNXC_RESTRICT y, index_t th0, Act act) {
  using Tr = transform<2>;
  constexpr index_t P = TH * TW;
  auto channels = [&](index_t m0, index_t m1) {
    float rows[2][2 * TW];
    for (index_t o = m0; o < m1; ++o) {
      const float b = bias ? bias[o] : 0.0f;
      for (index_t th = 0; th < TH; ++th) {
        const float *in = m + o * P + th * TW;
        for (index_t tw = 0; tw < TW; ++tw) {
          float s[2][4], col[4], sc[2];
          for (int c = 0; c < 4; ++c) { // s = A^T M, column by column
            for (int r = 0; r < 4; ++r)
              col[r] = in[(r * 4 + c) * Mo * P + tw];
            Tr::output(col, sc);
            s[0][c] = sc[0];
            s[1][c] = sc[1];
          }
          for (int i = 0; i < 2; ++i) // Y = s A, row by row
            Tr::output(s[i], &rows[i][2 * tw]);
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

/// The Out phases of the Out V::width floats at src: p[k] holds src[Out j + k]
/// at lane j.
template <index_t Out>
ONNXC_INLINE void split_phases(const float *ONNXC_RESTRICT src, simd::native::reg (&p)[Out]) {
  using V = simd::native;
  constexpr int L = V::width;
  const V::reg a = V::load(src), b = V::load(src + L);
  if constexpr (Out == 2) {
    p[0] = V::even(a, b);
    p[1] = V::odd(a, b);
  } else {
    static_assert(Out == 4, "2 or 4 phases");
    const V::reg c = V::load(src + 2 * L), d = V::load(src + 3 * L);
    const V::reg e0 = V::even(a, b), o0 = V::odd(a, b), e1 = V::even(c, d), o1 = V::odd(c, d);
    p[0] = V::even(e0, e1);
    p[1] = V::even(o0, o1);
    p[2] = V::odd(e0, e1);
    p[3] = V::odd(o0, o1);
  }
}

/// The inverse of split_phases: emit(i, v) for i = 0, V::width, ... with
/// the Out vectors v of floats [i, i + V::width), float Out j + k being
/// p[k]'s lane j.
template <index_t Out, class Emit>
ONNXC_INLINE void join_phases(const simd::native::reg (&p)[Out], const Emit &emit) {
  using V = simd::native;
  constexpr int L = V::width;
  if constexpr (Out == 2) {
    emit(0, V::zip_lo(p[0], p[1]));
    emit(L, V::zip_hi(p[0], p[1]));
  } else {
    const V::reg lo02 = V::zip_lo(p[0], p[2]), hi02 = V::zip_hi(p[0], p[2]);
    const V::reg lo13 = V::zip_lo(p[1], p[3]), hi13 = V::zip_hi(p[1], p[3]);
    emit(0, V::zip_lo(lo02, lo13));
    emit(L, V::zip_hi(lo02, lo13));
    emit(2 * L, V::zip_lo(hi02, hi13));
    emit(3 * L, V::zip_hi(hi02, hi13));
  }
}

/// F(4x4, 3x3)'s V[xi][c][tile] (and any Out's) for tile rows
/// [th0, th0 + TH) of one image x [C, H, W] with leading pads PH, PW; the
/// channels split over the threads when Shared. Per tile row: the A input
/// rows, zero-padded; B^T down their columns (whole rows at a time); then,
/// vector by vector of tiles in registers, each result row split by column
/// phase modulo Out (split_phases), whose vectors are the tiles' columns,
/// and B along them. (Read with stride 4 in place, the compiler's code
/// took 2 to 6 times as long.)
template <index_t Out, bool Shared, index_t C, index_t H, index_t W, index_t TH, index_t TW,
          index_t PH, index_t PW>
void input_transform(const float *ONNXC_RESTRICT x, float *ONNXC_RESTRICT v, index_t th0) {
  using Tr = transform<Out>;
  using V = simd::native;
  constexpr int L = V::width;
  constexpr index_t A = Tr::alpha, P = TH * TW;
  constexpr index_t NG = (TW + L - 1) / L; // vectors of tiles
  constexpr index_t RW = Out * (NG + 1) * L; // padded row: one vector of tiles past them
  constexpr index_t copied = W < RW - PW ? W : RW - PW;
  auto channels = [&](index_t c0, index_t c1) {
    alignas(64) float rows[A][RW], t[A][RW];
    for (index_t c = c0; c < c1; ++c) {
      const float *plane = x + c * H * W;
      for (index_t th = 0; th < TH; ++th) {
        for (index_t r = 0; r < A; ++r) {
          const index_t ih = Out * (th0 + th) - PH + r;
          float *row = rows[r];
          if (ih < 0 || ih >= H) {
            for (index_t j = 0; j < RW; ++j)
              row[j] = 0.0f;
            continue;
          }
          for (index_t j = 0; j < PW; ++j)
            row[j] = 0.0f;
          memcpy(row + PW, plane + ih * W, copied * sizeof(float));
          for (index_t j = PW + copied; j < RW; ++j)
            row[j] = 0.0f;
        }
        for (index_t j = 0; j < RW; ++j) { // t = B^T d, all columns
          float col[A], tc[A];
          for (int r = 0; r < A; ++r)
            col[r] = rows[r][j];
          Tr::input(col, tc);
          for (int r = 0; r < A; ++r)
            t[r][j] = tc[r];
        }
        float *out = v + c * P + th * TW;
        for (index_t r = 0; r < A; ++r) { // V = t B, row by row
          // Each vector of tiles in registers: its columns' phases and
          // the next vector's, whose first lanes the last taps reach.
          // (Stored and read back one lane on, the phases waited on
          // store forwarding.)
          V::reg ph[NG + 1][Out];
#pragma GCC unroll 8
          for (index_t g = 0; g <= NG; ++g)
            split_phases<Out>(t[r] + g * Out * L, ph[g]);
#pragma GCC unroll 8
          for (index_t g = 0; g < NG; ++g) {
            V::reg d[A], vr[A];
            for (int s = 0; s < A; ++s)
              d[s] = s < Out ? ph[g][s] : V::template from<1>(ph[g][s - Out], ph[g + 1][s - Out]);
            Tr::input(d, vr);
            const index_t n = TW - g * L;
            for (int s = 0; s < A; ++s) {
              float *o = out + (r * A + s) * C * P + g * L;
              if (n >= L)
                V::store(o, vr[s]);
              else
                V::store_first(o, vr[s], int(n));
            }
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

/// F(4x4, 3x3)'s Y = act(A^T M A + bias + residual) (and any Out's) for
/// tile rows [th0, th0 + TH) of one image, y [Mo, OH, OW]; the channels
/// split over the threads when Shared. Per channel, tile row and vector of
/// tiles, in registers: A^T along each row of M's tiles, A^T down the
/// results, whose rows are the output rows split by column phase, which
/// join_phases interleaves.
template <index_t Out, bool Shared, index_t Mo, index_t OH, index_t OW, index_t TH,
          index_t TW, class Act>
void output_transform(const float *ONNXC_RESTRICT m, const float *bias,
                      const float *residual, float *ONNXC_RESTRICT y, index_t th0, Act act) {
  using Tr = transform<Out>;
  using V = simd::native;
  constexpr int L = V::width;
  constexpr index_t A = Tr::alpha, P = TH * TW;
  auto channels = [&](index_t m0, index_t m1) {
    for (index_t o = m0; o < m1; ++o) {
      const float b = bias ? bias[o] : 0.0f;
      const V::reg bv = V::broadcast(&b);
      for (index_t th = 0; th < TH; ++th) {
        const float *in = m + o * P + th * TW;
        for (index_t g = 0; g * L < TW; ++g) {
          const index_t n = TW - g * L; // tiles in this vector
          V::reg u[A][Out], ys[Out][Out];
          for (int r = 0; r < A; ++r) { // u = M A, row by row
            V::reg q[A];
            for (int c = 0; c < A; ++c) {
              const float *src = in + (r * A + c) * Mo * P + g * L;
              q[c] = n >= L ? V::load(src) : V::load_first(src, int(n));
            }
            Tr::output(q, u[r]);
          }
          for (int j = 0; j < Out; ++j) { // Y = A^T u, column by column
            V::reg q[A], s[Out];
            for (int r = 0; r < A; ++r)
              q[r] = u[r][j];
            Tr::output(q, s);
            for (int i = 0; i < Out; ++i)
              ys[i][j] = s[i];
          }
          for (index_t i = 0; i < Out && Out * (th0 + th) + i < OH; ++i) {
            const index_t oh = Out * (th0 + th) + i, c0 = g * L * Out;
            float *yr = y + (o * OH + oh) * OW + c0;
            const float *rr = residual ? residual + (o * OH + oh) * OW + c0 : nullptr;
            join_phases<Out>(ys[i], [&](index_t c, V::reg v) {
              if (c0 + c >= OW)
                return;
              const int cols = OW - c0 - c >= L ? L : int(OW - c0 - c);
              auto load = [&](const float *q) {
                return cols == L ? V::load(q) : V::load_first(q, cols);
              };
              v = V::add(v, bv);
              if (rr)
                v = V::add(v, load(rr + c));
              if constexpr (sgemm::vector_act<Act>::ok) {
                v = sgemm::vector_act<Act>::apply(act, v);
              } else {
                float t[L];
                V::store(t, v);
                for (int l = 0; l < L; ++l)
                  t[l] = act(t[l]);
                v = V::load(t);
              }
              if (cols == L)
                V::store(yr + c, v);
              else
                V::store_first(yr + c, v, cols);
            });
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

/// Tile rows [th0, th0 + R) of one image: V and M at vm, [A^2][C or Mo][R TW];
/// on the calling thread alone with packing scratch t (PerThread), or
/// with each step shared by the threads.
template <index_t Out, bool PerThread, index_t R, index_t C, index_t Mo, index_t H, index_t W,
          index_t OH, index_t OW, index_t PH, index_t PW, class Act>
void block(const float *x, const float *u, const float *bias, const float *residual, float *y,
           float *vm, float *pack, index_t th0, index_t t, Act act) {
  constexpr index_t XI = transform<Out>::xis;
  constexpr index_t TW = (OW + Out - 1) / Out, P = R * TW;
  constexpr index_t uStride = sgemm::round_up(Mo, sgemm::MR) * C;
  constexpr index_t packFloats = winograd_blocking::pack_floats(Out, C, Mo, OH, OW, ONNXC_THREADS);
  float *v = vm, *m = vm + XI * C * P;
  if constexpr (Out == 2)
    input_transform_f2<!PerThread, C, H, W, R, TW, PH, PW>(x, v, th0);
  else
    input_transform<Out, !PerThread, C, H, W, R, TW, PH, PW>(x, v, th0);
  // Shares [s0, s1) of the products, share s being [XI s / T, XI (s + 1) / T)
  // with packing scratch s (or t). The A^2 products are independent: on
  // threads, each thread runs whole products with its own packing scratch,
  // one parallel region instead of A^2 whose column panels rarely split
  // evenly (7x7 tiles: 49 columns). (The shares as parallel_for's own
  // chunks: called from a lambda of their own they ran 6-8% slower.)
  auto products = [&](index_t s0, index_t s1) {
    constexpr index_t T = PerThread ? 1 : ONNXC_THREADS;
    for (index_t s = s0; s < s1; ++s)
      for (index_t xi = XI * s / T; xi < XI * (s + 1) / T; ++xi)
        sgemm::gemm_on<false, Mo, P, C>(sgemm::prepacked_a{u + xi * uStride, C, Mo},
                                        sgemm::dense_b<false>{v + xi * C * P, P, P},
                                        m + xi * Mo * P, P, false,
                                        pack + (PerThread ? t : s) * packFloats);
  };
  if constexpr (PerThread)
    products(0, 1);
  else
    parallel_for(ONNXC_THREADS, products);
  if constexpr (Out == 2)
    output_transform_f2<!PerThread, Mo, OH, OW, R, TW>(m, bias, residual, y, th0, act);
  else
    output_transform<Out, !PerThread, Mo, OH, OW, R, TW>(m, bias, residual, y, th0, act);
}

/// The convolution: x [N, C, H, W] -> y [N, M, OH, OW]; u the transformed
/// weights, A^2 SGEMM A operands packed in panels of MR rows.
template <index_t Out, index_t N, index_t C, index_t Mo, index_t H, index_t W, index_t OH,
          index_t OW, index_t PH, index_t PW, class Act>
void conv(const float *x, const float *u, const float *bias, const float *residual,
          float *y, float *scratch, Act act) {
  static_assert(Out == 2 || Out == 4, "F(2x2, 3x3) or F(4x4, 3x3)");
  constexpr index_t T = ONNXC_THREADS;
  constexpr index_t TH = (OH + Out - 1) / Out;
  constexpr index_t TB = block_tile_rows<Out>(C, Mo, OH, OW), NB = (TH + TB - 1) / TB;
  constexpr index_t LastRows = TH - (NB - 1) * TB;
  constexpr bool perThread = blocks_per_thread<Out>(C, Mo, OH, OW);
  constexpr index_t vmFloats = block_floats<Out>(C, Mo, OH, OW);
  float *pack = scratch + (perThread ? T : 1) * vmFloats;
  for (index_t n = 0; n < N; ++n) {
    const float *xn = x + n * C * H * W;
    const float *rn = residual ? residual + n * Mo * OH * OW : nullptr;
    float *yn = y + n * Mo * OH * OW;
    // Tile rows [th0, th0 + Rows) as one block, in V and M at vm, with
    // packing scratch t.
    auto one = [&](auto rows, index_t th0, float *vm, index_t t) {
      block<Out, perThread, decltype(rows)::value, C, Mo, H, W, OH, OW, PH, PW>(
          xn, u, bias, rn, yn, vm, pack, th0, t, act);
    };
    // Blocks [b0, b1) of TB tile rows, the last of LastRows.
    auto blocks = [&](index_t b0, index_t b1, float *vm, index_t t) {
      for (index_t b = b0; b < b1; ++b) {
        if (b + 1 < NB)
          one(index_constant<TB>{}, b * TB, vm, t);
        else
          one(index_constant<LastRows>{}, b * TB, vm, t);
      }
    };
    // Per thread, the same number of blocks, of Q or Q + 1 tile rows (no
    // more than TB): whole blocks of TB split unevenly (squeezenet1_1's
    // 55 x 55 layers: 14 tile rows in blocks of 3 gave one thread 6 and
    // the other 8, which then waited 30% of the layer for it; now 7 each,
    // 6-7% faster). Where that many blocks would be empty, blocks of TB.
    constexpr index_t perT = ((TH + T - 1) / T + TB - 1) / TB, NBT = T * perT, Q = TH / NBT;
    if constexpr (perThread) {
      parallel_for(T, [&](index_t t0, index_t t1) {
        for (index_t t = t0; t < t1; ++t) {
          float *vm = scratch + t * vmFloats;
          if constexpr (Q >= 1) {
            for (index_t b = perT * t; b < perT * (t + 1); ++b) {
              const index_t th0 = TH * b / NBT, rows = TH * (b + 1) / NBT - th0;
              if constexpr (TH % NBT != 0)
                if (rows > Q) {
                  one(index_constant<Q + 1>{}, th0, vm, t);
                  continue;
                }
              one(index_constant<Q>{}, th0, vm, t);
            }
          } else {
            blocks(NB * t / T, NB * (t + 1) / T, vm, t);
          }
        }
      });
    } else {
      blocks(0, NB, scratch, 0);
    }
  }
}

} // namespace winograd
ONNXC_NAMESPACE_END

#endif
