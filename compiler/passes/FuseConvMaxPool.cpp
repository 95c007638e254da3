//===- FuseConvMaxPool.cpp - a first convolution and its max pool --------===//
//
// squeezenet's and resnet's stems: a strided convolution over the image's
// few channels, its activation, then a 3x3 stride-2 max pool. Apart, the
// convolution writes 3 MB that the pool reads back from memory; as one
// onnxk.ConvMaxPool the kernel pools each band of rows while it is in cache.
// The conditions mirror the kernel's (conv.h conv_max_pool): a convolution
// read from phase-split images, a pool that max_pool_row_stride2 runs.
//
//===----------------------------------------------------------------------===//
#include "compiler/passes/ConstantHelpers.h"
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace onnxc {
#define GEN_PASS_DEF_FUSECONVMAXPOOL
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

bool allOnes(std::optional<SmallVector<int64_t>> v) {
  return !v || llvm::all_of(*v, [](int64_t e) { return e == 1; });
}

bool explicitPads(Operation *op) {
  StringRef autoPad = strAttr(op, "auto_pad", "NOTSET");
  return autoPad == "NOTSET" || autoPad == "VALID";
}

/// Pads as written, all zero for VALID or none.
SmallVector<int64_t> padsOrZero(Operation *op) {
  if (strAttr(op, "auto_pad", "NOTSET") == "VALID")
    return SmallVector<int64_t>(4, 0);
  return intsAttr(op, "pads").value_or(SmallVector<int64_t>(4, 0));
}

/// A convolution conv.h reads from phase-split images (im2col_phased_v)
/// with weights the compiler packs: float, 2-D, one group, no residual,
/// constant weights, a column stride over 1, several taps and at most 160
/// channels x taps.
bool isPhasedConv(Operation *conv) {
  if (!isa<onnx::ConvOp, onnxk::ConvOp>(conv) || !conv->getResult(0).hasOneUse())
    return false;
  if (conv->getNumOperands() > 3 && !isNone(conv->getOperand(3)))
    return false;
  auto xt = rankedType(conv->getOperand(0)), wt = rankedType(conv->getOperand(1));
  auto yt = rankedType(conv->getResult(0));
  if (!xt || !wt || !yt || !xt.hasStaticShape() || !yt.hasStaticShape() ||
      !xt.getElementType().isF32() || xt.getRank() != 4 || intAttr(conv, "group", 1) != 1 ||
      !explicitPads(conv) || !constantValue(conv->getOperand(1)))
    return false;
  auto strides = intsAttr(conv, "strides").value_or(SmallVector<int64_t>{1, 1});
  int64_t taps = wt.getDimSize(2) * wt.getDimSize(3), kg = xt.getDimSize(1) * taps;
  return strides.size() == 2 && strides[1] > 1 && taps > 1 && kg <= 160;
}

/// A 2-D MaxPool the kernel runs row by row from its input's rows
/// (conv.h max_pool_row_stride2): column stride 2, unit dilations, leading
/// column pads within the narrowest vector (4 floats), no Indices output.
bool isStride2MaxPool(onnx::MaxPoolOp pool) {
  Operation *op = pool;
  if (op->getNumResults() > 1 && !op->getResult(1).use_empty())
    return false;
  auto kernel = intsAttr(op, "kernel_shape");
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>{1, 1});
  auto yt = rankedType(op->getResult(0));
  if (!kernel || kernel->size() != 2 || strides.size() != 2 || strides[1] != 2 || !yt ||
      !yt.hasStaticShape() || intAttr(op, "storage_order", 0) != 0 || !explicitPads(op) ||
      !allOnes(intsAttr(op, "dilations")))
    return false;
  return padsOrZero(op)[1] < 4;
}

/// MaxPool(conv) -> onnxk.ConvMaxPool.
struct FuseMaxPool : public OpRewritePattern<onnx::MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::MaxPoolOp pool, PatternRewriter &rewriter) const override {
    Operation *conv = pool->getOperand(0).getDefiningOp();
    if (!conv || !isPhasedConv(conv) || !isStride2MaxPool(pool))
      return failure();
    // Named after the pool, whose output it is (the buffer, the comment
    // above the call), then the convolution.
    OperationState state(rewriter.getFusedLoc({pool->getLoc(), conv->getLoc()}),
                         onnxk::ConvMaxPoolOp::getOperationName());
    state.addOperands(conv->getOperands().take_front(3));
    for (StringRef name :
         {"dilations", "group", "kernel_shape", "strides", "activation", "act_alpha", "act_beta"})
      if (Attribute a = conv->getAttr(name))
        state.addAttribute(name, a);
    state.addAttribute("pads", rewriter.getI64ArrayAttr(padsOrZero(conv)));
    state.addAttribute("conv_shape",
                       rewriter.getI64ArrayAttr(rankedType(conv->getResult(0)).getShape()));
    state.addAttribute("pool_kernel_shape",
                       rewriter.getI64ArrayAttr(*intsAttr(pool, "kernel_shape")));
    state.addAttribute(
        "pool_strides",
        rewriter.getI64ArrayAttr(intsAttr(pool, "strides").value_or(SmallVector<int64_t>{1, 1})));
    state.addAttribute("pool_pads", rewriter.getI64ArrayAttr(padsOrZero(pool)));
    state.addTypes(pool->getResult(0).getType());
    Operation *fused = rewriter.create(state);
    rewriter.replaceAllUsesWith(pool->getResult(0), fused->getResult(0));
    rewriter.eraseOp(pool);
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FuseConvMaxPoolPass : public onnxc::impl::FuseConvMaxPoolBase<FuseConvMaxPoolPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseMaxPool>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
