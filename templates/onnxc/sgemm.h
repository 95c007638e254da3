// Packed single-precision GEMM: C[M,N] (+)= A[M,K] B[K,N].
//
// The classic blocked scheme: B is packed in blocks of KC x NC into panels NR
// columns wide, A in blocks of MC x KC into panels MR rows tall, and a
// register-blocked micro-kernel multiplies one A panel by one B panel into
// an MR x NR tile of C held in vector registers. Operands that are weights
// come pre-packed from the compiler (the panels over the whole K), so only
// activations are packed at run time, into the op's arena scratch. A
// convolution's B is packed straight from the image (implicit im2col).
//
// Epilogues (bias, residual, activation) run on each tile right after its
// last block is stored, while the tile is still in L1.
#ifndef ONNXC_TEMPLATES_SGEMM_H
#define ONNXC_TEMPLATES_SGEMM_H

#include "onnxc/elementwise.h"
#include "onnxc/sgemm_blocking.h"
#include "onnxc/simd.h"
#include "onnxc/threads.h"

ONNXC_NAMESPACE_BEGIN

/// A row count as a type, for generic lambdas.
template <index_t V> struct index_constant {
  static constexpr index_t value = V;
};

namespace sgemm {

using V = simd::native;
constexpr index_t MR = V::mr;
constexpr index_t NR = V::width * V::nvec;
// Blocking and scratch sizes: sgemm_blocking.h, shared with the compiler.
using sgemm_blocking::block_depth;
using sgemm_blocking::clamp_of;
using sgemm_blocking::KC;
using sgemm_blocking::max_mr;
using sgemm_blocking::max_nr;
using sgemm_blocking::MC;
using sgemm_blocking::MC_RUNTIME_A;
using sgemm_blocking::min_of;
using sgemm_blocking::NC;
using sgemm_blocking::round_up;
using sgemm_blocking::runtime_a_block_rows;
static_assert(MR <= max_mr && NR <= max_nr && MC % MR == 0 && MC_RUNTIME_A % MR == 0, "tile sizes");

constexpr bool packs_by_panel(index_t M, bool packA, bool packB) {
  return sgemm_blocking::packs_by_panel(M, packA, packB, ONNXC_THREADS);
}
constexpr bool may_split_rows(index_t M, index_t N, bool packA, bool packB) {
  return sgemm_blocking::may_split_rows(M, N, packA, packB, ONNXC_THREADS);
}
constexpr index_t split_rows_floats(index_t N, index_t K, bool packs) {
  return sgemm_blocking::split_rows_floats(N, K, packs, ONNXC_THREADS);
}
constexpr index_t b_floats(index_t M, index_t N, index_t K, bool packA, bool packB,
                           bool threaded = true) {
  return sgemm_blocking::b_floats(M, N, K, packA, packB, threaded, ONNXC_THREADS);
}
constexpr index_t scratch_floats(index_t M, index_t N, index_t K, bool packA, bool packB,
                                 bool threaded = true) {
  return sgemm_blocking::scratch_floats(M, N, K, packA, packB, threaded, ONNXC_THREADS);
}

/// Column panels of B `depth` steps deep that 16 KB of L1 holds (1 to 16):
/// a row panel of A runs through that many before the next.
constexpr index_t l1_panels(index_t depth) {
  return clamp_of(index_t(16384) / (depth * NR * index_t(sizeof(float))), 1, 16);
}

/// Where thread t's even range of whole vectors of `cols` columns starts
/// (t = ONNXC_THREADS: the end), where column panels split unevenly.
constexpr index_t vector_share_start(index_t cols, index_t t) {
  return t == ONNXC_THREADS ? cols : cols * t / ONNXC_THREADS / V::width * V::width;
}

/// Whether parallel_for's chunks of `panels` column panels (the last of
/// them partial, `cols` columns in all) give each thread within 12.5 % of
/// an even share of the columns.
constexpr bool panels_split_evenly(index_t panels, index_t cols) {
  if (panels < 2 * ONNXC_THREADS)
    return false;
  for (index_t t = 0; t < ONNXC_THREADS; ++t) {
    index_t b = panels * t / ONNXC_THREADS, e = panels * (t + 1) / ONNXC_THREADS;
    index_t mine = min_of(cols, e * NR) - b * NR;
    if (mine * ONNXC_THREADS * 8 > cols * 9)
      return false;
  }
  return true;
}

// ---- Activations on whole registers -------------------------------------

/// The vector form of an epilogue activation, where it has a branch-free
/// one; the others run on the stored tile.
template <class Act> struct vector_act {
  static constexpr bool ok = false;
};
template <> struct vector_act<fn::Identity> {
  static constexpr bool ok = true;
  static ONNXC_INLINE V::reg apply(const fn::Identity &, V::reg v) { return v; }
};
template <> struct vector_act<fn::Relu> {
  static constexpr bool ok = true;
  static ONNXC_INLINE V::reg apply(const fn::Relu &, V::reg v) {
    V::reg z = V::zero();
    return v < z ? z : v; // NaNs pass through, as in fn::Relu
  }
};
template <> struct vector_act<fn::LeakyRelu> {
  static constexpr bool ok = true;
  static ONNXC_INLINE V::reg apply(const fn::LeakyRelu &a, V::reg v) {
    return v >= V::zero() ? v : v * V::broadcast(&a.alpha);
  }
};
template <> struct vector_act<fn::Clip<float>> {
  static constexpr bool ok = true;
  static ONNXC_INLINE V::reg apply(const fn::Clip<float> &a, V::reg v) {
    // max, then min (one instruction each): ONNX's min(max(x, lo), hi),
    // hi where lo > hi; NaNs pass through.
    V::reg lo = V::broadcast(&a.lo), hi = V::broadcast(&a.hi);
    v = lo > v ? lo : v;
    return hi < v ? hi : v;
  }
};

// ---- Epilogues -------------------------------------------------------------

/// Lanes of vector j (W floats each) that a row of nr floats covers: W,
/// fewer for the last, or none past it.
ONNXC_INLINE int vector_lanes(index_t nr, int j) {
  const index_t n = nr - index_t(j) * V::width;
  return n >= V::width ? V::width : n > 0 ? int(n) : 0;
}

/// A condition known when compiling, usable where a bool is.
template <bool B> struct flag {
  constexpr operator bool() const { return B; }
};

/// Nothing after the product.
struct no_epilogue {
  static constexpr bool active = false, in_registers = false;
  ONNXC_INLINE void operator()(float *, index_t, index_t, index_t, index_t,
                               index_t) const {}
};

/// c = act(c + bias + residual): bias per row (a convolution's output
/// channel) or per column (a Gemm's), residual [M, N] with leading dim ldr.
template <class Act> struct bias_act_epilogue {
  static constexpr bool active = true, in_registers = vector_act<Act>::ok;
  const float *row_bias, *col_bias, *residual;
  index_t ldr;
  Act act;
  /// On a tile's accumulators: c = act(acc (+ c) + bias + residual), for
  /// the mr x nr corner when Partial (lanes past nr masked off).
  template <bool Partial, class Reg, int Rows, int NV>
  ONNXC_INLINE void apply(Reg (&acc)[Rows][NV], float *c, index_t ldc, bool accumulate,
                          index_t i0, index_t j0, index_t mr, index_t nr) const {
    // The fields as locals: C's stores may alias them, and the compiler
    // reloaded each pointer and broadcast the activation's constants again
    // for every vector, with a test per vector for each term. A shallow
    // product's epilogue then took as long as a quarter of its k steps
    // (96 x 12544 x 16, bias and Clip, one thread: no epilogue 512 us,
    // with it 634; now 576).
    const float *rowBias = row_bias, *colBias = col_bias, *res = residual;
    const index_t ldres = ldr;
    const Act a = act;
    auto tiles = [&](auto hasAccumulate, auto hasColBias, auto hasResidual) {
      constexpr int W = V::width;
#pragma GCC unroll 8
      for (int i = 0; i < Rows; ++i) {
        if (Partial && i >= mr)
          break;
        typename V::reg rb = rowBias ? V::broadcast(rowBias + i0 + i) : V::zero();
        const float *resRow = hasResidual ? res + (i0 + i) * ldres + j0 : nullptr;
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) {
          const int n = Partial ? vector_lanes(nr, j) : W;
          if (n <= 0)
            break;
          auto load = [&](const float *q) { return n < W ? V::load_first(q, n) : V::load(q); };
          float *p = c + i * ldc + j * W;
          typename V::reg v = V::add(acc[i][j], rb);
          if (hasAccumulate)
            v = V::add(v, load(p));
          if (hasColBias)
            v = V::add(v, load(colBias + j0 + j * W));
          if (hasResidual)
            v = V::add(v, load(resRow + j * W));
          v = vector_act<Act>::apply(a, v);
          if (n < W)
            V::store_first(p, v, n);
          else
            V::store(p, v);
        }
      }
    };
    // A convolution's tiles: bias (or none) and maybe a residual, each
    // with its terms known; anything else tests them as it goes.
    if (!accumulate && !colBias) {
      if (res)
        tiles(flag<false>{}, flag<false>{}, flag<true>{});
      else
        tiles(flag<false>{}, flag<false>{}, flag<false>{});
    } else {
      tiles(accumulate, colBias != nullptr, res != nullptr);
    }
  }
  ONNXC_INLINE void operator()(float *c, index_t ldc, index_t i0, index_t j0,
                               index_t mr, index_t nr) const {
    // One branch-free loop per combination, so each vectorizes.
    for (index_t i = 0; i < mr; ++i) {
      float *ONNXC_RESTRICT row = c + i * ldc;
      const float rb = row_bias ? row_bias[i0 + i] : 0.0f;
      const float *ONNXC_RESTRICT res = residual ? residual + (i0 + i) * ldr + j0 : nullptr;
      const float *ONNXC_RESTRICT cb = col_bias ? col_bias + j0 : nullptr;
      if (res && cb) {
        for (index_t j = 0; j < nr; ++j)
          row[j] = act(row[j] + rb + cb[j] + res[j]);
      } else if (res) {
        for (index_t j = 0; j < nr; ++j)
          row[j] = act(row[j] + rb + res[j]);
      } else if (cb) {
        for (index_t j = 0; j < nr; ++j)
          row[j] = act(row[j] + rb + cb[j]);
      } else {
        for (index_t j = 0; j < nr; ++j)
          row[j] = act(row[j] + rb);
      }
    }
  }
};

/// How far ahead (in floats) a tile prefetches A's panels, which are one
/// sequential stream per K block. In a model, weights come from L3 or
/// memory, one layer's after another's; the hardware prefetcher alone
/// leaves the first pass over them waiting on each line. On one thread,
/// mobilenet_v2's 7 x 7 layers (0.6 to 1.6 MB of weights) run 20-26%
/// faster in the model, its 14 x 14 layers 5-7%, and resnet18 23% (its
/// last stage 30-35%; 14% on two threads). 64 k steps ahead beat 32 and
/// 128.
constexpr index_t a_prefetch_ahead = 64 * MR;

/// What a tile prefetches (bits): A's panels a_prefetch_ahead ahead, and
/// B's next column panel at the k step it is at (for a B read in place).
constexpr int prefetch_a = 1, prefetch_b = 2;

/// The micro-kernel: a Rows x (NV vectors) tile from kc steps of the first
/// Rows floats of one A panel (MR floats per step) and the first NV vectors
/// of one B panel (NR floats per step), written to the mr x nr corner at c
/// (added to it when `accumulate`), then, when `epi` is given, the
/// epilogue for the tile at row i0, column j0, in registers where it can
/// be. Rows below MR and NV below V::nvec are for a last row or column
/// panel that short: no multiply-adds are spent on padding.
/// Gathered: B's k step k is at bp + boff[k] instead of bp + k bstep.
/// Prefetch: prefetch_a / prefetch_b bits.
template <int Rows, int NV, class Epi, bool Gathered = false, int Prefetch = 0>
ONNXC_INLINE void tile_nv_body(index_t kc, const float *ONNXC_RESTRICT ap,
                               const float *ONNXC_RESTRICT bp, index_t bstep, float *c, index_t ldc,
                               index_t mr, index_t nr, bool accumulate, const Epi *epi, index_t i0,
                               index_t j0, const index_t *boff = nullptr) {
  constexpr int W = V::width, TW = NV * W;
  // FMA latency x throughput independent sums keep the FMA units busy
  // (8 on current x86 cores): a tile with fewer accumulators than that
  // alternates k steps between two sets of them.
  constexpr int Sets = Rows * NV >= 8 || Gathered ? 1 : 2;
  typename V::reg acc[Rows][NV], acc2[Rows][NV];
#pragma GCC unroll 8
  for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j)
      acc[i][j] = acc2[i][j] = V::zero();
#pragma GCC unroll 8
  for (int i = 0; i < Rows; ++i) {
    // The tile's rows of C, for writing, while the k steps run: C's lines
    // are then in L1 when the tile is added to and stored (on Zen 3, SGEMM
    // 1024^3 with A packed at run time 76-79% -> 82-84% of peak; 2048^3
    // 73-79% -> 80-86%).
    if (i >= mr)
      break;
    ONNXC_PREFETCH_W(c + i * ldc);
    if constexpr (TW * sizeof(float) > 64)
      ONNXC_PREFETCH_W(c + i * ldc + TW - 1);
  }
  auto step = [&](typename V::reg(&sum)[Rows][NV], const float *a, const float *b) {
    typename V::reg bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j)
      bv[j] = V::in_register(V::load(b + j * W));
#pragma GCC unroll 8
    for (int i = 0; i < Rows; ++i) {
      typename V::reg av = V::broadcast(a + i);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j)
        sum[i][j] = V::fma(av, bv[j], sum[i][j]);
    }
  };
  index_t k = 0;
  if constexpr (Gathered) {
#pragma GCC unroll 4
    for (; k < kc; ++k) {
      if constexpr (Prefetch & prefetch_a)
        ONNXC_PREFETCH(ap + a_prefetch_ahead);
      step(acc, ap, bp + boff[k]);
      ap += MR;
    }
  }
  if constexpr (Sets == 2) {
    for (; k + 2 <= kc; k += 2) {
      if constexpr (Prefetch & prefetch_a)
        ONNXC_PREFETCH(ap + a_prefetch_ahead);
      step(acc, ap, bp);
      step(acc2, ap + MR, bp + bstep);
      ap += 2 * MR;
      bp += 2 * bstep;
    }
  }
#pragma GCC unroll 4
  for (; k < kc; ++k) {
    if constexpr (Prefetch & prefetch_a)
      ONNXC_PREFETCH(ap + a_prefetch_ahead);
    if constexpr (Prefetch & prefetch_b)
      for (index_t l = 0; l < NR; l += 16) // the next panel's k step, line by line
        ONNXC_PREFETCH(bp + NR + l);
    step(acc, ap, bp);
    ap += MR;
    bp += bstep;
  }
  if constexpr (Sets == 2) {
#pragma GCC unroll 8
    for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j)
        acc[i][j] = V::add(acc[i][j], acc2[i][j]);
  }
  if (mr == Rows && nr == TW) {
    if constexpr (Epi::active && Epi::in_registers) {
      if (epi) {
        epi->template apply<false>(acc, c, ldc, accumulate, i0, j0, mr, nr);
        return;
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        float *p = c + i * ldc + j * W;
        V::store(p, accumulate ? V::add(acc[i][j], V::load(p)) : acc[i][j]);
      }
  } else if constexpr (V::masked) {
    // A last row or column panel: masked loads and stores of the corner
    // (through a copy, a 64 x 84 product's last 20 columns took as long as
    // its other 64).
    if constexpr (Epi::active && Epi::in_registers) {
      if (epi) {
        epi->template apply<true>(acc, c, ldc, accumulate, i0, j0, mr, nr);
        return;
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < Rows; ++i) {
      if (i >= mr)
        break;
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        const int n = vector_lanes(nr, j);
        float *p = c + i * ldc + j * W;
        if (n == W)
          V::store(p, accumulate ? V::add(acc[i][j], V::load(p)) : acc[i][j]);
        else if (n > 0)
          V::store_first(p, accumulate ? V::add(acc[i][j], V::load_first(p, n)) : acc[i][j], n);
      }
    }
  } else {
    alignas(64) float t[Rows * TW];
#pragma GCC unroll 8
    for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j)
        V::store(t + i * TW + j * W, acc[i][j]);
    for (index_t i = 0; i < mr; ++i)
      for (index_t j = 0; j < nr; ++j)
        c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + t[i * TW + j];
  }
  if constexpr (Epi::active)
    if (epi)
      (*epi)(c, ldc, i0, j0, mr, nr);
}

/// The micro-kernel, one tile per call. Not inlined: inside the caller's
/// loops the compiler hoists the epilogue's constants and the loop bounds
/// into registers the micro-kernel needs, and on AVX2 one accumulator then
/// lives on the stack.
template <int Rows, int NV, class Epi, bool Gathered = false, int Prefetch = 0>
ONNXC_NOINLINE void tile_nv(index_t kc, const float *ONNXC_RESTRICT ap,
                            const float *ONNXC_RESTRICT bp, index_t bstep, float *c, index_t ldc,
                            index_t mr, index_t nr, bool accumulate, const Epi *epi, index_t i0,
                            index_t j0, const index_t *boff = nullptr) {
  tile_nv_body<Rows, NV, Epi, Gathered, Prefetch>(kc, ap, bp, bstep, c, ldc, mr, nr, accumulate,
                                                  epi, i0, j0, boff);
}

/// Deepest k steps tile_run takes: shallower tiles spend much of their time
/// around their multiply-adds (the call, the accumulators' set-up, the C
/// prefetches, the epilogue), which a run of them inlined into one loop
/// overlaps. On Zen 3, one thread: mobilenet_v2's 16 -> 96 expansion on
/// 112 x 112 and its 24 -> 144 ones on 56 x 56, 6-7% faster, squeezenet1_1's
/// first convolution (27 taps, gathered) 3%; products 96 and 144 deep, 1-2%
/// slower.
constexpr index_t run_max_depth = 64;

/// Whether row panel i's tiles along `count` column panels from column j
/// of an M x N product are whole and shallow enough for one tile_run.
template <index_t M, index_t N>
constexpr bool runs_whole(index_t count, index_t i, index_t j, index_t kc) {
  return count > 1 && i + MR <= M && j + count * NR <= N && kc <= run_max_depth;
}

/// Whole MR x NR tiles of one A panel through `count` column panels, B's
/// panels bnext floats apart and C's NR columns (Gathered: each panel's k
/// steps at boff, as tile_nv's), in one call whose loop is the only one
/// around the micro-kernel.
template <class Epi, int Prefetch, bool Gathered = false>
ONNXC_NOINLINE void tile_run(index_t count, index_t kc, const float *ONNXC_RESTRICT ap,
                             const float *ONNXC_RESTRICT bp, index_t bstep, index_t bnext, float *c,
                             index_t ldc, bool accumulate, const Epi *epi, index_t i0, index_t j0,
                             const index_t *boff = nullptr) {
  for (index_t p = 0; p < count; ++p)
    tile_nv_body<MR, V::nvec, Epi, Gathered, Prefetch>(kc, ap, bp + p * bnext, bstep, c + p * NR,
                                                       ldc, MR, NR, accumulate, epi, i0,
                                                       j0 + p * NR, boff);
}

/// A tile of one column: the rows of the A panel as one vector (V::width >=
/// MR), times each k step's B value, four k steps in flight. A last column
/// panel one column wide (a 7x7 image's 49 = 3 x 16 + 1 outputs) would
/// otherwise spend a whole vector of multiply-adds per row on it.
template <class Epi>
ONNXC_NOINLINE void tile_column(index_t kc, const float *ONNXC_RESTRICT ap,
                                const float *ONNXC_RESTRICT bp, index_t bstep, float *c,
                                index_t ldc, index_t mr, bool accumulate, const Epi *epi,
                                index_t i0, index_t j0) {
  constexpr int W = V::width;
  // A vector load at step k must stay inside steps k and k + 1 (W <= 2 MR),
  // so that no load but the last step's, which goes through a copy, can
  // pass the end of the panel.
  static_assert(sizeof(Epi) > 0 && W >= MR && W <= 2 * MR,
                "one vector holds a panel's rows and reaches one step ahead at most");
  typename V::reg s[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
  index_t k = 0;
  for (; k + 4 < kc; k += 4)
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u)
      s[u] = V::fma(V::load(ap + (k + u) * MR), V::broadcast(bp + (k + u) * bstep), s[u]);
  for (; k + 1 < kc; ++k)
    s[0] = V::fma(V::load(ap + k * MR), V::broadcast(bp + k * bstep), s[0]);
  float last[W] = {};
  for (int i = 0; i < MR; ++i)
    last[i] = ap[k * MR + i];
  s[0] = V::fma(V::load(last), V::broadcast(bp + k * bstep), s[0]);
  float t[W];
  V::store(t, V::add(V::add(s[0], s[1]), V::add(s[2], s[3])));
  for (index_t i = 0; i < mr; ++i)
    c[i * ldc] = (accumulate ? c[i * ldc] : 0.0f) + t[i];
  if constexpr (Epi::active)
    if (epi)
      (*epi)(c, ldc, i0, j0, mr, 1);
}

/// One tile, narrowed to fewer vectors when the columns left are that few.
template <int Rows, class Epi, bool Gathered, int Prefetch>
ONNXC_INLINE void tile_rows(index_t kc, const float *ONNXC_RESTRICT ap,
                            const float *ONNXC_RESTRICT bp, index_t bstep, float *c, index_t ldc,
                            index_t mr, index_t nr, bool accumulate, const Epi *epi, index_t i0,
                            index_t j0, const index_t *boff) {
  // Column tiles read B's steps bstep apart: not for gathered panels, which
  // read whole vectors in place (the lanes past nr are dropped).
  if constexpr (V::width >= MR && !Gathered) {
    if (nr == 1 && kc > 0) {
      tile_column(kc, ap, bp, bstep, c, ldc, mr, accumulate, epi, i0, j0);
      return;
    }
    // One vector and a column or two past it: a one-vector tile and
    // column tiles, instead of two vectors' multiply-adds.
    if (V::nvec > 1 && nr > V::width && nr <= V::width + 2 && kc > 0) {
      tile_nv<Rows, 1, Epi, false, Prefetch>(kc, ap, bp, bstep, c, ldc, mr, V::width, accumulate,
                                             epi, i0, j0);
      for (index_t j = V::width; j < nr; ++j)
        tile_column(kc, ap, bp + j, bstep, c + j, ldc, mr, accumulate, epi, i0, j0 + j);
      return;
    }
  }
  if constexpr (V::nvec > 1) {
    if (nr <= V::width) {
      tile_nv<Rows, 1, Epi, Gathered, Prefetch>(kc, ap, bp, bstep, c, ldc, mr, nr, accumulate, epi,
                                                i0, j0, boff);
      return;
    }
  }
  tile_nv<Rows, V::nvec, Epi, Gathered, Prefetch>(kc, ap, bp, bstep, c, ldc, mr, nr, accumulate,
                                                  epi, i0, j0, boff);
}

/// One tile, narrowed to fewer rows (2 or 4) when the rows left are that
/// few: M = 8 costs 6 + 2 rows of multiply-adds instead of 12. B's k steps
/// are `bstep` floats apart (NR in a packed panel), or at boff[k] from bp
/// when Gathered.
template <bool Gathered = false, int Prefetch = 0, class Epi>
ONNXC_INLINE void tile(index_t kc, const float *ONNXC_RESTRICT ap, const float *ONNXC_RESTRICT bp,
                       index_t bstep, float *c, index_t ldc, index_t mr, index_t nr,
                       bool accumulate, const Epi *epi, index_t i0, index_t j0,
                       const index_t *boff = nullptr) {
  if constexpr (MR > 4) {
    if (mr <= 2) {
      tile_rows<2, Epi, Gathered, Prefetch>(kc, ap, bp, bstep, c, ldc, mr, nr, accumulate, epi, i0,
                                            j0, boff);
      return;
    }
    if (mr <= 4) {
      tile_rows<4, Epi, Gathered, Prefetch>(kc, ap, bp, bstep, c, ldc, mr, nr, accumulate, epi, i0,
                                            j0, boff);
      return;
    }
  }
  tile_rows<MR, Epi, Gathered, Prefetch>(kc, ap, bp, bstep, c, ldc, mr, nr, accumulate, epi, i0, j0,
                                         boff);
}

// ---- A operands: panels of MR rows, MR floats per k step -----------------

/// A compiled-in, pre-packed operand of `count` rows (of A) or columns (of
/// B), zero-padded to whole panels of Rows: for each K block (block_depth
/// deep, the last maybe shallower), every panel's Rows floats per k step,
/// so a block's panels are one sequential stream.
template <index_t Rows> struct prepacked {
  static constexpr bool packs = false;
  const float *data;
  index_t K, padded, depth;
  prepacked(const float *data, index_t K, index_t count)
      : data(data), K(K), padded(round_up(count, Rows)), depth(block_depth(K)) {}
  /// The panel holding rows (columns) [i, i+Rows) from depth pc on, pc
  /// being the start of a K block.
  ONNXC_INLINE const float *panel(index_t i, index_t pc) const {
    return data + pc * padded + (i / Rows) * min_of(depth, K - pc) * Rows;
  }
};
using prepacked_a = prepacked<MR>;
using prepacked_b = prepacked<NR>;

typedef float f32x8 __attribute__((vector_size(32)));

/// A panel of MR rows of a row-major A (lda apart), kc steps from src on,
/// 8 steps at a time transposed in registers: element by element, every
/// store went to another of the panel's rows (the 1024 x 1024 A of a
/// 1024^3 product packed in 0.50 ms, now 0.33).
inline void pack_rows(const float *ONNXC_RESTRICT src, index_t lda, index_t kc,
                      float *ONNXC_RESTRICT d) {
  static_assert(MR <= 8, "a panel's rows fit one 8-lane transpose");
  index_t k0 = 0;
  for (; k0 + 8 <= kc; k0 += 8) {
    f32x8 r[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      if (i < MR)
        __builtin_memcpy(&r[i], src + i * lda + k0, sizeof r[i]);
      else
        r[i] = f32x8{};
    }
    // Three perfect shuffles transpose 8 x 8: then r[k] is step k0 + k.
#pragma GCC unroll 3
    for (int round = 0; round < 3; ++round) {
      f32x8 t[8];
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        t[2 * j] = __builtin_shufflevector(r[j], r[j + 4], 0, 8, 1, 9, 2, 10, 3, 11);
        t[2 * j + 1] = __builtin_shufflevector(r[j], r[j + 4], 4, 12, 5, 13, 6, 14, 7, 15);
      }
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j)
        r[j] = t[j];
    }
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k)
      __builtin_memcpy(d + (k0 + k) * MR, &r[k], MR * sizeof(float));
  }
  for (index_t k = k0; k < kc; ++k)
    for (index_t i = 0; i < MR; ++i)
      d[k * MR + i] = src[i * lda + k];
}

/// A row-major A [M, K] (lda), or its transpose stored [K, M] when Trans.
template <bool Trans> struct dense_a {
  static constexpr bool packs = true;
  const float *data;
  index_t lda, M;
  void pack(index_t ic, index_t pc, index_t mc, index_t kc, float *dst,
            index_t p0, index_t p1) const {
    for (index_t p = p0; p < p1; ++p) {
      float *d = dst + p * kc * MR;
      if ((p + 1) * MR <= mc) { // a whole panel
        const index_t row = ic + p * MR;
        if constexpr (Trans)
          for (index_t k = 0; k < kc; ++k)
            __builtin_memcpy(d + k * MR, data + (pc + k) * lda + row, MR * sizeof(float));
        else
          pack_rows(data + row * lda + pc, lda, kc, d);
        continue;
      }
      for (index_t i = 0; i < MR; ++i) {
        index_t row = ic + p * MR + i;
        if (p * MR + i >= mc) {
          for (index_t k = 0; k < kc; ++k)
            d[k * MR + i] = 0.0f;
        } else if (Trans) {
          for (index_t k = 0; k < kc; ++k)
            d[k * MR + i] = data[(pc + k) * lda + row];
        } else {
          const float *src = data + row * lda + pc;
          for (index_t k = 0; k < kc; ++k)
            d[k * MR + i] = src[k];
        }
      }
    }
  }
};

// ---- B operands: panels of NR columns, NR floats per k step --------------

/// A row-major B [K, N] (ldb), or its transpose stored [N, K] when Trans.
template <bool Trans> struct dense_b {
  static constexpr bool packs = true;
  const float *data;
  index_t ldb, N;
  void pack(index_t jc, index_t pc, index_t nc, index_t kc, float *dst,
            index_t p0, index_t p1, index_t panelFloats) const {
    if constexpr (!Trans) {
      // Whole panels row by row of B where rows are pages apart: each
      // row's run is one sequential stream, where panel by panel every k
      // step would jump to another page (squeezenet1_1's 16 x 3025 x 128
      // squeeze, two threads: 7.5% faster, 10 of 10 rounds).
      const index_t whole = min_of(p1, nc / NR);
      if (ldb >= 1024 && p0 < whole) {
        for (index_t k = 0; k < kc; ++k) {
          const float *row = data + (pc + k) * ldb + jc;
          for (index_t p = p0; p < whole; ++p)
            memcpy(dst + p * panelFloats + k * NR, row + p * NR, NR * sizeof(float));
        }
        p0 = whole;
      }
    }
    for (index_t p = p0; p < p1; ++p) {
      float *d = dst + p * panelFloats;
      index_t j0 = jc + p * NR, nr = min_of(NR, jc + nc - j0);
      if (Trans) {
        for (index_t j = 0; j < NR; ++j)
          if (j < nr) {
            const float *src = data + (j0 + j) * ldb + pc;
            for (index_t k = 0; k < kc; ++k)
              d[k * NR + j] = src[k];
          } else {
            for (index_t k = 0; k < kc; ++k)
              d[k * NR + j] = 0.0f;
          }
      } else if (nr == NR) {
        for (index_t k = 0; k < kc; ++k)
          memcpy(d + k * NR, data + (pc + k) * ldb + j0, NR * sizeof(float));
      } else {
        // A last, narrower panel: its columns, then zeros, a vector at a
        // time (masked where the ISA has masks): element by element, the
        // 20-column panel of a 64 x 84 x 16 product took as long as two
        // whole panels' products.
        const float *src = data + pc * ldb + j0;
        for (index_t k = 0; k < kc; ++k) {
#pragma GCC unroll 4
          for (int v = 0; v < V::nvec; ++v) {
            const int n = vector_lanes(nr, v);
            const float *sk = src + k * ldb + v * V::width;
            V::store(d + k * NR + v * V::width,
                     n == V::width ? V::load(sk) : n > 0 ? V::load_first(sk, n) : V::zero());
          }
        }
      }
    }
  }
};

/// A row-major B [K, N] (ldb) the micro-kernel reads in place, NR columns
/// of a row per k step, rows ldb floats apart: no packing pass. For few
/// rows of A, where packing B would cost a third of the product (a
/// pointwise convolution with few output channels). A last panel narrower
/// than NR is packed (pack_tail): reading it in place would run past the
/// end of B.
struct strided_b {
  static constexpr bool packs = false;
  const float *data;
  index_t ldb, N;
  ONNXC_INLINE const float *panel(index_t j, index_t pc) const { return data + pc * ldb + j; }
  void pack_tail(index_t j0, index_t pc, index_t kc, float *dst) const {
    dense_b<false>{data, ldb, N}.pack(j0, pc, N - j0, kc, dst, 0, 1, kc * NR);
  }
};
template <class B> constexpr bool is_strided_b_v = false;
template <> constexpr bool is_strided_b_v<strided_b> = true;

/// A panel's columns [j0, j0 + nr) of a convolution's output, OW wide, as
/// runs within one output row each: run r covers panel columns
/// [start[r], start[r + 1]) from output (oh[r], ow[r]).
template <index_t OW> struct output_runs {
  index_t start[NR + 1], oh[NR], ow[NR], count = 0;
  output_runs(index_t j0, index_t nr) {
    for (index_t j = 0; j < nr; ++count) {
      start[count] = j;
      oh[count] = (j0 + j) / OW;
      ow[count] = (j0 + j) % OW;
      j += min_of(OW - ow[count], nr - j);
    }
    start[count] = nr;
  }
};

/// A convolution's B [C*KH*KW, OH*OW] read straight from one image [C, H, W]
/// (implicit im2col), for 2-D windows (Win from conv.h, depth 1).
template <class Win> struct im2col_b {
  static constexpr bool packs = true;
  /// Output rows of fewer than 64 columns are packed a tap at a time for
  /// a few panels' columns: the tap's whole output rows first, into a line
  /// on the stack (loops of constant length, per tap column), then whole
  /// panels copied from it. Panel by panel, most panels straddle two or
  /// three rows, each run a loop of its own length: resnet18's strided
  /// 3x3 and 1x1 convolutions (rows of 28, 14 and 7) take 3-10% less time
  /// through lines on one thread, AVX-512 or AVX2, 3-16% less on two (on
  /// AVX-512, packing took 19% of the 3x3 64 -> 128 on 56 x 56, now 10%).
  static constexpr bool by_lines = Win::ow < 64;
  static constexpr index_t line_panels = clamp_of(256 / NR, 1, 16);
  static constexpr index_t line_floats = line_panels * NR + 2 * Win::ow;
  const float *x;
  /// Output row `out` (ow columns) of tap column kw, from input row src.
  template <index_t KW = 0>
  ONNXC_INLINE static void gather_row(const float *ONNXC_RESTRICT src, index_t kw,
                                      float *ONNXC_RESTRICT out) {
    if constexpr (KW < Win::kw) {
      if (kw != KW) {
        gather_row<KW + 1>(src, kw, out);
        return;
      }
      constexpr index_t lo = Win::lo(KW, Win::sw, Win::pw, Win::dw);
      constexpr index_t hi = Win::hi(KW, Win::sw, Win::pw, Win::dw, Win::w, Win::ow);
      constexpr index_t off = KW * Win::dw - Win::pw;
      for (index_t j = 0; j < lo; ++j)
        out[j] = 0.0f;
      for (index_t j = lo; j < hi; ++j)
        out[j] = src[j * Win::sw + off];
      for (index_t j = lo > hi ? lo : hi; j < Win::ow; ++j)
        out[j] = 0.0f;
    }
  }
  void pack_lines(index_t jc, index_t pc, index_t nc, index_t kc, float *dst, index_t p0,
                  index_t p1, index_t panelFloats) const {
    constexpr index_t OW = Win::ow, taps = Win::kh * Win::kw;
    alignas(64) float line[line_floats];
    for (index_t q0 = p0; q0 < p1; q0 += line_panels) {
      const index_t q1 = min_of(q0 + line_panels, p1);
      const index_t a = jc + q0 * NR, b = min_of(jc + q1 * NR, jc + nc);
      const index_t ohA = a / OW, ohB = (b - 1) / OW + 1, skip = a - ohA * OW;
      for (index_t k = 0; k < kc; ++k) {
        const index_t kk = pc + k, c = kk / taps, tap = kk % taps;
        const index_t kh = tap / Win::kw, kw = tap % Win::kw;
        const float *plane = x + c * Win::h * Win::w;
        for (index_t oh = ohA; oh < ohB; ++oh) {
          const index_t ih = oh * Win::sh + kh * Win::dh - Win::ph;
          float *out = line + (oh - ohA) * OW;
          if (ih < 0 || ih >= Win::h)
            memset(out, 0, OW * sizeof(float));
          else
            gather_row(plane + ih * Win::w, kw, out);
        }
        for (index_t p = q0; p < q1; ++p) {
          float *d = dst + p * panelFloats + k * NR;
          const float *src = line + skip + (p - q0) * NR;
          const index_t nr = min_of(NR, b - jc - p * NR);
          if (nr == NR) {
            memcpy(d, src, NR * sizeof(float));
            continue;
          }
          for (index_t j = 0; j < nr; ++j)
            d[j] = src[j];
          for (index_t j = nr; j < NR; ++j)
            d[j] = 0.0f;
        }
      }
    }
  }
  void pack(index_t jc, index_t pc, index_t nc, index_t kc, float *dst,
            index_t p0, index_t p1, index_t panelFloats) const {
    if constexpr (by_lines) {
      pack_lines(jc, pc, nc, kc, dst, p0, p1, panelFloats);
      return;
    }
    constexpr index_t H = Win::h, Wd = Win::w, OW = Win::ow;
    constexpr index_t taps = Win::kh * Win::kw;
    for (index_t p = p0; p < p1; ++p) {
      float *d = dst + p * panelFloats;
      index_t j0 = jc + p * NR, nr = min_of(NR, jc + nc - j0);
      const output_runs<OW> runs(j0, nr);
      for (index_t k = 0; k < kc; ++k) {
        index_t kk = pc + k, c = kk / taps, tap = kk % taps;
        index_t kh = tap / Win::kw, kw = tap % Win::kw;
        const float *plane = x + c * H * Wd;
        float *drow = d + k * NR;
        for (index_t r = 0; r < runs.count; ++r) {
          index_t jb = runs.start[r], je = runs.start[r + 1];
          index_t ih = runs.oh[r] * Win::sh + kh * Win::dh - Win::ph;
          if (ih < 0 || ih >= H) {
            for (index_t j = jb; j < je; ++j)
              drow[j] = 0.0f;
            continue;
          }
          const float *src = plane + ih * Wd;
          index_t iw0 = runs.ow[r] * Win::sw + kw * Win::dw - Win::pw;
          index_t iwLast = iw0 + (je - jb - 1) * Win::sw;
          if (iw0 >= 0 && iwLast < Wd) {
            if constexpr (Win::sw == 1) {
              // A whole panel's run is a copy of constant size: a few
              // vector moves instead of a call.
              if (je - jb == NR)
                memcpy(drow, src + iw0, NR * sizeof(float));
              else if (je - jb == OW)
                // A whole output row within the panel (images narrower
                // than a panel whose im2col is too large to write whole,
                // conv.h im2col_whole_v): also of constant size.
                memcpy(drow + jb, src + iw0, OW * sizeof(float));
              else
                memcpy(drow + jb, src + iw0, (je - jb) * sizeof(float));
            } else {
              for (index_t j = jb; j < je; ++j)
                drow[j] = src[iw0 + (j - jb) * Win::sw];
            }
          } else {
            // A run reaching into the left or right padding: zeros, the
            // columns inside the image, zeros, so that the gather
            // vectorizes as the runs inside do (checked element by
            // element, it stored a float at a time).
            const index_t lo = iw0 < 0 ? min_of((Win::sw - 1 - iw0) / Win::sw, je - jb) : 0;
            const index_t hi =
                iwLast >= Wd ? je - jb - min_of((iwLast - Wd + Win::sw) / Win::sw, je - jb - lo)
                             : je - jb;
            for (index_t j = 0; j < lo; ++j)
              drow[jb + j] = 0.0f;
            for (index_t j = lo; j < hi; ++j)
              drow[jb + j] = src[iw0 + j * Win::sw];
            for (index_t j = hi; j < je - jb; ++j)
              drow[jb + j] = 0.0f;
          }
        }
        for (index_t j = nr; j < NR; ++j)
          drow[j] = 0.0f;
      }
    }
  }
};

// ---- The driver ------------------------------------------------------------

/// What a product's tiles prefetch (tile's Prefetch bits). Weights as A
/// (pre-packed) stream from L3 or memory in a model; an A packed at run
/// time is already in L2. A B of 1 MB or more read in place comes from L3
/// too, one line pair per k step of a panel, which the hardware
/// prefetcher does not follow (mobilenet_v2's 24 x 3136 x 144 and
/// 16 x 12544 x 32 projections 16-19% faster on one thread and two, with
/// it; 14 x 14 ones, whose B stays in L2, ran 7-10% slower). Weights of
/// 16 KB or less stay in L1 after the first column panel, where
/// prefetching them costs an instruction per k step for nothing.
template <index_t M, index_t N, index_t K, class A, class B> constexpr int tile_prefetch() {
  constexpr bool smallA = round_up(M, MR) * K * index_t(sizeof(float)) <= 16384;
  return (!A::packs && !smallA ? prefetch_a : 0) |
         (is_strided_b_v<B> && K * N >= (index_t(1) << 18) ? prefetch_b : 0);
}

template <index_t M, index_t N, index_t K, class A, class B, class Epi>
void rows_split(const A &a, const B &b, float *c, index_t ldc, bool accumulate, float *scratch,
                const Epi &epi);

/// C[M,N] = A B (+ C when accumulate), then the epilogue on every tile.
/// `scratch` holds scratch_floats(M, N, K, A::packs, B::packs) floats.
/// Threaded: false runs it on the calling thread alone (for callers that
/// already split independent products over the threads).
template <bool Threaded, index_t M, index_t N, index_t K, class A, class B,
          class Epi = no_epilogue>
void gemm_on(const A &a, const B &b, float *c, index_t ldc, bool accumulate,
             float *scratch, const Epi &epi = Epi{}) {
  constexpr index_t kcMax = block_depth(K);
  float *bbuf = scratch;
  float *abuf = scratch + b_floats(M, N, K, A::packs, B::packs, Threaded);
  constexpr bool byPanel = packs_by_panel(M, A::packs, B::packs);
  // A strided B's last, narrower panel is packed where B's panels would
  // go, after A's block when A is packed too.
  constexpr bool strided = is_strided_b_v<B>;
  constexpr int prefetch = tile_prefetch<M, N, K, A, B>();
  constexpr index_t tailJ = N / NR * NR;
  float *tail = scratch + (A::packs ? scratch_floats(M, N, K, true, false, Threaded) : 0);
  // Where column panel jp (first column j) starts at depth pc, packed
  // panels being `depth` k steps deep, and its k step.
  auto bPanel = [&](index_t jp, index_t j, index_t pc, index_t depth) -> const float * {
    if constexpr (B::packs)
      return byPanel ? bbuf : bbuf + jp * depth * NR;
    else if constexpr (strided)
      return j >= tailJ ? tail : b.panel(j, pc);
    else
      return b.panel(j, pc);
  };
  auto bstepOf = [&](index_t j) -> index_t {
    if constexpr (strided)
      return j >= tailJ ? NR : b.ldb;
    return NR;
  };
  // Threads only pay off on products of some size. Below 4M multiply-adds
  // (some 50 us on one core) a product of few columns (a transformer's
  // tokens x features) splits into pieces whose consumers then read halves
  // from the other core's cache, which with the handoffs costs about what
  // the second thread saves (tiny_transformer's 32 x 512 x 128 and
  // 32 x 128 x 512, on two threads: the model 336 -> 306 us, 296 on one;
  // of these, 128 columns still lose 27% split, 512 gain 20%);
  // wide products (a convolution's image positions) split into column
  // ranges their consumers split alike, and keep threads from 1M on
  // (squeezenet1_1's pointwise convolutions on 13x13 and 27x27 images,
  // 1.6M to 3.1M multiply-adds: 10-45% faster, the model 4.6%), or from
  // 64K on with 1024 columns or more (its 16 x 3025 x 64 squeezes: 8%
  // slower on one).
  // Those sizes were measured with AVX-512. With fewer lanes a product
  // takes longer, so the same handoff pays off from fewer multiply-adds:
  // with AVX2, from half (on Zen 3, tiny_transformer's 32 x 128 x 512
  // split over two threads took the model 0.33 -> 0.28 ms).
  constexpr index_t work = M * N * K * (V::width < 16 ? 16 / V::width : 1);
  constexpr bool parallel =
      Threaded && ONNXC_THREADS > 1 &&
      (work >= (index_t(1) << 22) || (N >= 160 && work >= (index_t(1) << 20)) ||
       (N >= 1024 && work >= (index_t(1) << 16)));
  auto forEach = [](index_t n, auto &&body) {
    if constexpr (parallel)
      parallel_for(n, body);
    else
      body(index_t(0), n);
  };
  // Column blocks keep a packed block of B in L2; a B read in place needs
  // none, and on threads each block would cost a parallel region.
  constexpr index_t blockCols = B::packs ? NC : N;
  // Each row panel runs through a group of column panels (B's group held
  // in 16 KB of L1) before the next, so a tile's stores continue the
  // previous tile's rows instead of opening MR new ones: with NCHW outputs
  // every row is its own plane, and a shallow product writes faster than
  // the caches take scattered lines (mobilenet_v2's 96x12544x16: 1013 ->
  // 648 us on one thread, 605 -> 442 on two, caches cold). A B packed
  // panel by panel has just one panel.
  constexpr index_t panelGroup = byPanel ? 1 : l1_panels(kcMax);
  if constexpr (parallel && may_split_rows(M, N, A::packs, B::packs) &&
                (M + MR - 1) / MR >= 2 * ONNXC_THREADS) {
    // Each thread packs all of B into its own space and multiplies its
    // share of A's row panels through it: each core streams half of the
    // weights instead of all of them, and its rows are the output channels
    // a depthwise convolution after it takes. On two threads:
    // mobilenet_v2's 7 x 7 pointwise convolutions, which barely scaled
    // split by columns, 17-27% faster, its 14 x 14 expansions to 576 and
    // 960 channels 2-10%, squeezenet1_1's last convolution 8-11%. Row
    // panels taken in turns instead of in one range gained only 1-7% (each
    // thread's A stream breaks up).
    static_assert(split_rows_floats(N, K, true) <= b_floats(M, N, K, false, true, Threaded),
                  "each thread's packing space fits the scratch b_floats sizes");
    rows_split<M, N, K>(a, b, c, ldc, accumulate, bbuf, epi);
    return;
  }
  constexpr index_t allPanels = (N + NR - 1) / NR;
  if constexpr (parallel && !A::packs && B::packs && N <= NC) {
    // Weights as A, B packed at run time, and panels that do not split
    // evenly over the threads (49 columns: 16+16 | 16+1): each thread
    // takes an even range of whole vectors' columns instead, packs it
    // into its own panels (from its first column, in its own part of
    // the packing space) and multiplies them through all of K and M.
    if (!panels_split_evenly(allPanels, N) && N >= 2 * ONNXC_THREADS * V::width) {
      parallel_for(ONNXC_THREADS, [&](index_t t0, index_t t1) {
        for (index_t t = t0; t < t1; ++t) {
          const index_t n0 = vector_share_start(N, t), n1 = vector_share_start(N, t + 1);
          const index_t panels = (n1 - n0 + NR - 1) / NR;
          float *own = bbuf + (n0 + t * NR) * kcMax;
          for (index_t pc = 0; pc < K; pc += kcMax) {
            const index_t kc = min_of(kcMax, K - pc);
            const bool last = pc + kc == K, acc = accumulate || pc != 0;
            b.pack(n0, pc, n1 - n0, kc, own, 0, panels, kcMax * NR);
            for (index_t ic = 0; ic < M; ic += MC)
              for (index_t jp = 0; jp < panels; ++jp) {
                const index_t j = n0 + jp * NR, nr = min_of(NR, n1 - j);
                for (index_t i = ic; i < min_of(ic + MC, M); i += MR)
                  tile<false, prefetch>(kc, a.panel(i, pc), own + jp * kcMax * NR, NR,
                                        c + i * ldc + j, ldc, min_of(MR, M - i), nr, acc,
                                        last ? &epi : nullptr, i, j);
              }
          }
        }
      });
      return;
    }
  }
  if constexpr (parallel && !A::packs && allPanels >= 2 * ONNXC_THREADS) {
    // Weights as A and enough column panels: each thread takes one range
    // of panels (rebalanced in pieces) and multiplies it through all of K
    // and M in one parallel region, packing B (if it packs) a block of
    // columns at a time into its own part of the packing space: the
    // layers around a convolution split its image's rows in one range per
    // thread. (Split block by block, each thread took half of every 2048
    // columns, so half of what it read had been written on the other
    // core: squeezenet1_1's 16 x 3025 x 128 squeeze, two threads, 97 ->
    // 72 us.)
    constexpr index_t ownPanels =
        ((min_of(N, NC) + NR - 1) / NR + ONNXC_THREADS - 1) / ONNXC_THREADS;
    constexpr index_t blockPanels = B::packs ? ownPanels : allPanels;
    static_assert(!B::packs || ONNXC_THREADS * ownPanels * NR * kcMax <=
                                   b_floats(M, N, K, A::packs, B::packs, Threaded),
                  "each thread's packing space fits the scratch b_floats sizes");
    parallel_for_indexed(allPanels, [&](index_t t, index_t q0, index_t q1) {
      float *own = bbuf + t * ownPanels * NR * kcMax;
      for (index_t s0 = q0; s0 < q1; s0 += blockPanels) {
        const index_t s1 = min_of(q1, s0 + blockPanels), jc = s0 * NR;
        for (index_t pc = 0; pc < K; pc += kcMax) {
          const index_t kc = min_of(kcMax, K - pc);
          const bool last = pc + kc == K, acc = accumulate || pc != 0;
          if constexpr (B::packs)
            b.pack(jc, pc, min_of(N, s1 * NR) - jc, kc, own, 0, s1 - s0, kcMax * NR);
          if constexpr (strided)
            if (tailJ < N && s1 * NR > tailJ) // this thread has the tail
              b.pack_tail(tailJ, pc, kc, tail);
          for (index_t ic = 0; ic < M; ic += MC) // an A block stays in L2
            for (index_t g0 = 0; g0 < s1 - s0; g0 += panelGroup) {
              const index_t g1 = min_of(g0 + panelGroup, s1 - s0);
              auto bp = [&](index_t jp) {
                if constexpr (B::packs)
                  return static_cast<const float *>(own + jp * kcMax * NR);
                else
                  return bPanel(s0 + jp, jc + jp * NR, pc, kcMax);
              };
              for (index_t i = ic; i < min_of(ic + MC, M); i += MR) {
                const index_t jg = jc + g0 * NR;
                if (runs_whole<M, N>(g1 - g0, i, jg, kc)) {
                  tile_run<Epi, prefetch>(g1 - g0, kc, a.panel(i, pc), bp(g0), bstepOf(jg),
                                          bp(g0 + 1) - bp(g0), c + i * ldc + jg, ldc, acc,
                                          last ? &epi : nullptr, i, jg);
                  continue;
                }
                for (index_t jp = g0; jp < g1; ++jp) {
                  const index_t j = jc + jp * NR;
                  tile<false, prefetch>(kc, a.panel(i, pc), bp(jp), bstepOf(j), c + i * ldc + j,
                                        ldc, min_of(MR, M - i), min_of(NR, N - j), acc,
                                        last ? &epi : nullptr, i, j);
                }
              }
            }
        }
      }
    });
    return;
  }
  for (index_t jc = 0; jc < N; jc += blockCols) {
    const index_t nc = min_of(blockCols, N - jc), nPanels = (nc + NR - 1) / NR;
    for (index_t pc = 0; pc < K; pc += kcMax) {
      const index_t kc = min_of(kcMax, K - pc);
      const bool last = pc + kc == K, acc = accumulate || pc != 0;
      if constexpr (B::packs && !byPanel)
        forEach(nPanels, [&](index_t p0, index_t p1) {
          b.pack(jc, pc, nc, kc, bbuf, p0, p1, kc * NR);
        });
      if constexpr (strided)
        if (tailJ < N && jc + nc > tailJ)
          b.pack_tail(tailJ, pc, kc, tail);
      constexpr index_t mcMax = A::packs ? runtime_a_block_rows(M) : MC;
      for (index_t ic = 0; ic < M; ic += mcMax) {
        const index_t mc = min_of(mcMax, M - ic), mPanels = (mc + MR - 1) / MR;
        if constexpr (A::packs)
          forEach(mPanels, [&](index_t p0, index_t p1) {
            a.pack(ic, pc, mc, kc, abuf, p0, p1);
          });
        // Tiles column panel by column panel: a B panel stays in L1 while
        // the A block streams from L2.
        forEach(nPanels * mPanels, [&](index_t t0, index_t t1) {
          // Groups of panelGroup column panels (the last maybe fewer),
          // each row panel through the whole group. Where t0 falls is
          // divided out once; then the position steps along (divisions
          // per tile took 16% of mobilenet_v2's 24 -> 144 expansions on
          // Zen 3, whose tiles are 24 k steps deep).
          index_t g0 = t0 / (panelGroup * mPanels) * panelGroup;
          index_t inG = min_of(panelGroup, nPanels - g0), r = t0 - g0 * mPanels;
          index_t ip = r / inG, jq = r % inG;
          for (index_t t = t0; t < t1; ++t) {
            const index_t jp = g0 + jq;
            index_t j = jc + jp * NR, i = ic + ip * MR;
            // One thread, A pre-packed in one block: each panel is packed
            // into the one panel of scratch right before A's rows meet it.
            if constexpr (byPanel)
              if (ip == 0)
                b.pack(j, pc, nc - jp * NR, kc, bbuf, 0, 1, kc * NR);
            const float *bp = bPanel(jp, j, pc, kc), *ap;
            if constexpr (A::packs)
              ap = abuf + ip * kc * MR;
            else
              ap = a.panel(i, pc);
            index_t mr = min_of(MR, M - i), nr = min_of(NR, N - j);
            float *ct = c + i * ldc + j;
            if (!byPanel && jq == 0 && t + inG <= t1 && runs_whole<M, N>(inG, i, j, kc)) {
              // The row panel's whole group in one run.
              tile_run<Epi, prefetch>(inG, kc, ap, bp, bstepOf(j),
                                      bPanel(jp + 1, j + NR, pc, kc) - bp, ct, ldc, acc,
                                      last ? &epi : nullptr, i, j);
              t += inG - 1;
              jq = inG - 1;
            } else {
              tile<false, prefetch>(kc, ap, bp, bstepOf(j), ct, ldc, mr, nr, acc,
                                    last ? &epi : nullptr, i, j);
            }
            if (++jq == inG) {
              jq = 0;
              if (++ip == mPanels) {
                ip = 0;
                g0 += panelGroup;
                inG = min_of(panelGroup, nPanels - g0);
              }
            }
          }
        });
      }
    }
  }
}

/// Floats of scratch gemm_k_split takes (sgemm_blocking.h).
constexpr index_t k_split_floats(index_t M, index_t N, index_t K) {
  return sgemm_blocking::k_split_floats(M, N, K, ONNXC_THREADS);
}

/// C = A B split over the threads by K: thread t multiplies rows
/// [K t / T, K (t + 1) / T) of B, the channels a depthwise convolution
/// before it wrote on that thread, through the same columns of A, into C
/// (the first thread) or its own partial product; a second pass adds the
/// partials, then the epilogue. Each core then reads only the part of B in
/// its own cache and its part of the weights, where split by columns each
/// streams all of the weights and half of B from the other core.
template <index_t M, index_t N, index_t K, class B, class Epi>
void gemm_k_split(const prepacked_a &a, const B &b, float *c, index_t ldc, float *scratch,
                  const Epi &epi) {
  constexpr index_t T = ONNXC_THREADS, depth = block_depth(K), nPanels = (N + NR - 1) / NR;
  constexpr index_t tailJ = N / NR * NR;
  constexpr bool strided = is_strided_b_v<B>;
  float *partials = scratch, *packs = scratch + (T - 1) * M * N;
  parallel_for(T, [&](index_t t0, index_t t1) {
    for (index_t t = t0; t < t1; ++t) {
      float *out = t == 0 ? c : partials + (t - 1) * M * N;
      const index_t ldo = t == 0 ? ldc : N;
      float *own = packs + t * min_of(K, KC) * round_up(N, max_nr);
      const index_t k1 = K * (t + 1) / T;
      if (K * t / T == k1) // more threads than rows of B: nothing to add
        for (index_t i = 0; i < M; ++i)
          for (index_t j = 0; j < N; ++j)
            out[i * ldo + j] = 0.0f;
      // Segments of the thread's rows within one of A's packed K blocks.
      for (index_t s0 = K * t / T; s0 < k1;) {
        const index_t block = s0 / depth * depth, s1 = min_of(k1, block + depth);
        const index_t kc = s1 - s0;
        const bool acc = s0 != K * t / T;
        if constexpr (strided) {
          if (tailJ < N)
            b.pack_tail(tailJ, s0, kc, own);
        } else {
          b.pack(0, s0, N, kc, own, 0, nPanels, kc * NR);
        }
        for (index_t jp = 0; jp < nPanels; ++jp) {
          const index_t j = jp * NR;
          const float *bp;
          index_t bstep = NR;
          if constexpr (strided) {
            bp = j >= tailJ ? own : b.panel(j, s0);
            bstep = j >= tailJ ? NR : b.ldb;
          } else {
            bp = own + jp * kc * NR;
          }
          for (index_t i = 0; i < M; i += MR)
            tile<false, prefetch_a>(kc, a.panel(i, block) + (s0 - block) * MR, bp, bstep,
                                    out + i * ldo + j, ldo, min_of(MR, M - i), min_of(NR, N - j),
                                    acc, static_cast<const Epi *>(nullptr), i, j);
        }
        s0 = s1;
      }
    }
  });
  // The sums split by columns as gemm_on splits a product of N columns
  // (the next layer's, where its columns split): by column panels where
  // they split evenly, else by even ranges of whole vectors. Split by rows
  // instead, mobilenet_v2's 28 x 28 expansions after these ran 6-8%
  // slower; by panels alone, squeezenet1_1's 13 x 13 ones 12-22%.
  auto sums = [&](index_t j0, index_t j1) {
    for (index_t i = 0; i < M; ++i) {
      float *ONNXC_RESTRICT row = c + i * ldc + j0;
      for (index_t t = 1; t < T; ++t) {
        const float *ONNXC_RESTRICT part = partials + (t - 1) * M * N + i * N + j0;
        for (index_t j = 0; j < j1 - j0; ++j)
          row[j] += part[j];
      }
      if constexpr (Epi::active)
        epi(row, ldc, i, j0, 1, j1 - j0);
    }
  };
  if constexpr (panels_split_evenly(nPanels, N))
    parallel_for(nPanels, [&](index_t q0, index_t q1) { sums(q0 * NR, min_of(N, q1 * NR)); });
  else
    parallel_for(T, [&](index_t t0, index_t t1) {
      for (index_t t = t0; t < t1; ++t)
        sums(vector_share_start(N, t), vector_share_start(N, t + 1));
    });
}

/// C = A B (+ C when accumulate) split over the threads by A's rows, A
/// pre-packed (a pointwise convolution's weights and input): each thread multiplies its range of
/// row panels through all of B. For a product whose output a depthwise convolution then reads plane
/// by plane, split the same way (a row of C is a plane): split by columns, each thread wrote part
/// of every plane and the depthwise convolution read half of its input from the other core. Each
/// thread reads all of B, half of it written on the other core, so B's k
/// steps are prefetched whatever its size (mobilenet_v2's expansions
/// before its 28 x 28 depthwise layers ran 11-21% slower than split by
/// columns without, 1-3% with). A B that packs is packed by each thread
/// into its own part of the scratch, as is a strided B's narrow last
/// panel (split_rows_floats). With B one block deep, a thread done with
/// its rows takes pieces of the other's (it has all of B packed already).
/// gemm_on takes this way itself where may_split_rows says so.
template <index_t M, index_t N, index_t K, class A, class B, class Epi>
void rows_split(const A &a, const B &b, float *c, index_t ldc, bool accumulate, float *scratch,
                const Epi &epi) {
  constexpr bool strided = is_strided_b_v<B>;
  static_assert(strided || B::packs, "B read in place or packed");
  constexpr index_t T = ONNXC_THREADS, kcMax = block_depth(K), mPanels = (M + MR - 1) / MR;
  constexpr index_t nPanels = (N + NR - 1) / NR, tailJ = strided ? N / NR * NR : 0;
  constexpr index_t panelGroup = l1_panels(kcMax);
  constexpr int prefetch = tile_prefetch<M, N, K, A, B>() | (strided ? prefetch_b : 0);
  // B one block deep: a thread packs it once and then may take pieces of
  // the other's rows when done with its own (the cores' speeds differ from
  // moment to moment). Deeper, each piece would pack B again.
  constexpr bool oneBlock = K <= kcMax;
  bool packed[T] = {};
  parallel_for_indexed<oneBlock ? 4 : 1>(mPanels, [&](index_t t, index_t q0, index_t q1) {
    float *own = scratch + t * (split_rows_floats(N, K, B::packs) / T);
    const index_t i0 = q0 * MR, i1 = min_of(M, q1 * MR);
    for (index_t pc = 0; pc < K; pc += kcMax) {
      const index_t kc = min_of(kcMax, K - pc);
      const bool last = pc + kc == K, acc = accumulate || pc != 0;
      if (!oneBlock || !packed[t]) {
        if constexpr (B::packs)
          b.pack(0, pc, N, kc, own, 0, nPanels, kcMax * NR);
        else if (tailJ < N)
          b.pack_tail(tailJ, pc, kc, own);
        packed[t] = true;
      }
      for (index_t ic = i0; ic < i1; ic += MC) // an A block stays in L2
        for (index_t g0 = 0; g0 < nPanels; g0 += panelGroup) {
          const index_t g1 = min_of(g0 + panelGroup, nPanels);
          auto bp = [&](index_t jp) {
            if constexpr (B::packs)
              return static_cast<const float *>(own + jp * kcMax * NR);
            else
              return jp * NR >= tailJ ? own : b.panel(jp * NR, pc);
          };
          auto bstep = [&](index_t jp) {
            if constexpr (B::packs)
              return NR;
            else
              return jp * NR >= tailJ ? NR : b.ldb;
          };
          for (index_t i = ic; i < min_of(ic + MC, i1); i += MR) {
            if (runs_whole<M, N>(g1 - g0, i, g0 * NR, kc)) {
              tile_run<Epi, prefetch>(g1 - g0, kc, a.panel(i, pc), bp(g0), bstep(g0),
                                      bp(g0 + 1) - bp(g0), c + i * ldc + g0 * NR, ldc, acc,
                                      last ? &epi : nullptr, i, g0 * NR);
              continue;
            }
            for (index_t jp = g0; jp < g1; ++jp) {
              const index_t j = jp * NR;
              tile<false, prefetch>(kc, a.panel(i, pc), bp(jp), bstep(jp), c + i * ldc + j, ldc,
                                    min_of(MR, M - i), min_of(NR, N - j), acc,
                                    last ? &epi : nullptr, i, j);
            }
          }
        }
    }
  });
}

/// rows_split for a convolution that asks for it (conv_sgemm's SplitRows).
template <index_t M, index_t N, index_t K, class B, class Epi>
void gemm_split_rows(const prepacked_a &a, const B &b, float *c, index_t ldc, float *scratch,
                     const Epi &epi) {
  rows_split<M, N, K>(a, b, c, ldc, false, scratch, epi);
}

/// gemm_on, on all the threads the model was built for.
template <index_t M, index_t N, index_t K, class A, class B, class Epi = no_epilogue>
void gemm(const A &a, const B &b, float *c, index_t ldc, bool accumulate, float *scratch,
          const Epi &epi = Epi{}) {
  gemm_on<true, M, N, K>(a, b, c, ldc, accumulate, scratch, epi);
}

} // namespace sgemm
ONNXC_NAMESPACE_END

#endif
