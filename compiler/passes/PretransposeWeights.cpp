//===- PretransposeWeights.cpp - constant Gemm weights as kernels read them
#include "compiler/passes/ConstantHelpers.h"
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include <cstring>

namespace onnxc {
#define GEN_PASS_DEF_PRETRANSPOSEWEIGHTS
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

/// The [cols, rows] transpose of a constant matrix.
DenseElementsAttr transposed(DenseElementsAttr m) {
  auto t = cast<RankedTensorType>(m.getType());
  int64_t rows = t.getDimSize(0), cols = t.getDimSize(1);
  auto type = RankedTensorType::get({cols, rows}, t.getElementType());
  if (m.isSplat())
    return m.reshape(type);
  int64_t bytes = t.getElementTypeBitWidth() / 8;
  if (bytes == 0)
    return nullptr;
  ArrayRef<char> raw = m.getRawData();
  std::vector<char> out(raw.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      memcpy(&out[(j * rows + i) * bytes], &raw[(i * cols + j) * bytes], bytes);
  return DenseElementsAttr::getFromRawBuffer(type, out);
}

struct PretransposeWeightsPass
    : public onnxc::impl::PretransposeWeightsBase<PretransposeWeightsPass> {
  void runOnOperation() override {
    getOperation().walk([&](Operation *op) {
      if (!isa<onnx::GemmOp, onnxk::GemmOp>(op) || !intAttr(op, "transB", 0))
        return;
      Value b = op->getOperand(1);
      DenseElementsAttr value = constantValue(b);
      auto type = rankedType(b);
      if (!value || !type || type.getRank() != 2 || !type.getElementType().isIntOrFloat())
        return;
      DenseElementsAttr t = transposed(value);
      if (!t)
        return;
      OpBuilder builder(op);
      std::string name = "weight";
      if (auto loc = dyn_cast<NameLoc>(b.getLoc()))
        name = loc.getName().str();
      Value newB = createConstant(
          builder, NameLoc::get(builder.getStringAttr(name + "_T")), t);
      op->setOperand(1, newB);
      op->setAttr("transB", builder.getI64IntegerAttr(0));
    });
  }
};

} // namespace
