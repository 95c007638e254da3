//===- OnnxkDialect.cpp - onnxc's kernel-level ops -----------------------===//
#include "dialects/onnxk/OnnxkDialect.h"

using namespace mlir;
using namespace onnxc::onnxk;

#include "dialects/onnxk/OnnxkDialect.cpp.inc"

void OnnxkDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/onnxk/OnnxkOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/onnxk/OnnxkOps.cpp.inc"
