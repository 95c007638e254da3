//===- GraphDot.h - a graph for Graphviz ----------------------------------===//
#ifndef ONNXC_COMPILER_GRAPHDOT_H
#define ONNXC_COMPILER_GRAPHDOT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

namespace onnxc {

/// Writes `func`'s graph in Graphviz's dot language: one box per op (type,
/// node name, first result's type), the graph's inputs and outputs as
/// ellipses, constants left out.
void writeGraphDot(mlir::func::FuncOp func, llvm::raw_ostream &os);

} // namespace onnxc

#endif
