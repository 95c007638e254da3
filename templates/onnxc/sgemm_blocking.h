// The SGEMM's blocking, and the scratch its run-time packing takes, in one
// place for both sides: the kernels (sgemm.h, on ONNXC_THREADS threads) and
// the compiler, which lays pre-packed weights out in block_depth's K blocks
// and reserves each node's scratch. When the two copied these constants by
// hand, a change to KC on one side alone would have left weights packed in
// blocks the kernel does not read: wrong results, not a build error.
//
// Plain constexpr arithmetic with the thread count as an argument, and no
// dependence on the target: sizes use the largest tile of any ISA.
#ifndef ONNXC_TEMPLATES_SGEMM_BLOCKING_H
#define ONNXC_TEMPLATES_SGEMM_BLOCKING_H

#include <stddef.h>

namespace onnxc {
namespace sgemm_blocking {

using index_t = ptrdiff_t;

constexpr index_t KC = 256; // depth of a block: an NR x KC B panel fits L1
constexpr index_t MC = 120; // rows of an A block: MC x KC fits L2
/// Rows of the blocks of an A packed at run time (an activation as A) of
/// more than MC rows: on Zen 3, one thread, blocks of 120 rows ran 1024^3
/// at 68-71 GFLOP/s, blocks of 48 at 73-79 (interleaved runs, paired 1.05;
/// 2048^3 1.08; products 256 to 768 wide within noise either way). Up to
/// MC rows stay one block (an LSTM's 50 steps would be 48 + 2), and
/// pre-packed weights keep MC: the models' layers were tuned with it.
constexpr index_t MC_RUNTIME_A = 48;
constexpr index_t NC = 2048; // columns of a B block

// The compiler sizes scratch without knowing the ISA, so it uses the
// largest tile of any ISA; these must stay >= every V::mr and NR.
constexpr index_t max_mr = 8, max_nr = 32;

constexpr index_t round_up(index_t v, index_t m) { return (v + m - 1) / m * m; }
constexpr index_t min_of(index_t a, index_t b) { return a < b ? a : b; }
constexpr index_t clamp_of(index_t v, index_t lo, index_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/// Rows of each block of an A of M rows packed at run time.
constexpr index_t runtime_a_block_rows(index_t M) { return M <= MC ? M : MC_RUNTIME_A; }

/// Depth of each of the equal K blocks (at most KC): also the layout of a
/// pre-packed operand, K block by K block.
constexpr index_t block_depth(index_t K) {
  index_t blocks = (K + KC - 1) / KC;
  return blocks ? (K + blocks - 1) / blocks : 1;
}

/// Whether a product packs B one panel at a time, right before that
/// panel's tiles: on one thread, with A already packed (weights) and all of
/// A's rows in one block, nothing reads a packed panel again after its
/// tiles. A whole block of B packed first takes more memory (LeNet's second
/// convolution: 79 KB of scratch instead of 19 KB) and, for a wide B, a
/// round trip through L2 that can cost more than the product (squeezenet1_1's
/// 16 x 3025 x 128 squeeze in the model, one thread: 164 -> 116 us).
constexpr bool packs_by_panel(index_t M, bool packA, bool packB, int threads) {
  return packB && !packA && M <= MC && threads == 1;
}

/// Whether threads may split a product by A's rows, each packing all of B
/// for itself: weights as A and at most half as many columns as rows (a
/// small image's convolution), where a column split would stream all of
/// the weights through every core. (The driver also wants enough row
/// panels.) Fewer columns than rows is where each core reads less, but
/// squeezenet1_1's 13 x 13 expansions (169 columns, 192 or 256 rows)
/// gained nothing and the layers after them lost 10-20%.
constexpr bool may_split_rows(index_t M, index_t N, bool packA, bool packB, int threads) {
  return threads > 1 && !packA && packB && 2 * N <= M && N <= NC;
}

/// Floats of scratch the split by A's rows takes: per thread, all of B
/// packed one K block deep (packs), or a B read in place's narrow last
/// panel.
constexpr index_t split_rows_floats(index_t N, index_t K, bool packs, int threads) {
  return threads * min_of(K, KC) * (packs ? round_up(N, max_nr) : max_nr);
}

/// Floats of scratch B's packing takes: one panel (packs_by_panel), or B's
/// columns plus a panel's slack per thread (threads may each start their
/// panels mid-way), or a whole B per thread (may_split_rows, unless the
/// product runs on its caller's thread alone: `threaded` false).
constexpr index_t b_floats(index_t M, index_t N, index_t K, bool packA, bool packB, bool threaded,
                           int threads) {
  index_t kc = min_of(K, KC);
  if (!packB)
    return 0;
  if (packs_by_panel(M, packA, packB, threads))
    return kc * max_nr;
  index_t shared = kc * (min_of(N, NC) + max_nr * threads);
  index_t own = split_rows_floats(N, K, true, threads);
  return threaded && may_split_rows(M, N, packA, packB, threads) && own > shared ? own : shared;
}

/// Floats of scratch a product needs for its run-time packing: B's
/// (b_floats), then A's rows.
constexpr index_t scratch_floats(index_t M, index_t N, index_t K, bool packA, bool packB,
                                 bool threaded, int threads) {
  return b_floats(M, N, K, packA, packB, threaded, threads) +
         (packA ? (runtime_a_block_rows(M) + max_mr) * min_of(K, KC) : 0);
}

/// Floats of scratch the split by K takes: the partial products of all
/// threads but the first, then per thread one K block of B packed (or a
/// strided B's narrow last panel).
constexpr index_t k_split_floats(index_t M, index_t N, index_t K, int threads) {
  return (threads - 1) * M * N + threads * min_of(K, KC) * round_up(N, max_nr);
}

} // namespace sgemm_blocking
} // namespace onnxc

#endif
