//===- ElementwiseRules.cpp - unary, binary, variadic and cast ops -------===//
#include "codegen/cpp/KernelLowering.h"
#include "codegen/cpp/MemoryPlanner.h"

#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace onnxc;

namespace {

LogicalResult unsupportedType(Operation *op, Type t) {
  return op->emitError() << "not supported yet: element type " << t;
}

/// y = f(x) with f a functor expression.
LoweringRule unaryRule(std::function<std::string(Operation *)> functor,
                       bool floatOnly = false) {
  return [functor, floatOnly](Operation *op, LoweringContext &ctx,
                              std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), y = op->getResult(0);
    Type et = elementType(x);
    if (cType(et).empty() || (floatOnly && !isa<FloatType>(et)))
      return unsupportedType(op, et);
    calls.push_back({"onnxc::unary<" + std::to_string(tensorType(y).getNumElements()) + ">",
                     {ctx.buffer(x), ctx.buffer(y), functor(op)}});
    return success();
  };
}

LoweringRule fixedUnary(StringRef name, bool floatOnly = true) {
  std::string f = "onnxc::fn::" + name.str() + "{}";
  return unaryRule([f](Operation *) { return f; }, floatOnly);
}

std::string binaryCallee(Value a, Value b, Value y) {
  return "onnxc::binary<" + dimsOf(y) + "," + dimsOf(a) + "," + dimsOf(b) + ">";
}

/// y = f(a, b), folded left to right over variadic inputs.
LoweringRule binaryRule(std::function<std::string(Operation *)> functor,
                        bool floatOnly = false) {
  return [functor, floatOnly](Operation *op, LoweringContext &ctx,
                              std::vector<KernelCall> &calls) -> LogicalResult {
    Value y = op->getResult(0);
    for (Value in : op->getOperands())
      if (cType(elementType(in)).empty() ||
          (floatOnly && !isa<FloatType>(elementType(in))))
        return unsupportedType(op, elementType(in));
    if (op->getNumOperands() == 1) {
      calls.push_back({"onnxc::copy<" + std::to_string(tensorBytes(y.getType())) + ">",
                       {ctx.buffer(op->getOperand(0)), ctx.buffer(y)}});
      return success();
    }
    Value acc = op->getOperand(0);
    for (unsigned i = 1; i < op->getNumOperands(); ++i) {
      Value b = op->getOperand(i);
      calls.push_back({binaryCallee(acc, b, y),
                       {ctx.buffer(acc), ctx.buffer(b), ctx.buffer(y), functor(op)}});
      acc = y;
    }
    return success();
  };
}

LoweringRule fixedBinary(StringRef name, bool floatOnly = false) {
  std::string f = "onnxc::fn::" + name.str() + "{}";
  return binaryRule([f](Operation *) { return f; }, floatOnly);
}

/// The region of an onnxk.Elementwise as a C++ lambda over scalars.
FailureOr<std::string> lambdaOf(Operation *op, const std::string &t) {
  Block &body = op->getRegion(0).front();
  llvm::DenseMap<Value, std::string> names;
  std::string params, stmts;
  for (BlockArgument a : body.getArguments()) {
    names[a] = "v" + std::to_string(a.getArgNumber());
    params += (a.getArgNumber() ? ", " : "") + t + " " + names[a];
  }
  int next = 0;
  for (Operation &inner : body) {
    if (inner.getNumResults() == 0) { // the yield
      stmts += "return " + names.lookup(inner.getOperand(0)) + "; ";
      break;
    }
    auto arg = [&](unsigned i) { return names.lookup(inner.getOperand(i)); };
    StringRef n = inner.getName().getStringRef();
    std::string e;
    if (auto c = dyn_cast<arith::ConstantOp>(inner))
      e = t + "(" + floatLiteral(cast<FloatAttr>(c.getValue()).getValueAsDouble()) + ")";
    else if (n == "arith.addf") e = arg(0) + " + " + arg(1);
    else if (n == "arith.subf") e = arg(0) + " - " + arg(1);
    else if (n == "arith.mulf") e = arg(0) + " * " + arg(1);
    else if (n == "arith.divf") e = arg(0) + " / " + arg(1);
    else if (n == "arith.negf") e = "-" + arg(0);
    else if (n == "arith.maximumf") e = "onnxc::fn::Max{}(" + arg(0) + ", " + arg(1) + ")";
    else if (n == "arith.minimumf") e = "onnxc::fn::Min{}(" + arg(0) + ", " + arg(1) + ")";
    else if (n == "arith.cmpf") e = arg(0) + " >= " + arg(1);
    else if (n == "arith.select") e = arg(0) + " ? " + arg(1) + " : " + arg(2);
    else if (n == "math.powf") e = "onnxc::math::pow(" + arg(0) + ", " + arg(1) + ")";
    else if (n == "math.absf") e = "onnxc::math::fabs(" + arg(0) + ")";
    else if (n.starts_with("math."))
      e = "onnxc::math::" + n.drop_front(5).str() + "(" + arg(0) + ")";
    else
      return op->emitError() << "cannot print " << n << " in a fused loop";
    std::string name = "t" + std::to_string(next++);
    std::string type = n == "arith.cmpf" ? "bool" : t;
    stmts += "const " + type + " " + name + " = " + e + "; ";
    names[inner.getResult(0)] = name;
  }
  return "[](" + params + ") -> " + t + " { " + stmts + "}";
}

LogicalResult fusedElementwiseRule(Operation *op, LoweringContext &ctx,
                                   std::vector<KernelCall> &calls) {
  Value y = op->getResult(0);
  std::string t = cType(elementType(y));
  if (t != "float" && t != "double")
    return op->emitError() << "not supported yet: fused loop over " << t;
  auto lambda = lambdaOf(op, t);
  if (failed(lambda))
    return failure();
  std::string shapes = "onnxc::shapes<";
  std::vector<std::string> args{ctx.buffer(y), *lambda};
  for (auto [i, in] : llvm::enumerate(op->getOperands())) {
    shapes += (i ? "," : "") + dimsOf(in);
    args.push_back(ctx.buffer(in));
  }
  calls.push_back({"onnxc::map<" + dimsOf(y) + "," + shapes + ">>", args});
  return success();
}

} // namespace

void onnxc::addElementwiseRules(llvm::StringMap<LoweringRule> &r) {
  for (StringRef name :
       {"Exp", "Log", "Sqrt", "Tanh", "Erf", "Sin", "Cos", "Tan", "Asin", "Acos",
        "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Floor", "Ceil",
        "Round", "Reciprocal", "Sigmoid", "Softplus", "Softsign", "Mish",
        "HardSwish"})
    r[name] = fixedUnary(name);
  r["Relu"] = fixedUnary("Relu", false);
  r["Neg"] = fixedUnary("Neg", false);
  r["Abs"] = fixedUnary("Abs", false);
  r["Sign"] = fixedUnary("Sign", false);
  r["Not"] = fixedUnary("Not", false);
  r["BitwiseNot"] = fixedUnary("BitwiseNot", false);
  r["IsNaN"] = fixedUnary("IsNaN");
  r["IsInf"] = unaryRule([](Operation *op) {
    return "onnxc::fn::IsInf{" + std::to_string(intAttr(op, "detect_positive", 1)) +
           "," + std::to_string(intAttr(op, "detect_negative", 1)) + "}";
  }, true);
  r["LeakyRelu"] = unaryRule([](Operation *op) {
    return "onnxc::fn::LeakyRelu{" + floatLiteral(floatAttr(op, "alpha", 0.01f)) + "}";
  }, true);
  r["Elu"] = unaryRule([](Operation *op) {
    return "onnxc::fn::Elu{" + floatLiteral(floatAttr(op, "alpha", 1.0f)) + "}";
  }, true);
  r["Celu"] = unaryRule([](Operation *op) {
    return "onnxc::fn::Celu{" + floatLiteral(floatAttr(op, "alpha", 1.0f)) + "}";
  }, true);
  r["Selu"] = unaryRule([](Operation *op) {
    return "onnxc::fn::Selu{" + floatLiteral(floatAttr(op, "alpha", 1.67326319f)) +
           "," + floatLiteral(floatAttr(op, "gamma", 1.05070102f)) + "}";
  }, true);
  r["ThresholdedRelu"] = unaryRule([](Operation *op) {
    return "onnxc::fn::ThresholdedRelu{" + floatLiteral(floatAttr(op, "alpha", 1.0f)) + "}";
  }, true);
  r["HardSigmoid"] = unaryRule([](Operation *op) {
    return "onnxc::fn::HardSigmoid{" + floatLiteral(floatAttr(op, "alpha", 0.2f)) +
           "," + floatLiteral(floatAttr(op, "beta", 0.5f)) + "}";
  }, true);
  r["Shrink"] = unaryRule([](Operation *op) {
    return "onnxc::fn::Shrink{" + floatLiteral(floatAttr(op, "bias", 0.0f)) + "," +
           floatLiteral(floatAttr(op, "lambd", 0.5f)) + "}";
  }, true);
  r["Gelu"] = unaryRule([](Operation *op) {
    return std::string("onnxc::fn::Gelu{") +
           (strAttr(op, "approximate", "none") == "tanh" ? "1" : "0") + "}";
  }, true);

  for (StringRef name : {"Add", "Sub", "Mul", "Div", "Max", "Min"})
    r[name] = fixedBinary(name);
  r["Sum"] = fixedBinary("Add");
  r["Pow"] = fixedBinary("Pow");
  r["PRelu"] = fixedBinary("PRelu", true);
  for (StringRef name : {"Equal", "Less", "LessOrEqual", "Greater",
                         "GreaterOrEqual", "And", "Or", "Xor", "BitwiseAnd",
                         "BitwiseOr", "BitwiseXor"})
    r[name] = fixedBinary(name);
  r["Mod"] = binaryRule([](Operation *op) {
    return "onnxc::fn::Mod{" + std::to_string(intAttr(op, "fmod", 0)) + "}";
  });
  r["BitShift"] = binaryRule([](Operation *op) {
    return strAttr(op, "direction", "LEFT") == "LEFT"
               ? std::string("onnxc::fn::BitShiftLeft{}")
               : std::string("onnxc::fn::BitShiftRight{}");
  });
  r["Mean"] = [](Operation *op, LoweringContext &ctx,
                 std::vector<KernelCall> &calls) -> LogicalResult {
    LoweringRule sum = fixedBinary("Add", true);
    if (failed(sum(op, ctx, calls)))
      return failure();
    Value y = op->getResult(0);
    calls.push_back({"onnxc::scale<" + std::to_string(tensorType(y).getNumElements()) + ">",
                     {ctx.buffer(y), ctx.buffer(y),
                      floatLiteral(1.0 / op->getNumOperands())}});
    return success();
  };
  r["onnxk.Elementwise"] = fusedElementwiseRule;
  r["Where"] = [](Operation *op, LoweringContext &ctx,
                  std::vector<KernelCall> &calls) -> LogicalResult {
    Value c = op->getOperand(0), a = op->getOperand(1), b = op->getOperand(2),
          y = op->getResult(0);
    if (cType(elementType(a)).empty())
      return unsupportedType(op, elementType(a));
    calls.push_back({"onnxc::where<" + dimsOf(y) + "," + dimsOf(c) + "," +
                         dimsOf(a) + "," + dimsOf(b) + ">",
                     {ctx.buffer(c), ctx.buffer(a), ctx.buffer(b), ctx.buffer(y)}});
    return success();
  };
  auto castRule = [](Operation *op, LoweringContext &ctx,
                     std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), y = op->getResult(0);
    if (cType(elementType(x)).empty())
      return unsupportedType(op, elementType(x));
    if (cType(elementType(y)).empty())
      return unsupportedType(op, elementType(y));
    calls.push_back({"onnxc::cast<" + std::to_string(tensorType(y).getNumElements()) + ">",
                     {ctx.buffer(x), ctx.buffer(y)}});
    return success();
  };
  r["Cast"] = castRule;
  r["CastLike"] = castRule;
  r["Clip"] = [](Operation *op, LoweringContext &ctx,
                 std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), y = op->getResult(0);
    Type et = elementType(x);
    std::string t = cType(et);
    if (t.empty() || (!isa<FloatType>(et) && !et.isInteger()))
      return unsupportedType(op, et);
    auto bound = [&](unsigned i, bool low) -> std::string {
      if (op->getNumOperands() > i && !isNone(op->getOperand(i)))
        return ctx.buffer(op->getOperand(i)) + "[0]";
      if (isa<FloatType>(et))
        return low ? "-INFINITY" : "INFINITY";
      auto it = cast<IntegerType>(et);
      if (it.isUnsigned())
        return low ? "0" : "(" + t + ")~" + t + "(0)";
      return low ? "(" + t + ")(" + t + "(1) << " + std::to_string(it.getWidth() - 1) + ")"
                 : "(" + t + ")~(" + t + "(1) << " + std::to_string(it.getWidth() - 1) + ")";
    };
    calls.push_back({"onnxc::unary<" + std::to_string(tensorType(y).getNumElements()) + ">",
                     {ctx.buffer(x), ctx.buffer(y),
                      "onnxc::fn::Clip<" + t + ">{" + t + "(" + bound(1, true) +
                          ")," + t + "(" + bound(2, false) + ")}"}});
    return success();
  };
}
