//===- TensorRules.cpp - data movement ops -------------------------------===//
#include "codegen/cpp/KernelLowering.h"
#include "codegen/cpp/MemoryPlanner.h"

#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace onnxc;

namespace {

LogicalResult needsConstant(Operation *op, unsigned operand, StringRef what) {
  return op->emitError() << "not supported yet: " << what
                         << " computed at run time (operand " << operand
                         << " must be a constant once shapes are bound)";
}


LogicalResult viewRule(Operation *op, LoweringContext &,
                       std::vector<KernelCall> &) {
  // Dropout is the identity in inference only; a training_mode that is not
  // a constant false would draw random masks.
  if (op->getName().getStringRef() == "onnx.Dropout" && op->getNumOperands() > 2 &&
      !isNone(op->getOperand(2))) {
    auto mode = constantInts(op->getOperand(2));
    auto ratio = isNone(op->getOperand(1)) ? std::nullopt
                                           : constantFloats(op->getOperand(1));
    bool identity = (mode && !mode->empty() && (*mode)[0] == 0) ||
                    (ratio && !ratio->empty() && (*ratio)[0] == 0.0);
    if (!identity)
      return op->emitError() << "not supported yet: training_mode";
  }
  if (op->getNumResults() > 1 && !isNone(op->getResult(1)) &&
      !op->getResult(1).use_empty())
    return op->emitError() << "not supported yet: the mask output";
  return success(); // shares its input's bytes
}

LogicalResult transposeRule(Operation *op, LoweringContext &ctx,
                            std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto t = tensorType(x);
  SmallVector<int64_t> perm = transposePerm(op, t.getRank());
  calls.push_back({"onnxc::transpose<" + dimsOf(x) + "," + dimsOf(perm) + ">",
                   {ctx.buffer(x), ctx.buffer(y)}});
  return success();
}

LogicalResult concatRule(Operation *op, LoweringContext &ctx,
                         std::vector<KernelCall> &calls) {
  Value y = op->getResult(0);
  auto yt = tensorType(y);
  int64_t axis = intAttr(op, "axis", 0);
  if (axis < 0)
    axis += yt.getRank();
  auto [outer, inner] = splitAtAxis(yt, axis);
  int64_t outChunk = yt.getDimSize(axis) * inner;
  int64_t offset = 0;
  for (Value in : op->getOperands()) {
    int64_t chunk = tensorType(in).getDimSize(axis) * inner;
    if (chunk > 0 && !ctx.writtenInPlace(in, y))
      calls.push_back({"onnxc::concat_part<" + std::to_string(outer) + "," +
                           std::to_string(chunk) + "," +
                           std::to_string(outChunk) + "," +
                           std::to_string(offset) + ">",
                       {ctx.buffer(in), ctx.buffer(y)}});
    offset += chunk;
  }
  return success();
}

/// Emits a strided slice of x into y given per-dim starts and steps.
void emitSlice(LoweringContext &ctx, std::vector<KernelCall> &calls, Value x,
               Value y, ArrayRef<int64_t> starts, ArrayRef<int64_t> steps) {
  calls.push_back({"onnxc::slice<" + dimsOf(x) + "," + dimsOf(y) + "," +
                       dimsOf(starts) + "," + dimsOf(steps) + ">",
                   {ctx.buffer(x), ctx.buffer(y)}});
}

LogicalResult sliceRule(Operation *op, LoweringContext &ctx,
                        std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto t = tensorType(x);
  auto starts = constantInts(op->getOperand(1));
  auto ends = constantInts(op->getOperand(2));
  if (!starts || !ends)
    return needsConstant(op, 1, "slice bounds");
  std::optional<SmallVector<int64_t>> axes, steps;
  if (op->getNumOperands() > 3 && !isNone(op->getOperand(3)))
    if (!(axes = constantInts(op->getOperand(3))))
      return needsConstant(op, 3, "slice axes");
  if (op->getNumOperands() > 4 && !isNone(op->getOperand(4)))
    if (!(steps = constantInts(op->getOperand(4))))
      return needsConstant(op, 4, "slice steps");
  int64_t rank = t.getRank();
  SmallVector<int64_t> begin(rank, 0), step(rank, 1);
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t axis = axes ? (*axes)[i] : int64_t(i);
    if (axis < 0)
      axis += rank;
    int64_t dim = t.getDimSize(axis);
    int64_t s = (*starts)[i], st = steps ? (*steps)[i] : 1;
    if (s < 0)
      s += dim;
    s = st > 0 ? std::clamp<int64_t>(s, 0, dim) : std::clamp<int64_t>(s, 0, dim - 1);
    begin[axis] = s;
    step[axis] = st;
  }
  if (tensorType(y).getNumElements() == 0)
    return success();
  emitSlice(ctx, calls, x, y, begin, step);
  return success();
}

LogicalResult splitRule(Operation *op, LoweringContext &ctx,
                        std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0);
  auto t = tensorType(x);
  int64_t axis = intAttr(op, "axis", 0);
  if (axis < 0)
    axis += t.getRank();
  int64_t offset = 0;
  for (Value y : op->getResults()) {
    if (isNone(y))
      continue;
    SmallVector<int64_t> begin(t.getRank(), 0), step(t.getRank(), 1);
    begin[axis] = offset;
    offset += tensorType(y).getDimSize(axis);
    if (tensorType(y).getNumElements() > 0)
      emitSlice(ctx, calls, x, y, begin, step);
  }
  return success();
}

LogicalResult gatherRule(Operation *op, LoweringContext &ctx,
                         std::vector<KernelCall> &calls) {
  Value data = op->getOperand(0), indices = op->getOperand(1),
        y = op->getResult(0);
  auto t = tensorType(data);
  int64_t axis = intAttr(op, "axis", 0);
  if (axis < 0)
    axis += t.getRank();
  auto [outer, inner] = splitAtAxis(t, axis);
  calls.push_back({"onnxc::gather<" + std::to_string(outer) + "," +
                       std::to_string(t.getDimSize(axis)) + "," +
                       std::to_string(inner) + "," +
                       std::to_string(tensorType(indices).getNumElements()) + ">",
                   {ctx.buffer(data), ctx.buffer(indices), ctx.buffer(y)}});
  return success();
}

LogicalResult gatherElementsRule(Operation *op, LoweringContext &ctx,
                                 std::vector<KernelCall> &calls) {
  Value data = op->getOperand(0), indices = op->getOperand(1),
        y = op->getResult(0);
  int64_t axis = intAttr(op, "axis", 0);
  if (axis < 0)
    axis += tensorType(data).getRank();
  calls.push_back({"onnxc::gather_elements<" + dimsOf(data) + "," + dimsOf(y) +
                       "," + std::to_string(axis) + ">",
                   {ctx.buffer(data), ctx.buffer(indices), ctx.buffer(y)}});
  return success();
}

LogicalResult expandRule(Operation *op, LoweringContext &ctx,
                         std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  calls.push_back({"onnxc::expand<" + dimsOf(y) + "," + dimsOf(x) + ">",
                   {ctx.buffer(x), ctx.buffer(y)}});
  return success();
}

LogicalResult tileRule(Operation *op, LoweringContext &ctx,
                       std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  calls.push_back({"onnxc::tile<" + dimsOf(x) + "," + dimsOf(y) + ">",
                   {ctx.buffer(x), ctx.buffer(y)}});
  return success();
}

LogicalResult padRule(Operation *op, LoweringContext &ctx,
                      std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto t = tensorType(x);
  auto pads = constantInts(op->getOperand(1));
  if (!pads)
    return needsConstant(op, 1, "pads");
  int64_t rank = t.getRank();
  SmallVector<int64_t> axes;
  if (op->getNumOperands() > 3 && !isNone(op->getOperand(3))) {
    auto a = constantInts(op->getOperand(3));
    if (!a)
      return needsConstant(op, 3, "pad axes");
    for (int64_t v : *a)
      axes.push_back(v < 0 ? v + rank : v);
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  SmallVector<int64_t> begin(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i)
    begin[axes[i]] = (*pads)[i];
  StringRef mode = strAttr(op, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return op->emitError() << "unknown pad mode \"" << mode << "\"";
  std::string value = ctx.optionalInput(
      op->getNumOperands() > 2 ? op->getOperand(2) : Value(), t.getElementType());
  calls.push_back({"onnxc::pad<" + dimsOf(x) + "," + dimsOf(y) + "," +
                       dimsOf(begin) + ",onnxc::pad_mode::" + mode.str() + ">",
                   {ctx.buffer(x), value, ctx.buffer(y)}});
  return success();
}

LogicalResult constantOfShapeRule(Operation *op, LoweringContext &ctx,
                                  std::vector<KernelCall> &calls) {
  Value y = op->getResult(0);
  auto t = tensorType(y);
  DenseElementsAttr value;
  if (auto v = op->getAttrOfType<DenseElementsAttr>("value"))
    value = v;
  else
    value = DenseElementsAttr::get(RankedTensorType::get({1}, t.getElementType()),
                                   FloatAttr::get(t.getElementType(), 0.0));
  value = value.reshape(RankedTensorType::get({1}, t.getElementType()));
  if (t.getNumElements() == 0)
    return success();
  calls.push_back({"onnxc::fill<" + std::to_string(t.getNumElements()) + ">",
                   {ctx.newConstant(value, "fill"), ctx.buffer(y)}});
  return success();
}

LogicalResult rangeRule(Operation *op, LoweringContext &ctx,
                        std::vector<KernelCall> &calls) {
  Value y = op->getResult(0);
  calls.push_back({"onnxc::range<" + std::to_string(tensorType(y).getNumElements()) + ">",
                   {ctx.buffer(op->getOperand(0)), ctx.buffer(op->getOperand(2)),
                    ctx.buffer(y)}});
  return success();
}

LogicalResult triluRule(Operation *op, LoweringContext &ctx,
                        std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto t = tensorType(x);
  if (t.getRank() < 2)
    return op->emitError() << "input must have rank >= 2";
  int64_t rows = t.getDimSize(t.getRank() - 2), cols = t.getDimSize(t.getRank() - 1);
  int64_t batch = rows * cols != 0 ? t.getNumElements() / (rows * cols) : 0;
  std::string k = ctx.optionalInput(op->getNumOperands() > 1 ? op->getOperand(1) : Value(),
                                    IntegerType::get(op->getContext(), 64));
  if (t.getNumElements() == 0)
    return success();
  calls.push_back({"onnxc::trilu<" + std::to_string(batch) + "," +
                       std::to_string(rows) + "," + std::to_string(cols) + "," +
                       (intAttr(op, "upper", 1) ? "true" : "false") + ">",
                   {ctx.buffer(x), k, ctx.buffer(y)}});
  return success();
}

LogicalResult depthSpaceRule(Operation *op, LoweringContext &ctx,
                             std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto s = tensorType(x).getShape();
  int64_t b = intAttr(op, "blocksize", 1);
  std::string dims = std::to_string(s[0]) + "," + std::to_string(s[1]) + "," +
                     std::to_string(s[2]) + "," + std::to_string(s[3]) + "," +
                     std::to_string(b);
  if (op->getName().getStringRef() == "onnx.DepthToSpace")
    calls.push_back({"onnxc::depth_to_space<" + dims + "," +
                         (strAttr(op, "mode", "DCR") == "DCR" ? "true" : "false") + ">",
                     {ctx.buffer(x), ctx.buffer(y)}});
  else
    calls.push_back({"onnxc::space_to_depth<" + dims + ">",
                     {ctx.buffer(x), ctx.buffer(y)}});
  return success();
}

LogicalResult resizeRule(Operation *op, LoweringContext &ctx,
                         std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  if (!isa<FloatType>(xt.getElementType()) && !xt.getElementType().isInteger(8))
    return op->emitError() << "not supported yet: element type "
                           << xt.getElementType();
  if (intAttr(op, "antialias", 0))
    return op->emitError() << "not supported yet: antialias";
  SmallVector<int64_t> out;
  SmallVector<float> scales, roi;
  if (failed(resizeGeometry(op, xt, out, scales, roi)))
    return needsConstant(op, 2, "resize scales or sizes");
  StringRef mode = strAttr(op, "mode", "nearest");
  StringRef coord = strAttr(op, "coordinate_transformation_mode", "half_pixel");
  StringRef nearest = strAttr(op, "nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return op->emitError() << "unknown mode \"" << mode << "\"";
  if (coord != "half_pixel" && coord != "half_pixel_symmetric" &&
      coord != "pytorch_half_pixel" && coord != "align_corners" &&
      coord != "asymmetric" && coord != "tf_crop_and_resize")
    return op->emitError() << "not supported yet: coordinate_transformation_mode "
                           << coord;
  if (nearest != "round_prefer_floor" && nearest != "round_prefer_ceil" &&
      nearest != "floor" && nearest != "ceil")
    return op->emitError() << "unknown nearest_mode \"" << nearest << "\"";
  Builder b(op->getContext());
  auto f32 = b.getF32Type();
  auto scalesAttr = DenseElementsAttr::get(
      RankedTensorType::get({int64_t(scales.size())}, f32), ArrayRef<float>(scales));
  auto roiAttr = DenseElementsAttr::get(
      RankedTensorType::get({int64_t(roi.size())}, f32), ArrayRef<float>(roi));
  calls.push_back({"onnxc::resize<" + dimsOf(x) + "," + dimsOf(y) +
                       ",onnxc::resize_mode::" + mode.str() +
                       ",onnxc::resize_coord::" + coord.str() +
                       ",onnxc::resize_nearest::" + nearest.str() + "," +
                       (intAttr(op, "exclude_outside", 0) ? "true" : "false") + ">",
                   {ctx.buffer(x), ctx.newConstant(scalesAttr, "resize_scales"),
                    ctx.newConstant(roiAttr, "resize_roi"), ctx.buffer(y),
                    floatLiteral(floatAttr(op, "cubic_coeff_a", -0.75f)),
                    floatLiteral(floatAttr(op, "extrapolation_value", 0.0f))}});
  return success();
}

std::string scatterReduction(Operation *op) {
  return "onnxc::scatter_reduction::" + strAttr(op, "reduction", "none").str();
}

LogicalResult scatterElementsRule(Operation *op, LoweringContext &ctx,
                                  std::vector<KernelCall> &calls) {
  Value data = op->getOperand(0), indices = op->getOperand(1),
        updates = op->getOperand(2), y = op->getResult(0);
  int64_t axis = intAttr(op, "axis", 0);
  if (axis < 0)
    axis += tensorType(data).getRank();
  calls.push_back({"onnxc::scatter_elements<" + dimsOf(data) + "," +
                       dimsOf(indices) + "," + std::to_string(axis) + "," +
                       scatterReduction(op) + ">",
                   {ctx.buffer(data), ctx.buffer(indices), ctx.buffer(updates),
                    ctx.buffer(y)}});
  return success();
}

LogicalResult scatterNDRule(Operation *op, LoweringContext &ctx,
                            std::vector<KernelCall> &calls) {
  Value data = op->getOperand(0), indices = op->getOperand(1),
        updates = op->getOperand(2), y = op->getResult(0);
  auto dt = tensorType(data), it = tensorType(indices);
  int64_t k = it.getDimSize(it.getRank() - 1);
  int64_t n = k ? it.getNumElements() / k : 0;
  int64_t slice = 1;
  for (int64_t i = k; i < dt.getRank(); ++i)
    slice *= dt.getDimSize(i);
  calls.push_back({"onnxc::scatter_nd<" + dimsOf(data) + "," + std::to_string(n) +
                       "," + std::to_string(k) + "," + std::to_string(slice) + "," +
                       scatterReduction(op) + ">",
                   {ctx.buffer(data), ctx.buffer(indices), ctx.buffer(updates),
                    ctx.buffer(y)}});
  return success();
}

LogicalResult gatherNDRule(Operation *op, LoweringContext &ctx,
                           std::vector<KernelCall> &calls) {
  Value data = op->getOperand(0), indices = op->getOperand(1),
        y = op->getResult(0);
  auto dt = tensorType(data), it = tensorType(indices);
  int64_t b = intAttr(op, "batch_dims", 0);
  int64_t k = it.getDimSize(it.getRank() - 1);
  int64_t batch = 1;
  for (int64_t i = 0; i < b; ++i)
    batch *= dt.getDimSize(i);
  int64_t n = (k && batch) ? it.getNumElements() / k / batch : 0;
  int64_t slice = 1;
  for (int64_t i = b + k; i < dt.getRank(); ++i)
    slice *= dt.getDimSize(i);
  calls.push_back({"onnxc::gather_nd<" + dimsOf(data) + "," + std::to_string(batch) +
                       "," + std::to_string(n) + "," + std::to_string(k) + "," +
                       std::to_string(b) + "," + std::to_string(slice) + ">",
                   {ctx.buffer(data), ctx.buffer(indices), ctx.buffer(y)}});
  return success();
}

LogicalResult eyeLikeRule(Operation *op, LoweringContext &ctx,
                          std::vector<KernelCall> &calls) {
  Value y = op->getResult(0);
  auto t = tensorType(y);
  if (t.getRank() != 2)
    return op->emitError() << "input must be 2-D";
  calls.push_back({"onnxc::eye_like<" + std::to_string(t.getDimSize(0)) + "," +
                       std::to_string(t.getDimSize(1)) + "," +
                       std::to_string(intAttr(op, "k", 0)) + ">",
                   {ctx.buffer(y)}});
  return success();
}

LogicalResult oneHotRule(Operation *op, LoweringContext &ctx,
                         std::vector<KernelCall> &calls) {
  Value indices = op->getOperand(0), values = op->getOperand(2),
        y = op->getResult(0);
  auto yt = tensorType(y);
  int64_t axis = intAttr(op, "axis", -1);
  if (axis < 0)
    axis += yt.getRank();
  auto [outer, inner] = splitAtAxis(yt, axis);
  calls.push_back({"onnxc::one_hot<" + std::to_string(outer) + "," +
                       std::to_string(yt.getDimSize(axis)) + "," +
                       std::to_string(inner) + ">",
                   {ctx.buffer(indices), ctx.buffer(values), ctx.buffer(y)}});
  return success();
}

/// [Outer, C, Inner] around the quantization axis (C = 1 per tensor).
LoweringRule quantRule(bool quantize) {
  return [quantize](Operation *op, LoweringContext &ctx,
                    std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), scale = op->getOperand(1),
          zero = op->getOperand(2), y = op->getResult(0);
    auto xt = tensorType(x), st = tensorType(scale);
    Type q = quantize ? elementType(y) : elementType(x);
    if (!q.isInteger(8) || cType(q).empty())
      return op->emitError() << "not supported yet: quantized type " << q;
    if (st.getRank() > 1)
      return op->emitError() << "not supported yet: blocked quantization";
    int64_t c = st.getNumElements();
    int64_t outer = 1, inner = 1;
    if (c > 1) {
      int64_t axis = intAttr(op, "axis", 1);
      if (axis < 0)
        axis += xt.getRank();
      AxisSplit split = splitAtAxis(xt, axis);
      outer = split.outer;
      inner = split.inner;
    } else {
      inner = xt.getNumElements();
    }
    std::string z = ctx.optionalInput(zero, q);
    calls.push_back({std::string(quantize ? "onnxc::quantize_linear<"
                                          : "onnxc::dequantize_linear<") +
                         std::to_string(outer) + "," + std::to_string(c) + "," +
                         std::to_string(inner) + ">",
                     {ctx.buffer(x), ctx.buffer(scale), z, ctx.buffer(y)}});
    return success();
  };
}

} // namespace

void onnxc::addTensorRules(llvm::StringMap<LoweringRule> &r) {
  for (StringRef name : {"Reshape", "Flatten", "Squeeze", "Unsqueeze",
                         "Identity", "Dropout"})
    r[name] = viewRule;
  r["Transpose"] = transposeRule;
  r["Concat"] = concatRule;
  r["Slice"] = sliceRule;
  r["Split"] = splitRule;
  r["Gather"] = gatherRule;
  r["GatherElements"] = gatherElementsRule;
  r["Expand"] = expandRule;
  r["Tile"] = tileRule;
  r["Pad"] = padRule;
  r["ConstantOfShape"] = constantOfShapeRule;
  r["Range"] = rangeRule;
  r["Trilu"] = triluRule;
  r["Resize"] = resizeRule;
  r["ScatterElements"] = scatterElementsRule;
  r["ScatterND"] = scatterNDRule;
  r["GatherND"] = gatherNDRule;
  r["EyeLike"] = eyeLikeRule;
  r["OneHot"] = oneHotRule;
  r["QuantizeLinear"] = quantRule(true);
  r["DequantizeLinear"] = quantRule(false);
  r["DepthToSpace"] = depthSpaceRule;
  r["SpaceToDepth"] = depthSpaceRule;
}
