// How a Winograd F(Out x Out, 3x3) convolution blocks its tile rows, and
// the scratch that takes, in one place for both sides: the kernels
// (winograd.h, on ONNXC_THREADS threads) and the compiler, which reserves
// each node's scratch. Plain constexpr arithmetic with the output tile and
// the thread count as arguments, like sgemm_blocking.h.
#ifndef ONNXC_TEMPLATES_WINOGRAD_BLOCKING_H
#define ONNXC_TEMPLATES_WINOGRAD_BLOCKING_H

#include "onnxc/sgemm_blocking.h"

namespace onnxc {
namespace winograd_blocking {

using index_t = ptrdiff_t;

/// A^2, the products of F(out x out, 3x3): one per point of an A x A patch.
constexpr index_t xis(index_t out) { return (out + 2) * (out + 2); }

/// Tiles along a dimension of n outputs.
constexpr index_t tiles_along(index_t n, index_t out) { return (n + out - 1) / out; }

/// Tile rows per block: the convolution runs a block of tile rows at a
/// time (input transform, A^2 products, output transform) so that the
/// block's V and M stay in L2 between being written and read; whole images'
/// V and M (3 MB each for 56 x 56 x 64) spill to L3, whose bandwidth the
/// transforms then wait on (resnet18's 56 x 56 x 64, best of four runs:
/// 1830 -> 1100 us on one thread, 940 -> 570 us on two).
/// Each block reads all of U again, so weights larger than a block take
/// the whole image at once (256 x 256: 4 MB, 1200 -> 1900 us in blocks);
/// so do images whose V and M are a few blocks' worth, where the blocks'
/// narrower products and partial last panels cost more than the spill
/// (27 x 27 x 32 -> 128: 292 -> 330 us in blocks).
constexpr index_t block_bytes = 512 * 1024;
constexpr index_t block_tile_rows(index_t out, index_t c, index_t m, index_t oh, index_t ow) {
  const index_t th = tiles_along(oh, out), tw = tiles_along(ow, out);
  const index_t uBytes = xis(out) * c * m * index_t(sizeof(float));
  const index_t rowBytes = xis(out) * (c + m) * tw * index_t(sizeof(float));
  if (uBytes > block_bytes || th * rowBytes <= 4 * block_bytes)
    return th;
  const index_t r = block_bytes / rowBytes;
  return r < 1 ? 1 : r > th ? th : r;
}

/// Whether threads take whole blocks each (V, M and the products of a
/// block all on one core) rather than sharing every block: shared, each
/// block's V and M cross between the cores' caches twice, which on two
/// threads cost as much as the second thread saved.
constexpr bool blocks_per_thread(index_t out, index_t c, index_t m, index_t oh, index_t ow,
                                 int threads) {
  const index_t th = tiles_along(oh, out), tb = block_tile_rows(out, c, m, oh, ow);
  return threads > 1 && (th + tb - 1) / tb >= 2 * threads;
}

/// Tiles of a block: its tile rows, whole.
constexpr index_t block_tiles(index_t out, index_t c, index_t m, index_t oh, index_t ow) {
  return block_tile_rows(out, c, m, oh, ow) * tiles_along(ow, out);
}

/// Floats of one block's V and M, [A^2][C + M][block tiles].
constexpr index_t block_floats(index_t out, index_t c, index_t m, index_t oh, index_t ow) {
  return xis(out) * (c + m) * block_tiles(out, c, m, oh, ow);
}

/// Floats of each product's packing space: B packed at run time, on the
/// calling thread alone.
constexpr index_t pack_floats(index_t out, index_t c, index_t m, index_t oh, index_t ow,
                              int threads) {
  return sgemm_blocking::scratch_floats(m, block_tiles(out, c, m, oh, ow), c, false, true, false,
                                        threads);
}

/// Floats of scratch: a block's V and M (one per thread when
/// blocks_per_thread), then each thread's packing space.
constexpr index_t scratch_floats(index_t out, index_t c, index_t m, index_t oh, index_t ow,
                                 int threads) {
  const index_t blocks = blocks_per_thread(out, c, m, oh, ow, threads) ? threads : 1;
  return blocks * block_floats(out, c, m, oh, ow) +
         threads * pack_floats(out, c, m, oh, ow, threads);
}

} // namespace winograd_blocking
} // namespace onnxc

#endif // ONNXC_TEMPLATES_WINOGRAD_BLOCKING_H
