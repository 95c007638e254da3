//===- OnnxFolders.cpp - MLIR folders of the onnx ops --------------------===//
//
// The ops OnnxOps.td marks `hasFolder`: an op that is its own input folds
// to it; one whose operands are constants folds to its value when that is
// small (the shape arithmetic exporters emit). Bigger evaluations are the
// onnx-fold-constants pass's, under its --max-fold-bytes limit.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ConstantEvaluator.h"
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

using namespace mlir;
using namespace onnxc::onnx;

namespace {

/// Largest result a folder computes; weights are left to the pass.
constexpr int64_t kMaxFoldElements = 4096;

OpFoldResult foldOp(Operation *op) {
  // Identity, a Cast to the same type, a view or Transpose that changes
  // nothing: the input itself.
  if (isa<IdentityOp, CastOp, ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp,
          TransposeOp, ExpandOp>(op) &&
      op->getNumOperands() > 0 &&
      op->getOperand(0).getType() == op->getResult(0).getType()) {
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    bool identityPerm = true;
    if (isa<TransposeOp>(op)) {
      if (!type)
        return {};
      for (auto [i, p] : llvm::enumerate(onnxc::transposePerm(op, type.getRank())))
        identityPerm &= p == int64_t(i);
    }
    if (identityPerm)
      return op->getOperand(0);
  }
  if (DenseElementsAttr value = onnxc::evaluateConstantOp(op, kMaxFoldElements))
    return value;
  return {};
}

} // namespace

#define ONNXC_FOLD(OP)                                                         \
  OpFoldResult OP::fold(FoldAdaptor) { return foldOp(getOperation()); }
ONNXC_FOLD(AbsOp)
ONNXC_FOLD(AddOp)
ONNXC_FOLD(CastOp)
ONNXC_FOLD(ConcatOp)
ONNXC_FOLD(ConstantOfShapeOp)
ONNXC_FOLD(DivOp)
ONNXC_FOLD(EqualOp)
ONNXC_FOLD(ExpandOp)
ONNXC_FOLD(FlattenOp)
ONNXC_FOLD(GatherOp)
ONNXC_FOLD(GreaterOp)
ONNXC_FOLD(IdentityOp)
ONNXC_FOLD(LessOp)
ONNXC_FOLD(MaxOp)
ONNXC_FOLD(MinOp)
ONNXC_FOLD(MulOp)
ONNXC_FOLD(NegOp)
ONNXC_FOLD(NotOp)
ONNXC_FOLD(RangeOp)
ONNXC_FOLD(ReshapeOp)
ONNXC_FOLD(ShapeOp)
ONNXC_FOLD(SizeOp)
ONNXC_FOLD(SliceOp)
ONNXC_FOLD(SqueezeOp)
ONNXC_FOLD(SubOp)
ONNXC_FOLD(TransposeOp)
ONNXC_FOLD(UnsqueezeOp)
ONNXC_FOLD(WhereOp)
#undef ONNXC_FOLD
