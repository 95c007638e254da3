//===- KernelLowering.h - onnx ops to kernel template calls --------------===//
//
// Each op lowers to one or more calls of a template in templates/onnxc,
// instantiated on the op's static shapes and attributes. A lowering rule
// fills `KernelCall`s with the callee (template arguments included) and the
// C++ argument expressions, which name planned buffers.
//
//===----------------------------------------------------------------------===//
#ifndef ONNXC_CODEGEN_CPP_KERNELLOWERING_H
#define ONNXC_CODEGEN_CPP_KERNELLOWERING_H

#include "compiler/Diagnostics.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <functional>
#include <string>
#include <vector>

namespace onnxc {

/// Rows and columns of an SGEMM micro-kernel tile (templates/onnxc/simd.h).
struct SgemmTile {
  int64_t rows = 0, cols = 0;
};

struct KernelCall {
  std::string callee;
  std::vector<std::string> args;
};

/// What a rule can ask of the lowering pass.
class LoweringContext {
public:
  virtual ~LoweringContext() = default;
  /// C++ expression of the buffer holding `v` (`nullptr` for an absent
  /// value), typed as a pointer to its element type.
  virtual std::string buffer(mlir::Value v) = 0;
  /// A weights-blob constant made at compile time (e.g. a transposed weight).
  virtual std::string newConstant(mlir::DenseElementsAttr value,
                                  llvm::StringRef hint) = 0;
  /// C++ expression of the op's scratch buffer (see scratchBytes).
  virtual std::string scratch(mlir::Operation *op, mlir::Type elementType) = 0;
  /// The target's SGEMM micro-kernel tile, which weights are packed for at
  /// compile time; 0 x 0 leaves weights as ONNX stores them.
  virtual SgemmTile sgemmTile() const = 0;
  /// Threads the generated code splits work over (--threads).
  virtual int threads() const = 0;
  /// Whether `part` was planned as a slice of `whole` (a Concat input its
  /// producer already wrote in place), so nothing needs copying.
  virtual bool writtenInPlace(mlir::Value part, mlir::Value whole) const = 0;

  /// The buffer of an optional operand, or a null pointer of its element
  /// type when the operand is absent (kernels take typed pointers).
  std::string optionalInput(mlir::Value v, mlir::Type elementType);
  /// The same for an optional result.
  std::string optionalOutput(mlir::Value v, mlir::Type elementType);
};

using LoweringRule = std::function<mlir::LogicalResult(
    mlir::Operation *, LoweringContext &, std::vector<KernelCall> &)>;

/// The rule for `op`, or null when the op is not supported yet.
const LoweringRule *lookupLoweringRule(mlir::Operation *op);

/// Every rule, keyed by ONNX op type (without the "onnx." prefix).
const llvm::StringMap<LoweringRule> &loweringRules();

/// Temporary bytes `op`'s kernel needs in the arena when the model runs on
/// `threads` threads.
int64_t scratchBytes(mlir::Operation *op, int threads, const SgemmTile &tile);
/// The same for convolutions and matrix products (NNRules.cpp).
int64_t nnScratchBytes(mlir::Operation *op, int threads, const SgemmTile &tile);
/// Floats of packing scratch of one SGEMM: sgemm_blocking::scratch_floats
/// (templates/onnxc/sgemm_blocking.h) for a packed B, which also covers a B
/// read in place's last panel. `packA` false where A comes pre-packed (a
/// convolution's constant weights), which on one thread packs B one panel
/// at a time; `threaded` false where the product runs on its caller's
/// thread alone (Winograd's), which never splits A's rows.
int64_t sgemmScratchFloats(int64_t m, int64_t n, int64_t k, int threads, bool packA = true,
                           bool threaded = true);

// Shared formatting helpers for rules (nodeName: compiler/Diagnostics.h).
std::string cType(mlir::Type elementType);
std::string dimsOf(llvm::ArrayRef<int64_t> shape);
std::string dimsOf(mlir::Value v);
std::string floatLiteral(double v);
mlir::RankedTensorType tensorType(mlir::Value v);

/// Element counts before and after `axis` of `t`: kernels view a tensor as
/// [outer, dim(axis), inner].
struct AxisSplit {
  int64_t outer = 1, inner = 1;
};
AxisSplit splitAtAxis(mlir::RankedTensorType t, int64_t axis);

/// Rule tables, one per family.
void addElementwiseRules(llvm::StringMap<LoweringRule> &rules);
void addTensorRules(llvm::StringMap<LoweringRule> &rules);
void addNNRules(llvm::StringMap<LoweringRule> &rules);

} // namespace onnxc

#endif
