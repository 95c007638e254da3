//===- MemoryPlanner.h - one arena for all activations -------------------===//
//
// Every activation lives in one caller-provided arena. Tensors whose
// lifetimes do not overlap share bytes: buffers are placed greedily by size
// (largest first, lowest free offset), the approach of TFLite's planner.
// View ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout) alias
// their input and cost nothing. A Concat's inputs that nothing else reads
// are slices of its result: their producers write there and nothing is
// copied. Graph outputs are written in place into the caller's output
// buffers.
//
//===----------------------------------------------------------------------===//
#ifndef ONNXC_CODEGEN_CPP_MEMORYPLANNER_H
#define ONNXC_CODEGEN_CPP_MEMORYPLANNER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include <functional>
#include <vector>

namespace onnxc {

constexpr int64_t kBufferAlign = 64;

struct BufferRef {
  enum Kind { Arena, Input, Output, Constant } kind = Arena;
  int64_t offset = 0; ///< bytes into the arena (Arena)
  int index = 0;      ///< input or output number (Input, Output)
  mlir::Value root;   ///< the value owning the bytes (views point to it)
  /// A slice of root's elements starting `within` elements in (a Concat
  /// input written in place), rather than a view of all of them.
  bool part = false;
  int64_t within = 0;
};

/// Where one arena buffer went: an op result's own bytes (root) or an op's
/// scratch (scratchOp), live from program step `first` to `last` (the op
/// numbers in the graph's block; the graph's return is one past the last).
struct ArenaPlacement {
  mlir::Value root;
  mlir::Operation *scratchOp = nullptr;
  int64_t offset = 0, bytes = 0, first = 0, last = 0;
};

struct MemoryPlan {
  llvm::DenseMap<mlir::Value, BufferRef> buffers;
  /// Scratch space an op needs while it runs, at this arena offset.
  llvm::DenseMap<mlir::Operation *, int64_t> scratch;
  /// Graph outputs that must be copied at the end: (value, output index).
  llvm::SmallVector<std::pair<mlir::Value, int>> outputCopies;
  /// Every arena buffer, by first step (for the memory map).
  std::vector<ArenaPlacement> placements;
  int64_t arenaBytes = 0;
  /// Sum of every arena tensor's size, as if none shared bytes.
  int64_t unsharedBytes = 0;
};

/// True for ops whose result reuses its first operand's bytes.
bool isViewOp(mlir::Operation *op);

/// Bytes of a statically shaped tensor type.
int64_t tensorBytes(mlir::Type type);

/// Plans `func`, whose shapes must all be static. `scratchBytes` says how
/// much temporary space an op's kernel needs (0 for most).
MemoryPlan planMemory(mlir::func::FuncOp func,
                      const std::function<int64_t(mlir::Operation *)> &scratchBytes);

} // namespace onnxc

#endif
