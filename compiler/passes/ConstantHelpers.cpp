//===- ConstantHelpers.cpp - creating and reading onnx.Constant ----------===//
#include "compiler/passes/ConstantHelpers.h"

#include "dialects/onnx/OnnxDialect.h"

using namespace mlir;

Value onnxc::createConstant(OpBuilder &builder, Location loc,
                            DenseElementsAttr value) {
  OperationState state(loc, onnx::ConstantOp::getOperationName());
  state.addAttribute("value", value);
  state.addTypes(value.getType());
  return builder.create(state)->getResult(0);
}

std::optional<std::vector<double>> onnxc::floatValues(DenseElementsAttr attr) {
  if (!attr || !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  std::vector<double> out;
  out.reserve(attr.getNumElements());
  for (const APFloat &f : attr.getValues<APFloat>())
    out.push_back(f.convertToDouble());
  return out;
}

DenseElementsAttr onnxc::floatAttr(RankedTensorType type, ArrayRef<double> values) {
  auto ft = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> items;
  items.reserve(values.size());
  for (double v : values) {
    APFloat f(v);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    items.push_back(f);
  }
  return DenseElementsAttr::get(type, items);
}
