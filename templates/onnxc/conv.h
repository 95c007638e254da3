// Convolution and pooling, specialized on compile-time shapes. 1-D and 2-D
// problems are passed as 3-D ones with unit leading spatial dims.
#ifndef ONNXC_TEMPLATES_CONV_H
#define ONNXC_TEMPLATES_CONV_H

#include "onnxc/conv_blocking.h"
#include "onnxc/elementwise.h"
#include "onnxc/sgemm.h"
#include "onnxc/winograd.h"

ONNXC_NAMESPACE_BEGIN

/// Geometry of a 3-D sliding window (input, output, kernel, stride, pad at
/// the start, dilation) along depth, height and width.
template <index_t D, index_t H, index_t W, index_t OD, index_t OH, index_t OW,
          index_t KD, index_t KH, index_t KW, index_t SD, index_t SH,
          index_t SW, index_t PD, index_t PH, index_t PW, index_t DD,
          index_t DH, index_t DW>
struct window3d {
  static constexpr index_t d = D, h = H, w = W, od = OD, oh = OH, ow = OW;
  static constexpr index_t kd = KD, kh = KH, kw = KW, sd = SD, sh = SH, sw = SW;
  static constexpr index_t pd = PD, ph = PH, pw = PW, dd = DD, dh = DH, dw = DW;
  /// First and one-past-last output index whose input tap k is inside.
  static constexpr index_t lo(index_t k, index_t stride, index_t pad,
                              index_t dil) {
    index_t off = k * dil - pad; // input = o*stride + off
    if (off >= 0)
      return 0;
    return (-off + stride - 1) / stride;
  }
  static constexpr index_t hi(index_t k, index_t stride, index_t pad,
                              index_t dil, index_t in, index_t out) {
    index_t off = k * dil - pad;
    // largest o with o*stride + off <= in-1
    index_t last = in - 1 - off;
    if (last < 0)
      return 0;
    index_t n = last / stride + 1;
    return n < out ? n : out;
  }
};

/// The reference convolution: plain loops, any type and rank. See conv.
template <index_t N, index_t C, index_t M, index_t G, class Win, class T,
          class Act = fn::Identity>
void conv_reference(const T *ONNXC_RESTRICT x, const T *ONNXC_RESTRICT w,
                    const T *ONNXC_RESTRICT bias, const T *ONNXC_RESTRICT residual,
                    T *ONNXC_RESTRICT y, Act act = Act{}) {
  constexpr index_t CG = C / G, MG = M / G;
  constexpr index_t inPlane = Win::d * Win::h * Win::w;
  constexpr index_t outPlane = Win::od * Win::oh * Win::ow;
  constexpr index_t taps = Win::kd * Win::kh * Win::kw;
  for (index_t n = 0; n < N; ++n)
    for (index_t g = 0; g < G; ++g)
      for (index_t mg = 0; mg < MG; ++mg) {
        index_t m = g * MG + mg;
        T *yp = y + (n * M + m) * outPlane;
        T b = bias ? bias[m] : T(0);
        for (index_t i = 0; i < outPlane; ++i)
          yp[i] = b;
        for (index_t cg = 0; cg < CG; ++cg) {
          const T *xp = x + (n * C + g * CG + cg) * inPlane;
          const T *wp = w + (m * CG + cg) * taps;
          for (index_t kd = 0; kd < Win::kd; ++kd) {
            const index_t od0 = Win::lo(kd, Win::sd, Win::pd, Win::dd);
            const index_t od1 = Win::hi(kd, Win::sd, Win::pd, Win::dd, Win::d, Win::od);
            for (index_t kh = 0; kh < Win::kh; ++kh) {
              const index_t oh0 = Win::lo(kh, Win::sh, Win::ph, Win::dh);
              const index_t oh1 = Win::hi(kh, Win::sh, Win::ph, Win::dh, Win::h, Win::oh);
              for (index_t kw = 0; kw < Win::kw; ++kw) {
                const index_t ow0 = Win::lo(kw, Win::sw, Win::pw, Win::dw);
                const index_t ow1 = Win::hi(kw, Win::sw, Win::pw, Win::dw, Win::w, Win::ow);
                const T wv = wp[(kd * Win::kh + kh) * Win::kw + kw];
                for (index_t od = od0; od < od1; ++od) {
                  const index_t id = od * Win::sd + kd * Win::dd - Win::pd;
                  for (index_t oh = oh0; oh < oh1; ++oh) {
                    const index_t ih = oh * Win::sh + kh * Win::dh - Win::ph;
                    const T *xrow = xp + (id * Win::h + ih) * Win::w +
                                    kw * Win::dw - Win::pw;
                    T *yrow = yp + (od * Win::oh + oh) * Win::ow;
                    for (index_t ow = ow0; ow < ow1; ++ow)
                      yrow[ow] += wv * xrow[ow * Win::sw];
                  }
                }
              }
            }
          }
        }
        if (residual) {
          const T *rp = residual + (n * M + m) * outPlane;
          for (index_t i = 0; i < outPlane; ++i)
            yp[i] = store<T>(act(load(yp[i]) + load(rp[i])));
        } else if constexpr (!is_identity_v<Act>) {
          for (index_t i = 0; i < outPlane; ++i)
            yp[i] = store<T>(act(load(yp[i])));
        }
      }
}

/// The kernel a convolution runs, chosen by the compiler (which also sizes
/// its scratch):
///   conv_loops      the reference loops, any type and rank;
///   conv_depthwise  float, 1-D/2-D, one channel per group;
///   conv_sgemm<MR>  float, 1-D/2-D: an SGEMM per image and group with the
///                   weights as stored (MR = 0) or pre-packed by the compiler
///                   into panels of MR rows per group (sgemm::prepacked_a,
///                   each group's M/G rows padded to MR). SplitK (pointwise,
///                   pre-packed, one group): the threads split the input
///                   channels (sgemm::gemm_k_split). SplitRows (pointwise,
///                   pre-packed, one group): the threads split the output
///                   channels (sgemm::gemm_split_rows).
struct conv_loops {};
struct conv_depthwise {};
template <index_t MR, bool SplitK = false, bool SplitRows = false> struct conv_sgemm {
  static constexpr index_t mr = MR;
  static constexpr bool split_k = SplitK, split_rows = SplitRows;
};
///   conv_winograd<MR, Out> float 3x3, stride 1, dilation 1, one group:
///                   Winograd F(Out x Out, 3x3), Out 2 or 4, with weights
///                   transformed and packed by the compiler (winograd.h).
template <index_t MR, index_t Out = 2> struct conv_winograd {
  static constexpr index_t mr = MR, out = Out;
};
template <class K> constexpr bool is_conv_sgemm_v = false;
template <index_t MR, bool SplitK, bool SplitRows>
constexpr bool is_conv_sgemm_v<conv_sgemm<MR, SplitK, SplitRows>> = true;
template <class K> constexpr bool is_conv_winograd_v = false;
template <index_t MR, index_t Out>
constexpr bool is_conv_winograd_v<conv_winograd<MR, Out>> = true;

/// The zero-bordered image a depthwise convolution reads: the input with its
/// leading pads, extended to the last tap of the last output, its columns
/// split by phase modulo the column stride (column j of the image lands in
/// phase plane j % sw at j / sw) so every tap of a strided output row is a
/// contiguous run. The depthwise kernel holds a strip of its rows at a time
/// (enough for strip_rows output rows): a whole 112 x 112 image is 52 KB,
/// which spills L1 between being written and read.
/// Aligned: each phase plane's rows padded to whole cache lines (16
/// floats), so that the taps' vector loads split fewer lines (the depthwise
/// kernel's strips: a 112 x 112 -> 56 x 56 plane 22% faster in L2). The
/// phase-split images of strided SGEMM convolutions keep unpadded rows: the
/// compiler bounds their size without it.
template <class Win, bool Aligned = true> struct depthwise_padded {
  static constexpr index_t span(index_t in, index_t pad, index_t out,
                                index_t stride, index_t k, index_t dil) {
    index_t need = (out - 1) * stride + (k - 1) * dil + 1;
    return need > in + pad ? need : in + pad;
  }
  static constexpr index_t phases = Win::sw;
  static constexpr index_t h = span(Win::h, Win::ph, Win::oh, Win::sh, Win::kh, Win::dh);
  /// Width of one phase plane's row.
  static constexpr index_t w = sgemm::round_up(
      (span(Win::w, Win::pw, Win::ow, Win::sw, Win::kw, Win::dw) + phases - 1) / phases,
      Aligned ? 16 : 1);
  /// Past a plane's last row: the reach of the last taps and of a last
  /// whole vector.
  static constexpr index_t slack = Win::kw * Win::dw + 16;
  /// The phase planes of the whole image.
  static constexpr index_t image = phases * h * w + slack;
  /// Image rows that r output rows read.
  static constexpr index_t rows_for(index_t r) {
    return (r - 1) * Win::sh + (Win::kh - 1) * Win::dh + 1;
  }
  /// Output rows per strip: strided, as many as keep the strip within
  /// 16 KB (mobilenet_v2's 112 x 112 stride-2 layer: 282 -> 243 us with
  /// 12 KB on Intel; on Zen 3 16 KB also takes its 56 -> 28 x 144 layer's
  /// 57 rows in one strip instead of 23 + 5 rows' worth, 111 -> 100 us);
  /// unstrided, all of them: its strips would re-copy two of every few
  /// rows, which cost more than they save (112 x 112: 179 -> 188 us).
  static constexpr index_t pick_strip_rows() {
    index_t r = Win::oh;
    while (Win::sh > 1 && r > 1 && rows_for(r) * phases * w * index_t(sizeof(float)) > 16 * 1024)
      --r;
    return r;
  }
  static constexpr index_t strip_rows = pick_strip_rows();
  /// Height of a strip's phase planes.
  static constexpr index_t strip_h = rows_for(strip_rows);
  static constexpr index_t strip = phases * strip_h * w + slack;
  /// Whether each plane is one small strip, filled while the plane before
  /// is computed, into the other of two: read right after it is written, a
  /// strip's vectors span several of the fill's short stores, which cannot
  /// forward to them, and wait for the stores to reach L1 (mobilenet_v2's
  /// 7 x 7 planes ran 22 or 50 us by code layout alone).
  /// (Planes this small never split by rows.)
  static constexpr bool pipelined =
      strip_rows == Win::oh && strip <= 2048 && Win::oh * Win::ow < 2048;
  /// Per thread: a strip (two if pipelined), then one output row's
  /// accumulator, rounded up to whole cache lines (16 floats) so that no
  /// two threads' slices share one.
  static constexpr index_t floats = sgemm::round_up((pipelined ? 2 : 1) * strip + phases * w, 16);
};

/// Where tap (kh, kw) of output row oh starts in phase planes plane_h rows
/// tall (the image's, or a strip's with oh counted from the strip's first).
template <class Win, bool Aligned = true>
constexpr index_t depthwise_tap(index_t oh, index_t kh, index_t kw,
                                index_t plane_h = depthwise_padded<Win, Aligned>::h) {
  using P = depthwise_padded<Win, Aligned>;
  return (kw * Win::dw) % P::phases * plane_h * P::w + (oh * Win::sh + kh * Win::dh) * P::w +
         (kw * Win::dw) / P::phases;
}

/// even[k] = src[2k] and odd[k] = src[2k + 1] for the n floats of src.
ONNXC_INLINE void deinterleave_row(const float *ONNXC_RESTRICT src, float *ONNXC_RESTRICT even,
                                   float *ONNXC_RESTRICT odd, index_t n) {
#pragma GCC unroll 1
  for (index_t k = 0; k < n / 2; ++k) {
    even[k] = src[2 * k];
    odd[k] = src[2 * k + 1];
  }
  if (n % 2)
    even[n / 2] = src[n - 1];
}

/// Copies input row src into row `row` of phase planes plane_h rows tall
/// (their borders zeroed beforehand and never written).
template <class Win, bool Aligned = true>
ONNXC_INLINE void depthwise_fill_row(const float *ONNXC_RESTRICT src, float *ONNXC_RESTRICT pad,
                                     index_t row, index_t plane_h) {
  using P = depthwise_padded<Win, Aligned>;
  constexpr index_t PW = P::w, S = P::phases;
  float *dst = pad + row * PW;
  if constexpr (S == 1) {
    // A copy of constant size: inline moves for short rows, where a
    // library call per row would cost more than the row.
    memcpy(dst + Win::pw, src, Win::w * sizeof(float));
  } else if constexpr (S == 2) {
    // Image column j = i + pw: even and odd input columns go to the two
    // phases in one pass over the row (vector loads and permutes).
    deinterleave_row(src, dst + Win::pw % 2 * plane_h * PW + Win::pw / 2,
                     dst + (Win::pw + 1) % 2 * plane_h * PW + (Win::pw + 1) / 2, Win::w);
  } else {
    // Image column j = i + pw goes to phase j % S, position j / S.
    for (index_t q = 0; q < S; ++q) {
      const index_t i0 = ((q - Win::pw) % S + S) % S;
      float *d = dst + q * plane_h * PW + (i0 + Win::pw) / S;
#pragma GCC unroll 1
      for (index_t i = i0, j = 0; i < Win::w; i += S, ++j)
        d[j] = src[i];
    }
  }
}

/// Copies the image rows that output rows [oh0, oh0 + r) read from plane xp
/// into a strip (depthwise_padded::strip_h rows per phase, borders zeroed
/// beforehand); rows in the top or bottom padding are zeroed.
template <class Win>
ONNXC_INLINE void depthwise_fill_strip(const float *ONNXC_RESTRICT xp, float *ONNXC_RESTRICT strip,
                                       index_t oh0, index_t r) {
  using P = depthwise_padded<Win>;
  const index_t rows = P::rows_for(r), ih0 = oh0 * Win::sh - Win::ph;
  for (index_t lr = 0; lr < rows; ++lr) {
    const index_t ih = ih0 + lr;
    if (ih >= 0 && ih < Win::h) {
      depthwise_fill_row<Win>(xp + ih * Win::w, strip, lr, P::strip_h);
      continue;
    }
    // One strip for the whole image: its padding rows were zeroed with
    // its borders, and no image row is ever copied there.
    if constexpr (P::strip_rows < Win::oh)
      for (index_t q = 0; q < P::phases; ++q)
        memset(strip + (q * P::strip_h + lr) * P::w, 0, P::w * sizeof(float));
  }
}

/// A strided convolution's B [C*KH*KW, OH*OW] read from its input's
/// zero-bordered, phase-split images (depthwise_fill_row, one per channel,
/// `plane` floats apart): every tap of a run of outputs along a row is a
/// contiguous copy, with no bounds checks.
template <class Win> struct im2col_phased_b {
  static constexpr bool packs = true;
  using P = depthwise_padded<Win, false>;
  static constexpr index_t plane = P::phases * P::h * P::w;
  /// Past the last image (conv_blocking.h).
  static constexpr index_t slack = conv_blocking::phased_slack(Win::kw, Win::dw, sgemm::NR);
  const float *img;
  /// Where output column j's taps start: tap k at panel_base(j) + offset(k),
  /// and the columns after j in its output row follow (phased_rows_gemm).
  ONNXC_INLINE const float *panel_base(index_t j) const {
    return img + j / Win::ow * Win::sh * P::w + j % Win::ow;
  }
  static constexpr index_t offset(index_t k) {
    constexpr index_t taps = Win::kh * Win::kw;
    return k / taps * plane + depthwise_tap<Win, false>(0, k % taps / Win::kw, k % taps % Win::kw);
  }
  void pack(index_t jc, index_t pc, index_t nc, index_t kc, float *dst, index_t p0, index_t p1,
            index_t panelFloats) const {
    constexpr index_t OW = Win::ow, NR = sgemm::NR, taps = Win::kh * Win::kw;
    for (index_t p = p0; p < p1; ++p) {
      float *d = dst + p * panelFloats;
      index_t j0 = jc + p * NR, nr = sgemm::min_of(NR, jc + nc - j0);
      const sgemm::output_runs<OW> runs(j0, nr);
      for (index_t k = 0; k < kc; ++k) {
        index_t kk = pc + k, c = kk / taps, tap = kk % taps;
        index_t kh = tap / Win::kw, kw = tap % Win::kw;
        const float *base = img + c * plane + depthwise_tap<Win, false>(0, kh, kw);
        float *drow = d + k * NR;
        if (runs.count == 1 && nr == NR) {
          // The common case, a whole panel within one output row: a copy of
          // constant size, which compiles to a few vector moves.
          memcpy(drow, base + runs.oh[0] * Win::sh * P::w + runs.ow[0], NR * sizeof(float));
          continue;
        }
        for (index_t r = 0; r < runs.count; ++r)
          memcpy(drow + runs.start[r], base + runs.oh[r] * Win::sh * P::w + runs.ow[r],
                 (runs.start[r + 1] - runs.start[r]) * sizeof(float));
        for (index_t j = nr; j < NR; ++j)
          drow[j] = 0.0f;
      }
    }
  }
};

/// A strided convolution's product read in place from its phase-split
/// images (im2col_phased_b) output row by output row, A pre-packed: each
/// row's panels start at its first column, so that none straddles two rows
/// and none is packed. A row's last columns (OW = 112: three whole panels
/// and 16 columns) take one vector where they fit in one, else a whole
/// panel; either ends at the row's end, overlapping the panel before it
/// (OW = 111, panels of 32: 95..110), so that its stores are whole
/// vectors: stored through a copy, 15 columns took 30% of squeezenet1_1's
/// first layer. With a residual, which may share y's memory, recomputing
/// would read outputs, and over several K blocks (each after the first
/// adding to y) in a group with the panel before, it would add twice:
/// there it stays partial, its loads reaching up to a panel past the row's
/// last tap (into the next row, or the slack past the last image). Groups
/// of panels along a row keep their B steps in L1 while each row panel of
/// A runs through them, K block by K block (the epilogue after the last),
/// and the stores continue rows.
/// Output rows [r0, r1) of channels [i0, i1) (whole row panels) go to y:
/// row oh of output channel i at y + i * ldy + (oh - y0) * OW (the whole
/// output, or a band of its rows).
template <class Win, index_t MG, index_t KG, class A, class Epi>
void phased_rows(const A &a, const im2col_phased_b<Win> &b, const index_t *offsets, float *y,
                 index_t ldy, index_t y0, index_t r0, index_t r1, index_t i0, index_t i1,
                 const Epi &epi) {
  constexpr index_t OW = Win::ow, NR = sgemm::NR, MR = sgemm::MR;
  constexpr index_t panels = (OW + NR - 1) / NR, depth = sgemm::block_depth(KG);
  constexpr index_t group = sgemm::min_of(sgemm::l1_panels(depth), panels);
  // The last panel's first column and width.
  constexpr index_t W = sgemm::V::width, rest = OW - (panels - 1) * NR;
  constexpr index_t lastWidth = rest <= W && OW >= W ? W : OW >= NR ? NR : rest;
  // Over several K blocks, the blocks after the first add to y: an
  // overlapping last panel in a group with the panel it overlaps would add
  // their shared columns twice. Alone in its group, it starts them over.
  const bool overlap = !epi.residual && (KG <= depth || group == 1);
  const index_t lastStart = overlap ? OW - lastWidth : (panels - 1) * NR;
  const index_t lastCols = overlap ? lastWidth : rest;
  for (index_t oh = r0; oh < r1; ++oh)
    for (index_t g0 = 0; g0 < panels; g0 += group) {
      const index_t g1 = sgemm::min_of(g0 + group, panels);
      // The group's whole panels before the row's last: NR columns apart
      // in the images as in the output row.
      const index_t whole = g1 == panels ? g1 - 1 - g0 : g1 - g0;
      for (index_t pc = 0; pc < KG; pc += depth) {
        const index_t kc = sgemm::min_of(depth, KG - pc);
        const bool first = pc == 0, last = pc + kc == KG;
        const Epi *e = last ? &epi : nullptr;
        for (index_t i = i0; i < i1; i += MR) {
          index_t p = g0;
          if (sgemm::runs_whole<MG, OW>(whole, i, g0 * NR, kc)) {
            const index_t j = oh * OW + g0 * NR;
            sgemm::tile_run<Epi, sgemm::prefetch_a, true>(
                whole, kc, a.panel(i, pc), b.panel_base(j), 0, NR,
                y + i * ldy + (oh - y0) * OW + g0 * NR, ldy, !first, e, i, j, offsets + pc);
            p += whole;
          }
          for (; p < g1; ++p) {
            const bool lastPanel = p + 1 == panels;
            const index_t col = lastPanel ? lastStart : p * NR, j = oh * OW + col;
            sgemm::tile<true, sgemm::prefetch_a>(
                kc, a.panel(i, pc), b.panel_base(j), 0, y + i * ldy + (oh - y0) * OW + col, ldy,
                sgemm::min_of(MR, MG - i), lastPanel ? lastCols : NR, !first, e, i, j,
                offsets + pc);
          }
        }
      }
    }
}

/// Where each tap k of im2col_phased_b starts, relative to a column's base.
template <class Win, index_t KG> struct phased_offsets {
  index_t at[KG];
  phased_offsets() {
    for (index_t k = 0; k < KG; ++k)
      at[k] = im2col_phased_b<Win>::offset(k);
  }
};

/// Whether phased_rows_gemm splits a product's output rows over the
/// threads (conv_blocking.h, shared with the compiler).
template <class Win, index_t MG, index_t KG>
constexpr bool phased_rows_split_v = conv_blocking::phased_rows_split(MG, (Win::oh * Win::ow), KG,
                                                                      ONNXC_THREADS);

/// The whole output of a strided convolution through phased_rows.
template <class Win, index_t MG, index_t KG, class A, class Epi>
void phased_rows_gemm(const A &a, const float *img, float *y, const Epi &epi) {
  constexpr index_t OHW = Win::oh * Win::ow;
  const phased_offsets<Win, KG> offsets;
  const im2col_phased_b<Win> b{img};
  auto rows = [&](index_t r0, index_t r1) {
    phased_rows<Win, MG, KG>(a, b, offsets.at, y, OHW, 0, r0, r1, 0, MG, epi);
  };
  if constexpr (phased_rows_split_v<Win, MG, KG>)
    parallel_for(Win::oh, rows);
  else
    rows(0, Win::oh);
}

/// Fills the zero-bordered, phase-split images (im2col_phased_b) of a
/// group's CG input planes. Row by row over all channels (a first layer
/// has too few channels to split evenly), each row of the phase planes
/// zeroed right before its input row lands in it, while it is in L1. On
/// threads, each fills the rows of every channel that its share of the
/// output rows then reads (split by channels, half of one thread's input
/// came from the other's cache: squeezenet1_1's, mobilenet_v2's and
/// resnet18's first layers 3% faster on two threads).
template <class Win, index_t CG>
void fill_phased_images(const float *ONNXC_RESTRICT xg, float *ONNXC_RESTRICT img) {
  using B = im2col_phased_b<Win>;
  using P = typename B::P;
  parallel_for(CG * P::h, [&](index_t r0, index_t r1) {
    for (index_t r = r0; r < r1; ++r) {
      const index_t c = r % CG, row = r / CG, ih = row - Win::ph;
      float *plane = img + c * B::plane;
      for (index_t q = 0; q < P::phases; ++q)
        memset(plane + (q * P::h + row) * P::w, 0, P::w * sizeof(float));
      if (ih >= 0 && ih < Win::h)
        depthwise_fill_row<Win, false>(xg + (c * Win::h + ih) * Win::w, plane, row, P::h);
    }
  });
}

/// Whether a pointwise convolution's SGEMM reads its input in place
/// (sgemm::strided_b) rather than packing it: where packing would cost a
/// good part of the product (few output channels, or few input channels
/// per output), and each panel's k step is whole cache lines (rows of a
/// multiple of 16 floats). mobilenet_v2's projections with 24 or 32
/// channels run 20-30% faster. Rows of a multiple of 4 floats make every
/// step straddle two lines, which costs less than packing while the
/// output channels are few: 14 x 14 images with 64 or 96 output channels,
/// 3-6% faster. Rows of other lengths split vectors too, which with up to
/// 64 output channels still costs less than packing while B stays within
/// 1 MB, in L2 (squeezenet1_1's squeezes of 729 and 169 columns, one
/// thread: 5-14% faster; two threads: 3-19%); a larger B read in place
/// misses L2 on every row (its 16 x 3025 x 128 squeeze: 115 -> 131 us).
/// On threads, rows that long are packed even for a smaller B: its
/// 16 x 3025 x 64 squeeze on two threads, 62 -> 40 us.
template <index_t MG, index_t KG, index_t OHW>
constexpr bool strided_pointwise_v = (OHW % 16 == 0 && (MG <= 64 || KG <= 32)) ||
                                     (OHW % 4 == 0 && MG <= 96) ||
                                     (MG <= 64 && KG * OHW <= 256 * 1024 &&
                                      (ONNXC_THREADS == 1 || OHW < 2048));

/// Whether a convolution's SGEMM reads phase-split images: for few
/// channels x taps alone (conv_max_pool's case), or for any of the reasons
/// in conv_blocking.h, which the compiler shares.
template <class Win, index_t KG>
constexpr bool phased_few_taps_v = conv_blocking::phased_few_taps(Win::sw > 1, (Win::kh * Win::kw),
                                                                  KG);
template <class Win, index_t KG, index_t MG>
constexpr bool im2col_phased_v = conv_blocking::phased_images(Win::sw > 1, (Win::kh * Win::kw), MG,
                                                              (Win::oh * Win::ow), KG,
                                                              ONNXC_THREADS);

/// Whether a convolution's SGEMM reads B from a whole im2col matrix
/// [K, OH*OW] (conv_blocking.h, shared with the compiler).
template <class Win, index_t KG, index_t OHW>
constexpr bool im2col_whole_v = conv_blocking::whole_im2col(Win::sh == 1 && Win::sw == 1,
                                                            (Win::kh * Win::kw), Win::ow, sgemm::NR,
                                                            KG, OHW);

/// Writes the im2col matrix b [C * KH * KW, OH * OW] of C planes x (one
/// row per channel and tap; taps outside the image read zero).
template <class Win, index_t C>
void im2col_whole(const float *ONNXC_RESTRICT x, float *ONNXC_RESTRICT b) {
  constexpr index_t H = Win::h, W = Win::w, OH = Win::oh, OW = Win::ow;
  for (index_t c = 0; c < C; ++c)
    for (index_t kh = 0; kh < Win::kh; ++kh)
      for (index_t kw = 0; kw < Win::kw; ++kw) {
        float *row = b + ((c * Win::kh + kh) * Win::kw + kw) * OH * OW;
        const index_t lo = Win::lo(kw, 1, Win::pw, Win::dw);
        const index_t hi = Win::hi(kw, 1, Win::pw, Win::dw, W, OW);
        for (index_t oh = 0; oh < OH; ++oh) {
          const index_t ih = oh + kh * Win::dh - Win::ph;
          float *d = row + oh * OW;
          if (ih < 0 || ih >= H) {
            for (index_t ow = 0; ow < OW; ++ow)
              d[ow] = 0.0f;
            continue;
          }
          const float *src = x + (c * H + ih) * W + kw * Win::dw - Win::pw;
          for (index_t ow = 0; ow < lo; ++ow)
            d[ow] = 0.0f;
          for (index_t ow = lo; ow < hi; ++ow)
            d[ow] = src[ow];
          for (index_t ow = hi < lo ? lo : hi; ow < OW; ++ow)
            d[ow] = 0.0f;
        }
      }
}

/// acc[i] += w * src[i] for i < n; restrict arrays, kept a loop (not
/// fully unrolled), so it vectorizes.
ONNXC_INLINE void axpy_row(float *ONNXC_RESTRICT acc, const float *ONNXC_RESTRICT src,
                           float w, index_t n) {
#pragma GCC unroll 1
  for (index_t i = 0; i < n; ++i)
    acc[i] += w * src[i];
}

/// y[i] = act(row[i] (+ res[i])) for i < n, kept a loop so it vectorizes.
template <class Act>
ONNXC_INLINE void store_act_row(float *ONNXC_RESTRICT y, const float *ONNXC_RESTRICT row,
                                const float *ONNXC_RESTRICT res, index_t n, Act act) {
  if (res) {
#pragma GCC unroll 1
    for (index_t i = 0; i < n; ++i)
      y[i] = act(row[i] + res[i]);
  } else {
#pragma GCC unroll 1
    for (index_t i = 0; i < n; ++i)
      y[i] = act(row[i]);
  }
}

/// Output rows [oh0, oh0 + Rows) of a depthwise plane from their strip: each
/// vector of outputs sums all taps in a register, then the activation,
/// then one store. Vectors past the row's end read the next row (or the
/// strip's slack) and are not stored.
template <class Win, index_t Rows, class Act>
void depthwise_rows(const float *ONNXC_RESTRICT strip, const float *ONNXC_RESTRICT wp,
                    float b, float *ONNXC_RESTRICT y, index_t oh0, Act act) {
  using V = simd::native;
  constexpr index_t W = V::width, OW = Win::ow, SH = depthwise_padded<Win>::strip_h;
  constexpr index_t KH = Win::kh, KW = Win::kw;
  typename V::reg wv[KH * KW];
  for (index_t t = 0; t < KH * KW; ++t)
    wv[t] = V::broadcast(wp + t);
  const typename V::reg bv = V::broadcast(&b);
  for (index_t oh = 0; oh < Rows; ++oh) {
    float *yr = y + (oh0 + oh) * OW;
    for (index_t ow = 0; ow < OW; ow += W) {
      typename V::reg acc = bv;
      for (index_t kh = 0; kh < KH; ++kh) {
#pragma GCC unroll 8
        for (index_t kw = 0; kw < KW; ++kw)
          acc = V::fma(wv[kh * KW + kw],
                       V::load(strip + depthwise_tap<Win>(oh, kh, kw, SH) + ow), acc);
      }
      acc = sgemm::vector_act<Act>::apply(act, acc);
      if (ow + W <= OW) {
        V::store(yr + ow, acc);
      } else if constexpr (V::masked && 2 * OW <= W) {
        // Rows shorter than half a vector (7 x 7 planes on AVX-512): one
        // masked store instead of a copy through memory, 20-25% faster.
        // On 14 x 14 planes either a masked or a whole overlapping store
        // ran 20% slower than the copy.
        V::store_first(yr + ow, acc, int(OW - ow));
      } else {
        float t[W];
        V::store(t, acc);
        for (index_t i = 0; ow + i < OW; ++i)
          yr[ow + i] = t[i];
      }
    }
  }
}

/// Whether a depthwise convolution reads its input in place, its stride-2
/// taps split in registers (depthwise_s2_rows), rather than through a
/// phase-split strip: a 3x3 window, stride 2, pad 1 at the start, no
/// dilation, output rows of more than one vector, an activation applied
/// in registers. On Zen 3, one thread, mobilenet_v2's 112 x 112 -> 56 x 56
/// x 96 layer ran 283-289 -> 203-209 us alone and 350-374 -> 244 us in the
/// model (filling the strip was most of its time); its 56 -> 28 and
/// 28 -> 14 layers, within noise.
template <class Win, class Act> constexpr bool depthwise_in_place_s2() {
  constexpr index_t L = simd::native::width;
  // The first output of the last vector of a row.
  constexpr index_t last = Win::ow > L ? (Win::ow - 1) / L * L : 0;
  const bool window = Win::kh == 3 && Win::kw == 3 && Win::sh == 2 && Win::sw == 2 &&
                      Win::ph == 1 && Win::pw == 1 && Win::dh == 1 && Win::dw == 1;
  // Vectors before the last read whole vectors within the row.
  return window && last > 0 && Win::w >= 2 * L && 2 * last <= Win::w && sgemm::vector_act<Act>::ok;
}
template <class Win, class Act>
constexpr bool depthwise_in_place_s2_v = depthwise_in_place_s2<Win, Act>();

namespace depthwise_s2 {
using V = simd::native;
using reg = V::reg;
constexpr int L = V::width;

/// Lane i of the taps' in-lane split (vshufps on x86: no lane crossing)
/// holds output out_of_lane(i) of the vector's L outputs: each 4-lane group
/// q takes two outputs from a (2q, 2q + 1) and two from b (L / 2 + 2q, ...).
constexpr int out_of_lane(int i) {
  return i % 4 < 2 ? i / 4 * 2 + i % 2 : L / 2 + i / 4 * 2 + i % 2;
}
template <int... I> ONNXC_INLINE reg split_even(reg a, reg b, simd::lanes::ints<I...>) {
  return __builtin_shufflevector(a, b, (I / 4 * 4 + I % 4 % 2 * 2 + (I % 4 < 2 ? 0 : L))...);
}
template <int... I> ONNXC_INLINE reg split_odd(reg a, reg b, simd::lanes::ints<I...>) {
  return __builtin_shufflevector(a, b, (I / 4 * 4 + I % 4 % 2 * 2 + 1 + (I % 4 < 2 ? 0 : L))...);
}
/// Back to output order: lane k from the lane that holds output k.
constexpr int lane_of_out(int k) {
  int i = 0;
  while (out_of_lane(i) != k)
    ++i;
  return i;
}
template <int... I> ONNXC_INLINE reg in_order(reg v, simd::lanes::ints<I...>) {
  return __builtin_shufflevector(v, v, lane_of_out(I)...);
}
using seq = typename simd::lanes::make_ints<L>::type;

/// The L floats of an input row from column `col` on, columns at or past
/// W (the right padding) zero; Cols = W - col, known where it is short.
template <index_t Cols> ONNXC_INLINE reg load_cols(const float *p) {
  if constexpr (Cols >= L)
    return V::load(p);
  else if constexpr (Cols <= 0)
    return V::zero();
  else
    return V::load_first(p, int(Cols));
}

/// Adds one input row's three taps (weights w0, w1, w2) for the L outputs
/// from ow0 on, r pointing at column 2 * ow0 of the row. First: ow0 is 0,
/// whose first tap is the left padding. Cols: columns of the row from
/// 2 * ow0 on (more than 2L + 2 but in the last vector).
template <bool First, index_t Cols>
ONNXC_INLINE reg taps(const float *r, reg w0, reg w1, reg w2, reg acc) {
  const reg v0 = load_cols<Cols>(r), v1 = load_cols<Cols - L>(r + L);
  reg u0;
  if constexpr (First)
    u0 = V::from<L - 2>(V::zero(), v0); // columns -2 and -1 are padding
  else
    u0 = load_cols<Cols + 2>(r - 2);
  const reg u1 = load_cols<Cols + 2 - L>(r + L - 2);
  acc = V::fma(w1, split_even(v0, v1, seq{}), acc);
  acc = V::fma(w2, split_odd(v0, v1, seq{}), acc);
  return V::fma(w0, split_odd(u0, u1, seq{}), acc);
}
} // namespace depthwise_s2

/// Output rows [oh0, oh1) of one depthwise plane (depthwise_in_place_s2_v)
/// straight from its input plane x: each vector of L outputs loads its
/// 2L + 2 input columns per row and splits even and odd columns in
/// registers, in an order within 4-lane groups that one permute undoes
/// before the store.
template <class Win, class Act>
void depthwise_s2_rows(const float *ONNXC_RESTRICT x, const float *ONNXC_RESTRICT wp, float b,
                       float *ONNXC_RESTRICT y, index_t oh0, index_t oh1, Act act) {
  using namespace depthwise_s2;
  constexpr index_t H = Win::h, W = Win::w, OW = Win::ow;
  constexpr index_t last = (OW - 1) / L * L; // the last vector's first output
  reg wv[9];
  for (int t = 0; t < 9; ++t)
    wv[t] = V::broadcast(wp + t);
  const reg bv = V::broadcast(&b);
  for (index_t oh = oh0; oh < oh1; ++oh) {
    const index_t ih0 = 2 * oh - 1;
    const index_t k0 = ih0 < 0 ? 1 : 0, k1 = ih0 + 3 > H ? H - ih0 : 3;
    float *yr = y + oh * OW;
    auto vector = [&](index_t ow0, auto first, auto cols) {
      constexpr bool First = decltype(first)::value != 0;
      constexpr index_t Cols = decltype(cols)::value;
      reg acc = bv;
      for (index_t kh = k0; kh < k1; ++kh)
        acc = taps<First, Cols>(x + (ih0 + kh) * W + 2 * ow0, wv[3 * kh], wv[3 * kh + 1],
                                wv[3 * kh + 2], acc);
      acc = in_order(sgemm::vector_act<Act>::apply(act, acc), seq{});
      if (ow0 + L <= OW)
        V::store(yr + ow0, acc);
      else
        V::store_first(yr + ow0, acc, int(OW - ow0));
    };
    // Columns from 2 * ow0 on, for vectors that may not read past the
    // row's end: all of the row's that the vector's loads reach.
    constexpr index_t enough = 2 * L + 2;
    vector(0, index_constant<1>{}, index_constant<enough>{});
    for (index_t ow0 = L; ow0 < last; ow0 += L)
      vector(ow0, index_constant<0>{}, index_constant<enough>{});
    vector(last, index_constant<0>{}, index_constant<W - 2 * last>{});
  }
}

/// Calls f(index_constant<t>{}) for the t in [0, T) equal to `t`: a
/// thread's index as a constant, for row ranges of constant size.
template <index_t T, index_t I = 0, class F> ONNXC_INLINE void with_thread_index(index_t t, F &&f) {
  if constexpr (I < T) {
    if (t == I)
      f(index_constant<I>{});
    else
      with_thread_index<T, I + 1>(t, f);
  }
}

/// Whether a kernel that works plane by plane splits OH x OW planes by rows
/// over the threads (each thread the same share of every plane's rows)
/// rather than by planes: large planes, whose producers split their output
/// rows (or the columns of an image's rows) the same way, so that what each
/// thread reads was mostly written on its own core. Small planes split by
/// planes, where per-plane work dominates (depthwise layers of 28 x 28 and
/// smaller: 5-25 us slower by rows; squeezenet1_1's 27 x 27 max pool 9%).
constexpr bool splits_planes_by_rows(index_t OH, index_t OW) {
  return ONNXC_THREADS > 1 && OH * OW >= 2048 && OH >= 2 * ONNXC_THREADS;
}

/// Depthwise 2-D convolution, one channel at a time, a strip of rows at a
/// time: the strip's input rows are copied into a zero-bordered,
/// phase-split scratch strip (L1-sized) so the taps need no bounds checks
/// and read contiguous runs at any stride. Without a residual each output
/// vector sums its taps in a register (depthwise_rows); otherwise output
/// rows are accumulated tap by tap.
/// On threads, large planes split by rows (splits_planes_by_rows): split
/// by planes, each thread read half of every plane from the other's core
/// (mobilenet_v2's 112 x 112 -> 56 x 56 x 96 on two threads: 148 -> 131
/// us, and 8 us off the projection after it).
template <index_t N, index_t C, class Win, class Act>
void conv_depthwise_planes(const float *ONNXC_RESTRICT x, const float *ONNXC_RESTRICT w,
                           const float *ONNXC_RESTRICT bias,
                           const float *ONNXC_RESTRICT residual, float *ONNXC_RESTRICT y,
                           float *ONNXC_RESTRICT scratch, Act act) {
  constexpr index_t H = Win::h, W = Win::w, OH = Win::oh, OW = Win::ow;
  using P = depthwise_padded<Win>;
  constexpr index_t R = P::strip_rows, SH = P::strip_h;
  constexpr index_t taps = Win::kh * Win::kw;
  constexpr index_t T = ONNXC_THREADS;
  constexpr bool byRows = splits_planes_by_rows(OH, OW);
  static_assert(!(byRows && P::pipelined), "a pipelined strip is a whole plane");
  // Thread t: rows [oh0, oh1) of planes [p0, p1), padding into its own
  // slice of the scratch (one strip and row buffer per thread, borders
  // zeroed once).
  auto rows = [&](index_t t, index_t p0, index_t p1, auto first, auto last) {
    constexpr index_t oh0 = decltype(first)::value, oh1 = decltype(last)::value;
    if constexpr (depthwise_in_place_s2_v<Win, Act>) {
      if (!residual) { // reads the planes in place: no strip
        for (index_t p = p0; p < p1; ++p)
          depthwise_s2_rows<Win>(x + p * H * W, w + p % C * taps, bias ? bias[p % C] : 0.0f,
                                 y + p * OH * OW, oh0, oh1, act);
        return;
      }
    }
    float *strip = scratch + t * P::floats, *row = strip + P::strip;
    float *next = row + P::phases * P::w; // the pipelined second strip
    for (index_t i = 0; i < P::strip; ++i)
      strip[i] = 0.0f;
    if constexpr (P::pipelined) {
      for (index_t i = 0; i < P::strip; ++i)
        next[i] = 0.0f;
      if (p0 < p1)
        depthwise_fill_strip<Win>(x + p0 * H * W, strip, 0, OH);
    }
    for (index_t p = p0; p < p1; ++p) {
      const index_t c = p % C;
      const float *wp = w + c * taps;
      const float b = bias ? bias[c] : 0.0f;
      float *yp = y + p * OH * OW;
      const float *rp = residual ? residual + p * OH * OW : nullptr;
      // Whole strips, then a shorter last one; the row counts are
      // constants, which the unstrided kernels need to run at full speed.
      auto strip_rows = [&](index_t s0, auto count) {
        constexpr index_t r = decltype(count)::value;
        if constexpr (P::pipelined) {
          if (p + 1 < p1)
            depthwise_fill_strip<Win>(x + (p + 1) * H * W, next, 0, OH);
        } else {
          depthwise_fill_strip<Win>(x + p * H * W, strip, s0, r);
        }
        if constexpr (sgemm::vector_act<Act>::ok) {
          if (!rp) {
            depthwise_rows<Win, r>(strip, wp, b, yp, s0, act);
            return;
          }
        }
        for (index_t oh = 0; oh < r; ++oh) {
          for (index_t ow = 0; ow < OW; ++ow)
            row[ow] = b;
          for (index_t kh = 0; kh < Win::kh; ++kh)
            for (index_t kw = 0; kw < Win::kw; ++kw)
              axpy_row(row, strip + depthwise_tap<Win>(oh, kh, kw, SH),
                       wp[kh * Win::kw + kw], OW);
          const index_t at = (s0 + oh) * OW;
          store_act_row(yp + at, row, rp ? rp + at : nullptr, OW, act);
        }
      };
      for (index_t s0 = oh0; s0 + R <= oh1; s0 += R)
        strip_rows(s0, index_constant<R>{});
      if constexpr ((oh1 - oh0) % R != 0)
        strip_rows(oh1 - (oh1 - oh0) % R, index_constant<(oh1 - oh0) % R>{});
      if constexpr (P::pipelined) {
        float *done = strip;
        strip = next;
        next = done;
      }
    }
  };
  if constexpr (byRows) {
    parallel_for(T, [&](index_t t0, index_t t1) {
      for (index_t t = t0; t < t1; ++t)
        with_thread_index<T>(t, [&](auto tc) {
          constexpr index_t i = decltype(tc)::value;
          rows(t, 0, N * C, index_constant<OH * i / T>{}, index_constant<OH * (i + 1) / T>{});
        });
    });
  } else {
    // By planes, in pieces a thread done early takes from the other's end.
    parallel_for_indexed(N * C, [&](index_t t, index_t p0, index_t p1) {
      rows(t, p0, p1, index_constant<0>{}, index_constant<OH>{});
    });
  }
}

/// Y[n, m, ...] = act(sum over c, taps of X * W + bias + residual).
/// Group-aware: N batch, C input channels, M output channels, G groups; Win
/// is window3d; Kernel one of the kernels above. `residual` may be null; Act
/// is an elementwise functor. The SGEMM computes, per image and group,
/// Y[M/G, OH*OW] = W[M/G, C/G*taps] im2col(X), the im2col done while packing
/// and the epilogue applied per tile.
template <index_t N, index_t C, index_t M, index_t G, class Win,
          class Kernel = conv_loops, class T, class Act = fn::Identity>
void conv(const T *ONNXC_RESTRICT x, const T *ONNXC_RESTRICT w,
          const T *ONNXC_RESTRICT bias, const T *ONNXC_RESTRICT residual,
          T *ONNXC_RESTRICT y, T *ONNXC_RESTRICT scratch, Act act = Act{}) {
  constexpr bool planar = Win::d == 1 && Win::kd == 1 && Win::od == 1;
  if constexpr (is_same_v<Kernel, conv_depthwise>) {
    static_assert(is_same_v<T, float> && planar && C == G && M == G,
                  "conv_depthwise: float, 1-D/2-D, one channel per group");
    conv_depthwise_planes<N, C, Win>(x, w, bias, residual, y, scratch, act);
  } else if constexpr (is_conv_winograd_v<Kernel>) {
    static_assert(is_same_v<T, float> && planar && G == 1 && Win::kh == 3 &&
                      Win::kw == 3 && Win::sh == 1 && Win::sw == 1 &&
                      Win::dh == 1 && Win::dw == 1,
                  "conv_winograd: float 3x3, stride 1, dilation 1, one group");
    static_assert(Kernel::mr == sgemm::MR,
                  "weights were packed for another --cpu than this compiler targets");
    winograd::conv<Kernel::out, N, C, M, Win::h, Win::w, Win::oh, Win::ow, Win::ph, Win::pw>(
        x, w, bias, residual, y, scratch, act);
  } else if constexpr (is_conv_sgemm_v<Kernel>) {
    static_assert(is_same_v<T, float> && planar, "conv_sgemm: float, 1-D/2-D");
    static_assert(Kernel::mr == 0 || Kernel::mr == sgemm::MR,
                  "weights were packed for another --cpu than this compiler targets");
    constexpr index_t CG = C / G, MG = M / G, taps = Win::kh * Win::kw;
    constexpr index_t KG = CG * taps, OHW = Win::oh * Win::ow;
    constexpr bool pointwise = taps == 1 && Win::sh == 1 && Win::sw == 1 &&
                               Win::ph == 0 && Win::pw == 0 && Win::h == Win::oh &&
                               Win::w == Win::ow;
    static_assert(!Kernel::split_k || (pointwise && G == 1 && Kernel::mr != 0),
                  "conv_sgemm<MR, true>: pointwise, one group, pre-packed weights");
    static_assert(!Kernel::split_rows ||
                      (!Kernel::split_k && pointwise && G == 1 && Kernel::mr != 0),
                  "conv_sgemm<MR, false, true>: pointwise, one group, pre-packed weights");
    for (index_t n = 0; n < N; ++n)
      for (index_t g = 0; g < G; ++g) {
        const float *xg = x + (n * C + g * CG) * Win::h * Win::w;
        float *yg = y + (n * M + g * MG) * OHW;
        sgemm::bias_act_epilogue<Act> epi{
            bias ? bias + g * MG : nullptr, nullptr,
            residual ? residual + (n * M + g * MG) * OHW : nullptr, OHW, act};
        // Scratch past the SGEMM's own, for an im2col matrix or images.
        float *extra = scratch + sgemm::scratch_floats(MG, OHW, KG, Kernel::mr == 0, true);
        // A pointwise convolution's input as B: read in place or packed.
        auto pointwiseB = [&] {
          if constexpr (strided_pointwise_v<MG, KG, OHW>)
            return sgemm::strided_b{xg, OHW, OHW};
          else
            return sgemm::dense_b<false>{xg, OHW, OHW};
        };
        auto run = [&](const auto &a) {
          if constexpr (Kernel::split_k && ONNXC_THREADS > 1)
            sgemm::gemm_k_split<MG, OHW, KG>(a, pointwiseB(), yg, OHW, scratch, epi);
          else if constexpr (Kernel::split_rows && ONNXC_THREADS > 1)
            sgemm::gemm_split_rows<MG, OHW, KG>(a, pointwiseB(), yg, OHW, scratch, epi);
          else if constexpr (pointwise)
            sgemm::gemm<MG, OHW, KG>(a, pointwiseB(), yg, OHW, false, scratch, epi);
          else if constexpr (im2col_whole_v<Win, KG, OHW>) {
            im2col_whole<Win, CG>(xg, extra);
            sgemm::gemm<MG, OHW, KG>(a, sgemm::strided_b{extra, OHW, OHW}, yg, OHW, false,
                                     scratch, epi);
          } else if constexpr (im2col_phased_v<Win, KG, MG>) {
            using B = im2col_phased_b<Win>;
            float *img = extra;
            fill_phased_images<Win, CG>(xg, img);
            // Weights packed by the compiler: the micro-kernel reads the
            // taps from the images in place; else the taps are packed.
            if constexpr (Kernel::mr != 0)
              phased_rows_gemm<Win, MG, KG>(a, img, yg, epi);
            else
              sgemm::gemm<MG, OHW, KG>(a, B{img}, yg, OHW, false, scratch, epi);
          } else
            sgemm::gemm<MG, OHW, KG>(a, sgemm::im2col_b<Win>{xg}, yg, OHW, false,
                                     scratch, epi);
        };
        if constexpr (Kernel::mr != 0)
          run(sgemm::prepacked_a{w + g * sgemm::round_up(MG, sgemm::MR) * KG, KG, MG});
        else
          run(sgemm::dense_a<false>{w + g * MG * KG, KG, MG});
      }
  } else {
    (void)scratch;
    conv_reference<N, C, M, G, Win>(x, w, bias, residual, y, act);
  }
}

/// Floats of scratch conv<N, C, M, G, Win, Kernel> may use, following its
/// dispatch above. The compiler sizes each convolution's scratch itself
/// (codegen/cpp/NNRules.cpp, nnScratchBytes) and the generated code
/// static_asserts that it reserved at least this much, so that the two
/// cannot drift apart unnoticed.
template <index_t N, index_t C, index_t M, index_t G, class Win, class Kernel>
constexpr index_t conv_scratch_floats() {
  if constexpr (is_same_v<Kernel, conv_depthwise>) {
    return ONNXC_THREADS * depthwise_padded<Win>::floats;
  } else if constexpr (is_conv_winograd_v<Kernel>) {
    return winograd::scratch_floats<Kernel::out>(C, M, Win::oh, Win::ow);
  } else if constexpr (is_conv_sgemm_v<Kernel>) {
    constexpr index_t CG = C / G, MG = M / G, taps = Win::kh * Win::kw;
    constexpr index_t KG = CG * taps, OHW = Win::oh * Win::ow;
    constexpr index_t own = sgemm::scratch_floats(MG, OHW, KG, Kernel::mr == 0, true);
    if constexpr (Kernel::split_k && ONNXC_THREADS > 1)
      return sgemm::k_split_floats(MG, OHW, KG);
    else if constexpr (Kernel::split_rows && ONNXC_THREADS > 1)
      return sgemm::split_rows_floats(OHW, KG, !strided_pointwise_v<MG, KG, OHW>);
    else if constexpr (taps == 1)
      return own;
    else if constexpr (im2col_whole_v<Win, KG, OHW>)
      return own + KG * OHW;
    else if constexpr (im2col_phased_v<Win, KG, MG>)
      return own + CG * im2col_phased_b<Win>::plane + im2col_phased_b<Win>::slack;
    else
      return own;
  } else {
    return 0;
  }
}

/// Transposed convolution: each input pixel scatters kernel-weighted values
/// into the output. Win's (d,h,w) are the input dims, (od,oh,ow) the
/// output's, pads the leading padding removed from the output.
template <index_t N, index_t C, index_t M, index_t G, class Win, class T>
void conv_transpose(const T *ONNXC_RESTRICT x, const T *ONNXC_RESTRICT w,
                    const T *ONNXC_RESTRICT bias, T *ONNXC_RESTRICT y) {
  constexpr index_t CG = C / G, MG = M / G;
  constexpr index_t inPlane = Win::d * Win::h * Win::w;
  constexpr index_t outPlane = Win::od * Win::oh * Win::ow;
  constexpr index_t taps = Win::kd * Win::kh * Win::kw;
  for (index_t n = 0; n < N; ++n)
    for (index_t m = 0; m < M; ++m) {
      T b = bias ? bias[m] : T(0);
      T *yp = y + (n * M + m) * outPlane;
      for (index_t i = 0; i < outPlane; ++i)
        yp[i] = b;
    }
  for (index_t n = 0; n < N; ++n)
    for (index_t g = 0; g < G; ++g)
      for (index_t cg = 0; cg < CG; ++cg) {
        const T *xp = x + (n * C + g * CG + cg) * inPlane;
        for (index_t mg = 0; mg < MG; ++mg) {
          const T *wp = w + ((g * CG + cg) * MG + mg) * taps;
          T *yp = y + (n * M + g * MG + mg) * outPlane;
          for (index_t id = 0; id < Win::d; ++id)
            for (index_t ih = 0; ih < Win::h; ++ih)
              for (index_t iw = 0; iw < Win::w; ++iw) {
                T xv = xp[(id * Win::h + ih) * Win::w + iw];
                for (index_t kd = 0; kd < Win::kd; ++kd) {
                  index_t od = id * Win::sd + kd * Win::dd - Win::pd;
                  if (od < 0 || od >= Win::od)
                    continue;
                  for (index_t kh = 0; kh < Win::kh; ++kh) {
                    index_t oh = ih * Win::sh + kh * Win::dh - Win::ph;
                    if (oh < 0 || oh >= Win::oh)
                      continue;
                    for (index_t kw = 0; kw < Win::kw; ++kw) {
                      index_t ow = iw * Win::sw + kw * Win::dw - Win::pw;
                      if (ow < 0 || ow >= Win::ow)
                        continue;
                      yp[(od * Win::oh + oh) * Win::ow + ow] +=
                          xv * wp[(kd * Win::kh + kh) * Win::kw + kw];
                    }
                  }
                }
              }
        }
      }
}

/// max(a, v), NaN if either is: in this form (two selects) the compiler
/// emits max + compare + blend, with no branches in scalar tails, where a
/// data-dependent branch mispredicts about every other element.
template <class C> ONNXC_INLINE C nan_max(C a, C v) {
  C m = a < v ? v : a;
  return v != v ? v : m;
}

/// acc[ow] = max (NaN-propagating) or sum of acc[ow] and src[ow * S] for ow
/// in [lo, hi); separate restrict arrays so the loop vectorizes.
template <bool IsMax, index_t S, class C, class T>
ONNXC_INLINE void pool_row(C *ONNXC_RESTRICT acc, const T *ONNXC_RESTRICT src,
                           index_t lo, index_t hi) {
  // Full unrolling of short rows would leave strided loads the compiler
  // cannot vectorize; kept as a loop, it vectorizes.
#pragma GCC unroll 1
  for (index_t ow = lo; ow < hi; ++ow) {
    C v = load(src[ow * S]), a = acc[ow];
    if constexpr (IsMax)
      acc[ow] = nan_max(a, v);
    else
      acc[ow] = a + v;
  }
}

/// The trailing pads of a pooling window, up to which count_include_pad
/// counts taps (ceil-mode overhang past them is not counted). By default
/// the same as the leading pads; the compiler names them where they differ.
template <index_t D, index_t H, index_t W> struct pad_end {
  static constexpr index_t d = D, h = H, w = W;
};
template <class Win> using symmetric_pad_end = pad_end<Win::pd, Win::ph, Win::pw>;

/// Taps per output column inside the input, and inside input + pads.
template <class Win, class PadEnd, class C>
void pool_column_counts(C *countW, C *paddedW) {
  for (index_t ow = 0; ow < Win::ow; ++ow) {
    index_t in = 0, padded = 0;
    for (index_t kw = 0; kw < Win::kw; ++kw) {
      index_t iw = ow * Win::sw + kw * Win::dw - Win::pw;
      in += iw >= 0 && iw < Win::w;
      padded += iw >= -Win::pw && iw < Win::w + PadEnd::w;
    }
    countW[ow] = C(in);
    paddedW[ow] = C(padded);
  }
}

/// 2-D pooling one output row at a time: each tap adds a strided row of
/// the input to a row of accumulators over the outputs where it lands inside,
/// a loop the compiler vectorizes. Averages divide by counts that factor
/// into a row part and a column part.
template <bool IsMax, bool CountPad, index_t NC, class Win, class PadEnd, class T>
void pool2d(const T *ONNXC_RESTRICT x, T *ONNXC_RESTRICT y) {
  using C = compute_t<T>;
  constexpr index_t H = Win::h, W = Win::w, OH = Win::oh, OW = Win::ow;
  C countW[OW], paddedW[OW];
  pool_column_counts<Win, PadEnd>(countW, paddedW);
  constexpr bool parallel = ONNXC_THREADS > 1 && NC * OH * OW * Win::kh * Win::kw >= (1 << 15);
  auto planes = [&](index_t p0, index_t p1) {
    for (index_t p = p0; p < p1; ++p) {
      const T *xp = x + p * H * W;
      T *yp = y + p * OH * OW;
      for (index_t oh = 0; oh < OH; ++oh) {
        C acc[OW];
        for (index_t ow = 0; ow < OW; ++ow)
          acc[ow] = IsMax ? C(-INFINITY) : C(0);
        index_t countH = 0, paddedH = 0;
        for (index_t kh = 0; kh < Win::kh; ++kh) {
          index_t ih = oh * Win::sh + kh * Win::dh - Win::ph;
          paddedH += ih >= -Win::ph && ih < H + PadEnd::h;
          if (ih < 0 || ih >= H)
            continue;
          ++countH;
          const T *row = xp + ih * W;
          for (index_t kw = 0; kw < Win::kw; ++kw) {
            const index_t lo = Win::lo(kw, Win::sw, Win::pw, Win::dw);
            const index_t hi = Win::hi(kw, Win::sw, Win::pw, Win::dw, W, OW);
            pool_row<IsMax, Win::sw>(acc, row + kw * Win::dw - Win::pw, lo, hi);
          }
        }
        T *yr = yp + oh * OW;
        for (index_t ow = 0; ow < OW; ++ow) {
          if constexpr (IsMax) {
            yr[ow] = store<T>(acc[ow]);
          } else {
            C n = CountPad ? C(paddedH) * paddedW[ow] : C(countH) * countW[ow];
            yr[ow] = store<T>(acc[ow] / (n != C(0) ? n : C(1)));
          }
        }
      }
    }
  };
  if constexpr (parallel)
    parallel_for(NC, planes);
  else
    planes(0, NC);
}

/// acc[i] = max (NaN-propagating) or sum of acc[i] and src[i] for i < n;
/// kept a loop so it vectorizes.
template <bool IsMax>
ONNXC_INLINE void pool_merge(float *ONNXC_RESTRICT acc, const float *ONNXC_RESTRICT src,
                             index_t n) {
#pragma GCC unroll 1
  for (index_t i = 0; i < n; ++i) {
    float v = src[i], a = acc[i];
    if constexpr (IsMax)
      acc[i] = nan_max(a, v);
    else
      acc[i] = a + v;
  }
}

/// 2-D float pooling, separably: for each output row, the kh input rows it
/// covers are merged column by column into one padded row (contiguous
/// vector passes), then the kw taps run along that row. Max and sums both
/// separate, and pool2d's average counts already factor into a row part and
/// a column part: 3x3 pooling costs 3 + 3 passes instead of 9 strided ones.
template <bool IsMax, bool CountPad, index_t NC, class Win, class PadEnd>
void pool2d_separable(const float *ONNXC_RESTRICT x, float *ONNXC_RESTRICT y) {
  constexpr index_t H = Win::h, W = Win::w, OH = Win::oh, OW = Win::ow;
  constexpr index_t need = (OW - 1) * Win::sw + (Win::kw - 1) * Win::dw + 1;
  constexpr index_t Span = need > W + Win::pw ? need : W + Win::pw;
  constexpr float neutral = IsMax ? -INFINITY : 0.0f;
  float countW[OW], paddedW[OW];
  pool_column_counts<Win, PadEnd>(countW, paddedW);
  constexpr bool parallel = ONNXC_THREADS > 1 && NC * OH * OW * Win::kh * Win::kw >= (1 << 15);
  // Output rows in blocks: all of a block's merged rows are written before
  // any is read back, so the strided reads of the second pass never wait
  // on the first pass's stores still in flight (a store-forwarding stall
  // that otherwise doubles the time).
  // The second pass runs over whole vectors: OWV outputs, reading up to
  // column (OWV - 1) * sw + (kw - 1) * dw of the merged rows. With stride
  // 2 and no dilation, each tap's outputs are the even floats of two
  // vectors of the merged row, one shuffle (V::even) instead of the
  // compiler's strided loop; that reads one float further. (Measured on
  // max pooling, which max_pool2d_stride2 now takes, one thread: resnet18's
  // 112 -> 56 227 -> 205 us, squeezenet1_1's 111 -> 55 169 -> 160 us.)
  using V = simd::native;
  constexpr bool evenLanes = Win::sw == 2 && Win::dw == 1;
  constexpr index_t OWV =
      evenLanes ? (OW + V::width - 1) / V::width * V::width : (OW + 7) / 8 * 8;
  constexpr index_t reach = (OWV - 1) * Win::sw + (Win::kw - 1) * Win::dw + 1 + evenLanes;
  constexpr index_t R = OH < 8 ? OH : 8,
                    Stride = ((reach > Span ? reach : Span) + 15) / 16 * 16;
  auto planes = [&](index_t p0, index_t p1) {
    // The merged rows with their pads, which stay neutral.
    alignas(64) float merged[R][Stride];
    for (index_t r = 0; r < R; ++r)
      for (index_t c = 0; c < Stride; ++c)
        merged[r][c] = neutral;
    index_t countH[R];
    for (index_t p = p0; p < p1; ++p) {
      const float *xp = x + p * H * W;
      float *yp = y + p * OH * OW;
      for (index_t oh0 = 0; oh0 < OH; oh0 += R) {
        const index_t rows = OH - oh0 < R ? OH - oh0 : R;
        for (index_t r = 0; r < rows; ++r) {
          float *inner = merged[r] + Win::pw;
          countH[r] = 0;
          for (index_t kh = 0; kh < Win::kh; ++kh) {
            index_t ih = (oh0 + r) * Win::sh + kh * Win::dh - Win::ph;
            if (ih < 0 || ih >= H)
              continue;
            if (countH[r]++ == 0)
              memcpy(inner, xp + ih * W, W * sizeof(float));
            else
              pool_merge<IsMax>(inner, xp + ih * W, W);
          }
          if (countH[r] == 0)
            for (index_t c = 0; c < W; ++c)
              inner[c] = neutral;
        }
        for (index_t r = 0; r < rows; ++r) {
          const index_t oh = oh0 + r;
          alignas(64) float acc[OWV];
          if constexpr (evenLanes) {
            const float neutralValue = neutral;
            for (index_t g = 0; g < OWV; g += V::width) {
              const float *m = merged[r] + 2 * g;
              V::reg a = V::broadcast(&neutralValue);
              for (index_t kw = 0; kw < Win::kw; ++kw) {
                V::reg v = V::even(V::load(m + kw), V::load(m + kw + V::width));
                if constexpr (IsMax)
                  a = nan_max(a, v);
                else
                  a = a + v;
              }
              V::store(acc + g, a);
            }
          } else {
            for (index_t ow = 0; ow < OWV; ++ow)
              acc[ow] = neutral;
            for (index_t kw = 0; kw < Win::kw; ++kw)
              pool_row<IsMax, Win::sw>(acc, merged[r] + kw * Win::dw, 0, OWV);
          }
          index_t paddedH = 0;
          for (index_t kh = 0; kh < Win::kh; ++kh) {
            index_t ih = oh * Win::sh + kh * Win::dh - Win::ph;
            paddedH += ih >= -Win::ph && ih < H + PadEnd::h;
          }
          float *yr = yp + oh * OW;
          for (index_t ow = 0; ow < OW; ++ow) {
            if constexpr (IsMax) {
              yr[ow] = acc[ow];
            } else {
              float n = CountPad ? float(paddedH) * paddedW[ow] : float(countH[r]) * countW[ow];
              yr[ow] = acc[ow] / (n != 0.0f ? n : 1.0f);
            }
          }
        }
      }
    }
  };
  if constexpr (parallel)
    parallel_for(NC, planes);
  else
    planes(0, NC);
}

/// max(out, taps T.. KW - 1) of a stride-2 output vector whose input's even
/// and odd lanes are e0, e1 and o0, o1 (this vector's and the next).
template <int T, int KW, class R, class Max>
ONNXC_INLINE R max_of_taps(R out, R e0, R e1, R o0, R o1, const Max &vmax) {
  using V = simd::native;
  if constexpr (T >= KW) {
    return out;
  } else {
    const R tap = T % 2 == 0 ? V::template from<T / 2>(e0, e1) : V::template from<T / 2>(o0, o1);
    return max_of_taps<T + 1, KW>(vmax(out, tap), e0, e1, o0, o1, vmax);
  }
}

/// One output row of max_pool2d_stride2 at yr. The window's input rows
/// merge into vectors vm (maximum down the columns; row pads and loads
/// past the row's end are -inf), whose even and odd lanes (E, O) are then the
/// tap columns 0 and 1 of each output vector; tap kw is E or O moved
/// kw / 2 lanes on. Exact: NaN-propagating maxima (two compares and two
/// blends each); otherwise single max instructions, right only for rows
/// without NaNs.
template <bool Exact, class Win>
ONNXC_INLINE void max_pool_row_stride2(const float *ONNXC_RESTRICT xp, float *ONNXC_RESTRICT yr,
                                       index_t oh) {
  using V = simd::native;
  constexpr int L = V::width;
  constexpr index_t H = Win::h, W = Win::w, OW = Win::ow;
  constexpr index_t G = (OW + L - 1) / L; // output vectors
  constexpr index_t NV = 2 * G + 2;      // merged vectors, two past the last output's
  static_assert(Win::kw <= 2 * L, "taps reach one output vector further at most");
  constexpr float minusInf = -INFINITY;
  const V::reg neutral = V::broadcast(&minusInf);
  auto vmax = [](V::reg a, V::reg v) {
    if constexpr (Exact)
      return nan_max(a, v);
    return a < v ? v : a;
  };
  V::reg vm[NV];
#pragma GCC unroll 16
  for (index_t j = 0; j < NV; ++j)
    vm[j] = neutral;
  for (index_t kh = 0; kh < Win::kh; ++kh) {
    const index_t ih = oh * Win::sh + kh * Win::dh - Win::ph;
    if (ih < 0 || ih >= H)
      continue;
    const float *row = xp + ih * W;
#pragma GCC unroll 16
    for (index_t j = 0; j < NV; ++j) {
      // Vector j holds input columns [c, c + L), some of them row pads.
      const index_t c = j * L - Win::pw, n = W - c;
      if (j == 0 && Win::pw > 0) {
        // Pads first: the row's first L - pw floats, moved pw lanes on.
        const V::reg v = W >= L ? V::load(row) : V::load_first(row, int(W), neutral);
        vm[j] = vmax(vm[j], V::template from<L - Win::pw>(neutral, v));
      } else if (n >= L) {
        vm[j] = vmax(vm[j], V::load(row + c));
      } else if (n > 0) {
        vm[j] = vmax(vm[j], V::load_first(row + c, int(n), neutral));
      }
    }
  }
  V::reg e[G + 1], o[G + 1];
#pragma GCC unroll 16
  for (index_t g = 0; g <= G; ++g) {
    e[g] = V::even(vm[2 * g], vm[2 * g + 1]);
    o[g] = V::odd(vm[2 * g], vm[2 * g + 1]);
  }
#pragma GCC unroll 16
  for (index_t g = 0; g < G; ++g) {
    const V::reg out = max_of_taps<1, Win::kw>(e[g], e[g], e[g + 1], o[g], o[g + 1], vmax);
    if (g + 1 < G || OW % L == 0)
      V::store(yr + g * L, out);
    else
      V::store_first(yr + g * L, out, int(OW % L));
  }
}

/// Whether the n floats at p are all finite: x * 0 summed stays 0 unless
/// one is a NaN or an infinity.
ONNXC_INLINE bool all_finite(const float *p, index_t n) {
  using V = simd::native;
  const V::reg zero = V::zero();
  V::reg s[4] = {zero, zero, zero, zero};
  index_t i = 0;
  for (; i + 4 * V::width <= n; i += 4 * V::width)
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u)
      s[u] = V::fma(V::load(p + i + u * V::width), zero, s[u]);
  for (; i < n; i += V::width)
    s[0] = V::fma(n - i >= V::width ? V::load(p + i) : V::load_first(p + i, int(n - i)), zero,
                  s[0]);
  float t[V::width];
  V::store(t, V::add(V::add(s[0], s[1]), V::add(s[2], s[3])));
  bool finite = true;
  for (int l = 0; l < V::width; ++l)
    finite &= t[l] == 0.0f;
  return finite;
}

/// 2-D float max pooling of row stride 2, straight from the input rows
/// (max_pool_row_stride2): no copy of the rows, and short rows (13 outputs
/// of 27 inputs) cost a vector each where pool2d's loop ran element by
/// element. Standalone, one thread: squeezenet1_1's pools
/// 55 -> 27 and 27 -> 13 106 -> 51 and 41 -> 20 us; the 111 -> 55 and
/// resnet18's 112 -> 56 ones, whose 3 MB inputs stream from L3, 161 -> 145
/// and 167 -> 160 us.
/// Output rows go in bands whose input rows (some 16 KB) are first checked
/// for NaNs and infinities, which also brings them into L1; from the first
/// such row on, the plane's rows take NaN-propagating maxima.
template <index_t NC, class Win> void max_pool2d_stride2(const float *ONNXC_RESTRICT x,
                                                         float *ONNXC_RESTRICT y) {
  static_assert(Win::sw == 2 && Win::dw == 1 && Win::pw < simd::native::width,
                "row stride 2, pads within a vector");
  constexpr index_t H = Win::h, W = Win::w, OH = Win::oh, OW = Win::ow;
  constexpr index_t bandRows = 16384 / (2 * Win::sh * W * index_t(sizeof(float)));
  constexpr index_t Band = bandRows < 1 ? 1 : bandRows;
  constexpr index_t T = ONNXC_THREADS;
  constexpr bool parallel = T > 1 && NC * OH * OW * Win::kh * Win::kw >= (1 << 15);
  // Large planes split by rows, as the convolution before them splits its
  // output rows (squeezenet1_1's 111 -> 55 pool on two threads: 90 -> 76
  // us).
  constexpr bool byRows = parallel && splits_planes_by_rows(OH, OW);
  // Output rows [r0, r1) of planes [p0, p1).
  auto rows = [&](index_t p0, index_t p1, index_t r0, index_t r1) {
    const index_t first = r0 * Win::sh - Win::ph; // the first input row read
    for (index_t p = p0; p < p1; ++p) {
      const float *xp = x + p * H * W;
      float *yp = y + p * OH * OW;
      index_t checked = first > 0 ? first : 0; // input rows up to checked are finite
      bool clean = true;
      for (index_t oh0 = r0; oh0 < r1; oh0 += Band) {
        const index_t oh1 = r1 - oh0 < Band ? r1 : oh0 + Band;
        index_t need = (oh1 - 1) * Win::sh + (Win::kh - 1) * Win::dh - Win::ph + 1;
        need = need < H ? need : H;
        if (clean && need > checked) {
          clean = all_finite(xp + checked * W, (need - checked) * W);
          checked = need;
        }
        for (index_t oh = oh0; oh < oh1; ++oh)
          if (clean)
            max_pool_row_stride2<false, Win>(xp, yp + oh * OW, oh);
          else
            max_pool_row_stride2<true, Win>(xp, yp + oh * OW, oh);
      }
    }
  };
  if constexpr (byRows)
    parallel_for(T, [&](index_t t0, index_t t1) {
      for (index_t t = t0; t < t1; ++t)
        rows(0, NC, OH * t / T, OH * (t + 1) / T);
    });
  else if constexpr (parallel)
    parallel_for(NC, [&](index_t p0, index_t p1) { rows(p0, p1, 0, OH); });
  else
    rows(0, NC, 0, OH);
}

/// Rows of the convolution conv_max_pool computes per band: enough for
/// up to 8 pool rows, as many as keep a band of all M channels within
/// 256 KB (mirrored by the compiler's scratch sizing).
template <index_t M, class Win, class PoolWin> struct conv_pool_band {
  static constexpr index_t rows_for(index_t poolRows) {
    return (poolRows - 1) * PoolWin::sh + (PoolWin::kh - 1) * PoolWin::dh + 1;
  }
  static constexpr index_t pick_pool_rows() {
    index_t r = 8;
    while (r > 1 && M * rows_for(r) * Win::ow * index_t(sizeof(float)) > 256 * 1024)
      --r;
    return r;
  }
  static constexpr index_t pool_rows = pick_pool_rows();
  static constexpr index_t rows = rows_for(pool_rows);
  /// Per thread, rounded up to whole cache lines.
  static constexpr index_t floats = sgemm::round_up(M * rows * Win::ow, 16);
};

/// Floats of scratch conv_max_pool takes: the phase-split images, then a
/// band per thread.
template <index_t C, index_t M, class Win, class PoolWin> constexpr index_t conv_max_pool_floats() {
  return sgemm::round_up(C * im2col_phased_b<Win>::plane + im2col_phased_b<Win>::slack, 16) +
         ONNXC_THREADS * conv_pool_band<M, Win, PoolWin>::floats;
}

/// Y = MaxPool(act(Conv(X, W) + bias)): a network's first convolution
/// (strided, few channels: phased_few_taps_v, weights pre-packed) and the
/// stride-2 max pool after it. The convolution's rows are computed a band
/// at a time into the thread's scratch and pooled from there while in
/// cache, so its output (3 MB in squeezenet1_1 and resnet18) is never written
/// out and read back. The rows a band shares with the next move to the
/// band's top rather than being computed twice. Within a band, each row
/// panel's channels pool right after their rows are computed, while those
/// are in L1. On threads, each takes one range of bands (the pooled
/// image's rows, as the layer after it splits them). In the models, the
/// two layers against the pair of kernels (alternating rounds, us):
/// squeezenet1_1 one thread 586 -> 530, two 398 -> 342; resnet18 one
/// thread 1934 -> 1777, two 1020 -> 922.
/// ScratchFloats: what the caller reserved (the compiler's own sizing),
/// checked against what the kernel takes.
template <index_t N, index_t C, index_t M, class Win, class PoolWin, index_t MR,
          index_t ScratchFloats, class Act>
void conv_max_pool(const float *ONNXC_RESTRICT x, const float *ONNXC_RESTRICT w,
                   const float *ONNXC_RESTRICT bias, float *ONNXC_RESTRICT y,
                   float *ONNXC_RESTRICT scratch, Act act) {
  constexpr index_t KG = C * Win::kh * Win::kw, OH = Win::oh, OW = Win::ow;
  static_assert(MR == sgemm::MR,
                "weights were packed for another --cpu than this compiler targets");
  static_assert(conv_max_pool_floats<C, M, Win, PoolWin>() <= ScratchFloats,
                "the scratch reserved for conv_max_pool is too small");
  static_assert(Win::d == 1 && Win::kd == 1 && Win::od == 1 && phased_few_taps_v<Win, KG>,
                "conv_max_pool: a 2-D convolution that reads phase-split images");
  static_assert(PoolWin::h == OH && PoolWin::w == OW && PoolWin::d == 1 && PoolWin::kd == 1 &&
                    PoolWin::sw == 2 && PoolWin::dw == 1 && PoolWin::pw < simd::native::width,
                "conv_max_pool: a 2-D max pool of row stride 2 over the convolution's output");
  using Band = conv_pool_band<M, Win, PoolWin>;
  constexpr index_t POH = PoolWin::oh, POW = PoolWin::ow, PB = Band::pool_rows, R = Band::rows;
  constexpr index_t bands = (POH + PB - 1) / PB;
  float *img = scratch;
  float *bandSpace =
      scratch + conv_max_pool_floats<C, M, Win, PoolWin>() - ONNXC_THREADS * Band::floats;
  const phased_offsets<Win, KG> offsets;
  const im2col_phased_b<Win> b{img};
  for (index_t n = 0; n < N; ++n) {
    fill_phased_images<Win, C>(x + n * C * Win::h * Win::w, img);
    const sgemm::prepacked_a a{w, KG, M};
    const sgemm::bias_act_epilogue<Act> epi{bias, nullptr, nullptr, OH * OW, act};
    float *yn = y + n * M * POH * POW;
    parallel_for_indexed<1>(bands, [&](index_t t, index_t q0, index_t q1) {
      float *band = bandSpace + t * Band::floats;
      index_t have0 = 0, have1 = 0; // the convolution's rows in the band
      for (index_t p0 = q0 * PB; p0 < sgemm::min_of(POH, q1 * PB); p0 += PB) {
        const index_t p1 = sgemm::min_of(POH, p0 + PB);
        const index_t c0 = sgemm::clamp_of(p0 * PoolWin::sh - PoolWin::ph, 0, OH);
        const index_t c1 = sgemm::clamp_of(
            (p1 - 1) * PoolWin::sh - PoolWin::ph + (PoolWin::kh - 1) * PoolWin::dh + 1, 0, OH);
        // Row panel by row panel: a panel's channels pool while their
        // band rows are still in L1.
        const bool carry = have0 <= c0 && c0 < have1;
        const index_t from = carry ? have1 : c0;
        for (index_t i0 = 0; i0 < M; i0 += MR) {
          const index_t i1 = sgemm::min_of(M, i0 + MR);
          if (carry)
            for (index_t i = i0; i < i1; ++i)
              memmove(band + i * R * OW, band + (i * R + c0 - have0) * OW,
                      (have1 - c0) * OW * sizeof(float));
          phased_rows<Win, M, KG>(a, b, offsets.at, band, R * OW, c0, from, c1, i0, i1, epi);
          for (index_t i = i0; i < i1; ++i) {
            // The pool reads row ih of the convolution's plane at
            // plane + ih * OW: this band's rows c0..c1, offset to c0.
            const float *plane = band + i * R * OW - c0 * OW;
            float *yp = yn + i * POH * POW;
            if (all_finite(band + i * R * OW, (c1 - c0) * OW))
              for (index_t q = p0; q < p1; ++q)
                max_pool_row_stride2<false, PoolWin>(plane, yp + q * POW, q);
            else
              for (index_t q = p0; q < p1; ++q)
                max_pool_row_stride2<true, PoolWin>(plane, yp + q * POW, q);
          }
        }
        have0 = c0;
        have1 = c1;
      }
    });
  }
}

/// Max or average pooling over NC planes.
template <bool IsMax, bool CountPad, index_t NC, class Win,
          class PadEnd = symmetric_pad_end<Win>, class T>
void pool(const T *ONNXC_RESTRICT x, T *ONNXC_RESTRICT y) {
  if constexpr (Win::d == 1 && Win::kd == 1 && Win::od == 1) {
    if constexpr (IsMax && is_same_v<T, float> && Win::sw == 2 && Win::dw == 1 &&
                  Win::pw < simd::native::width) {
      max_pool2d_stride2<NC, Win>(x, y);
      return;
    }
    // Separable passes pay off on rows long enough to vectorize well.
    if constexpr (is_same_v<T, float> && Win::kh > 1 && Win::ow >= 16)
      pool2d_separable<IsMax, CountPad, NC, Win, PadEnd>(x, y);
    else
      pool2d<IsMax, CountPad, NC, Win, PadEnd>(x, y);
    return;
  }
  constexpr index_t inPlane = Win::d * Win::h * Win::w;
  constexpr index_t outPlane = Win::od * Win::oh * Win::ow;
  for (index_t p = 0; p < NC; ++p) {
    const T *xp = x + p * inPlane;
    T *yp = y + p * outPlane;
    for (index_t od = 0; od < Win::od; ++od)
      for (index_t oh = 0; oh < Win::oh; ++oh)
        for (index_t ow = 0; ow < Win::ow; ++ow) {
          compute_t<T> acc = IsMax ? compute_t<T>(-INFINITY) : compute_t<T>(0);
          index_t count = 0, padded = 0;
          for (index_t kd = 0; kd < Win::kd; ++kd) {
            index_t id = od * Win::sd + kd * Win::dd - Win::pd;
            for (index_t kh = 0; kh < Win::kh; ++kh) {
              index_t ih = oh * Win::sh + kh * Win::dh - Win::ph;
              for (index_t kw = 0; kw < Win::kw; ++kw) {
                index_t iw = ow * Win::sw + kw * Win::dw - Win::pw;
                bool inside = id >= 0 && id < Win::d && ih >= 0 &&
                              ih < Win::h && iw >= 0 && iw < Win::w;
                // Average with count_include_pad counts explicit padding
                // but not taps past it (ceil_mode overhang).
                bool inPadded = id >= -Win::pd && id < Win::d + PadEnd::d &&
                                ih >= -Win::ph && ih < Win::h + PadEnd::h &&
                                iw >= -Win::pw && iw < Win::w + PadEnd::w;
                if (inPadded)
                  ++padded;
                if (!inside)
                  continue;
                compute_t<T> v = load(xp[(id * Win::h + ih) * Win::w + iw]);
                if (IsMax)
                  acc = v > acc || v != v ? v : acc;
                else
                  acc += v;
                ++count;
              }
            }
          }
          if (!IsMax)
            acc = acc / compute_t<T>(CountPad ? padded : (count ? count : 1));
          yp[(od * Win::oh + oh) * Win::ow + ow] = store<T>(acc);
        }
  }
}

/// Average or max over each of NC planes of `Plane` elements. Float planes
/// are reduced in vector registers, four independent partial sums per lane
/// over whole groups of four vectors, so the sum is not one long chain of
/// dependent adds, then whole vectors, then single elements (a 7x7 plane:
/// 32 + 16 + 1). Planes split over the threads when there is enough work.
template <bool IsMax, index_t NC, index_t Plane, class T>
void global_pool(const T *ONNXC_RESTRICT x, T *ONNXC_RESTRICT y) {
  if constexpr (is_same_v<T, float> && !IsMax && Plane >= simd::native::width) {
    using V = simd::native;
    constexpr index_t W = V::width, U = 4, Step = W * U, Whole = Plane / Step * Step;
    constexpr index_t Vectors = Plane / W * W;
    auto planes = [&](index_t p0, index_t p1) {
      for (index_t p = p0; p < p1; ++p) {
        const float *xp = x + p * Plane;
        typename V::reg acc[U];
        for (index_t u = 0; u < U; ++u)
          acc[u] = V::zero();
        for (index_t i = 0; i < Whole; i += Step)
#pragma GCC unroll 4
          for (index_t u = 0; u < U; ++u)
            acc[u] = V::add(acc[u], V::load(xp + i + u * W));
#pragma GCC unroll 4
        for (index_t i = Whole; i < Vectors; i += W)
          acc[(i - Whole) / W] = V::add(acc[(i - Whole) / W], V::load(xp + i));
        float lanes[W];
        V::store(lanes, V::add(V::add(acc[0], acc[1]), V::add(acc[2], acc[3])));
        float sum = 0.0f;
        for (index_t l = 0; l < W; ++l)
          sum += lanes[l];
        for (index_t i = Vectors; i < Plane; ++i)
          sum += xp[i];
        y[p] = sum / float(Plane);
      }
    };
    if constexpr (ONNXC_THREADS > 1 && NC * Plane >= (index_t(1) << 15))
      parallel_for(NC, planes);
    else
      planes(0, NC);
    return;
  }
  for (index_t p = 0; p < NC; ++p) {
    const T *xp = x + p * Plane;
    compute_t<T> acc = IsMax ? compute_t<T>(-INFINITY) : compute_t<T>(0);
    for (index_t i = 0; i < Plane; ++i) {
      compute_t<T> v = load(xp[i]);
      if (IsMax)
        acc = v > acc ? v : acc;
      else
        acc += v;
    }
    y[p] = store<T>(IsMax ? acc : acc / compute_t<T>(Plane));
  }
}

ONNXC_NAMESPACE_END

#endif
