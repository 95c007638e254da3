//===- ConstantEvaluator.cpp - evaluate onnx ops on constant operands ----===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape); once input shapes are bound these are constants, and
// so is arithmetic on weights. The evaluator runs in int64 for integer
// results and in double for float ones.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/ConstantEvaluator.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include <cmath>
#include <type_traits>

using namespace mlir;
using namespace onnxc;

namespace {

/// Largest result shape inference folds; bigger tensors are weights, not
/// shapes (the constant folding pass has its own limit).
constexpr int64_t kMaxShapeElements = 4096;

template <class V> struct Tensor {
  SmallVector<int64_t> shape;
  std::vector<V> data;
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

template <class V> std::optional<Tensor<V>> operandValues(Value v) {
  auto type = rankedType(v);
  DenseElementsAttr attr = constantValue(v);
  if (!type || !attr)
    return std::nullopt;
  Tensor<V> t{SmallVector<int64_t>(type.getShape()), {}};
  t.data.reserve(type.getNumElements());
  Type e = attr.getElementType();
  if (isa<FloatType>(e)) {
    for (const APFloat &f : attr.getValues<APFloat>())
      t.data.push_back(V(f.convertToDouble()));
  } else if (auto it = dyn_cast<IntegerType>(e)) {
    if (it.getWidth() == 1) {
      for (bool b : attr.getValues<bool>())
        t.data.push_back(V(b));
    } else {
      for (const APInt &i : attr.getValues<APInt>())
        t.data.push_back(V(it.isUnsigned() ? int64_t(i.getZExtValue())
                                           : i.getSExtValue()));
    }
  } else {
    return std::nullopt;
  }
  return t;
}

template <class V>
std::optional<std::vector<V>> evaluate(Operation *op, ArrayRef<Tensor<V>> in,
                                       ArrayRef<int64_t> outShape,
                                       int64_t outCount) {
  constexpr bool isFloat = std::is_floating_point_v<V>;
  StringRef name = op->getName().getStringRef();
  name.consume_front("onnx.");
  std::vector<V> out(outCount);

  auto binary = [&](auto fn) -> std::optional<std::vector<V>> {
    if (in.size() != 2 || in[1].data.empty())
      return std::nullopt;
    for (int64_t i = 0; i < outCount; ++i) {
      V a = in[0].data[broadcastIndex(i, outShape, in[0].shape)];
      V b = in[1].data[broadcastIndex(i, outShape, in[1].shape)];
      auto r = fn(a, b);
      if (!r)
        return std::nullopt;
      out[i] = *r;
    }
    return out;
  };
  auto unary = [&](auto fn) -> std::optional<std::vector<V>> {
    for (int64_t i = 0; i < outCount; ++i)
      out[i] = fn(in[0].data[i]);
    return out;
  };
  using R = std::optional<V>;

  if (name == "Identity" || name == "Reshape" || name == "Flatten" ||
      name == "Squeeze" || name == "Unsqueeze" || name == "Cast" ||
      name == "CastLike") {
    if constexpr (!isFloat) {
      // float -> int casts truncate; keep them out of shape folding
      if (name == "Cast" && !isa<IntegerType>(elementType(op->getOperand(0))))
        return std::nullopt;
    }
    return in[0].data;
  }
  if (name == "Add") return binary([](V a, V b) -> R { return a + b; });
  if (name == "Sub") return binary([](V a, V b) -> R { return a - b; });
  if (name == "Mul") return binary([](V a, V b) -> R { return a * b; });
  if (name == "Div")
    return binary([](V a, V b) -> R {
      if (!isFloat && b == 0) return std::nullopt;
      return a / b; // integer Div truncates toward zero, like C++
    });
  if (name == "Max") return binary([](V a, V b) -> R { return std::max(a, b); });
  if (name == "Min") return binary([](V a, V b) -> R { return std::min(a, b); });
  if (name == "Equal") return binary([](V a, V b) -> R { return V(a == b); });
  if (name == "Less") return binary([](V a, V b) -> R { return V(a < b); });
  if (name == "Greater") return binary([](V a, V b) -> R { return V(a > b); });
  if (name == "Neg") return unary([](V v) { return V(-v); });
  if (name == "Abs") return unary([](V v) { return v < 0 ? V(-v) : v; });
  if (name == "Not") return unary([](V v) { return V(!v); });
  if constexpr (isFloat) {
    if (name == "Pow") return binary([](V a, V b) -> R { return std::pow(a, b); });
    if (name == "Sqrt") return unary([](V v) { return std::sqrt(v); });
    if (name == "Exp") return unary([](V v) { return std::exp(v); });
    if (name == "Log") return unary([](V v) { return std::log(v); });
    if (name == "Erf") return unary([](V v) { return std::erf(v); });
    if (name == "Tanh") return unary([](V v) { return std::tanh(v); });
    if (name == "Reciprocal") return unary([](V v) { return V(1) / v; });
    if (name == "Relu") return unary([](V v) { return v > 0 ? v : V(0); });
    if (name == "Sigmoid") return unary([](V v) { return V(1) / (V(1) + std::exp(-v)); });
    if (name == "Floor") return unary([](V v) { return std::floor(v); });
    if (name == "Ceil") return unary([](V v) { return std::ceil(v); });
  }
  if (name == "Where") {
    for (int64_t i = 0; i < outCount; ++i) {
      bool c = in[0].data[broadcastIndex(i, outShape, in[0].shape)] != 0;
      const Tensor<V> &src = c ? in[1] : in[2];
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
    V fill = 0;
    if (auto value = op->getAttrOfType<DenseElementsAttr>("value")) {
      if (isa<FloatType>(value.getElementType()))
        fill = V((*value.getValues<APFloat>().begin()).convertToDouble());
      else if (value.getElementType().isInteger(1))
        fill = V(*value.getValues<bool>().begin());
      else
        fill = V((*value.getValues<APInt>().begin()).getSExtValue());
    }
    return std::vector<V>(outCount, fill);
  }
  if (name == "Range") {
    V start = in[0].data[0], delta = in[2].data[0];
    for (int64_t i = 0; i < outCount; ++i)
      out[i] = start + V(i) * delta;
    return out;
  }
  if (name == "Transpose") {
    const Tensor<V> &x = in[0];
    int64_t rank = int64_t(x.shape.size());
    SmallVector<int64_t> perm = transposePerm(op, rank);
    auto inStrides = stridesOf(x.shape);
    auto outStrides = stridesOf(outShape);
    for (int64_t i = 0; i < outCount; ++i) {
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d)
        off += ((i / outStrides[d]) % outShape[d]) * inStrides[perm[d]];
      out[i] = x.data[off];
    }
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
      for (const Tensor<V> &t : in) {
        int64_t chunk = int64_t(t.data.size()) / std::max<int64_t>(outer, 1);
        for (int64_t j = 0; j < chunk; ++j)
          out[k++] = t.data[o * chunk + j];
      }
    return out;
  }
  if (name == "Gather") {
    const Tensor<V> &data = in[0];
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
      for (V idxv : in[1].data) {
        int64_t idx = int64_t(idxv);
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
    const Tensor<V> &data = in[0];
    int64_t rank = int64_t(data.shape.size());
    SmallVector<int64_t> begin(rank, 0), step(rank, 1);
    for (size_t i = 0; i < in[1].data.size(); ++i) {
      int64_t axis = in.size() > 3 && !in[3].data.empty() ? int64_t(in[3].data[i])
                                                          : int64_t(i);
      if (axis < 0)
        axis += rank;
      int64_t dim = data.shape[axis];
      int64_t st = in.size() > 4 && !in[4].data.empty() ? int64_t(in[4].data[i]) : 1;
      int64_t b = int64_t(in[1].data[i]);
      if (b < 0)
        b += dim;
      b = st > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, 0, dim - 1);
      begin[axis] = b;
      step[axis] = st;
    }
    auto inStrides = stridesOf(data.shape);
    auto outStrides = stridesOf(outShape);
    for (int64_t i = 0; i < outCount; ++i) {
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d)
        off += (begin[d] + ((i / outStrides[d]) % outShape[d]) * step[d]) * inStrides[d];
      out[i] = data.data[off];
    }
    return out;
  }
  if (name == "ReduceProd" || name == "ReduceSum") {
    if (outCount != 1)
      return std::nullopt;
    V acc = name == "ReduceProd" ? 1 : 0;
    for (V v : in[0].data)
      acc = name == "ReduceProd" ? acc * v : acc + v;
    out[0] = acc;
    return out;
  }
  return std::nullopt;
}

} // namespace

/// Shape and Size need only their input's static shape.
static std::optional<SmallVector<int64_t>> shapeOpValues(Operation *op) {
  StringRef name = op->getName().getStringRef();
  auto in = rankedType(op->getOperand(0));
  if (!in)
    return std::nullopt;
  if (name == "onnx.Size") {
    if (!in.hasStaticShape())
      return std::nullopt;
    return SmallVector<int64_t>{in.getNumElements()};
  }
  int64_t rank = in.getRank();
  int64_t start = intAttr(op, "start", 0), end = intAttr(op, "end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  SmallVector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) {
    if (in.isDynamicDim(i))
      return std::nullopt;
    dims.push_back(in.getDimSize(i));
  }
  return dims;
}

DenseElementsAttr onnxc::evaluateConstantOp(Operation *op, int64_t maxElements) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0 ||
      isa<onnx::ConstantOp>(op))
    return nullptr;
  auto resultType = rankedType(op->getResult(0));
  if (!resultType || !resultType.hasStaticShape() ||
      resultType.getNumElements() > maxElements)
    return nullptr;
  Type element = resultType.getElementType();
  auto intType = dyn_cast<IntegerType>(element);
  bool isFloat = isa<FloatType>(element);
  if (!intType && !isFloat)
    return nullptr;

  auto buildInts = [&](ArrayRef<int64_t> values) -> DenseElementsAttr {
    if (intType.getWidth() == 1) {
      SmallVector<bool> bits;
      for (int64_t v : values)
        bits.push_back(v != 0);
      return DenseElementsAttr::get(resultType, ArrayRef<bool>(bits));
    }
    SmallVector<APInt> items;
    for (int64_t v : values)
      items.push_back(APInt(intType.getWidth(), uint64_t(v),
                            /*isSigned=*/!intType.isUnsigned(),
                            /*implicitTrunc=*/true));
    return DenseElementsAttr::get(resultType, items);
  };

  StringRef name = op->getName().getStringRef();
  if (name == "onnx.Shape" || name == "onnx.Size") {
    auto dims = shapeOpValues(op);
    return dims && intType ? buildInts(*dims) : nullptr;
  }
  if (op->getNumOperands() == 0)
    return nullptr;

  auto run = [&](auto zero) -> std::optional<std::vector<decltype(zero)>> {
    using V = decltype(zero);
    SmallVector<Tensor<V>> inputs;
    for (Value v : op->getOperands()) {
      if (isNone(v)) {
        inputs.push_back(Tensor<V>{});
        continue;
      }
      auto t = operandValues<V>(v);
      if (!t)
        return std::nullopt;
      inputs.push_back(std::move(*t));
    }
    return evaluate<V>(op, inputs, resultType.getShape(),
                       resultType.getNumElements());
  };
  if (isFloat) {
    auto values = run(double(0));
    if (!values)
      return nullptr;
    auto ft = cast<FloatType>(element);
    SmallVector<APFloat> items;
    for (double v : *values) {
      APFloat f(v);
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      items.push_back(f);
    }
    return DenseElementsAttr::get(resultType, items);
  }
  auto values = run(int64_t(0));
  if (!values)
    return nullptr;
  return buildInts(SmallVector<int64_t>(values->begin(), values->end()));
}

DenseElementsAttr onnxc::foldShapeComputation(Operation *op) {
  // Shape inference folds only integer computations: the shapes.
  auto t = rankedType(op->getNumResults() == 1 ? op->getResult(0) : Value());
  if (!t || !isa<IntegerType>(t.getElementType()))
    return nullptr;
  return evaluateConstantOp(op, kMaxShapeElements);
}
