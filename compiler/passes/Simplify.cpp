//===- Simplify.cpp - remove ops that do nothing, merge view chains ------===//
#include "compiler/passes/ConstantHelpers.h"
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace onnxc {
#define GEN_PASS_DEF_SIMPLIFY
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

bool isView(Operation *op) {
  return isa<onnx::ReshapeOp, onnx::FlattenOp, onnx::SqueezeOp,
             onnx::UnsqueezeOp>(op);
}

/// Identity, a Cast to the same type, and a view that changes nothing are
/// their input.
struct RemoveNoOp : public RewritePattern {
  RemoveNoOp(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    bool noop = isa<onnx::IdentityOp>(op) ||
                ((isa<onnx::CastOp, onnx::CastLikeOp>(op) || isView(op)) &&
                 op->getNumResults() == 1);
    if (!noop || op->getNumOperands() == 0)
      return failure();
    Value in = op->getOperand(0);
    if (in.getType() != op->getResult(0).getType())
      return failure();
    rewriter.replaceOp(op, in);
    return success();
  }
};

/// Inference Dropout: the identity when its mask is unused and training is
/// off (or the ratio is 0).
struct RemoveDropout : public OpRewritePattern<onnx::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::DropoutOp op,
                                PatternRewriter &rewriter) const override {
    Operation *o = op;
    if (o->getNumResults() > 1 && !o->getResult(1).use_empty())
      return failure();
    if (o->getNumOperands() > 2 && !isNone(o->getOperand(2))) {
      auto mode = constantInts(o->getOperand(2));
      if (!mode || mode->empty() || (*mode)[0] != 0)
        return failure();
    }
    if (o->getOperand(0).getType() != o->getResult(0).getType())
      return failure();
    SmallVector<Value> repl{o->getOperand(0)};
    for (unsigned i = 1; i < o->getNumResults(); ++i)
      repl.push_back(onnx::NoValueOp::create(rewriter, o->getLoc()));
    rewriter.replaceOp(o, repl);
    return success();
  }
};

/// view(view(x)) -> Reshape(x) to the final shape.
struct MergeViews : public RewritePattern {
  MergeViews(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isView(op))
      return failure();
    Operation *inner = op->getOperand(0).getDefiningOp();
    if (!inner || !isView(inner))
      return failure();
    auto type = rankedType(op->getResult(0));
    if (!type || !type.hasStaticShape())
      return failure();
    auto shapeType = RankedTensorType::get({type.getRank()}, rewriter.getI64Type());
    Value shape = createConstant(
        rewriter, op->getLoc(),
        DenseElementsAttr::get(shapeType, type.getShape()));
    OperationState state(op->getLoc(), onnx::ReshapeOp::getOperationName());
    state.addOperands({inner->getOperand(0), shape});
    state.addTypes(type);
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

/// Transpose(Transpose(x, p), q) -> Transpose(x, p∘q), or x when that is
/// the identity.
struct MergeTransposes : public OpRewritePattern<onnx::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op->getOperand(0).getDefiningOp<onnx::TransposeOp>();
    if (!inner)
      return failure();
    auto innerType = rankedType(inner->getOperand(0));
    if (!innerType)
      return failure();
    int64_t rank = innerType.getRank();
    SmallVector<int64_t> p = transposePerm(inner, rank),
                         q = transposePerm(op, rank), composed;
    bool identity = true;
    for (int64_t i = 0; i < rank; ++i) {
      composed.push_back(p[q[i]]);
      identity &= composed.back() == i;
    }
    if (identity) {
      rewriter.replaceOp(op, inner->getOperand(0));
      return success();
    }
    OperationState state(op.getLoc(), onnx::TransposeOp::getOperationName());
    state.addOperands(inner->getOperand(0));
    state.addAttribute("perm", rewriter.getI64ArrayAttr(composed));
    state.addTypes(op->getResult(0).getType());
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

/// Gemm/MatMul reading a 2-D Transpose reads the original with its trans
/// flag flipped: the transpose costs nothing.
struct FoldTransposeIntoGemm : public RewritePattern {
  FoldTransposeIntoGemm(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    bool isGemm = isa<onnx::GemmOp>(op);
    if (!isGemm && !isa<onnx::MatMulOp>(op))
      return failure();
    auto a = rankedType(op->getOperand(0)), b = rankedType(op->getOperand(1));
    if (!a || !b || a.getRank() != 2 || b.getRank() != 2)
      return failure();
    Value ops[2] = {op->getOperand(0), op->getOperand(1)};
    bool trans[2] = {isGemm && intAttr(op, "transA", 0) != 0,
                     isGemm && intAttr(op, "transB", 0) != 0};
    bool changed = false;
    for (int i = 0; i < 2; ++i)
      if (auto t = ops[i].getDefiningOp<onnx::TransposeOp>()) {
        if (transposePerm(t, 2)[0] != 1)
          continue; // [0, 1] is no transpose
        ops[i] = t->getOperand(0);
        trans[i] = !trans[i];
        changed = true;
      }
    if (!changed)
      return failure();
    OperationState state(op->getLoc(), onnx::GemmOp::getOperationName());
    Value c = isGemm ? op->getOperand(2)
                     : onnx::NoValueOp::create(rewriter, op->getLoc()).getResult();
    state.addOperands({ops[0], ops[1], c});
    if (isGemm)
      for (NamedAttribute attr : op->getAttrs())
        state.addAttribute(attr.getName(), attr.getValue());
    state.addAttribute("transA", rewriter.getI64IntegerAttr(trans[0]));
    state.addAttribute("transB", rewriter.getI64IntegerAttr(trans[1]));
    state.addTypes(op->getResult(0).getType());
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

struct SimplifyPass : public onnxc::impl::SimplifyBase<SimplifyPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RemoveNoOp, MergeViews, FoldTransposeIntoGemm>(&getContext());
    patterns.add<RemoveDropout, MergeTransposes>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
