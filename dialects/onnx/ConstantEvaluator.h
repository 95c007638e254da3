//===- ConstantEvaluator.h - evaluate onnx ops on constant operands ------===//
//
// A small reference evaluator used at compile time: once every operand of
// an op is an onnx.Constant, its result can often be computed here and
// stored as a constant. Values are held as int64 (integer and bool
// results) or double (float results).
//
//===----------------------------------------------------------------------===//
#ifndef ONNXC_DIALECTS_ONNX_CONSTANTEVALUATOR_H
#define ONNXC_DIALECTS_ONNX_CONSTANTEVALUATOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace onnxc {

/// The value of `op`'s single result if every operand is a constant (or the
/// op only reads static shapes), the op is one the evaluator knows and the
/// result holds at most `maxElements` elements; null otherwise.
mlir::DenseElementsAttr evaluateConstantOp(mlir::Operation *op,
                                           int64_t maxElements);

/// Evaluates `op` when all its operands are constants and its result is a
/// small integer tensor (the shape arithmetic exporters emit). Returns null
/// when it does not apply.
mlir::DenseElementsAttr foldShapeComputation(mlir::Operation *op);

} // namespace onnxc

#endif
