//===- OnnxDialect.cpp - the onnx dialect --------------------------------===//
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace onnxc::onnx;

#include "dialects/onnx/OnnxDialect.cpp.inc"
#include "dialects/onnx/ShapeInferenceInterface.cpp.inc"

void OnnxDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/onnx/OnnxOps.cpp.inc"
      >();
}

Operation *OnnxDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  if (isa<NoneType>(type))
    return NoValueOp::create(builder, loc);
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements)
    return nullptr;
  OperationState state(loc, ConstantOp::getOperationName());
  state.addAttribute("value", elements);
  state.addTypes(type);
  return builder.create(state);
}

OpFoldResult NoValueOp::fold(FoldAdaptor) { return UnitAttr::get(getContext()); }

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.cpp.inc"
