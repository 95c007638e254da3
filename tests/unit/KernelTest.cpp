// The hand-vectorized kernels against straightforward double-precision
// loops on awkward shapes (tails in every dimension, several K blocks), and
// fastmath against <cmath>. Built twice: for the baseline ISA (the generic
// vector-extension path) and with -march=native and two threads.
#include "onnxc/kernels.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <pthread.h>
#include <random>
#include <thread>
#include <vector>

using onnxc::index_t;
namespace sg = onnxc::sgemm;

namespace {

std::vector<float> randomVector(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// A pre-packed operand: `count` rows (or columns) of `at(i, k)` in panels
/// of `width`, K block by K block (block_depth deep).
template <class At>
std::vector<float> pack(index_t count, index_t K, index_t width, At at) {
  index_t padded = sg::round_up(count, width), depth = sg::block_depth(K);
  std::vector<float> p(padded * K, 0.0f);
  for (index_t pc = 0; pc < K; pc += depth) {
    index_t kc = std::min(depth, K - pc);
    for (index_t i = 0; i < count; ++i)
      for (index_t k = 0; k < kc; ++k)
        p[pc * padded + (i / width) * kc * width + k * width + i % width] = at(i, pc + k);
  }
  return p;
}

template <index_t M, index_t N, index_t K, bool TransA, bool TransB>
void checkSgemm(bool prepackA, bool prepackB, bool epilogue, bool stridedB = false) {
  auto a = randomVector(M * K, 1), b = randomVector(K * N, 2);
  auto bias = randomVector(M, 3), res = randomVector(M * N, 4);
  auto A = [&](index_t i, index_t k) { return TransA ? a[k * M + i] : a[i * K + k]; };
  auto B = [&](index_t k, index_t j) { return TransB ? b[j * K + k] : b[k * N + j]; };
  std::vector<float> c(M * N, 0.0f),
      scratch(std::max(sg::scratch_floats(M, N, K, true, true),
                       sg::scratch_floats(M, N, K, false, true)));
  auto pa = pack(M, K, sg::MR, A);
  auto pb = pack(N, K, sg::NR, [&](index_t j, index_t k) { return B(k, j); });
  sg::bias_act_epilogue<onnxc::fn::Relu> epi{bias.data(), nullptr, res.data(), N, {}};
  auto run = [&](const auto &aop, const auto &bop) {
    if (epilogue)
      sg::gemm<M, N, K>(aop, bop, c.data(), N, false, scratch.data(), epi);
    else
      sg::gemm<M, N, K>(aop, bop, c.data(), N, false, scratch.data());
  };
  sg::dense_a<TransA> da{a.data(), TransA ? M : K, M};
  sg::dense_b<TransB> db{b.data(), TransB ? K : N, N};
  sg::prepacked_a ppa{pa.data(), K, M};
  sg::prepacked_b ppb{pb.data(), K, N};
  sg::strided_b sb{b.data(), N, N};
  if constexpr (!TransB) {
    if (stridedB) {
      if (prepackA)
        run(ppa, sb);
      else
        run(da, sb);
    }
  }
  if (stridedB) {
  } else if (prepackA && prepackB)
    run(ppa, ppb);
  else if (prepackA)
    run(ppa, db);
  else if (prepackB)
    run(da, ppb);
  else
    run(da, db);
  for (index_t i = 0; i < M; ++i)
    for (index_t j = 0; j < N; ++j) {
      double ref = 0, mag = 0;
      for (index_t k = 0; k < K; ++k) {
        ref += double(A(i, k)) * B(k, j);
        mag += std::fabs(double(A(i, k)) * B(k, j));
      }
      if (epilogue)
        ref = std::max(0.0, ref + bias[i] + res[i * N + j]);
      ASSERT_NEAR(c[i * N + j], ref, 1e-5 * (mag + 1)) << "at " << i << "," << j;
    }
}

TEST(Sgemm, TailsInEveryDimension) {
  checkSgemm<7, 13, 5, false, false>(false, false, false);
  checkSgemm<1, 1, 1, false, false>(false, false, false);
  checkSgemm<13, 37, 300, false, true>(false, false, true);
  checkSgemm<50, 17, 513, true, false>(false, false, true);
  // A last column panel one column wide (tile_column), K of one, several
  // and a single step.
  checkSgemm<13, 49, 300, false, false>(true, false, true);
  checkSgemm<8, 1, 7, false, false>(false, false, true);
  checkSgemm<6, 17, 1, false, false>(true, false, false);
  // A vector and one or two columns past it (a one-vector tile plus column
  // tiles).
  checkSgemm<11, 25, 40, false, false>(true, false, true);
  checkSgemm<6, 26, 300, false, true>(false, false, true);
}

// An activation as A of more than MC rows is packed MC_RUNTIME_A rows at a
// time: several blocks, the last one short, through two K blocks; A stored
// transposed.
TEST(Sgemm, RuntimeABlocks) {
  static_assert(sg::runtime_a_block_rows(150) < sg::MC && 150 % sg::MC_RUNTIME_A != 0,
                "several blocks, the last one short");
  checkSgemm<150, 70, 300, false, false>(false, false, true);
  checkSgemm<130, 33, 260, true, false>(false, false, false);
}

// Rows of B 1024 floats apart and more are packed row by row across the
// panels (dense_b::pack), with a narrower last panel, over K blocks.
TEST(Sgemm, WideBPackedRowByRow) {
  checkSgemm<16, 1100, 70, false, false>(true, false, true);
  checkSgemm<9, 1030, 600, false, false>(true, false, false);
}

TEST(Sgemm, PrepackedOperands) {
  checkSgemm<19, 45, 260, false, false>(true, false, true);
  checkSgemm<19, 45, 260, false, false>(false, true, false);
  checkSgemm<130, 70, 40, false, true>(true, true, true);
  // Threads packing their own panels through K blocks of unequal depth
  // (products of 4M multiply-adds and more run on threads).
  checkSgemm<40, 100, 1153, false, false>(true, false, true);
  checkSgemm<64, 200, 1152, false, true>(true, false, false);
}

TEST(Sgemm, ThreadsSplitRows) {
  // Weights as A, fewer columns than rows: on threads each packs all of B
  // and takes a range of row panels (sgemm.h may_split_rows). 49 columns
  // (two vectors, one, and a column tile) through four K blocks; a short
  // last row panel and K blocks of unequal depth; columns past one panel.
  checkSgemm<160, 49, 960, false, false>(true, false, true);
  checkSgemm<203, 50, 513, false, false>(true, false, true);
  checkSgemm<600, 196, 40, false, true>(true, false, false);
}

TEST(Sgemm, StridedB) {
  // B read in place: a narrower last panel (packed), several K blocks, one
  // row panel and many, A packed at run time or pre-packed.
  checkSgemm<24, 3136 + 5, 96, false, false>(true, false, true, true);
  checkSgemm<7, 45, 600, false, false>(false, false, true, true);
  checkSgemm<130, 64, 40, false, false>(true, false, false, true);
  checkSgemm<16, 2100, 128, false, false>(true, false, true, true);
}

TEST(Sgemm, ShallowRunsOfTiles) {
  // At most run_max_depth k steps: a row panel's whole tiles along a group
  // of column panels go as one sgemm::tile_run, the rest tile by tile.
  // Packed B with a narrower last panel, B read in place with one, a
  // pre-packed B; last row panels of 2, 4 and 3 rows, tile by tile.
  checkSgemm<20, 200, 16, false, false>(true, false, true);
  checkSgemm<16, 3136 + 5, 24, false, false>(true, false, true, true);
  checkSgemm<14, 70, 40, false, false>(true, true, true);
  checkSgemm<9, 300, 64, false, false>(false, false, true);
}

TEST(Sgemm, PanelGroups) {
  // Shallow K: each row panel runs through a group of column panels; the
  // last group short, M over one block of rows, B in place or packed.
  checkSgemm<130, 16 * 148 + 5, 16, false, false>(true, false, true, true);
  checkSgemm<97, 16 * 120 + 3, 24, false, false>(true, false, true);
  checkSgemm<13, 16 * 40, 64, false, false>(false, false, true, true);
}

TEST(Sgemm, BlocksAcrossNcAndMc) {
  // N over the 2048-column block and M over the 120-row block.
  checkSgemm<125, 2100, 16, false, false>(true, false, true);
  // On threads each packs its range of columns block by block: shares of
  // several blocks, two K blocks, a partial last panel and row panel.
  checkSgemm<9, 8300, 300, false, false>(true, false, true);
}

/// Depthwise convolution of C planes against a direct double loop; the
/// window is window3d<1, H, W, 1, OH, OW, 1, KH, KW, 1, SH, SW, 0, PH, PW, 1,
/// DH, DW> (leading pads only; trailing pads follow from OH, OW).
template <index_t C, index_t H, index_t W, index_t OH, index_t OW, index_t KH,
          index_t KW, index_t SH, index_t SW, index_t PH, index_t PW, index_t DH,
          index_t DW>
void checkDepthwise(bool withResidual) {
  using Win = onnxc::window3d<1, H, W, 1, OH, OW, 1, KH, KW, 1, SH, SW, 0, PH, PW, 1, DH, DW>;
  auto x = randomVector(C * H * W, 5), w = randomVector(C * KH * KW, 6);
  auto bias = randomVector(C, 7), res = randomVector(C * OH * OW, 8);
  std::vector<float> y(C * OH * OW, 0.0f);
  std::vector<float> scratch(ONNXC_THREADS * onnxc::depthwise_padded<Win>::floats);
  onnxc::conv<1, C, C, C, Win, onnxc::conv_depthwise>(
      x.data(), w.data(), bias.data(), withResidual ? res.data() : nullptr, y.data(),
      scratch.data(), onnxc::fn::Clip<float>{0.0f, 6.0f});
  for (index_t c = 0; c < C; ++c)
    for (index_t oh = 0; oh < OH; ++oh)
      for (index_t ow = 0; ow < OW; ++ow) {
        double ref = bias[c];
        for (index_t kh = 0; kh < KH; ++kh)
          for (index_t kw = 0; kw < KW; ++kw) {
            index_t ih = oh * SH + kh * DH - PH, iw = ow * SW + kw * DW - PW;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W)
              ref += double(x[(c * H + ih) * W + iw]) * w[(c * KH + kh) * KW + kw];
          }
        if (withResidual)
          ref += res[(c * OH + oh) * OW + ow];
        ref = std::min(6.0, std::max(0.0, ref));
        ASSERT_NEAR(y[(c * OH + oh) * OW + ow], ref, 1e-5) << "at " << c << "," << oh << "," << ow;
      }
}

TEST(Depthwise, StridesPadsAndDilations) {
  // MobileNet's 3x3: stride 1 and 2, pad 1, odd and even planes.
  checkDepthwise<3, 14, 14, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1>(false);
  checkDepthwise<3, 15, 15, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1>(false);
  checkDepthwise<3, 14, 14, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1>(true);
  // 7 x 7 planes: rows stored with masks on AVX-512 (five planes split
  // unevenly over two threads).
  checkDepthwise<5, 7, 7, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1>(false);
  // Stride 3 with no leading pad, 5x5 with dilation 2, a 1-D row, a
  // trailing pad only (pads 0 at the start, output reaching past the end).
  checkDepthwise<2, 17, 19, 5, 6, 3, 3, 3, 3, 0, 0, 1, 1>(false);
  checkDepthwise<2, 20, 21, 12, 13, 5, 5, 1, 1, 2, 2, 2, 2>(false);
  checkDepthwise<4, 1, 37, 1, 19, 1, 5, 1, 2, 0, 2, 1, 1>(true);
  checkDepthwise<2, 9, 9, 5, 5, 2, 2, 2, 2, 0, 0, 1, 1>(false);
  checkDepthwise<2, 9, 10, 4, 4, 3, 3, 2, 3, 0, 1, 1, 1>(false);
}

TEST(Depthwise, StridedPlanesInStrips) {
  // Planes over a strip (depthwise_padded::strip_rows < OH): whole strips
  // and a shorter last one, top and bottom padding rows in the first and
  // last strips, an odd width split into two phases, stride 3, dilation.
  static_assert(onnxc::depthwise_padded<onnxc::window3d<1, 101, 101, 1, 51, 51, 1, 3, 3, 1, 2,
                                                          2, 0, 1, 1, 1, 1, 1>>::strip_rows < 51,
                "the first case must take several strips");
  checkDepthwise<2, 101, 101, 51, 51, 3, 3, 2, 2, 1, 1, 1, 1>(false);
  checkDepthwise<2, 100, 100, 50, 50, 3, 3, 2, 2, 1, 1, 1, 1>(true);
  checkDepthwise<2, 96, 96, 32, 32, 3, 3, 3, 3, 1, 1, 1, 1>(false);
  checkDepthwise<2, 90, 90, 44, 44, 5, 5, 2, 2, 2, 2, 2, 2>(true);
  // Planes of 2048 outputs and more split by rows on threads: unstrided
  // (one strip per thread's rows, an odd row count) and strided.
  checkDepthwise<3, 55, 57, 55, 57, 3, 3, 1, 1, 1, 1, 1, 1>(false);
  checkDepthwise<3, 56, 56, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1>(true);
}

TEST(Depthwise, StrideTwoInPlace) {
  // 3x3, stride 2, pad 1 read in place (depthwise_in_place_s2_v): a last
  // vector of whole loads, of part of a vector (even and odd widths, the
  // right padding read), of one output; odd heights (the bottom padding
  // row); 112 x 112 planes split by rows on threads.
  using Win = onnxc::window3d<1, 20, 34, 1, 10, 17, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 1, 1>;
  static_assert(onnxc::depthwise_in_place_s2_v<Win, onnxc::fn::Clip<float>>,
                "these planes must be read in place");
  checkDepthwise<3, 112, 112, 56, 56, 3, 3, 2, 2, 1, 1, 1, 1>(false);
  checkDepthwise<2, 28, 28, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1>(false);
  checkDepthwise<2, 29, 31, 15, 16, 3, 3, 2, 2, 1, 1, 1, 1>(false);
  checkDepthwise<2, 18, 19, 9, 10, 3, 3, 2, 2, 1, 1, 1, 1>(false);
  checkDepthwise<2, 20, 34, 10, 17, 3, 3, 2, 2, 1, 1, 1, 1>(false);
  checkDepthwise<3, 33, 65, 17, 33, 3, 3, 2, 2, 1, 1, 1, 1>(false);
}

/// Output (m, oh, ow) of a one-group K x K convolution (stride S, pads P)
/// of C planes of H x W, in double: the bias plus the taps inside the image.
template <index_t C, index_t H, index_t W, index_t K, index_t S, index_t P>
double convReference(const std::vector<float> &x, const std::vector<float> &w, double bias,
                     index_t m, index_t oh, index_t ow) {
  double ref = bias;
  for (index_t c = 0; c < C; ++c)
    for (index_t kh = 0; kh < K; ++kh)
      for (index_t kw = 0; kw < K; ++kw) {
        index_t ih = oh * S + kh - P, iw = ow * S + kw - P;
        if (ih >= 0 && ih < H && iw >= 0 && iw < W)
          ref += double(x[(c * H + ih) * W + iw]) * w[(m * C + c) * K * K + kh * K + kw];
      }
  return ref;
}

/// A one-group convolution through its SGEMM with pre-packed weights
/// (conv_sgemm, its products split by K over the threads when SplitK),
/// against a direct double loop; window as in checkDepthwise.
template <index_t C, index_t M, index_t H, index_t W, index_t OH, index_t OW, index_t K, index_t S,
          index_t P, bool SplitK = false, bool SplitRows = false>
void checkConvSgemm(bool withResidual) {
  using Win = onnxc::window3d<1, H, W, 1, OH, OW, 1, K, K, 1, S, S, 0, P, P, 1, 1, 1>;
  constexpr index_t KG = C * K * K;
  auto x = randomVector(C * H * W, 11), w = randomVector(M * KG, 12);
  auto bias = randomVector(M, 13), res = randomVector(M * OH * OW, 14);
  auto packed = pack(M, KG, sg::MR, [&](index_t i, index_t k) { return w[i * KG + k]; });
  std::vector<float> y(M * OH * OW, 0.0f);
  // Generous scratch: the SGEMM's packing and every channel's image.
  std::vector<float> scratch(sg::scratch_floats(M, OH * OW, KG, false, true) +
                             C * 2 * (H + 2 * P + 2 * K) * (W + 2 * P + 2 * K) + KG * OH * OW +
                             (SplitK ? sg::k_split_floats(M, OH * OW, KG) : 0));
  onnxc::conv<1, C, M, 1, Win, onnxc::conv_sgemm<sg::MR, SplitK, SplitRows>>(
      x.data(), packed.data(), bias.data(), withResidual ? res.data() : nullptr, y.data(),
      scratch.data(), onnxc::fn::Clip<float>{-0.5f, 6.0f});
  for (index_t m = 0; m < M; ++m)
    for (index_t oh = 0; oh < OH; ++oh)
      for (index_t ow = 0; ow < OW; ++ow) {
        double ref = convReference<C, H, W, K, S, P>(x, w, bias[m], m, oh, ow);
        if (withResidual)
          ref += res[(m * OH + oh) * OW + ow];
        ref = std::min(6.0, std::max(-0.5, ref));
        ASSERT_NEAR(y[(m * OH + oh) * OW + ow], ref, 1e-4) << "at " << m << "," << oh << "," << ow;
      }
}

TEST(ConvSgemm, StridedFewChannels) {
  // A network's first layer: strided, few channels x taps, read in place
  // from phase-split images, row by row (phased_rows_gemm): rows of 32
  // outputs are whole panels on every ISA; other rows' last panel ends at
  // the row's end and overlaps the one before (rows of 55 and 47), or stays
  // partial where a residual is added (rows of 15).
  checkConvSgemm<3, 10, 64, 64, 32, 32, 3, 2, 1>(false);
  checkConvSgemm<3, 13, 63, 64, 32, 32, 3, 2, 1>(true);
  checkConvSgemm<2, 8, 31, 31, 15, 15, 3, 2, 1>(true);
  checkConvSgemm<3, 10, 111, 111, 55, 55, 3, 2, 0>(false);
  checkConvSgemm<3, 64, 111, 111, 55, 55, 3, 2, 0>(false); // split by rows on threads
  checkConvSgemm<3, 10, 94, 94, 47, 47, 3, 2, 1>(false);
  checkConvSgemm<3, 10, 94, 94, 47, 47, 3, 2, 1>(true);
  // A 7x7 stride-2 window over three channels (resnet's first layer).
  static_assert(
      onnxc::phased_few_taps_v<
          onnxc::window3d<1, 38, 38, 1, 19, 19, 1, 7, 7, 1, 2, 2, 0, 3, 3, 1, 1, 1>, 3 * 49>,
      "the 7x7 case must read phase-split images");
  checkConvSgemm<3, 16, 38, 38, 19, 19, 7, 2, 3>(true);
  // A strided 1x1 (a residual block's downsampling) gathers instead.
  static_assert(
      !onnxc::im2col_phased_v<
          onnxc::window3d<1, 14, 14, 1, 7, 7, 1, 1, 1, 1, 2, 2, 0, 0, 0, 1, 1, 1>, 64, 16>,
      "a 1x1 must not read phase-split images");
  checkConvSgemm<64, 16, 14, 14, 7, 7, 1, 2, 0>(true);
}

TEST(ConvSgemm, StridedFewOutputChannels) {
  // Strided, many channels x taps but few output channels: read in place
  // from phase-split images over several K blocks (576 = 3 x 192), each
  // block after the first adding to y, the last with the epilogue. Rows of
  // 28 end in a panel overlapping the one before, alone in its group, so
  // it starts its columns over (partial where a residual is added); rows
  // of 14 are one partial panel.
  using Win = onnxc::window3d<1, 56, 56, 1, 28, 28, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 1, 1>;
  static_assert(onnxc::im2col_phased_v<Win, 64 * 9, 48>, "split by rows on threads");
  static_assert(sg::block_depth(64 * 9) < 64 * 9, "several K blocks");
  checkConvSgemm<64, 48, 56, 56, 28, 28, 3, 2, 1>(false);
  checkConvSgemm<64, 48, 56, 56, 28, 28, 3, 2, 1>(true);
  checkConvSgemm<64, 32, 28, 28, 14, 14, 3, 2, 1>(false);
  checkConvSgemm<64, 32, 28, 28, 14, 14, 3, 2, 1>(true);
  checkConvSgemm<20, 30, 23, 23, 7, 7, 5, 3, 2>(true);
  // Many output channels pack B from the image as before.
  static_assert(!onnxc::im2col_phased_v<Win, 64 * 9, 128>, "packs B");
}

TEST(ConvSgemm, StridedPackedFromTheImage) {
  // Strided windows over many channels and output channels pack B from
  // the image. Output rows of fewer than 64 columns are packed through
  // whole-row lines (im2col_b::by_lines): resnet18's 3x3 stride 2 (784
  // columns: several chunks of panels, a partial last panel), rows of 15
  // (two partial ones per panel), a 5x5 stride 3 whose last taps fall in
  // the trailing padding, a 1x1 stride 2.
  using Lines = onnxc::window3d<1, 56, 56, 1, 28, 28, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 1, 1>;
  static_assert(!onnxc::im2col_phased_v<Lines, 64 * 9, 128>, "packs B");
  static_assert(sg::im2col_b<Lines>::by_lines, "through lines");
  checkConvSgemm<64, 128, 56, 56, 28, 28, 3, 2, 1>(true);
  checkConvSgemm<24, 56, 29, 29, 15, 15, 3, 2, 1>(false);
  checkConvSgemm<40, 72, 23, 23, 8, 8, 5, 3, 2>(false);
  checkConvSgemm<96, 64, 14, 14, 7, 7, 1, 2, 0>(true);
  // Rows of 65 are packed panel by panel, the edge taps' runs split into
  // zeros and a gather.
  using Runs = onnxc::window3d<1, 130, 130, 1, 65, 65, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 1, 1>;
  static_assert(!sg::im2col_b<Runs>::by_lines && !onnxc::im2col_phased_v<Runs, 24 * 9, 56>,
                "packs B panel by panel");
  checkConvSgemm<24, 56, 130, 130, 65, 65, 3, 2, 1>(false);
}

TEST(ConvSgemm, SmallImagesThroughWholeIm2col) {
  // LeNet's second convolution (5x5, no pads) and a padded 3x3: output rows
  // shorter than a panel, from an im2col matrix written whole.
  // (Panels of 8 columns, on the generic vector path, are not wider.)
  static_assert(sg::NR <= 13 ||
                (onnxc::im2col_whole_v<onnxc::window3d<1, 14, 14, 1, 10, 10, 1, 5, 5, 1, 1, 1, 0,
                                                      0, 0, 1, 1, 1>, 150, 100> &&
                    onnxc::im2col_whole_v<onnxc::window3d<1, 12, 13, 1, 12, 13, 1, 3, 3, 1, 1,
                                                          1, 0, 1, 1, 1, 1, 1>, 27, 156>),
                "the cases must write the whole matrix");
  checkConvSgemm<6, 16, 14, 14, 10, 10, 5, 1, 0>(true);
  checkConvSgemm<3, 8, 12, 13, 12, 13, 3, 1, 1>(false);
}

TEST(ConvSgemm, PointwiseInPlaceAndPacked) {
  // 1x1 convolutions read in place (strided_b) with rows of whole lines,
  // with rows straddling lines (14 x 14, 13 x 13) and a narrower last
  // panel, and packed (more output channels).
  static_assert(onnxc::strided_pointwise_v<64, 96, 14 * 14> &&
                    !onnxc::strided_pointwise_v<128, 96, 14 * 14> &&
                    onnxc::strided_pointwise_v<32, 96, 13 * 13> &&
                    !onnxc::strided_pointwise_v<80, 96, 13 * 13>,
                "the cases must take both paths");
  checkConvSgemm<96, 64, 14, 14, 14, 14, 1, 1, 0>(true);
  checkConvSgemm<40, 24, 16, 16, 16, 16, 1, 1, 0>(false);
  checkConvSgemm<96, 128, 14, 14, 14, 14, 1, 1, 0>(false);
  checkConvSgemm<96, 32, 13, 13, 13, 13, 1, 1, 0>(true);
  checkConvSgemm<96, 80, 13, 13, 13, 13, 1, 1, 0>(true);
}

TEST(ConvSgemm, PointwiseSplitByInputChannels) {
  // Each thread's input channels span K blocks of the packed weights (576:
  // three of 192) and end inside one; B read in place with a narrower last
  // panel (196 columns), packed (160 output channels on 49), and an odd
  // channel count that splits unevenly over the threads.
  static_assert(onnxc::strided_pointwise_v<96, 576, 14 * 14> &&
                    !onnxc::strided_pointwise_v<160, 960, 7 * 7>,
                "the cases must take both paths");
  checkConvSgemm<576, 96, 14, 14, 14, 14, 1, 1, 0, true>(true);
  checkConvSgemm<960, 160, 7, 7, 7, 7, 1, 1, 0, true>(true);
  checkConvSgemm<195, 40, 13, 13, 13, 13, 1, 1, 0, true>(false);
}

TEST(ConvSgemm, PointwiseSplitByOutputChannels) {
  // The threads take ranges of row panels, B read in place: 40 rows on
  // whole panels, 44 with a partial last row panel, 28 x 28 and 12 x 12
  // positions whose last panel is narrower than NR on AVX-512 (packed per
  // thread), and 300 input channels in two K blocks; then B packed by
  // each thread (104 rows on 13 x 13, in one and in two K blocks).
  checkConvSgemm<24, 40, 16, 16, 16, 16, 1, 1, 0, false, true>(false);
  checkConvSgemm<24, 44, 16, 16, 16, 16, 1, 1, 0, false, true>(true);
  checkConvSgemm<32, 192, 28, 28, 28, 28, 1, 1, 0, false, true>(false);
  checkConvSgemm<32, 40, 12, 12, 12, 12, 1, 1, 0, false, true>(true);
  checkConvSgemm<300, 40, 16, 16, 16, 16, 1, 1, 0, false, true>(false);
  static_assert(!onnxc::strided_pointwise_v<104, 40, 13 * 13> &&
                    !onnxc::strided_pointwise_v<104, 300, 13 * 13>,
                "the last cases must pack B");
  checkConvSgemm<40, 104, 13, 13, 13, 13, 1, 1, 0, false, true>(true);
  checkConvSgemm<300, 104, 13, 13, 13, 13, 1, 1, 0, false, true>(false);
}

/// A 3x3, stride 1, pad 1 convolution through Winograd F(Out x Out, 3x3)
/// (conv_winograd), its weights transformed as the compiler does
/// (U = G g G^T, (Out + 2)^2 operands packed in MR-row panels), against a
/// direct double loop.
template <index_t Out, index_t C, index_t M, index_t H, index_t W>
void checkWinograd(bool withResidual) {
  using Win = onnxc::window3d<1, H, W, 1, H, W, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1>;
  auto x = randomVector(C * H * W, 31), w = randomVector(M * C * 9, 32);
  auto bias = randomVector(M, 33), res = randomVector(M * H * W, 34);
  static const double g2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static const double g4[6][3] = {{1 / 4.0, 0, 0},           {-1 / 6.0, -1 / 6.0, -1 / 6.0},
                                  {-1 / 6.0, 1 / 6.0, -1 / 6.0}, {1 / 24.0, 1 / 12.0, 1 / 6.0},
                                  {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};
  constexpr int A = Out + 2;
  auto g = [&](int r, int i) { return Out == 2 ? g2[r][i] : g4[r][i]; };
  std::vector<float> u;
  for (int xi = 0; xi < A * A; ++xi) {
    auto panels = pack(M, C, sg::MR, [&](index_t m, index_t c) {
      const float *k = &w[(m * C + c) * 9];
      double sum = 0;
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          sum += g(xi / A, i) * k[i * 3 + j] * g(xi % A, j);
      return float(sum);
    });
    u.insert(u.end(), panels.begin(), panels.end());
  }
  std::vector<float> y(M * H * W, 0.0f);
  std::vector<float> scratch(onnxc::winograd::scratch_floats<Out>(C, M, H, W));
  onnxc::conv<1, C, M, 1, Win, onnxc::conv_winograd<sg::MR, Out>>(
      x.data(), u.data(), bias.data(), withResidual ? res.data() : nullptr, y.data(),
      scratch.data(), onnxc::fn::Relu{});
  for (index_t m = 0; m < M; ++m)
    for (index_t oh = 0; oh < H; ++oh)
      for (index_t ow = 0; ow < W; ++ow) {
        double ref = bias[m], magnitude = 0; // magnitude: the sum of |terms|
        for (index_t c = 0; c < C; ++c)
          for (index_t kh = 0; kh < 3; ++kh)
            for (index_t kw = 0; kw < 3; ++kw) {
              index_t ih = oh + kh - 1, iw = ow + kw - 1;
              if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
                double term = double(x[(c * H + ih) * W + iw]) * w[(m * C + c) * 9 + kh * 3 + kw];
                ref += term;
                magnitude += std::abs(term);
              }
            }
        if (withResidual)
          ref += res[(m * H + oh) * W + ow];
        ref = std::max(0.0, ref);
        // F(4x4, 3x3)'s transforms scale terms by up to 8 and 1/24: float
        // rounding of some 1e-6 of the terms' magnitude (1e-7 for F(2x2)).
        const double tolerance = Out == 2 ? 1e-4 : 1e-4 + 1e-5 * magnitude;
        ASSERT_NEAR(y[(m * H + oh) * W + ow], ref, tolerance)
            << "at " << m << "," << oh << "," << ow;
      }
}

TEST(Winograd, BlocksOfTileRows) {
  namespace wg = onnxc::winograd;
  // Blocks of tile rows with a shorter last block (odd size: a last tile
  // half outside), threads taking whole blocks where there are enough; a
  // whole image at once (weights larger than a block).
  static_assert(wg::block_tile_rows<2>(16, 40, 55, 55) < 28 &&
                    28 % wg::block_tile_rows<2>(16, 40, 55, 55) != 0,
                "the first case must take blocks and a shorter last one");
  static_assert(wg::block_tile_rows<2>(16, 64, 56, 56) < 28, "the second case must take blocks");
  static_assert(wg::block_tile_rows<2>(128, 160, 13, 13) == 7, "the last case must be one block");
  static_assert(ONNXC_THREADS == 1 || wg::blocks_per_thread<2>(16, 64, 56, 56),
                "on threads, the second case must give threads whole blocks");
  checkWinograd<2, 16, 40, 55, 55>(false);
  checkWinograd<2, 16, 64, 56, 56>(true);
  checkWinograd<2, 128, 160, 13, 13>(true);
}

TEST(Winograd, FourByFourTiles) {
  namespace wg = onnxc::winograd;
  // F(4x4, 3x3): blocks with a shorter last one and a last tile reaching
  // 1 to 3 rows and columns past the image (55, 13, 27), threads taking
  // whole blocks (56 x 56), a whole image at once (weights above a block).
  static_assert(wg::block_tile_rows<4>(16, 64, 55, 55) < 14 &&
                    14 % wg::block_tile_rows<4>(16, 64, 55, 55) != 0,
                "the first case must take blocks and a shorter last one");
  static_assert(ONNXC_THREADS == 1 || wg::blocks_per_thread<4>(32, 64, 56, 56),
                "on threads, the 56 x 56 case must give threads whole blocks");
  static_assert(wg::block_tile_rows<4>(128, 160, 13, 13) == 4, "13 x 13 must be one block");
  checkWinograd<4, 16, 64, 55, 55>(false);
  checkWinograd<4, 32, 64, 56, 56>(true);
  checkWinograd<4, 128, 160, 13, 13>(true);
  checkWinograd<4, 64, 48, 27, 27>(false);
  checkWinograd<4, 16, 24, 14, 14>(true);
}

/// The stride-2 K x K window with pads P at output (oh, ow) of an H x W
/// plane read through at(ih, iw): the maximum (or sum) of its taps inside
/// the plane, their count, and whether one is NaN (which std::max skips).
struct window_ref {
  double value;
  int count;
  bool nan;
};
template <class At>
window_ref stride2Window(bool isMax, index_t oh, index_t ow, index_t K, index_t P, index_t H,
                         index_t W, const At &at) {
  window_ref r{isMax ? -INFINITY : 0.0, 0, false};
  for (index_t kh = 0; kh < K; ++kh)
    for (index_t kw = 0; kw < K; ++kw) {
      index_t ih = oh * 2 + kh - P, iw = ow * 2 + kw - P;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W)
        continue;
      double v = at(ih, iw);
      r.nan |= std::isnan(v);
      r.value = isMax ? std::max(r.value, v) : r.value + v;
      ++r.count;
    }
  return r;
}

/// KxK pooling of stride 2 (pad P; ceil mode when Ceil, whose last window
/// may reach past the image) over NC planes against a direct loop: max
/// (NaN-propagating: a NaN in the input makes its windows NaN) or the
/// average over the taps inside the image. NaNAt: the NaN's row (of the
/// last plane, last column), or -1 for none.
template <bool IsMax, index_t NC, index_t H, index_t W, index_t P, index_t K = 3,
          bool Ceil = false>
void checkPoolStride2(index_t nanRow = H / 2) {
  constexpr index_t OH = (H + 2 * P - K + Ceil) / 2 + 1, OW = (W + 2 * P - K + Ceil) / 2 + 1;
  using Win = onnxc::window3d<1, H, W, 1, OH, OW, 1, K, K, 1, 2, 2, 0, P, P, 1, 1, 1>;
  // All negative, so that a lane read past a row's end as 0 would win.
  auto x = randomVector(NC * H * W, 41);
  for (float &v : x)
    v -= 2.0f;
  if (nanRow >= 0)
    x[(NC - 1) * H * W + nanRow * W + W - 1] = NAN;
  std::vector<float> y(NC * OH * OW);
  onnxc::pool<IsMax, false, NC, Win>(x.data(), y.data());
  for (index_t p = 0; p < NC; ++p)
    for (index_t oh = 0; oh < OH; ++oh)
      for (index_t ow = 0; ow < OW; ++ow) {
        auto [ref, count, nan] =
            stride2Window(IsMax, oh, ow, K, P, H, W,
                          [&](index_t ih, index_t iw) { return double(x[(p * H + ih) * W + iw]); });
        if (!IsMax)
          ref /= count;
        float got = y[(p * OH + oh) * OW + ow];
        if (nan)
          ASSERT_TRUE(std::isnan(got)) << "at " << p << "," << oh << "," << ow;
        else
          ASSERT_NEAR(got, ref, 1e-5) << "at " << p << "," << oh << "," << ow;
      }
}

TEST(Pool, Stride2) {
  // Max pooling reads vectors straight from the input rows
  // (max_pool2d_stride2), in bands of rows checked for NaNs first; average
  // pooling takes the separable passes on rows of 16 outputs or more.
  checkPoolStride2<true, 3, 112, 112, 1>();
  checkPoolStride2<true, 2, 13, 13, 1>(0);
  checkPoolStride2<true, 2, 14, 14, 2, 5, true>(-1);
  checkPoolStride2<true, 2, 111, 111, 0>();
  checkPoolStride2<true, 2, 55, 55, 0>();
  checkPoolStride2<true, 2, 27, 27, 0>();
  checkPoolStride2<true, 2, 27, 27, 0>(-1);
  checkPoolStride2<true, 2, 27, 27, 0>(0);
  // 111 rows: bands of 18 output rows, the NaN in the fifth.
  checkPoolStride2<true, 2, 111, 111, 0>(80);
  // Ceil mode: the last window reaches one column and row past the image.
  checkPoolStride2<true, 2, 112, 112, 0, 3, true>();
  checkPoolStride2<true, 2, 30, 30, 0, 3, true>(-1);
  checkPoolStride2<true, 2, 40, 40, 0, 2>();
  checkPoolStride2<true, 2, 9, 9, 0, 5>();
  checkPoolStride2<false, 2, 40, 37, 1>();
}

/// conv_max_pool (a strided few-channel convolution with pre-packed
/// weights, then a stride-2 max pool, in bands) against a direct double
/// loop for the convolution, then the pool over its output: K x K
/// convolution of stride 2 and pads P, PK x PK pool of pads PP, POH x POW
/// outputs (ceil mode where those reach past the convolution's output).
/// With a NaN in the input (nanRow >= 0, last channel's last column), the
/// windows over it pool to NaN; the activation is then the identity.
template <index_t C, index_t M, index_t H, index_t W, index_t K, index_t P, index_t PK, index_t PP,
          index_t POH, index_t POW>
void checkConvMaxPool(index_t nanRow = -1) {
  constexpr index_t OH = (H + 2 * P - K) / 2 + 1, OW = (W + 2 * P - K) / 2 + 1, KG = C * K * K;
  using Win = onnxc::window3d<1, H, W, 1, OH, OW, 1, K, K, 1, 2, 2, 0, P, P, 1, 1, 1>;
  using PoolWin = onnxc::window3d<1, OH, OW, 1, POH, POW, 1, PK, PK, 1, 2, 2, 0, PP, PP, 1, 1, 1>;
  auto x = randomVector(C * H * W, 51), w = randomVector(M * KG, 52), bias = randomVector(M, 53);
  if (nanRow >= 0)
    x[(C - 1) * H * W + nanRow * W + W - 1] = NAN;
  auto packed = pack(M, KG, sg::MR, [&](index_t i, index_t k) { return w[i * KG + k]; });
  std::vector<float> y(M * POH * POW, 0.0f);
  constexpr index_t scratchFloats = onnxc::conv_max_pool_floats<C, M, Win, PoolWin>();
  std::vector<float> scratch(scratchFloats);
  const bool relu = nanRow < 0;
  auto run = [&](auto act) {
    onnxc::conv_max_pool<1, C, M, Win, PoolWin, sg::MR, scratchFloats>(
        x.data(), packed.data(), bias.data(), y.data(), scratch.data(), act);
  };
  if (relu)
    run(onnxc::fn::Relu{});
  else
    run(onnxc::fn::Identity{});
  std::vector<double> conv(M * OH * OW);
  for (index_t m = 0; m < M; ++m)
    for (index_t oh = 0; oh < OH; ++oh)
      for (index_t ow = 0; ow < OW; ++ow) {
        double ref = convReference<C, H, W, K, 2, P>(x, w, bias[m], m, oh, ow);
        conv[(m * OH + oh) * OW + ow] = relu ? std::max(0.0, ref) : ref;
      }
  int nans = 0;
  for (index_t m = 0; m < M; ++m)
    for (index_t oh = 0; oh < POH; ++oh)
      for (index_t ow = 0; ow < POW; ++ow) {
        auto [ref, count, nan] =
            stride2Window(true, oh, ow, PK, PP, OH, OW,
                          [&](index_t ih, index_t iw) { return conv[(m * OH + ih) * OW + iw]; });
        float got = y[(m * POH + oh) * POW + ow];
        if (nan) {
          ++nans;
          ASSERT_TRUE(std::isnan(got)) << "at " << m << "," << oh << "," << ow;
        } else {
          ASSERT_NEAR(got, ref, 1e-4) << "at " << m << "," << oh << "," << ow;
        }
      }
  EXPECT_EQ(nans > 0, nanRow >= 0);
}

/// Pooled rows per band of conv_max_pool over M channels: a 3x3 stride-2
/// convolution of H x H without pads, then a 3x3 stride-2 pool.
template <index_t M, index_t H> constexpr index_t bandPoolRows() {
  constexpr index_t OH = (H - 3) / 2 + 1, POH = (OH - 3) / 2 + 1;
  using Win = onnxc::window3d<1, H, H, 1, OH, OH, 1, 3, 3, 1, 2, 2, 0, 0, 0, 1, 1, 1>;
  using PoolWin = onnxc::window3d<1, OH, OH, 1, POH, POH, 1, 3, 3, 1, 2, 2, 0, 0, 0, 1, 1, 1>;
  return onnxc::conv_pool_band<M, Win, PoolWin>::pool_rows;
}

TEST(ConvMaxPool, BandsOfRows) {
  // squeezenet1_1's first layers, smaller: 3x3 convolution and pool, no
  // pads; 27 pooled rows in bands of 8, whose shared rows carry over.
  static_assert(bandPoolRows<16, 111>() == 8, "bands of 8 pooled rows");
  checkConvMaxPool<3, 16, 111, 111, 3, 0, 3, 0, 27, 27>();
  // Ceil mode: 24 rows and columns pool to 12, the last window past them.
  checkConvMaxPool<3, 8, 49, 49, 3, 0, 3, 0, 12, 12>();
  // resnet18's: 7x7 with pads 3, a pool with pads 1.
  checkConvMaxPool<3, 8, 64, 64, 7, 3, 3, 1, 16, 16>();
  // Many channels: bands of fewer rows (5 pooled rows within 256 KB).
  static_assert(bandPoolRows<64, 160>() == 5, "bands of 5 pooled rows");
  checkConvMaxPool<3, 64, 160, 160, 3, 0, 3, 0, 39, 39>();
  // A NaN: the bands over it take NaN-propagating maxima.
  checkConvMaxPool<3, 16, 111, 111, 3, 0, 3, 0, 27, 27>(60);
}

template <index_t NC, index_t Plane> void checkGlobalAverage() {
  auto x = randomVector(NC * Plane, 21);
  std::vector<float> y(NC);
  onnxc::global_pool<false, NC, Plane>(x.data(), y.data());
  for (index_t p = 0; p < NC; ++p) {
    double ref = 0;
    for (index_t i = 0; i < Plane; ++i)
      ref += x[p * Plane + i];
    ASSERT_NEAR(y[p], ref / Plane, 1e-6) << "plane " << p;
  }
}

TEST(GlobalPool, AverageAgainstLoops) {
  // Fewer elements than a vector, a 3x3 and 7x7 plane (whole vectors and
  // single elements), groups of four vectors; enough planes for threads.
  checkGlobalAverage<5, 3>();
  checkGlobalAverage<7, 9>();
  checkGlobalAverage<1280, 49>();
  checkGlobalAverage<3, 200>();
}

template <index_t N, index_t K> void checkGemv(double tolerance) {
  auto x = randomVector(K, 5), b = randomVector(N * K, 6);
  std::vector<float> y(N), yt(N);
  onnxc::gemv<N, K, true>(x.data(), b.data(), yt.data()); // b as [N, K]
  onnxc::gemv<N, K, false>(x.data(), b.data(), y.data()); // b as [K, N]
  for (index_t n = 0; n < N; ++n) {
    double rt = 0, r = 0;
    for (index_t k = 0; k < K; ++k) {
      rt += double(b[n * K + k]) * x[k];
      r += double(b[k * N + n]) * x[k];
    }
    ASSERT_NEAR(yt[n], rt, tolerance) << "column " << n;
    ASSERT_NEAR(y[n], r, tolerance) << "column " << n;
  }
}

TEST(Gemv, RowsAndColumns) {
  checkGemv<37, 29>(1e-5);
  // Large enough for threads: few columns (rows of B split over the
  // threads, K not a multiple of 8) and many (columns split).
  checkGemv<100, 1001>(1e-4);
  checkGemv<5000, 21>(1e-5);
}

/// transpose<In, Perm> against indices worked out element by element: y's
/// element at output index o is x's at input index i with i[Perm[d]] = o[d].
template <class In, class Perm> void checkTranspose() {
  constexpr int R = In::rank;
  auto x = randomVector(In::size, 31);
  std::vector<float> y(In::size, -1.0f);
  onnxc::transpose<In, Perm>(x.data(), y.data());
  index_t outDims[R], o[R] = {};
  for (int d = 0; d < R; ++d)
    outDims[d] = In::at(int(Perm::at(d)));
  for (index_t k = 0; k < In::size; ++k) {
    index_t off = 0;
    for (int d = 0; d < R; ++d)
      off += o[d] * In::stride(int(Perm::at(d)));
    ASSERT_EQ(y[k], x[off]) << "at " << k;
    for (int d = R - 1; d >= 0 && ++o[d] == outDims[d]; --d)
      o[d] = 0;
  }
}

TEST(Tensor, TransposeByRuns) {
  // Attention's head split and merge (runs of the last dim), a size-1 dim
  // moved (runs of 128), two trailing dims kept (runs of 20), the identity
  // (one copy) and the last dim moved (element by element).
  checkTranspose<onnxc::dims<32, 4, 32>, onnxc::dims<1, 0, 2>>();
  checkTranspose<onnxc::dims<1, 32, 128>, onnxc::dims<1, 0, 2>>();
  checkTranspose<onnxc::dims<3, 2, 4, 5>, onnxc::dims<1, 0, 2, 3>>();
  checkTranspose<onnxc::dims<3, 2, 4>, onnxc::dims<0, 1, 2>>();
  checkTranspose<onnxc::dims<3, 5, 7>, onnxc::dims<2, 0, 1>>();
  checkTranspose<onnxc::dims<2, 3, 4, 5>, onnxc::dims<0, 3, 1, 2>>();
}

/// slice<In, Out, Start, Step> against indices worked out element by
/// element: y[o] = x[Start + o * Step] per dim.
template <class In, class Out, class Start, class Step> void checkSlice() {
  constexpr int R = In::rank;
  auto x = randomVector(In::size, 32);
  std::vector<float> y(Out::size, -1.0f);
  onnxc::slice<In, Out, Start, Step>(x.data(), y.data());
  index_t o[R] = {};
  for (index_t k = 0; k < Out::size; ++k) {
    index_t off = 0;
    for (int d = 0; d < R; ++d)
      off += (Start::at(d) + o[d] * Step::at(d)) * In::stride(d);
    ASSERT_EQ(y[k], x[off]) << "at " << k;
    for (int d = R - 1; d >= 0 && ++o[d] == Out::at(d); --d)
      o[d] = 0;
  }
}

TEST(Tensor, SliceByRuns) {
  using onnxc::dims;
  // A third of each row (query, key, value), from its start and from its
  // middle; whole trailing dims merged into one run from a partial one; a
  // stride along the last dim, a negative one, and a stride before a
  // unit-step last dim.
  checkSlice<dims<32, 1, 384>, dims<32, 1, 128>, dims<0, 0, 0>, dims<1, 1, 1>>();
  checkSlice<dims<32, 1, 384>, dims<32, 1, 128>, dims<0, 0, 128>, dims<1, 1, 1>>();
  checkSlice<dims<4, 6, 5, 3>, dims<2, 3, 5, 3>, dims<1, 2, 0, 0>, dims<1, 1, 1, 1>>();
  checkSlice<dims<4, 6, 10>, dims<4, 6, 4>, dims<0, 0, 1>, dims<1, 1, 2>>();
  checkSlice<dims<4, 6, 10>, dims<2, 6, 10>, dims<3, 0, 9>, dims<-1, 1, -1>>();
  checkSlice<dims<8, 6, 10>, dims<3, 2, 7>, dims<1, 1, 2>, dims<3, 2, 1>>();
}

TEST(FastMath, CloseToLibm) {
  double worstExp = 0, worstSig = 0, worstTanh = 0, worstErf = 0;
  for (double d = -90; d <= 88.5; d += 0.00917) {
    float x = float(d);
    double e = std::exp(double(x));
    if (e > 1e-37)
      worstExp = std::max(worstExp, std::fabs(onnxc::fastmath::exp(x) - e) / e);
    double s = 1 / (1 + std::exp(-double(x)));
    // Relative where the result is a normal float, absolute below that.
    double sigErr = std::fabs(onnxc::fastmath::sigmoid(x) - s);
    worstSig = std::max(worstSig, s > 1e-30 ? sigErr / s : sigErr);
    double t = std::tanh(double(x));
    if (t != 0)
      worstTanh = std::max(worstTanh, std::fabs(onnxc::fastmath::tanh(x) - t) / std::fabs(t));
    worstErf = std::max(worstErf, std::fabs(onnxc::fastmath::erf(x) - std::erf(double(x))));
  }
  EXPECT_LT(worstExp, 4e-7);
  EXPECT_LT(worstSig, 4e-7);
  EXPECT_LT(worstTanh, 4e-7);
  EXPECT_LT(worstErf, 5e-7); // Abramowitz-Stegun 7.1.26: 1.5e-7 + rounding
  EXPECT_EQ(onnxc::fastmath::exp(-INFINITY), 0.0f);
  EXPECT_TRUE(std::isinf(onnxc::fastmath::exp(INFINITY)));
  EXPECT_TRUE(std::isnan(onnxc::fastmath::exp(NAN)));
  EXPECT_EQ(onnxc::fastmath::tanh(1e-30f), 1e-30f);
}

TEST(Threads, ParallelForCoversEachIndexOnce) {
  for (index_t n : {index_t(0), index_t(1), index_t(3), index_t(1000)}) {
    std::vector<int> hits(n, 0);
    onnxc::parallel_for(n, [&](index_t b, index_t e) {
      for (index_t i = b; i < e; ++i)
        ++hits[i];
    });
    for (index_t i = 0; i < n; ++i)
      EXPECT_EQ(hits[i], 1) << "n=" << n << " i=" << i;
  }
}

#if ONNXC_THREADS > 1
// A thread done with its share takes the rest of a slow thread's: here the
// pool's thread is slow on every index, so the caller must run some of its
// share (without rebalancing it runs none).
TEST(Threads, ParallelForRebalancesSlowShares) {
  constexpr index_t n = 16;
  const pthread_t caller = pthread_self();
  std::vector<int> byCaller(n, 0), hits(n, 0);
  onnxc::parallel_for(n, [&](index_t b, index_t e) {
    const bool mine = pthread_equal(pthread_self(), caller);
    for (index_t i = b; i < e; ++i) {
      ++hits[i];
      byCaller[i] = mine;
      if (!mine)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int stolen = 0;
  for (index_t i = 0; i < n; ++i) {
    EXPECT_EQ(hits[i], 1) << "i=" << i;
    stolen += i >= n / 2 && byCaller[i];
  }
  EXPECT_GT(stolen, 0);
}
#endif

} // namespace
