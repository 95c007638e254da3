//===- Passes.h - onnxc's passes over the onnx dialect -------------------===//
#ifndef ONNXC_COMPILER_PASSES_PASSES_H
#define ONNXC_COMPILER_PASSES_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "dialects/onnxk/OnnxkDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace onnxc {

#define GEN_PASS_DECL
#include "compiler/passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/passes/Passes.h.inc"


} // namespace onnxc

#endif
