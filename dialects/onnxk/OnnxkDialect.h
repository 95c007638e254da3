//===- OnnxkDialect.h - onnxc's kernel-level ops -------------------------===//
#ifndef ONNXC_DIALECTS_ONNXK_ONNXKDIALECT_H
#define ONNXC_DIALECTS_ONNXK_ONNXKDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/IR/RegionKindInterface.h"

#include "dialects/onnxk/OnnxkDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/onnxk/OnnxkOps.h.inc"

#endif
