//===- ModelStats.cpp - op counts, parameters and MACs of a graph -------===//
#include "compiler/ModelStats.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "onnx/onnx_pb.h"
#include "llvm/Support/MemoryBuffer.h"

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
  if (name == "onnxk.ConvMaxPool") {
    // The convolution's outputs, which the pool then reduces.
    auto w = rankedType(op->getOperand(1));
    auto conv = intsAttr(op, "conv_shape");
    return w && conv ? product(*conv) * product(w.getShape().drop_front(1)) : 0;
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

/// Bytes of one element of an ONNX TensorProto data type (0 for strings).
int64_t onnxElementBytes(int dataType) {
  switch (dataType) {
  case ::onnx::TensorProto::UINT8: case ::onnx::TensorProto::INT8:
  case ::onnx::TensorProto::BOOL:
    return 1;
  case ::onnx::TensorProto::UINT16: case ::onnx::TensorProto::INT16:
  case ::onnx::TensorProto::FLOAT16: case ::onnx::TensorProto::BFLOAT16:
    return 2;
  case ::onnx::TensorProto::FLOAT: case ::onnx::TensorProto::INT32:
  case ::onnx::TensorProto::UINT32:
    return 4;
  case ::onnx::TensorProto::DOUBLE: case ::onnx::TensorProto::INT64:
  case ::onnx::TensorProto::UINT64:
    return 8;
  default:
    return 0;
  }
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

/// Parameters as the file has them: the main graph's initializers and its
/// Constant nodes' values. False if the file cannot be read.
bool onnxc::writtenParameters(const std::string &path, int64_t &count, int64_t &bytes) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ::onnx::ModelProto model;
  if (!buffer || !model.ParseFromArray((*buffer)->getBufferStart(),
                                       int((*buffer)->getBufferSize())))
    return false;
  count = bytes = 0;
  auto add = [&](int64_t n, int64_t elementBytes) {
    count += n;
    bytes += n * elementBytes;
  };
  auto addTensor = [&](const ::onnx::TensorProto &t) {
    int64_t n = 1;
    for (int64_t d : t.dims())
      n *= d;
    add(n, onnxElementBytes(t.data_type()));
  };
  for (const ::onnx::TensorProto &t : model.graph().initializer())
    addTensor(t);
  for (const ::onnx::NodeProto &node : model.graph().node()) {
    if (node.op_type() != "Constant" || node.attribute_size() == 0)
      continue;
    const ::onnx::AttributeProto &a = node.attribute(0);
    if (a.name() == "value")
      addTensor(a.t());
    else if (a.name() == "value_float" || a.name() == "value_int")
      add(1, a.name() == "value_float" ? 4 : 8);
    else if (a.name() == "value_floats")
      add(a.floats_size(), 4);
    else if (a.name() == "value_ints")
      add(a.ints_size(), 8);
  }
  return true;
}
