//===- ModelStats.cpp - op counts, parameters and MACs of a graph -------===//
#include "compiler/ModelStats.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace onnxc;

namespace {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// Multiply-accumulates of one op (0 for ops without a matrix product).
int64_t macsOf(Operation *op) {
  StringRef name = op->getName().getStringRef();
  auto out = rankedType(op->getNumResults() ? op->getResult(0) : Value());
  if (!out || !out.hasStaticShape())
    return 0;
  if (name == "onnx.Conv" || name == "onnxk.Conv") {
    auto w = rankedType(op->getOperand(1));
    return w ? out.getNumElements() * product(w.getShape().drop_front(1)) : 0;
  }
  if (name == "onnx.ConvTranspose") {
    auto x = rankedType(op->getOperand(0)), w = rankedType(op->getOperand(1));
    return x && w ? x.getNumElements() * product(w.getShape().drop_front(1)) : 0;
  }
  if (name == "onnx.Gemm" || name == "onnxk.Gemm") {
    auto a = rankedType(op->getOperand(0));
    int64_t k = a ? a.getDimSize(intAttr(op, "transA", 0) ? 0 : 1) : 0;
    return out.getNumElements() * k;
  }
  if (name == "onnx.MatMul") {
    auto a = rankedType(op->getOperand(0));
    return a ? out.getNumElements() * a.getDimSize(a.getRank() - 1) : 0;
  }
  if (name == "onnx.LSTM" || name == "onnx.GRU" || name == "onnx.RNN") {
    auto x = rankedType(op->getOperand(0));
    int64_t h = intAttr(op, "hidden_size", 0);
    int64_t gates = name == "onnx.LSTM" ? 4 : name == "onnx.GRU" ? 3 : 1;
    int64_t dirs = strAttr(op, "direction", "forward") == "bidirectional" ? 2 : 1;
    return x ? x.getDimSize(0) * x.getDimSize(1) * dirs * gates * h *
                   (x.getDimSize(2) + h)
             : 0;
  }
  return 0;
}

} // namespace

GraphStats onnxc::graphStats(ModuleOp module) {
  GraphStats s;
  module.walk([&](Operation *op) {
    if (op->getDialect() == nullptr || isa<func::FuncOp, func::ReturnOp, ModuleOp>(op) ||
        isa<onnx::NoValueOp>(op))
      return;
    if (isa<onnx::ConstantOp>(op)) {
      if (auto t = rankedType(op->getResult(0)))
        if (t.hasStaticShape()) {
          s.parameters += t.getNumElements();
          s.paramBytes += tensorBytesOf(t);
        }
      return;
    }
    std::string name = op->getName().getStringRef().str();
    if (StringRef(name).starts_with("onnx."))
      name = name.substr(5);
    ++s.ops[name];
    s.macs += macsOf(op);
  });
  return s;
}

