//===- FoldConstants.cpp - evaluate ops whose operands are constants -----===//
#include "dialects/onnx/ConstantEvaluator.h"
#include "compiler/passes/ConstantHelpers.h"
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

namespace onnxc {
#define GEN_PASS_DEF_FOLDCONSTANTS
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

struct FoldConstantsPass
    : public onnxc::impl::FoldConstantsBase<FoldConstantsPass> {
  using FoldConstantsBase::FoldConstantsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // One walk in program order suffices: a folded result is a constant by
    // the time its users are visited.
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
      if (op.getNumResults() != 1)
        continue;
      auto type = onnxc::rankedType(op.getResult(0));
      if (!type || !type.hasStaticShape())
        continue;
      int64_t bytes = onnxc::tensorBytesOf(type);
      if (bytes > maxFoldBytes)
        continue;
      DenseElementsAttr value =
          onnxc::evaluateConstantOp(&op, type.getNumElements());
      if (!value)
        continue;
      OpBuilder b(&op);
      Value folded = onnxc::createConstant(b, op.getLoc(), value);
      op.getResult(0).replaceAllUsesWith(folded);
      op.erase();
    }
  }
};

} // namespace
