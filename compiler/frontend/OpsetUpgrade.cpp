//===- OpsetUpgrade.cpp - older operator versions to the newest form -----===//
#include "compiler/frontend/OpsetUpgrade.h"

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace {

/// Helpers over a node's attribute list.
struct NodeEditor {
  onnxc::ImportedNode &node;
  OpBuilder &builder;
  Location loc;

  Attribute take(StringRef name) {
    for (auto *it = node.attributes.begin(); it != node.attributes.end(); ++it)
      if (it->getName() == name) {
        Attribute value = it->getValue();
        node.attributes.erase(it);
        return value;
      }
    return nullptr;
  }
  bool has(StringRef name) {
    for (NamedAttribute &a : node.attributes)
      if (a.getName() == name)
        return true;
    return false;
  }

  Value constant(DenseElementsAttr value) {
    OperationState state(loc, onnxc::onnx::ConstantOp::getOperationName());
    state.addAttribute("value", value);
    state.addTypes(value.getType());
    return builder.create(state)->getResult(0);
  }

  /// An i64 array attribute as a 1-D int64 constant operand.
  Value intsOperand(Attribute attr) {
    SmallVector<int64_t> values;
    for (Attribute a : cast<ArrayAttr>(attr))
      values.push_back(cast<IntegerAttr>(a).getInt());
    auto type = RankedTensorType::get({int64_t(values.size())},
                                      builder.getIntegerType(64));
    return constant(DenseElementsAttr::get(type, ArrayRef<int64_t>(values)));
  }

  /// A float attribute as a scalar constant of `elementType`.
  Value scalarOperand(Attribute attr, Type elementType) {
    double v = cast<FloatAttr>(attr).getValueAsDouble();
    auto type = RankedTensorType::get({}, elementType);
    if (auto ft = dyn_cast<FloatType>(elementType)) {
      APFloat value(v);
      bool lost;
      value.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      return constant(DenseElementsAttr::get(type, value));
    }
    return constant(DenseElementsAttr::get(
        type, APInt(elementType.getIntOrFloatBitWidth(), int64_t(v), true)));
  }

  void setInput(unsigned index, Value value) {
    if (node.inputs.size() <= index)
      node.inputs.resize(index + 1);
    node.inputs[index] = value;
  }
};

Type elementTypeOf(Value v) {
  if (auto shaped = dyn_cast<ShapedType>(v.getType()))
    return shaped.getElementType();
  return nullptr;
}

} // namespace

LogicalResult onnxc::upgradeNode(ImportedNode &node, OpBuilder &builder,
                                 Location loc, std::string &error) {
  NodeEditor ed{node, builder, loc};
  StringRef op = node.opType;
  int v = node.version;

  // Attributes that became inputs.
  auto attrToInput = [&](StringRef attr, unsigned index) {
    if (Attribute a = ed.take(attr))
      ed.setInput(index, ed.intsOperand(a));
  };

  if (op == "Slice" && v < 10) {
    attrToInput("starts", 1);
    attrToInput("ends", 2);
    attrToInput("axes", 3);
  } else if ((op == "Squeeze" || op == "Unsqueeze") && v < 13) {
    attrToInput("axes", 1);
  } else if (op == "Split" && v < 13) {
    attrToInput("split", 1);
  } else if (op == "ReduceSum" && v < 13) {
    attrToInput("axes", 1);
  } else if (op.starts_with("Reduce") && op != "ReduceSum" && v < 18) {
    attrToInput("axes", 1);
  } else if (op == "TopK" && v < 10) {
    attrToInput("k", 1);
  } else if (op == "Pad" && v < 11) {
    Attribute pads = ed.take("pads");
    Attribute value = ed.take("value");
    if (pads)
      ed.setInput(1, ed.intsOperand(pads));
    if (value && !node.inputs.empty() && node.inputs[0])
      ed.setInput(2, ed.scalarOperand(value, elementTypeOf(node.inputs[0])));
  } else if (op == "Clip" && v < 11) {
    Type t = node.inputs.empty() || !node.inputs[0] ? nullptr
                                                    : elementTypeOf(node.inputs[0]);
    Attribute minA = ed.take("min"), maxA = ed.take("max");
    if (t && minA)
      ed.setInput(1, ed.scalarOperand(minA, t));
    if (t && maxA)
      ed.setInput(2, ed.scalarOperand(maxA, t));
  } else if (op == "Dropout" && v < 12) {
    ed.take("is_test");
    if (Attribute ratio = ed.take("ratio"))
      ed.setInput(1, ed.scalarOperand(ratio, builder.getF32Type()));
  } else if (op == "Resize" && v < 11) {
    // Resize-10: (X, scales) -> (X, roi, scales).
    if (node.inputs.size() >= 2) {
      Value scales = node.inputs[1];
      node.inputs[1] = Value();
      ed.setInput(2, scales);
    }
  } else if (op == "BatchNormalization" && v < 9) {
    if (Attribute spatial = ed.take("spatial"))
      if (cast<IntegerAttr>(spatial).getInt() != 1) {
        error = "BatchNormalization with spatial=0 is not supported";
        return failure();
      }
  } else if ((op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") &&
             v < 13) {
    // Before opset 13 these flatten the input to 2-D at `axis` (default 1).
    if (!ed.has("axis"))
      node.attributes.push_back(
          builder.getNamedAttr("axis", builder.getI64IntegerAttr(1)));
    node.attributes.push_back(
        builder.getNamedAttr("onnxc.coerce_2d", builder.getUnitAttr()));
  }
  // Attributes an older version had and the newest dropped, with no effect
  // in inference.
  if (op == "BatchNormalization" || op == "Dropout" ||
      op == "InstanceNormalization")
    ed.take("is_test");
  if (op == "BatchNormalization")
    ed.take("consumed_inputs");
  return success();
}
