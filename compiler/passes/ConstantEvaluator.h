//===- ConstantEvaluator.h - evaluate onnx ops on constant operands ------===//
//
// A small reference evaluator used at compile time: once every operand of
// an op is an onnx.Constant, its result can often be computed here and
// stored as a constant. Values are held as int64 (integer and bool
// results) or double (float results).
//
//===----------------------------------------------------------------------===//
#ifndef ONNXC_COMPILER_PASSES_CONSTANTEVALUATOR_H
#define ONNXC_COMPILER_PASSES_CONSTANTEVALUATOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace onnxc {

/// The value of `op`'s single result if every operand is a constant (or the
/// op only reads static shapes), the op is one the evaluator knows and the
/// result holds at most `maxElements` elements; null otherwise.
mlir::DenseElementsAttr evaluateConstantOp(mlir::Operation *op,
                                           int64_t maxElements);

} // namespace onnxc

#endif
