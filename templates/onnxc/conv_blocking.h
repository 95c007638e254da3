// Which convolutions conv.h reads from phase-split images or a whole
// im2col matrix, and the scratch past the images, in one place for both
// sides: the kernels (conv.h, on ONNXC_THREADS threads) and the compiler,
// which reserves them in each node's scratch. Plain constexpr arithmetic
// with the thread count as an argument.
#ifndef ONNXC_TEMPLATES_CONV_BLOCKING_H
#define ONNXC_TEMPLATES_CONV_BLOCKING_H

#include <stddef.h>

namespace onnxc {
namespace conv_blocking {

using index_t = ptrdiff_t;

/// Whether phased_rows_gemm splits a product's output rows (M x OHW x K)
/// over the threads (below, waking them costs more than they take off).
constexpr bool phased_rows_split(index_t m, index_t ohw, index_t k, index_t threads) {
  return threads > 1 && (m * k) * ohw >= (index_t(1) << 22);
}

/// A strided convolution of more than one tap over few channels x taps
/// (K), whose strided gathers of plain im2col would cost about as much as
/// the product (a network's first layer, up to a 7x7 window over three
/// channels: resnet18's 64 x 12544 x 147, 2300 -> 1910 us on one thread).
/// Not for one tap: a strided 1x1 reads a quarter of its input, which
/// splitting whole images would copy all of (resnet18's downsampling
/// 64 -> 128 x 784: 175 -> 129 us).
constexpr bool phased_few_taps(bool strided, index_t taps, index_t k) {
  return strided && taps > 1 && k <= 160;
}

/// Whether a convolution's SGEMM (M x OHW x K per group) reads phase-split
/// images: few channels x taps (above), or few output channels, whose A
/// panels are too few to repay packing B from the image (3x3 stride 2,
/// weights pre-packed, one thread: 32 x 784 x 288 300 vs 356 us, 48 x 196
/// x 576 159 vs 238, 32 x 49 x 2304 183 vs 219; with 64 output channels it
/// still won 0.71-1.02, with 128 it lost 0.91-1.23). On threads only where
/// the rows split: the images of one thread's rows were then filled by
/// both (two threads, 40 x 81 x 216 and 32 x 49 x 2304: 12% and 11%
/// slower).
constexpr bool phased_images(bool strided, index_t taps, index_t m, index_t ohw, index_t k,
                             index_t threads) {
  return phased_few_taps(strided, taps, k) ||
         (strided && taps > 1 && m <= 48 &&
          (threads == 1 || phased_rows_split(m, ohw, k, threads)));
}

/// Floats past a convolution's last phase-split image (kw taps, dilation
/// dw, panels of nr columns) that a partial last panel's loads reach: up
/// to a panel past its row's last tap.
constexpr index_t phased_slack(index_t kw, index_t dw, index_t nr) { return kw * dw + nr; }

/// Whether a convolution's SGEMM (K x OHW per group, output rows `ow`
/// wide) reads B from a whole im2col matrix written beforehand (up to
/// 128 KB) in place: unstrided windows of more than one tap whose output
/// rows are narrower than a panel of `nr` columns (0: the tile is not
/// known, any width counts), so that packing would copy runs of a few
/// floats at a time (LeNet's convolutions, one thread: 6 x 784 x 25 9.0 ->
/// 4.3 us, 16 x 100 x 150 13.2 -> 6.0 us; with the matrix packed again,
/// 11.7).
constexpr bool whole_im2col(bool unstrided, index_t taps, index_t ow, index_t nr, index_t k,
                            index_t ohw) {
  return unstrided && taps > 1 && (nr == 0 || ow < nr) && k * ohw <= 32768;
}

} // namespace conv_blocking
} // namespace onnxc

#endif // ONNXC_TEMPLATES_CONV_BLOCKING_H
