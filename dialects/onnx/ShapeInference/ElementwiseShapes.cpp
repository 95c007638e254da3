//===- ElementwiseShapes.cpp - unary, broadcasting and cast ops ----------===//
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace onnxc;

namespace {

/// Result 0 has the shape and type of operand 0.
LogicalResult sameAsInput(Operation *op) {
  Value in = op->getOperand(0);
  auto t = rankedType(in);
  setResult(op, 0, t ? std::optional<ArrayRef<int64_t>>(t.getShape()) : std::nullopt,
            elementType(in));
  return success();
}

/// Result 0 has the shape of operand 0 and element type i1.
LogicalResult sameShapeBool(Operation *op) {
  Value in = op->getOperand(0);
  auto t = rankedType(in);
  setResult(op, 0, t ? std::optional<ArrayRef<int64_t>>(t.getShape()) : std::nullopt,
            IntegerType::get(op->getContext(), 1));
  return success();
}

LogicalResult broadcastResult(Operation *op, ValueRange inputs, Type element) {
  SmallVector<Shape> shapes;
  for (Value v : inputs) {
    auto t = rankedType(v);
    if (!t) {
      setUnranked(op, 0, element);
      return success();
    }
    shapes.emplace_back(t.getShape().begin(), t.getShape().end());
  }
  Shape out;
  if (failed(broadcastShapes(shapes, out))) {
    auto diag = op->emitError() << "operand shapes cannot be broadcast together:";
    for (Value v : inputs)
      diag << " " << v.getType();
    return diag;
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult broadcastSameType(Operation *op) {
  return broadcastResult(op, op->getOperands(), elementType(op->getOperand(0)));
}

LogicalResult broadcastBool(Operation *op) {
  return broadcastResult(op, op->getOperands(),
                         IntegerType::get(op->getContext(), 1));
}

LogicalResult whereShape(Operation *op) {
  return broadcastResult(op, op->getOperands(), elementType(op->getOperand(1)));
}

LogicalResult castShape(Operation *op) {
  auto to = op->getAttrOfType<IntegerAttr>("to");
  if (!to)
    return op->emitError() << "missing attribute \"to\"";
  Type element;
  Builder b(op->getContext());
  switch (to.getInt()) {
  case 1: element = b.getF32Type(); break;
  case 2: element = b.getIntegerType(8, false); break;
  case 3: element = b.getIntegerType(8); break;
  case 4: element = b.getIntegerType(16, false); break;
  case 5: element = b.getIntegerType(16); break;
  case 6: element = b.getIntegerType(32); break;
  case 7: element = b.getIntegerType(64); break;
  case 9: element = b.getI1Type(); break;
  case 10: element = b.getF16Type(); break;
  case 11: element = b.getF64Type(); break;
  case 12: element = b.getIntegerType(32, false); break;
  case 13: element = b.getIntegerType(64, false); break;
  case 16: element = b.getBF16Type(); break;
  default:
    return op->emitError() << "not supported yet: cast to ONNX data type "
                           << to.getInt();
  }
  auto t = rankedType(op->getOperand(0));
  setResult(op, 0, t ? std::optional<ArrayRef<int64_t>>(t.getShape()) : std::nullopt,
            element);
  return success();
}

LogicalResult castLikeShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  setResult(op, 0, t ? std::optional<ArrayRef<int64_t>>(t.getShape()) : std::nullopt,
            elementType(op->getOperand(1)));
  return success();
}

/// Dropout: output like the input, optional mask of bools.
LogicalResult dropoutShape(Operation *op) {
  (void)sameAsInput(op);
  if (op->getNumResults() > 1 && !isa<NoneType>(op->getResult(1).getType())) {
    auto t = rankedType(op->getOperand(0));
    setResult(op, 1, t ? std::optional<ArrayRef<int64_t>>(t.getShape()) : std::nullopt,
              IntegerType::get(op->getContext(), 1));
  }
  return success();
}

} // namespace

void onnxc::registerElementwiseShapes(MLIRContext *ctx) {
  attachShapeFn(ctx,
                {"Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh",
                 "Ceil", "Celu", "Clip", "Cos", "Cosh", "Elu", "Erf", "Exp",
                 "Floor", "Gelu", "HardSigmoid", "HardSwish", "Hardmax",
                 "Identity", "LeakyRelu", "Log", "LogSoftmax", "Mish", "Neg",
                 "Reciprocal", "Relu", "Round", "Selu", "Shrink", "Sigmoid",
                 "Sign", "Sin", "Sinh", "Softmax", "Softplus", "Softsign",
                 "Sqrt", "Tan", "Tanh", "ThresholdedRelu", "CumSum",
                 "LRN", "BatchNormalization", "InstanceNormalization",
                 "MeanVarianceNormalization", "LpNormalization", "Trilu",
                 "Swish"},
                sameAsInput);
  attachShapeFn(ctx, {"IsNaN", "IsInf", "Not"}, sameShapeBool);
  attachShapeFn(ctx,
                {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "BitShift", "Max",
                 "Min", "Sum", "Mean", "PRelu", "BitwiseAnd", "BitwiseOr",
                 "BitwiseXor"},
                broadcastSameType);
  attachShapeFn(ctx,
                {"And", "Or", "Xor", "Equal", "Greater", "GreaterOrEqual",
                 "Less", "LessOrEqual"},
                broadcastBool);
  attachShapeFn(ctx, {"BitwiseNot"}, sameAsInput);
  attachShapeFn(ctx, {"Where"}, whereShape);
  attachShapeFn(ctx, {"Cast"}, castShape);
  attachShapeFn(ctx, {"CastLike"}, castLikeShape);
  attachShapeFn(ctx, {"Dropout"}, dropoutShape);
}
