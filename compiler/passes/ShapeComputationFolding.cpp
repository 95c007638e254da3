//===- ShapeComputationFolding.cpp - evaluate small integer ops ----------===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape). Once input shapes are bound, these computations are
// constant; evaluating them here lets shape inference see static shapes.
//
//===----------------------------------------------------------------------===//
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

using namespace mlir;
using namespace onnxc;

namespace {

/// Largest result evaluated here; bigger tensors are weights, not shapes.
constexpr int64_t kMaxElements = 4096;

struct IntTensor {
  SmallVector<int64_t> shape;
  SmallVector<int64_t> data;
};

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Index into `in` for flat output index `flat` under numpy broadcasting.
int64_t broadcastIndex(int64_t flat, ArrayRef<int64_t> outShape,
                       ArrayRef<int64_t> inShape) {
  auto outStrides = stridesOf(outShape);
  auto inStrides = stridesOf(inShape);
  size_t offset = outShape.size() - inShape.size();
  int64_t index = 0;
  for (size_t i = 0; i < outShape.size(); ++i) {
    int64_t coord = (flat / outStrides[i]) % outShape[i];
    if (i >= offset && inShape[i - offset] != 1)
      index += coord * inStrides[i - offset];
  }
  return index;
}

std::optional<IntTensor> operandInts(Value v) {
  auto type = rankedType(v);
  auto values = constantInts(v);
  if (!type || !values)
    return std::nullopt;
  return IntTensor{SmallVector<int64_t>(type.getShape()), *values};
}

std::optional<SmallVector<int64_t>>
evaluate(Operation *op, ArrayRef<IntTensor> in, ArrayRef<int64_t> outShape,
         int64_t outCount) {
  StringRef name = op->getName().getStringRef();
  name.consume_front("onnx.");
  SmallVector<int64_t> out(outCount);

  auto binary = [&](auto fn) -> std::optional<SmallVector<int64_t>> {
    for (int64_t i = 0; i < outCount; ++i) {
      int64_t a = in[0].data[broadcastIndex(i, outShape, in[0].shape)];
      int64_t b = in[1].data[broadcastIndex(i, outShape, in[1].shape)];
      auto r = fn(a, b);
      if (!r)
        return std::nullopt;
      out[i] = *r;
    }
    return out;
  };
  using R = std::optional<int64_t>;

  if (name == "Identity" || name == "Reshape" || name == "Flatten" ||
      name == "Squeeze" || name == "Unsqueeze" || name == "Cast") {
    if (name == "Cast" && !isa<IntegerType>(elementType(op->getOperand(0))))
      return std::nullopt;
    return in[0].data;
  }
  if (name == "Add") return binary([](int64_t a, int64_t b) -> R { return a + b; });
  if (name == "Sub") return binary([](int64_t a, int64_t b) -> R { return a - b; });
  if (name == "Mul") return binary([](int64_t a, int64_t b) -> R { return a * b; });
  if (name == "Div")
    return binary([](int64_t a, int64_t b) -> R {
      if (b == 0) return std::nullopt;
      return a / b; // ONNX integer Div truncates toward zero, like C++
    });
  if (name == "Max") return binary([](int64_t a, int64_t b) -> R { return std::max(a, b); });
  if (name == "Min") return binary([](int64_t a, int64_t b) -> R { return std::min(a, b); });
  if (name == "Equal") return binary([](int64_t a, int64_t b) -> R { return a == b; });
  if (name == "Less") return binary([](int64_t a, int64_t b) -> R { return a < b; });
  if (name == "Greater") return binary([](int64_t a, int64_t b) -> R { return a > b; });
  if (name == "Neg" || name == "Abs" || name == "Not") {
    for (int64_t i = 0; i < outCount; ++i) {
      int64_t v = in[0].data[i];
      out[i] = name == "Neg" ? -v : name == "Abs" ? std::abs(v) : !v;
    }
    return out;
  }
  if (name == "Where") {
    for (int64_t i = 0; i < outCount; ++i) {
      bool c = in[0].data[broadcastIndex(i, outShape, in[0].shape)] != 0;
      const IntTensor &src = c ? in[1] : in[2];
      out[i] = src.data[broadcastIndex(i, outShape, src.shape)];
    }
    return out;
  }
  if (name == "Expand") {
    for (int64_t i = 0; i < outCount; ++i)
      out[i] = in[0].data[broadcastIndex(i, outShape, in[0].shape)];
    return out;
  }
  if (name == "ConstantOfShape") {
    int64_t fill = 0;
    if (auto value = op->getAttrOfType<DenseElementsAttr>("value")) {
      if (!isa<IntegerType>(value.getElementType()))
        return std::nullopt;
      fill = (*value.getValues<APInt>().begin()).getSExtValue();
    }
    return SmallVector<int64_t>(outCount, fill);
  }
  if (name == "Range") {
    int64_t start = in[0].data[0], delta = in[2].data[0];
    for (int64_t i = 0; i < outCount; ++i)
      out[i] = start + i * delta;
    return out;
  }
  if (name == "Concat") {
    int64_t axis = intAttr(op, "axis", 0);
    if (axis < 0)
      axis += int64_t(outShape.size());
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i)
      outer *= outShape[i];
    int64_t k = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (const IntTensor &t : in) {
        int64_t chunk = int64_t(t.data.size()) / std::max<int64_t>(outer, 1);
        for (int64_t j = 0; j < chunk; ++j)
          out[k++] = t.data[o * chunk + j];
      }
    return out;
  }
  if (name == "Gather") {
    const IntTensor &data = in[0];
    int64_t axis = intAttr(op, "axis", 0);
    if (axis < 0)
      axis += int64_t(data.shape.size());
    int64_t outer = 1, inner = 1, dim = data.shape[axis];
    for (int64_t i = 0; i < axis; ++i)
      outer *= data.shape[i];
    for (size_t i = axis + 1; i < data.shape.size(); ++i)
      inner *= data.shape[i];
    int64_t k = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t idx : in[1].data) {
        if (idx < 0)
          idx += dim;
        if (idx < 0 || idx >= dim)
          return std::nullopt;
        for (int64_t j = 0; j < inner; ++j)
          out[k++] = data.data[(o * dim + idx) * inner + j];
      }
    return out;
  }
  if (name == "Slice") {
    const IntTensor &data = in[0];
    if (data.shape.size() != 1)
      return std::nullopt;
    int64_t dim = data.shape[0];
    int64_t start = in[1].data[0];
    int64_t step = in.size() > 4 && !in[4].data.empty() ? in[4].data[0] : 1;
    if (start < 0)
      start += dim;
    start = step > 0 ? std::clamp<int64_t>(start, 0, dim)
                     : std::clamp<int64_t>(start, 0, dim - 1);
    for (int64_t i = 0; i < outCount; ++i)
      out[i] = data.data[start + i * step];
    return out;
  }
  if (name == "ReduceProd" || name == "ReduceSum") {
    if (outCount != 1)
      return std::nullopt;
    int64_t acc = name == "ReduceProd" ? 1 : 0;
    for (int64_t v : in[0].data)
      acc = name == "ReduceProd" ? acc * v : acc + v;
    out[0] = acc;
    return out;
  }
  return std::nullopt;
}

} // namespace

DenseElementsAttr onnxc::foldShapeComputation(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0)
    return nullptr;
  auto resultType = rankedType(op->getResult(0));
  if (!resultType || !resultType.hasStaticShape() ||
      resultType.getNumElements() > kMaxElements)
    return nullptr;
  Type element = resultType.getElementType();
  auto intType = dyn_cast<IntegerType>(element);
  if (!intType)
    return nullptr;

  auto build = [&](ArrayRef<int64_t> values) {
    SmallVector<APInt> items;
    for (int64_t v : values)
      items.push_back(APInt(intType.getWidth(), uint64_t(v),
                            /*isSigned=*/!intType.isUnsigned(),
                            /*implicitTrunc=*/true));
    return DenseElementsAttr::get(resultType, items);
  };

  // Shape and Size only need their input's static shape.
  StringRef name = op->getName().getStringRef();
  if (name == "onnx.Shape" || name == "onnx.Size") {
    auto in = rankedType(op->getOperand(0));
    if (!in)
      return nullptr;
    if (name == "onnx.Size")
      return in.hasStaticShape() ? build({in.getNumElements()}) : nullptr;
    int64_t rank = in.getRank();
    int64_t start = intAttr(op, "start", 0), end = intAttr(op, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, 0, rank);
    SmallVector<int64_t> dims;
    for (int64_t i = start; i < end; ++i) {
      if (in.isDynamicDim(i))
        return nullptr;
      dims.push_back(in.getDimSize(i));
    }
    return build(dims);
  }

  SmallVector<IntTensor> inputs;
  for (Value v : op->getOperands()) {
    if (isNone(v)) {
      inputs.push_back(IntTensor{});
      continue;
    }
    auto t = operandInts(v);
    if (!t)
      return nullptr;
    inputs.push_back(std::move(*t));
  }
  if (inputs.empty())
    return nullptr;
  auto values = evaluate(op, inputs, resultType.getShape(),
                         resultType.getNumElements());
  if (!values)
    return nullptr;
  return build(*values);
}
