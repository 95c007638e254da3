//===- ConstantHelpers.h - creating and reading onnx.Constant ------------===//
#ifndef ONNXC_COMPILER_PASSES_CONSTANTHELPERS_H
#define ONNXC_COMPILER_PASSES_CONSTANTHELPERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include <vector>

namespace onnxc {

/// An onnx.Constant holding `value`.
mlir::Value createConstant(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::DenseElementsAttr value);

/// Float contents of a float constant as doubles (null attr: nullopt).
std::optional<std::vector<double>> floatValues(mlir::DenseElementsAttr attr);

/// A dense attribute of float `type` from doubles.
mlir::DenseElementsAttr floatAttr(mlir::RankedTensorType type,
                                  llvm::ArrayRef<double> values);

} // namespace onnxc

#endif
