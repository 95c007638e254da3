//===- NNShapes.cpp - convolution, pooling, matmul and recurrent ops -----===//
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace onnxc;

namespace {

std::optional<ArrayRef<int64_t>> shapeOf(RankedTensorType t) {
  if (!t)
    return std::nullopt;
  return t.getShape();
}

/// Output spatial size of a sliding window, following auto_pad.
LogicalResult windowOutput(Operation *op, const RankedTensorType &x,
                           ArrayRef<int64_t> kernel, bool ceilMode,
                           Shape &spatialOut) {
  int64_t spatial = x.getRank() - 2;
  if (int64_t(kernel.size()) != spatial)
    return op->emitError() << "kernel has " << kernel.size()
                           << " dimensions for " << spatial
                           << " spatial input dimensions";
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto dilations =
      intsAttr(op, "dilations").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = intsAttr(op, "pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (int64_t(strides.size()) != spatial || int64_t(dilations.size()) != spatial ||
      int64_t(pads.size()) != 2 * spatial)
    return op->emitError() << "strides, dilations or pads do not match the "
                              "number of spatial dimensions";
  StringRef autoPad = strAttr(op, "auto_pad", "NOTSET");
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = x.getDimSize(2 + i);
    if (in == kDyn) {
      spatialOut.push_back(kDyn);
      continue;
    }
    if (strides[i] <= 0 || dilations[i] <= 0)
      return op->emitError() << "strides and dilations must be positive";
    int64_t effective = (kernel[i] - 1) * dilations[i] + 1;
    int64_t out;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      out = (in + strides[i] - 1) / strides[i];
    } else if (autoPad == "VALID") {
      out = (in - effective) / strides[i] + 1;
      if (in < effective)
        out = 0;
    } else {
      int64_t span = in + pads[i] + pads[i + spatial] - effective;
      if (span < 0)
        return op->emitError() << "the window is larger than the padded input";
      out = ceilMode ? (span + strides[i] - 1) / strides[i] + 1
                     : span / strides[i] + 1;
      // A window must start inside the input or its left padding.
      if (ceilMode && (out - 1) * strides[i] >= in + pads[i])
        --out;
    }
    if (out <= 0)
      return op->emitError() << "output spatial size would be " << out;
    spatialOut.push_back(out);
  }
  return success();
}

LogicalResult convShape(Operation *op) {
  auto x = rankedType(op->getOperand(0));
  auto w = rankedType(op->getOperand(1));
  Type element = elementType(op->getOperand(0));
  if (!x || !w) {
    setUnranked(op, 0, element);
    return success();
  }
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return op->emitError() << "input " << x << " and weight " << w
                           << " do not fit a convolution";
  int64_t group = intAttr(op, "group", 1);
  if (x.getDimSize(1) != kDyn && w.getDimSize(1) != kDyn &&
      x.getDimSize(1) != w.getDimSize(1) * group)
    return op->emitError() << "input has " << x.getDimSize(1)
                           << " channels, the weight expects "
                           << w.getDimSize(1) * group;
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  if (auto k = intsAttr(op, "kernel_shape"))
    kernel = *k;
  Shape out{x.getDimSize(0), w.getDimSize(0)};
  if (failed(windowOutput(op, x, kernel, false, out)))
    return failure();
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

} // namespace

/// ConvTranspose's output spatial sizes and leading pads (shared with the
/// lowering, which needs the same pads).
LogicalResult onnxc::convTransposeGeometry(Operation *op, RankedTensorType x,
                                           RankedTensorType w,
                                           SmallVectorImpl<int64_t> &outSpatial,
                                           SmallVectorImpl<int64_t> &padBegin) {
  int64_t spatial = x.getRank() - 2;
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  if (auto k = intsAttr(op, "kernel_shape"))
    kernel = *k;
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto dil = intsAttr(op, "dilations").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = intsAttr(op, "pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  auto outPad =
      intsAttr(op, "output_padding").value_or(SmallVector<int64_t>(spatial, 0));
  auto outShape = intsAttr(op, "output_shape");
  StringRef autoPad = strAttr(op, "auto_pad", "NOTSET");
  if (int64_t(kernel.size()) != spatial || int64_t(strides.size()) != spatial ||
      int64_t(dil.size()) != spatial || int64_t(pads.size()) != 2 * spatial ||
      int64_t(outPad.size()) != spatial)
    return op->emitError() << "attributes do not match the number of spatial "
                              "dimensions";
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = x.getDimSize(2 + i);
    int64_t full = strides[i] * (in - 1) + outPad[i] + (kernel[i] - 1) * dil[i] + 1;
    int64_t out;
    if (outShape) {
      out = (*outShape)[outShape->size() - spatial + i];
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      out = in * strides[i];
    } else {
      out = full - pads[i] - pads[i + spatial];
      padBegin.push_back(pads[i]);
      outSpatial.push_back(out);
      continue;
    }
    int64_t total = std::max<int64_t>(0, full - out);
    // The ONNX spec: SAME_UPPER puts the smaller half first, every other
    // mode the larger.
    bool upper = autoPad == "SAME_UPPER";
    padBegin.push_back(upper ? total / 2 : total - total / 2);
    outSpatial.push_back(out);
  }
  return success();
}

namespace {

LogicalResult convTransposeShape(Operation *op) {
  auto x = rankedType(op->getOperand(0));
  auto w = rankedType(op->getOperand(1));
  Type element = elementType(op->getOperand(0));
  if (!x || !w || !x.hasStaticShape() || !w.hasStaticShape()) {
    setUnranked(op, 0, element);
    return success();
  }
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return op->emitError() << "input " << x << " and weight " << w
                           << " do not fit a transposed convolution";
  SmallVector<int64_t> spatial, pads;
  if (failed(convTransposeGeometry(op, x, w, spatial, pads)))
    return failure();
  Shape out{x.getDimSize(0), w.getDimSize(1) * intAttr(op, "group", 1)};
  out.append(spatial.begin(), spatial.end());
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult poolShape(Operation *op) {
  auto x = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  if (!x) {
    setUnranked(op, 0, element);
    return success();
  }
  auto kernel = intsAttr(op, "kernel_shape");
  if (!kernel)
    return op->emitError() << "missing attribute kernel_shape";
  Shape out{x.getDimSize(0), x.getDimSize(1)};
  if (failed(windowOutput(op, x, *kernel, intAttr(op, "ceil_mode", 0) != 0, out)))
    return failure();
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  if (op->getNumResults() > 1 && !isa<NoneType>(op->getResult(1).getType()))
    setResult(op, 1, ArrayRef<int64_t>(out),
              IntegerType::get(op->getContext(), 64));
  return success();
}

LogicalResult globalPoolShape(Operation *op) {
  auto x = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  if (!x) {
    setUnranked(op, 0, element);
    return success();
  }
  Shape out(x.getShape().begin(), x.getShape().end());
  for (size_t i = 2; i < out.size(); ++i)
    out[i] = 1;
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult gemmShape(Operation *op) {
  auto a = rankedType(op->getOperand(0));
  auto b = rankedType(op->getOperand(1));
  Type element = elementType(op->getOperand(0));
  if (!a || !b) {
    setUnranked(op, 0, element);
    return success();
  }
  if (a.getRank() != 2 || b.getRank() != 2)
    return op->emitError() << "A and B must be matrices";
  bool ta = intAttr(op, "transA", 0), tb = intAttr(op, "transB", 0);
  int64_t m = a.getDimSize(ta ? 1 : 0), ka = a.getDimSize(ta ? 0 : 1);
  int64_t kb = b.getDimSize(tb ? 1 : 0), n = b.getDimSize(tb ? 0 : 1);
  if (ka != kDyn && kb != kDyn && ka != kb)
    return op->emitError() << "inner dimensions differ: " << a << " x " << b;
  if (op->getNumOperands() > 2 && !isNone(op->getOperand(2))) {
    if (auto c = rankedType(op->getOperand(2))) {
      Shape out;
      if (c.getRank() > 2 ||
          failed(broadcastShapes({Shape(c.getShape().begin(), c.getShape().end()),
                                  Shape{m, n}},
                                 out)) ||
          (out[0] != m && m != kDyn) || (out[1] != n && n != kDyn))
        return op->emitError() << "C " << c << " does not broadcast to " << m
                               << "x" << n;
    }
  }
  setResult(op, 0, ArrayRef<int64_t>{m, n}, element);
  return success();
}

LogicalResult matmulShape(Operation *op) {
  auto a = rankedType(op->getOperand(0));
  auto b = rankedType(op->getOperand(1));
  Type element = elementType(op->getOperand(0));
  if (StringRef(op->getName().getStringRef()) == "onnx.MatMulInteger")
    element = IntegerType::get(op->getContext(), 32);
  if (!a || !b) {
    setUnranked(op, 0, element);
    return success();
  }
  if (a.getRank() == 0 || b.getRank() == 0)
    return op->emitError() << "MatMul operands must not be scalars";
  Shape as(a.getShape().begin(), a.getShape().end());
  Shape bs(b.getShape().begin(), b.getShape().end());
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec)
    as.insert(as.begin(), 1);
  if (bVec)
    bs.push_back(1);
  int64_t k1 = as.back(), k2 = bs[bs.size() - 2];
  if (k1 != kDyn && k2 != kDyn && k1 != k2)
    return op->emitError() << "inner dimensions differ: " << a << " x " << b;
  Shape batch;
  if (failed(broadcastShapes({Shape(as.begin(), as.end() - 2),
                              Shape(bs.begin(), bs.end() - 2)},
                             batch)))
    return op->emitError() << "batch dimensions do not broadcast";
  Shape out = batch;
  if (!aVec)
    out.push_back(as[as.size() - 2]);
  if (!bVec)
    out.push_back(bs.back());
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

/// LSTM/GRU/RNN: Y [seq, dirs, batch, hidden], Y_h/Y_c [dirs, batch, hidden]
/// (layout 0), or batch-major for layout 1.
LogicalResult recurrentShape(Operation *op) {
  auto x = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  int64_t hidden = intAttr(op, "hidden_size", kDyn);
  StringRef direction = strAttr(op, "direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  bool batchMajor = intAttr(op, "layout", 0) != 0;
  for (unsigned i = 0; i < op->getNumResults(); ++i) {
    if (isa<NoneType>(op->getResult(i).getType()))
      continue;
    if (!x || x.getRank() != 3) {
      setUnranked(op, i, element);
      continue;
    }
    int64_t seq = x.getDimSize(batchMajor ? 1 : 0);
    int64_t batch = x.getDimSize(batchMajor ? 0 : 1);
    Shape s;
    if (i == 0)
      s = batchMajor ? Shape{batch, seq, dirs, hidden}
                     : Shape{seq, dirs, batch, hidden};
    else
      s = batchMajor ? Shape{batch, dirs, hidden} : Shape{dirs, batch, hidden};
    setResult(op, i, ArrayRef<int64_t>(s), element);
  }
  return success();
}

LogicalResult layerNormShape(Operation *op) {
  auto x = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  if (!x) {
    setUnranked(op, 0, element);
    return success();
  }
  setResult(op, 0, x.getShape(), element);
  int64_t axis = intAttr(op, "axis", -1);
  if (failed(normalizeAxis(op, axis, x.getRank())))
    return failure();
  Shape stats(x.getShape().begin(), x.getShape().end());
  for (size_t i = axis; i < stats.size(); ++i)
    stats[i] = 1;
  Type statType = Float32Type::get(op->getContext());
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    if (!isa<NoneType>(op->getResult(i).getType()))
      setResult(op, i, ArrayRef<int64_t>(stats), statType);
  return success();
}

LogicalResult depthSpaceShape(Operation *op) {
  auto x = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  if (!x || x.getRank() != 4) {
    setUnranked(op, 0, element);
    return success();
  }
  int64_t b = intAttr(op, "blocksize", 1);
  bool toSpace = op->getName().getStringRef() == "onnx.DepthToSpace";
  auto s = x.getShape();
  auto scale = [&](int64_t d, bool up) {
    return d == kDyn ? kDyn : (up ? d * b : d / b);
  };
  Shape out{s[0], toSpace ? (s[1] == kDyn ? kDyn : s[1] / (b * b))
                          : (s[1] == kDyn ? kDyn : s[1] * b * b),
            scale(s[2], toSpace), scale(s[3], toSpace)};
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

/// NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss: per-element loss
/// shaped like the target for reduction "none", else a scalar; SCE's
/// optional second result is the log-probabilities, shaped like the scores.
LogicalResult lossShape(Operation *op) {
  Type element = elementType(op->getOperand(0));
  auto target = rankedType(op->getOperand(1));
  if (strAttr(op, "reduction", "mean") == "none")
    setResult(op, 0, shapeOf(target), element);
  else
    setResult(op, 0, ArrayRef<int64_t>{}, element);
  if (op->getNumResults() > 1 && !isa<NoneType>(op->getResult(1).getType()))
    setResult(op, 1, shapeOf(rankedType(op->getOperand(0))), element);
  return success();
}

} // namespace

void onnxc::registerNNShapes(MLIRContext *ctx) {
  attachShapeFn(ctx, {"Conv"}, convShape);
  attachShapeFn(ctx, {"ConvTranspose"}, convTransposeShape);
  attachShapeFn(ctx, {"MaxPool", "AveragePool", "LpPool"}, poolShape);
  attachShapeFn(ctx, {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"},
                globalPoolShape);
  attachShapeFn(ctx, {"Gemm"}, gemmShape);
  attachShapeFn(ctx, {"MatMul", "MatMulInteger"}, matmulShape);
  attachShapeFn(ctx, {"LSTM", "GRU", "RNN"}, recurrentShape);
  attachShapeFn(ctx, {"LayerNormalization"}, layerNormShape);
  attachShapeFn(ctx, {"DepthToSpace", "SpaceToDepth"}, depthSpaceShape);
  attachShapeFn(ctx, {"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"},
                lossShape);
}
