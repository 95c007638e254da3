//===- RecognizePatterns.cpp - decomposed LayerNorm, GELU, Softmax -------===//
#include "compiler/passes/ConstantHelpers.h"
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace onnxc {
#define GEN_PASS_DEF_RECOGNIZEPATTERNS
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

/// The single float value of a constant (a scalar or a one-element tensor).
std::optional<double> scalarOf(Value v) {
  auto values = constantFloats(v);
  if (!values || values->empty())
    return std::nullopt;
  for (double x : *values)
    if (x != (*values)[0])
      return std::nullopt;
  return (*values)[0];
}

bool near(std::optional<double> v, double want, double tol = 1e-4) {
  return v && std::fabs(*v - want) <= tol * std::max(1.0, std::fabs(want));
}

/// If `op` is a binary op of type OpT with `v` as one operand, the other.
template <class OpT> Value otherOperand(Operation *op, Value v) {
  if (!op || !isa<OpT>(op))
    return nullptr;
  if (op->getOperand(0) == v)
    return op->getOperand(1);
  if (op->getOperand(1) == v)
    return op->getOperand(0);
  return nullptr;
}

Operation *singleUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

/// The trailing axes a ReduceMean(keepdims=1) averages over, as the first
/// of them (LayerNormalization's `axis`), or nullopt when not trailing.
std::optional<int64_t> trailingMeanAxis(Operation *op) {
  if (!op || !isa<onnx::ReduceMeanOp>(op) || intAttr(op, "keepdims", 1) != 1)
    return std::nullopt;
  auto x = rankedType(op->getOperand(0));
  if (!x || op->getNumOperands() < 2 || isNone(op->getOperand(1)))
    return std::nullopt;
  auto axes = constantInts(op->getOperand(1));
  if (!axes || axes->empty())
    return std::nullopt;
  int64_t rank = x.getRank();
  SmallVector<int64_t> sorted;
  for (int64_t a : *axes)
    sorted.push_back(a < 0 ? a + rank : a);
  llvm::sort(sorted);
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != rank - int64_t(sorted.size()) + int64_t(i))
      return std::nullopt;
  return sorted.front();
}

/// d / sqrt(mean(d^2) + eps), d = x - mean(x)  [* gamma] [+ beta]
struct RecognizeLayerNorm : public OpRewritePattern<onnx::DivOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::DivOp div,
                                PatternRewriter &rewriter) const override {
    Value d = div->getOperand(0);
    auto sqrt = div->getOperand(1).getDefiningOp<onnx::SqrtOp>();
    auto sub = d.getDefiningOp<onnx::SubOp>();
    if (!sqrt || !sub)
      return failure();
    Value x = sub->getOperand(0);
    Operation *mean = sub->getOperand(1).getDefiningOp();
    auto axis = trailingMeanAxis(mean);
    if (!axis || mean->getOperand(0) != x)
      return failure();
    auto addEps = sqrt->getOperand(0).getDefiningOp<onnx::AddOp>();
    if (!addEps)
      return failure();
    Operation *var = addEps->getOperand(0).getDefiningOp();
    auto eps = scalarOf(addEps->getOperand(1));
    if (!eps) {
      var = addEps->getOperand(1).getDefiningOp();
      eps = scalarOf(addEps->getOperand(0));
    }
    if (!eps || trailingMeanAxis(var) != axis)
      return failure();
    Operation *sq = var->getOperand(0).getDefiningOp();
    bool squares = sq && ((isa<onnx::PowOp>(sq) && sq->getOperand(0) == d &&
                           near(scalarOf(sq->getOperand(1)), 2.0)) ||
                          (isa<onnx::MulOp>(sq) && sq->getOperand(0) == d &&
                           sq->getOperand(1) == d));
    if (!squares)
      return failure();

    auto xType = rankedType(x);
    if (!xType || !xType.hasStaticShape() || div->getResult(0).getType() != xType)
      return failure();
    // Scale and bias: constants over the normalized dims, when they follow.
    SmallVector<int64_t> normShape(xType.getShape().drop_front(*axis));
    Operation *last = div;
    Value gamma, beta;
    auto fitsNorm = [&](Value v) {
      auto t = rankedType(v);
      if (!t || !constantValue(v) || t.getRank() > int64_t(normShape.size()))
        return false;
      for (int64_t i = 0; i < t.getRank(); ++i)
        if (t.getDimSize(t.getRank() - 1 - i) != normShape[normShape.size() - 1 - i])
          return false;
      return true;
    };
    if (Operation *mul = singleUser(last->getResult(0))) {
      Value g = otherOperand<onnx::MulOp>(mul, last->getResult(0));
      if (g && fitsNorm(g) && mul->getResult(0).getType() == xType) {
        gamma = g;
        last = mul;
        if (Operation *add = singleUser(last->getResult(0))) {
          Value b = otherOperand<onnx::AddOp>(add, last->getResult(0));
          if (b && fitsNorm(b) && add->getResult(0).getType() == xType) {
            beta = b;
            last = add;
          }
        }
      }
    }
    rewriter.setInsertionPoint(last);
    auto normType = RankedTensorType::get(normShape, xType.getElementType());
    if (!gamma)
      gamma = createConstant(rewriter, div.getLoc(),
                             floatAttr(normType, std::vector<double>(
                                                     normType.getNumElements(), 1.0)));
    Value none = onnx::NoValueOp::create(rewriter, div.getLoc());
    OperationState state(mean->getLoc(),
                         onnx::LayerNormalizationOp::getOperationName());
    state.addOperands({x, gamma, beta ? beta : none});
    state.addAttribute("axis", rewriter.getI64IntegerAttr(*axis));
    state.addAttribute("epsilon", rewriter.getF32FloatAttr(float(*eps)));
    state.addTypes({xType, rewriter.getNoneType(), rewriter.getNoneType()});
    Operation *ln = rewriter.create(state);
    rewriter.replaceOp(last, ln->getResult(0));
    return success();
  }
};

/// The last op of x * 0.5 * (1 + t) in its common operand orders:
/// (x * (1+t)) * 0.5, (x * (1+t)) / 2, x * ((1+t) * 0.5), (x*0.5) * (1+t).
Operation *matchHalfXTimesOnePlus(Value t, Value x) {
  Operation *plus = singleUser(t);
  Value one = otherOperand<onnx::AddOp>(plus, t);
  if (!one || !near(scalarOf(one), 1.0))
    return nullptr;
  Operation *next = singleUser(plus->getResult(0));
  if (!next || !isa<onnx::MulOp>(next))
    return nullptr;
  Value other = otherOperand<onnx::MulOp>(next, plus->getResult(0));
  Operation *last = nullptr;
  if (other == x) {
    Operation *half = singleUser(next->getResult(0));
    Value h = otherOperand<onnx::MulOp>(half, next->getResult(0));
    if (h && near(scalarOf(h), 0.5))
      last = half;
    else if (half && isa<onnx::DivOp>(half) &&
             half->getOperand(0) == next->getResult(0) &&
             near(scalarOf(half->getOperand(1)), 2.0))
      last = half;
  } else if (near(scalarOf(other), 0.5)) {
    Operation *mul = singleUser(next->getResult(0));
    if (otherOperand<onnx::MulOp>(mul, next->getResult(0)) == x)
      last = mul;
  } else if (Operation *halfX = other.getDefiningOp();
             halfX && otherOperand<onnx::MulOp>(halfX, x) &&
             near(scalarOf(otherOperand<onnx::MulOp>(halfX, x)), 0.5)) {
    last = next;
  }
  if (!last || last->getResult(0).getType() != x.getType())
    return nullptr;
  return last;
}

/// Replaces `last` by onnx.Gelu(x) with the given approximation.
void replaceByGelu(PatternRewriter &rewriter, Operation *last, Value x,
                   Location loc, StringRef approximate) {
  rewriter.setInsertionPoint(last);
  OperationState state(loc, onnx::GeluOp::getOperationName());
  state.addOperands(x);
  state.addAttribute("approximate", rewriter.getStringAttr(approximate));
  state.addTypes(x.getType());
  rewriter.replaceOp(last, rewriter.create(state)->getResults());
}

/// x * 0.5 * (1 + erf(x / sqrt(2))), in its common operand orders.
struct RecognizeGelu : public OpRewritePattern<onnx::ErfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ErfOp erf,
                                PatternRewriter &rewriter) const override {
    // erf's input: x / sqrt(2) or x * (1/sqrt(2)).
    Operation *scaled = erf->getOperand(0).getDefiningOp();
    if (!scaled)
      return failure();
    Value x;
    if (isa<onnx::DivOp>(scaled) && near(scalarOf(scaled->getOperand(1)), M_SQRT2))
      x = scaled->getOperand(0);
    else if (isa<onnx::MulOp>(scaled)) {
      for (unsigned i = 0; i < 2; ++i)
        if (near(scalarOf(scaled->getOperand(1 - i)), M_SQRT1_2))
          x = scaled->getOperand(i);
    }
    if (!x)
      return failure();
    Operation *last = matchHalfXTimesOnePlus(erf->getResult(0), x);
    if (!last)
      return failure();
    replaceByGelu(rewriter, last, x, erf.getLoc(), "none");
    return success();
  }
};

/// x * 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))).
struct RecognizeGeluTanh : public OpRewritePattern<onnx::TanhOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::TanhOp tanh,
                                PatternRewriter &rewriter) const override {
    Operation *scaled = tanh->getOperand(0).getDefiningOp();
    if (!scaled || !isa<onnx::MulOp>(scaled))
      return failure();
    Value inner;
    for (unsigned i = 0; i < 2; ++i)
      if (near(scalarOf(scaled->getOperand(1 - i)), 0.7978845608, 1e-3))
        inner = scaled->getOperand(i);
    auto add = inner ? inner.getDefiningOp<onnx::AddOp>() : nullptr;
    if (!add)
      return failure();
    // x + 0.044715 * x^3, with x^3 as Pow(x, 3) or x*x*x.
    for (unsigned i = 0; i < 2; ++i) {
      Value x = add->getOperand(i);
      Operation *cubicTerm = add->getOperand(1 - i).getDefiningOp();
      if (!cubicTerm || !isa<onnx::MulOp>(cubicTerm))
        continue;
      Value cube;
      for (unsigned j = 0; j < 2; ++j)
        if (near(scalarOf(cubicTerm->getOperand(1 - j)), 0.044715, 1e-3))
          cube = cubicTerm->getOperand(j);
      Operation *c = cube ? cube.getDefiningOp() : nullptr;
      bool isCube = c && ((isa<onnx::PowOp>(c) && c->getOperand(0) == x &&
                           near(scalarOf(c->getOperand(1)), 3.0)) ||
                          (isa<onnx::MulOp>(c) &&
                           ((c->getOperand(0) == x &&
                             c->getOperand(1).getDefiningOp<onnx::MulOp>() &&
                             c->getOperand(1).getDefiningOp()->getOperand(0) == x &&
                             c->getOperand(1).getDefiningOp()->getOperand(1) == x))));
      if (!isCube)
        continue;
      Operation *last = matchHalfXTimesOnePlus(tanh->getResult(0), x);
      if (!last)
        continue;
      replaceByGelu(rewriter, last, x, tanh.getLoc(), "tanh");
      return success();
    }
    return failure();
  }
};

/// exp(x - max(x)) / sum(exp(x - max(x))) over the last axis -> Softmax.
struct RecognizeSoftmax : public OpRewritePattern<onnx::DivOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::DivOp div,
                                PatternRewriter &rewriter) const override {
    auto exp = div->getOperand(0).getDefiningOp<onnx::ExpOp>();
    auto sum = div->getOperand(1).getDefiningOp<onnx::ReduceSumOp>();
    if (!exp || !sum || sum->getOperand(0) != exp->getResult(0) ||
        intAttr(sum, "keepdims", 1) != 1)
      return failure();
    auto xType = rankedType(exp->getOperand(0));
    if (!xType)
      return failure();
    auto axes = sum->getNumOperands() > 1 && !isNone(sum->getOperand(1))
                    ? constantInts(sum->getOperand(1))
                    : std::nullopt;
    if (!axes || axes->size() != 1)
      return failure();
    int64_t axis = (*axes)[0] < 0 ? (*axes)[0] + xType.getRank() : (*axes)[0];
    // The input is x or x - max(x) over the same axis.
    Value x = exp->getOperand(0);
    if (auto sub = x.getDefiningOp<onnx::SubOp>()) {
      auto max = sub->getOperand(1).getDefiningOp<onnx::ReduceMaxOp>();
      if (max && max->getOperand(0) == sub->getOperand(0))
        x = sub->getOperand(0);
    }
    if (div->getResult(0).getType() != x.getType())
      return failure();
    OperationState state(div.getLoc(), onnx::SoftmaxOp::getOperationName());
    state.addOperands(x);
    state.addAttribute("axis", rewriter.getI64IntegerAttr(axis));
    state.addTypes(x.getType());
    rewriter.replaceOp(div, rewriter.create(state)->getResults());
    return success();
  }
};

struct RecognizePatternsPass
    : public onnxc::impl::RecognizePatternsBase<RecognizePatternsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RecognizeLayerNorm, RecognizeGelu, RecognizeGeluTanh,
                 RecognizeSoftmax>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
