//===- FuseBatchNorm.cpp - fold BatchNormalization into Conv or Gemm -----===//
//
//   y = (conv(x, W) + b - mean) * s + beta,   s = scale / sqrt(var + eps)
//     = conv(x, W * s) + ((b - mean) * s + beta)
//
// and the same over the output columns of a Gemm.
//
//===----------------------------------------------------------------------===//
#include "compiler/passes/ConstantHelpers.h"
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace onnxc {
#define GEN_PASS_DEF_FUSEBATCHNORM
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

/// The per-channel scale s and shift t of an inference BatchNormalization
/// (y = x * s + t), if all its parameters are constants.
bool batchNormAffine(Operation *bn, std::vector<double> &s, std::vector<double> &t) {
  if (intAttr(bn, "training_mode", 0))
    return false;
  for (unsigned i = 1; i < bn->getNumResults(); ++i)
    if (!bn->getResult(i).use_empty())
      return false;
  auto scale = floatValues(constantValue(bn->getOperand(1)));
  auto bias = floatValues(constantValue(bn->getOperand(2)));
  auto mean = floatValues(constantValue(bn->getOperand(3)));
  auto var = floatValues(constantValue(bn->getOperand(4)));
  if (!scale || !bias || !mean || !var)
    return false;
  size_t c = scale->size();
  if (bias->size() != c || mean->size() != c || var->size() != c)
    return false;
  double eps = floatAttr(bn, "epsilon", 1e-5f);
  s.resize(c);
  t.resize(c);
  for (size_t i = 0; i < c; ++i) {
    s[i] = (*scale)[i] / std::sqrt((*var)[i] + eps);
    t[i] = (*bias)[i] - (*mean)[i] * s[i];
  }
  return true;
}

struct FuseIntoConv : public OpRewritePattern<onnx::BatchNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::BatchNormalizationOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *conv = bn->getOperand(0).getDefiningOp();
    if (!conv || !isa<onnx::ConvOp>(conv) || !conv->getResult(0).hasOneUse())
      return failure();
    auto wType = rankedType(conv->getOperand(1));
    auto w = floatValues(constantValue(conv->getOperand(1)));
    std::vector<double> s, t;
    if (!wType || !w || !batchNormAffine(bn, s, t))
      return failure();
    int64_t m = wType.getDimSize(0);
    if (int64_t(s.size()) != m)
      return failure();
    std::vector<double> b(m, 0.0);
    if (!isNone(conv->getOperand(2))) {
      auto bias = floatValues(constantValue(conv->getOperand(2)));
      if (!bias || int64_t(bias->size()) != m)
        return failure();
      b = *bias;
    }
    int64_t per = wType.getNumElements() / m;
    for (int64_t o = 0; o < m; ++o) {
      for (int64_t k = 0; k < per; ++k)
        (*w)[o * per + k] *= s[o];
      b[o] = b[o] * s[o] + t[o];
    }
    rewriter.setInsertionPoint(conv); // the new weights must dominate it
    Value newW = createConstant(rewriter, conv->getLoc(), floatAttr(wType, *w));
    Value newB = createConstant(
        rewriter, conv->getLoc(),
        floatAttr(RankedTensorType::get({m}, wType.getElementType()), b));
    rewriter.modifyOpInPlace(conv, [&] {
      conv->setOperand(1, newW);
      conv->setOperand(2, newB);
    });
    rewriter.setInsertionPoint(bn);
    SmallVector<Value> repl{conv->getResult(0)};
    for (unsigned i = 1; i < bn->getNumResults(); ++i)
      repl.push_back(onnx::NoValueOp::create(rewriter, bn.getLoc()));
    rewriter.replaceOp(bn, repl);
    return success();
  }
};

/// Gemm (or 2-D MatMul) -> BatchNormalization over its N output columns
/// becomes one Gemm with scaled weights and a new bias.
struct FuseIntoGemm : public OpRewritePattern<onnx::BatchNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::BatchNormalizationOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *gemm = bn->getOperand(0).getDefiningOp();
    bool isMatMul = gemm && isa<onnx::MatMulOp>(gemm);
    if (!gemm || !(isa<onnx::GemmOp>(gemm) || isMatMul) ||
        !gemm->getResult(0).hasOneUse())
      return failure();
    auto yType = rankedType(gemm->getResult(0));
    auto aType = rankedType(gemm->getOperand(0));
    auto bType = rankedType(gemm->getOperand(1));
    auto bVals = floatValues(constantValue(gemm->getOperand(1)));
    std::vector<double> s, t;
    if (!yType || yType.getRank() != 2 || !aType || aType.getRank() != 2 ||
        !bType || bType.getRank() != 2 || !bVals || !batchNormAffine(bn, s, t))
      return failure();
    int64_t n = yType.getDimSize(1);
    if (int64_t(s.size()) != n)
      return failure();
    bool transB = !isMatMul && intAttr(gemm, "transB", 0);
    double alpha = isMatMul ? 1.0 : floatAttr(gemm, "alpha", 1.0f);
    double beta = isMatMul ? 1.0 : floatAttr(gemm, "beta", 1.0f);
    int64_t k = transB ? bType.getDimSize(1) : bType.getDimSize(0);
    // B' = alpha * B scaled per output column, so alpha becomes 1.
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < k; ++i) {
        double &v = transB ? (*bVals)[j * k + i] : (*bVals)[i * n + j];
        v *= alpha * s[j];
      }
    // C' = (beta * C) * s + t, per column; C must not vary over rows.
    std::vector<double> c(n, 0.0);
    Value cIn = isMatMul ? Value() : gemm->getOperand(2);
    if (cIn && !isNone(cIn)) {
      auto cType = rankedType(cIn);
      auto cVals = floatValues(constantValue(cIn));
      if (!cType || !cVals)
        return failure();
      if (cType.getRank() == 2 && cType.getDimSize(0) != 1)
        return failure();
      for (int64_t j = 0; j < n; ++j)
        c[j] = beta * (*cVals)[cVals->size() == 1 ? 0 : j];
    }
    for (int64_t j = 0; j < n; ++j)
      c[j] = c[j] * s[j] + t[j];
    rewriter.setInsertionPoint(gemm); // the new weights must dominate it
    Value newB = createConstant(rewriter, gemm->getLoc(), floatAttr(bType, *bVals));
    Value newC = createConstant(
        rewriter, gemm->getLoc(),
        floatAttr(RankedTensorType::get({n}, bType.getElementType()), c));
    OperationState state(gemm->getLoc(), onnx::GemmOp::getOperationName());
    state.addOperands({gemm->getOperand(0), newB, newC});
    if (!isMatMul)
      for (NamedAttribute a : gemm->getAttrs())
        state.addAttribute(a.getName(), a.getValue());
    state.addAttribute("alpha", rewriter.getF32FloatAttr(1.0f));
    state.addAttribute("beta", rewriter.getF32FloatAttr(1.0f));
    state.addAttribute("transB", rewriter.getI64IntegerAttr(transB));
    state.addTypes(yType);
    Operation *fused = rewriter.create(state);
    rewriter.setInsertionPoint(bn);
    SmallVector<Value> repl{fused->getResult(0)};
    for (unsigned i = 1; i < bn->getNumResults(); ++i)
      repl.push_back(onnx::NoValueOp::create(rewriter, bn.getLoc()));
    rewriter.replaceOp(bn, repl);
    rewriter.eraseOp(gemm);
    return success();
  }
};

struct FuseBatchNormPass
    : public onnxc::impl::FuseBatchNormBase<FuseBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseIntoConv, FuseIntoGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
