//===- KernelLowering.cpp - rule table and shared helpers ----------------===//
#include "codegen/cpp/KernelLowering.h"

#include "dialects/onnx/OnnxDialect.h"
#include "codegen/cpp/MemoryPlanner.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "llvm/Support/raw_ostream.h"
#include <cmath>

using namespace mlir;

std::string onnxc::cType(Type t) {
  if (t.isF32()) return "float";
  if (t.isF64()) return "double";
  if (t.isF16()) return "onnxc::f16";
  if (t.isBF16()) return "onnxc::bf16";
  if (t.isInteger(1)) return "bool";
  if (auto i = dyn_cast<IntegerType>(t)) {
    std::string base = i.isUnsigned() ? "uint" : "int";
    return base + std::to_string(i.getWidth()) + "_t";
  }
  return "";
}

std::string onnxc::dimsOf(ArrayRef<int64_t> shape) {
  std::string s = "onnxc::dims<";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + ">";
}

RankedTensorType onnxc::tensorType(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : nullptr;
}

onnxc::AxisSplit onnxc::splitAtAxis(RankedTensorType t, int64_t axis) {
  AxisSplit split;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    if (i < axis)
      split.outer *= t.getDimSize(i);
    else if (i > axis)
      split.inner *= t.getDimSize(i);
  }
  return split;
}

std::string onnxc::dimsOf(Value v) { return dimsOf(tensorType(v).getShape()); }

std::string onnxc::floatLiteral(double v) {
  if (std::isnan(v))
    return "NAN";
  if (std::isinf(v))
    return v > 0 ? "INFINITY" : "-INFINITY";
  char buf[64];
  snprintf(buf, sizeof buf, "%.9g", v);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s + "f";
}

std::string onnxc::LoweringContext::optionalInput(Value v, Type elementType) {
  if (isNone(v))
    return "static_cast<const " + cType(elementType) + "*>(nullptr)";
  return buffer(v);
}

std::string onnxc::LoweringContext::optionalOutput(Value v, Type elementType) {
  if (isNone(v))
    return "static_cast<" + cType(elementType) + "*>(nullptr)";
  return buffer(v);
}

const llvm::StringMap<onnxc::LoweringRule> &onnxc::loweringRules() {
  static const llvm::StringMap<LoweringRule> rules = [] {
    llvm::StringMap<LoweringRule> r;
    addElementwiseRules(r);
    addTensorRules(r);
    addNNRules(r);
    return r;
  }();
  return rules;
}

const onnxc::LoweringRule *onnxc::lookupLoweringRule(Operation *op) {
  StringRef name = op->getName().getStringRef();
  name.consume_front("onnx.");
  auto it = loweringRules().find(name);
  return it == loweringRules().end() ? nullptr : &it->second;
}

int64_t onnxc::scratchBytes(Operation *op, int threads, const SgemmTile &tile) {
  if (int64_t bytes = nnScratchBytes(op, threads, tile))
    return bytes;
  // rnn.h gru_scratch_elements, rnn_scratch_elements.
  if (isa<onnx::GRUOp, onnx::RNNOp>(op)) {
    auto x = tensorType(op->getOperand(0));
    int64_t hidden = intAttr(op, "hidden_size", 0);
    int64_t batch = x.getDimSize(1);
    int64_t elems = isa<onnx::GRUOp>(op) ? 4 * hidden * batch + hidden
                                         : 2 * hidden * batch;
    return elems * (x.getElementType().getIntOrFloatBitWidth() / 8);
  }
  if (isa<onnx::LSTMOp>(op)) {
    auto x = tensorType(op->getOperand(0));
    int64_t hidden = intAttr(op, "hidden_size", 0);
    int64_t batch = x.getDimSize(1);
    // rnn.h lstm_f32_scratch_floats.
    if (x.getElementType().isF32()) {
      int64_t seq = x.getDimSize(0), input = x.getDimSize(2), g = 4 * hidden;
      return 4 * (seq * batch * g + hidden * g + g + 2 * batch * hidden +
                  sgemmScratchFloats(seq * batch, g, input, threads));
    }
    // rnn.h lstm_scratch_elements.
    return 6 * hidden * batch * (x.getElementType().getIntOrFloatBitWidth() / 8);
  }
  if (isa<onnx::SoftmaxCrossEntropyLossOp>(op) &&
      (op->getNumResults() < 2 || isa<NoneType>(op->getResult(1).getType())))
    return tensorBytes(op->getOperand(0).getType());
  return 0;
}
