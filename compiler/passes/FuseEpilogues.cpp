//===- FuseEpilogues.cpp - bias, residual and activation into kernels ----===//
//
// Conv -> [Add residual] -> activation chains (ResNet, MobileNet's ReLU6,
// EfficientNet's SiLU) and Gemm -> activation become one onnxk op whose
// kernel applies the tail in registers before storing.
//
//===----------------------------------------------------------------------===//
#include "compiler/passes/ConstantHelpers.h"
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace onnxc {
#define GEN_PASS_DEF_FUSEEPILOGUES
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

bool isFusable(Operation *op) {
  return op && isa<onnx::ConvOp, onnx::GemmOp, onnxk::ConvOp, onnxk::GemmOp>(op);
}

/// Builds `producer` (onnx or onnxk Conv/Gemm) as its onnxk form at
/// `at`'s position, with a residual and/or activation added.
Operation *buildFused(PatternRewriter &rewriter, Operation *producer,
                      Operation *at, Value residual, StringRef activation,
                      float alpha, float beta) {
  bool isConv = isa<onnx::ConvOp, onnxk::ConvOp>(producer);
  StringRef name = isConv ? onnxk::ConvOp::getOperationName()
                          : onnxk::GemmOp::getOperationName();
  // The producer's location names the node the kernel comes from.
  OperationState state(producer->getLoc(), name);
  state.addOperands(producer->getOperands().take_front(3));
  Value oldResidual = producer->getNumOperands() > 3 ? producer->getOperand(3) : Value();
  if (residual)
    state.addOperands(residual);
  else if (oldResidual)
    state.addOperands(oldResidual);
  else
    state.addOperands(onnx::NoValueOp::create(rewriter, at->getLoc()).getResult());
  for (NamedAttribute a : producer->getAttrs())
    state.addAttribute(a.getName(), a.getValue());
  if (!activation.empty()) {
    state.addAttribute("activation", rewriter.getStringAttr(activation));
    state.addAttribute("act_alpha", rewriter.getF32FloatAttr(alpha));
    state.addAttribute("act_beta", rewriter.getF32FloatAttr(beta));
  }
  state.addTypes(at->getResult(0).getType());
  return rewriter.create(state);
}

void rebuildFused(PatternRewriter &rewriter, Operation *producer, Operation *at,
                  Value residual, StringRef activation, float alpha, float beta) {
  Operation *fused = buildFused(rewriter, producer, at, residual, activation, alpha, beta);
  rewriter.replaceOp(at, fused->getResults());
  rewriter.eraseOp(producer);
}

bool hasActivation(Operation *op) {
  return strAttr(op, "activation", "none") != "none";
}

/// activation(conv/gemm) -> fused op.
struct FuseActivation : public RewritePattern {
  FuseActivation(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/2, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    StringRef act;
    float alpha = 0, beta = 0;
    if (isa<onnx::ReluOp>(op)) act = "Relu";
    else if (isa<onnx::SigmoidOp>(op)) act = "Sigmoid";
    else if (isa<onnx::TanhOp>(op)) act = "Tanh";
    else if (isa<onnx::HardSwishOp>(op)) act = "HardSwish";
    else if (isa<onnx::GeluOp>(op))
      act = strAttr(op, "approximate", "none") == "tanh" ? "GeluTanh" : "Gelu";
    else if (isa<onnx::LeakyReluOp>(op)) {
      act = "LeakyRelu";
      alpha = floatAttr(op, "alpha", 0.01f);
    } else if (isa<onnx::ClipOp>(op)) {
      act = "Clip";
      alpha = -INFINITY;
      beta = INFINITY;
      for (unsigned i = 1; i < 3 && i < op->getNumOperands(); ++i) {
        if (isNone(op->getOperand(i)))
          continue;
        auto v = constantFloats(op->getOperand(i));
        if (!v || v->size() != 1)
          return failure();
        (i == 1 ? alpha : beta) = float((*v)[0]);
      }
    } else {
      return failure();
    }
    Operation *producer = op->getOperand(0).getDefiningOp();
    if (!isFusable(producer) || !producer->getResult(0).hasOneUse() ||
        hasActivation(producer) ||
        op->getResult(0).getType() != producer->getResult(0).getType())
      return failure();
    rebuildFused(rewriter, producer, op, Value(), act, alpha, beta);
    return success();
  }
};

/// x * sigmoid(x) with x a conv/gemm -> fused SiLU.
struct FuseSiLU : public OpRewritePattern<onnx::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (unsigned i = 0; i < 2; ++i) {
      Value x = mul->getOperand(i);
      auto sig = mul->getOperand(1 - i).getDefiningOp<onnx::SigmoidOp>();
      Operation *producer = x.getDefiningOp();
      if (!sig || sig->getOperand(0) != x || !isFusable(producer) ||
          hasActivation(producer) || !sig->getResult(0).hasOneUse() ||
          llvm::range_size(x.getUsers()) != 2 ||
          mul->getResult(0).getType() != x.getType())
        continue;
      Operation *fused = buildFused(rewriter, producer, mul, Value(), "SiLU", 0, 0);
      rewriter.replaceOp(mul, fused->getResults());
      rewriter.eraseOp(sig);
      rewriter.eraseOp(producer);
      return success();
    }
    return failure();
  }
};

/// conv/gemm + y (same shape) -> fused residual.
struct FuseResidualAdd : public OpRewritePattern<onnx::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::AddOp add,
                                PatternRewriter &rewriter) const override {
    Type resultType = add->getResult(0).getType();
    for (unsigned i = 0; i < 2; ++i) {
      Operation *producer = add->getOperand(i).getDefiningOp();
      Value other = add->getOperand(1 - i);
      if (!isFusable(producer) || !producer->getResult(0).hasOneUse() ||
          hasActivation(producer) || other.getType() != resultType ||
          producer->getResult(0).getType() != resultType)
        continue;
      if (producer->getNumOperands() > 3 && !isNone(producer->getOperand(3)))
        continue; // already has a residual
      rebuildFused(rewriter, producer, add, other, "", 0, 0);
      return success();
    }
    return failure();
  }
};

/// A static-shape Reshape of `v` to `shape`.
Value reshapeTo(PatternRewriter &rewriter, Location loc, Value v,
                ArrayRef<int64_t> shape) {
  auto elem = cast<RankedTensorType>(v.getType()).getElementType();
  auto shapeType = RankedTensorType::get({int64_t(shape.size())}, rewriter.getI64Type());
  Value shapeValue =
      createConstant(rewriter, loc, DenseElementsAttr::get(shapeType, shape));
  OperationState state(loc, onnx::ReshapeOp::getOperationName());
  state.addOperands({v, shapeValue});
  state.addTypes(RankedTensorType::get(shape, elem));
  return rewriter.create(state)->getResult(0);
}

/// MatMul(A [..., M, K], B [K, N]) + bias [N] -> Gemm; a batched A is
/// viewed as [batch * M, K] and the result viewed back (reshapes are free),
/// so transformer projections get the Gemm's packed weights and epilogues.
struct MatMulAddToGemm : public OpRewritePattern<onnx::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::AddOp add,
                                PatternRewriter &rewriter) const override {
    for (unsigned i = 0; i < 2; ++i) {
      auto mm = add->getOperand(i).getDefiningOp<onnx::MatMulOp>();
      Value bias = add->getOperand(1 - i);
      if (!mm || !mm->getResult(0).hasOneUse())
        continue;
      auto a = rankedType(mm->getOperand(0)), b = rankedType(mm->getOperand(1));
      auto c = rankedType(bias);
      auto y = rankedType(add->getResult(0));
      if (!a || !b || !c || !y || a.getRank() < 2 || b.getRank() != 2 ||
          y != mm->getResult(0).getType() || c.getRank() > 2)
        continue;
      if (a.getRank() == 2) {
        if (c.getRank() == 2 && c.getDimSize(0) != 1 && c.getDimSize(0) != y.getDimSize(0))
          continue;
        OperationState state(mm->getLoc(), onnx::GemmOp::getOperationName());
        state.addOperands({mm->getOperand(0), mm->getOperand(1), bias});
        state.addTypes(y);
        Operation *gemm = rewriter.create(state);
        rewriter.replaceOp(add, gemm->getResults());
        rewriter.eraseOp(mm);
        return success();
      }
      // Batched A: only a per-column bias, all shapes static.
      int64_t n = y.getShape().back();
      if (!a.hasStaticShape() || !y.hasStaticShape() || c.getNumElements() != n ||
          (c.getRank() == 2 && c.getDimSize(0) != 1))
        continue;
      int64_t rows = a.getNumElements() / a.getShape().back();
      Location loc = mm->getLoc();
      Value a2 = reshapeTo(rewriter, loc, mm->getOperand(0), {rows, a.getShape().back()});
      Value c1 = c.getRank() == 1 ? bias : reshapeTo(rewriter, loc, bias, {n});
      OperationState state(loc, onnx::GemmOp::getOperationName());
      state.addOperands({a2, mm->getOperand(1), c1});
      state.addTypes(RankedTensorType::get({rows, n}, y.getElementType()));
      Operation *gemm = rewriter.create(state);
      rewriter.replaceOp(add, reshapeTo(rewriter, loc, gemm->getResult(0), y.getShape()));
      rewriter.eraseOp(mm);
      return success();
    }
    return failure();
  }
};

struct FuseEpiloguesPass
    : public onnxc::impl::FuseEpiloguesBase<FuseEpiloguesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MatMulAddToGemm, FuseResidualAdd, FuseActivation, FuseSiLU>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
