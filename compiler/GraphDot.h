//===- GraphDot.h - a graph for Graphviz ----------------------------------===//
#ifndef ONNXC_COMPILER_GRAPHDOT_H
#define ONNXC_COMPILER_GRAPHDOT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

namespace onnxc {

/// A tensor type as `f32 [1x3x224x224]`: dynamic dims by their names in
/// `dimParams` (the importer's onnx.dim_params), else `?`.
std::string tensorTypeText(mlir::Type t, mlir::ArrayAttr dimParams = {});

/// Writes `func`'s graph in Graphviz's dot language: one box per op (type,
/// node name, first result's type), the graph's inputs and outputs as
/// ellipses, constants left out.
void writeGraphDot(mlir::func::FuncOp func, llvm::raw_ostream &os);

} // namespace onnxc

#endif
