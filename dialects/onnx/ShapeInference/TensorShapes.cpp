//===- TensorShapes.cpp - data movement, shape and reduction ops ---------===//
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace onnxc;

namespace {

std::optional<ArrayRef<int64_t>> shapeOf(RankedTensorType t) {
  if (!t)
    return std::nullopt;
  return t.getShape();
}

LogicalResult constantShape(Operation *op) {
  auto value = op->getAttrOfType<ElementsAttr>("value");
  if (!value)
    return op->emitError() << "constant has no value";
  op->getResult(0).setType(value.getShapedType());
  return success();
}

LogicalResult shapeShape(Operation *op) {
  Type i64 = IntegerType::get(op->getContext(), 64);
  auto t = rankedType(op->getOperand(0));
  if (!t) {
    setResult(op, 0, ArrayRef<int64_t>{kDyn}, i64);
    return success();
  }
  int64_t rank = t.getRank();
  int64_t start = intAttr(op, "start", 0), end = intAttr(op, "end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  setResult(op, 0, ArrayRef<int64_t>{std::max<int64_t>(end - start, 0)}, i64);
  return success();
}

LogicalResult sizeShape(Operation *op) {
  setResult(op, 0, ArrayRef<int64_t>{}, IntegerType::get(op->getContext(), 64));
  return success();
}

LogicalResult reshapeShape(Operation *op) {
  Value data = op->getOperand(0);
  auto t = rankedType(data);
  auto target = constantInts(op->getOperand(1));
  Type element = elementType(data);
  if (!target) {
    auto st = rankedType(op->getOperand(1));
    if (st && st.hasStaticShape() && st.getRank() == 1)
      setResult(op, 0, Shape(st.getDimSize(0), kDyn), element);
    else
      setUnranked(op, 0, element);
    return success();
  }
  bool allowZero = intAttr(op, "allowzero", 0) != 0;
  Shape out;
  int64_t inferIndex = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == -1) {
      if (inferIndex >= 0)
        return op->emitError() << "shape has more than one -1";
      inferIndex = i;
      out.push_back(kDyn);
      continue;
    }
    if (d == 0 && !allowZero) {
      if (!t || int64_t(i) >= t.getRank())
        return t ? op->emitError() << "shape copies dimension " << i
                                   << " the input does not have"
                 : (setUnranked(op, 0, element), success());
      d = t.getDimSize(i);
    }
    if (d < -1)
      return op->emitError() << "shape has invalid dimension " << d;
    out.push_back(d);
    if (d == kDyn)
      known = -1;
    else if (known >= 0)
      known *= d;
  }
  if (inferIndex >= 0) {
    if (t && t.hasStaticShape() && known > 0) {
      int64_t total = t.getNumElements();
      if (total % known != 0)
        return op->emitError() << "cannot reshape " << t << " to the shape given";
      out[inferIndex] = total / known;
    } else if (t && t.hasStaticShape() && known == 0) {
      out[inferIndex] = 0;
    }
  } else if (t && t.hasStaticShape() && known >= 0 &&
             known != t.getNumElements()) {
    return op->emitError() << "cannot reshape " << t << " ("
                           << t.getNumElements() << " elements) to "
                           << known << " elements";
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult flattenShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  if (!t) {
    setResult(op, 0, ArrayRef<int64_t>{kDyn, kDyn}, element);
    return success();
  }
  int64_t axis = intAttr(op, "axis", 1), rank = t.getRank();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return op->emitError() << "axis out of range";
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t &acc = i < axis ? outer : inner;
    int64_t d = t.getDimSize(i);
    acc = (acc == kDyn || d == kDyn) ? kDyn : acc * d;
  }
  setResult(op, 0, ArrayRef<int64_t>{outer, inner}, element);
  return success();
}

/// Axes from the second operand (newest form) or an `axes` attribute.
std::optional<SmallVector<int64_t>> axesOf(Operation *op, unsigned operand) {
  if (op->getNumOperands() > operand && !isNone(op->getOperand(operand)))
    return constantInts(op->getOperand(operand));
  if (auto attr = intsAttr(op, "axes"))
    return attr;
  return SmallVector<int64_t>();
}

LogicalResult squeezeShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  auto axes = axesOf(op, 1);
  if (!t || !axes) {
    setUnranked(op, 0, element);
    return success();
  }
  int64_t rank = t.getRank();
  llvm::SmallDenseSet<int64_t> drop;
  for (int64_t a : *axes) {
    if (failed(normalizeAxis(op, a, rank)))
      return failure();
    if (t.getDimSize(a) != 1 && t.getDimSize(a) != kDyn)
      return op->emitError() << "cannot squeeze dimension " << a << " of size "
                             << t.getDimSize(a);
    drop.insert(a);
  }
  Shape out;
  for (int64_t i = 0; i < rank; ++i) {
    bool squeeze = axes->empty() ? t.getDimSize(i) == 1 : drop.contains(i);
    if (!squeeze)
      out.push_back(t.getDimSize(i));
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult unsqueezeShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  auto axes = axesOf(op, 1);
  if (!t || !axes) {
    setUnranked(op, 0, element);
    return success();
  }
  int64_t outRank = t.getRank() + int64_t(axes->size());
  SmallVector<bool> inserted(outRank, false);
  for (int64_t a : *axes) {
    if (failed(normalizeAxis(op, a, outRank)))
      return failure();
    if (inserted[a])
      return op->emitError() << "axis " << a << " is given twice";
    inserted[a] = true;
  }
  Shape out;
  int64_t next = 0;
  for (int64_t i = 0; i < outRank; ++i)
    out.push_back(inserted[i] ? 1 : t.getDimSize(next++));
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult transposeShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  if (!t) {
    setUnranked(op, 0, element);
    return success();
  }
  int64_t rank = t.getRank();
  SmallVector<int64_t> perm = transposePerm(op, rank);
  if (int64_t(perm.size()) != rank)
    return op->emitError() << "perm has " << perm.size()
                           << " entries for a rank " << rank << " input";
  Shape out;
  SmallVector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return op->emitError() << "perm is not a permutation";
    seen[p] = true;
    out.push_back(t.getDimSize(p));
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult concatShape(Operation *op) {
  Type element = elementType(op->getOperand(0));
  auto first = rankedType(op->getOperand(0));
  if (!first) {
    setUnranked(op, 0, element);
    return success();
  }
  int64_t rank = first.getRank();
  int64_t axis = intAttr(op, "axis", 0);
  if (failed(normalizeAxis(op, axis, rank)))
    return failure();
  Shape out(first.getShape().begin(), first.getShape().end());
  out[axis] = 0;
  for (Value v : op->getOperands()) {
    auto t = rankedType(v);
    if (!t) {
      setUnranked(op, 0, element);
      return success();
    }
    if (t.getRank() != rank)
      return op->emitError() << "inputs have different ranks";
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = t.getDimSize(i);
      if (i == axis) {
        out[i] = (out[i] == kDyn || d == kDyn) ? kDyn : out[i] + d;
      } else if (out[i] == kDyn) {
        out[i] = d;
      } else if (d != kDyn && d != out[i]) {
        return op->emitError() << "inputs differ in dimension " << i
                               << " (" << out[i] << " vs " << d << ")";
      }
    }
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult splitShape(Operation *op) {
  Value in = op->getOperand(0);
  auto t = rankedType(in);
  Type element = elementType(in);
  unsigned n = op->getNumResults();
  if (!t) {
    for (unsigned i = 0; i < n; ++i)
      setUnranked(op, i, element);
    return success();
  }
  int64_t axis = intAttr(op, "axis", 0);
  if (failed(normalizeAxis(op, axis, t.getRank())))
    return failure();
  int64_t dim = t.getDimSize(axis);
  SmallVector<int64_t> sizes;
  if (op->getNumOperands() > 1 && !isNone(op->getOperand(1))) {
    auto split = constantInts(op->getOperand(1));
    if (!split) {
      for (unsigned i = 0; i < n; ++i)
        setUnranked(op, i, element);
      return success();
    }
    sizes = *split;
    if (sizes.size() != n)
      return op->emitError() << "split has " << sizes.size()
                             << " sizes for " << n << " outputs";
  } else if (dim != kDyn) {
    int64_t parts = intAttr(op, "num_outputs", n);
    int64_t chunk = (dim + parts - 1) / parts;
    for (unsigned i = 0; i < n; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - chunk * i)));
  } else {
    sizes.assign(n, kDyn);
  }
  int64_t total = 0;
  for (int64_t s : sizes)
    total = (s == kDyn || total == kDyn) ? kDyn : total + s;
  if (dim != kDyn && total != kDyn && total != dim)
    return op->emitError() << "split sizes add up to " << total
                           << ", the axis has " << dim;
  for (unsigned i = 0; i < n; ++i) {
    Shape out(t.getShape().begin(), t.getShape().end());
    out[axis] = sizes[i];
    setResult(op, i, ArrayRef<int64_t>(out), element);
  }
  return success();
}

LogicalResult sliceShape(Operation *op) {
  Value data = op->getOperand(0);
  auto t = rankedType(data);
  Type element = elementType(data);
  auto starts = constantInts(op->getOperand(1));
  auto ends = constantInts(op->getOperand(2));
  std::optional<SmallVector<int64_t>> axes, steps;
  if (op->getNumOperands() > 3 && !isNone(op->getOperand(3)))
    axes = constantInts(op->getOperand(3));
  if (op->getNumOperands() > 4 && !isNone(op->getOperand(4)))
    steps = constantInts(op->getOperand(4));
  bool axesKnown = op->getNumOperands() <= 3 || isNone(op->getOperand(3)) || axes;
  bool stepsKnown = op->getNumOperands() <= 4 || isNone(op->getOperand(4)) || steps;
  if (!t || !starts || !ends || !axesKnown || !stepsKnown) {
    if (t)
      setResult(op, 0, Shape(t.getRank(), kDyn), element);
    else
      setUnranked(op, 0, element);
    return success();
  }
  int64_t rank = t.getRank();
  size_t n = starts->size();
  if (ends->size() != n || (axes && axes->size() != n) ||
      (steps && steps->size() != n))
    return op->emitError() << "starts, ends, axes and steps differ in length";
  Shape out(t.getShape().begin(), t.getShape().end());
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = axes ? (*axes)[i] : int64_t(i);
    if (failed(normalizeAxis(op, axis, rank)))
      return failure();
    int64_t step = steps ? (*steps)[i] : 1;
    if (step == 0)
      return op->emitError() << "slice step is 0";
    int64_t dim = t.getDimSize(axis);
    if (dim == kDyn) {
      out[axis] = kDyn;
      continue;
    }
    int64_t s = (*starts)[i], e = (*ends)[i];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      out[axis] = e > s ? (e - s + step - 1) / step : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      out[axis] = s > e ? (s - e - step - 1) / (-step) : 0;
    }
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult gatherShape(Operation *op) {
  auto data = rankedType(op->getOperand(0));
  auto indices = rankedType(op->getOperand(1));
  Type element = elementType(op->getOperand(0));
  if (!data || !indices) {
    setUnranked(op, 0, element);
    return success();
  }
  int64_t axis = intAttr(op, "axis", 0);
  if (failed(normalizeAxis(op, axis, data.getRank())))
    return failure();
  Shape out;
  for (int64_t i = 0; i < axis; ++i)
    out.push_back(data.getDimSize(i));
  for (int64_t d : indices.getShape())
    out.push_back(d);
  for (int64_t i = axis + 1; i < data.getRank(); ++i)
    out.push_back(data.getDimSize(i));
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult gatherElementsShape(Operation *op) {
  auto indices = rankedType(op->getOperand(1));
  setResult(op, 0, shapeOf(indices), elementType(op->getOperand(0)));
  return success();
}

LogicalResult expandShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  auto target = constantInts(op->getOperand(1));
  if (!t || !target) {
    auto st = rankedType(op->getOperand(1));
    if (st && st.hasStaticShape())
      setResult(op, 0, Shape(st.getDimSize(0), kDyn), element);
    else
      setUnranked(op, 0, element);
    return success();
  }
  Shape out;
  if (failed(broadcastShapes({Shape(t.getShape().begin(), t.getShape().end()),
                              Shape(target->begin(), target->end())},
                             out)))
    return op->emitError() << "cannot expand " << t << " to the shape given";
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult tileShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  auto repeats = constantInts(op->getOperand(1));
  if (!t || !repeats) {
    if (t)
      setResult(op, 0, Shape(t.getRank(), kDyn), element);
    else
      setUnranked(op, 0, element);
    return success();
  }
  if (int64_t(repeats->size()) != t.getRank())
    return op->emitError() << "repeats has " << repeats->size()
                           << " entries for a rank " << t.getRank() << " input";
  Shape out;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    int64_t d = t.getDimSize(i);
    out.push_back(d == kDyn ? kDyn : d * (*repeats)[i]);
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult padShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  auto pads = constantInts(op->getOperand(1));
  std::optional<SmallVector<int64_t>> axes;
  if (op->getNumOperands() > 3 && !isNone(op->getOperand(3))) {
    axes = constantInts(op->getOperand(3));
    if (!axes) {
      setUnranked(op, 0, element);
      return success();
    }
  }
  if (!t || !pads) {
    if (t)
      setResult(op, 0, Shape(t.getRank(), kDyn), element);
    else
      setUnranked(op, 0, element);
    return success();
  }
  int64_t rank = t.getRank();
  SmallVector<int64_t> axisList;
  if (axes) {
    for (int64_t a : *axes) {
      if (failed(normalizeAxis(op, a, rank)))
        return failure();
      axisList.push_back(a);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axisList.push_back(i);
  }
  size_t n = axisList.size();
  if (pads->size() != 2 * n)
    return op->emitError() << "pads has " << pads->size() << " entries, expected "
                           << 2 * n;
  Shape out(t.getShape().begin(), t.getShape().end());
  for (size_t i = 0; i < n; ++i) {
    int64_t a = axisList[i];
    if (out[a] != kDyn)
      out[a] += (*pads)[i] + (*pads)[i + n];
    if (out[a] != kDyn && out[a] < 0)
      return op->emitError() << "pads make dimension " << a << " negative";
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult constantOfShapeShape(Operation *op) {
  Type element = Float32Type::get(op->getContext());
  if (auto value = op->getAttrOfType<ElementsAttr>("value"))
    element = value.getElementType();
  auto dims = constantInts(op->getOperand(0));
  if (!dims) {
    auto st = rankedType(op->getOperand(0));
    if (st && st.hasStaticShape())
      setResult(op, 0, Shape(st.getDimSize(0), kDyn), element);
    else
      setUnranked(op, 0, element);
    return success();
  }
  for (int64_t d : *dims)
    if (d < 0)
      return op->emitError() << "shape has a negative dimension";
  setResult(op, 0, ArrayRef<int64_t>(*dims), element);
  return success();
}

LogicalResult rangeShape(Operation *op) {
  Type element = elementType(op->getOperand(0));
  auto start = constantFloats(op->getOperand(0));
  auto limit = constantFloats(op->getOperand(1));
  auto delta = constantFloats(op->getOperand(2));
  if (!start || !limit || !delta || start->size() != 1 ||
      limit->size() != 1 || delta->size() != 1) {
    setResult(op, 0, ArrayRef<int64_t>{kDyn}, element);
    return success();
  }
  double d = (*delta)[0];
  if (d == 0)
    return op->emitError() << "delta is 0";
  int64_t n = std::max<int64_t>(
      0, int64_t(std::ceil(((*limit)[0] - (*start)[0]) / d)));
  setResult(op, 0, ArrayRef<int64_t>{n}, element);
  return success();
}

/// Reductions: axes from the operand (newest form), keepdims and
/// noop_with_empty_axes.
LogicalResult reduceShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  auto axes = axesOf(op, 1);
  if (!t || !axes) {
    setUnranked(op, 0, element);
    return success();
  }
  bool keep = intAttr(op, "keepdims", 1) != 0;
  bool noop = intAttr(op, "noop_with_empty_axes", 0) != 0;
  int64_t rank = t.getRank();
  SmallVector<bool> reduced(rank, axes->empty() && !noop);
  for (int64_t a : *axes) {
    if (failed(normalizeAxis(op, a, rank)))
      return failure();
    reduced[a] = true;
  }
  Shape out;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      out.push_back(t.getDimSize(i));
    else if (keep)
      out.push_back(1);
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult argReduceShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type i64 = IntegerType::get(op->getContext(), 64);
  if (!t) {
    setUnranked(op, 0, i64);
    return success();
  }
  int64_t axis = intAttr(op, "axis", 0);
  if (failed(normalizeAxis(op, axis, t.getRank())))
    return failure();
  bool keep = intAttr(op, "keepdims", 1) != 0;
  Shape out;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    if (i != axis)
      out.push_back(t.getDimSize(i));
    else if (keep)
      out.push_back(1);
  }
  setResult(op, 0, ArrayRef<int64_t>(out), i64);
  return success();
}

LogicalResult sameAsData(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  setResult(op, 0, shapeOf(t), elementType(op->getOperand(0)));
  return success();
}

LogicalResult gatherNDShape(Operation *op) {
  auto data = rankedType(op->getOperand(0));
  auto indices = rankedType(op->getOperand(1));
  Type element = elementType(op->getOperand(0));
  if (!data || !indices || indices.isDynamicDim(indices.getRank() - 1)) {
    setUnranked(op, 0, element);
    return success();
  }
  int64_t b = intAttr(op, "batch_dims", 0);
  int64_t k = indices.getDimSize(indices.getRank() - 1);
  if (k + b > data.getRank())
    return op->emitError() << "indices address more dims than data has";
  Shape out(indices.getShape().begin(), indices.getShape().end() - 1);
  for (int64_t i = b + k; i < data.getRank(); ++i)
    out.push_back(data.getDimSize(i));
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult eyeLikeShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  if (auto dtype = op->getAttrOfType<IntegerAttr>("dtype")) {
    Builder b(op->getContext());
    switch (dtype.getInt()) {
    case 1: element = b.getF32Type(); break;
    case 11: element = b.getF64Type(); break;
    case 6: element = b.getIntegerType(32); break;
    case 7: element = b.getIntegerType(64); break;
    case 9: element = b.getI1Type(); break;
    default: break;
    }
  }
  setResult(op, 0, shapeOf(t), element);
  return success();
}

LogicalResult oneHotShape(Operation *op) {
  auto indices = rankedType(op->getOperand(0));
  auto depth = constantFloats(op->getOperand(1));
  Type element = elementType(op->getOperand(2));
  if (!indices || !depth || depth->size() != 1) {
    setUnranked(op, 0, element);
    return success();
  }
  int64_t rank = indices.getRank() + 1;
  int64_t axis = intAttr(op, "axis", -1);
  if (failed(normalizeAxis(op, axis, rank)))
    return failure();
  Shape out(indices.getShape().begin(), indices.getShape().end());
  out.insert(out.begin() + axis, int64_t((*depth)[0]));
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}

LogicalResult quantizeShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  Type element = IntegerType::get(op->getContext(), 8, IntegerType::Unsigned);
  if (op->getNumOperands() > 2 && !isNone(op->getOperand(2)))
    element = elementType(op->getOperand(2));
  else if (auto dtype = op->getAttrOfType<IntegerAttr>("output_dtype"))
    if (dtype.getInt() == 3)
      element = IntegerType::get(op->getContext(), 8);
  setResult(op, 0, shapeOf(t), element);
  return success();
}

LogicalResult dequantizeShape(Operation *op) {
  auto t = rankedType(op->getOperand(0));
  setResult(op, 0, shapeOf(t), elementType(op->getOperand(1)));
  return success();
}

/// If: each result takes the then-branch's type where both branches agree,
/// the element type with an unknown shape where they do not.
LogicalResult ifShape(Operation *op) {
  Operation *thenYield = op->getRegion(0).front().getTerminator();
  Operation *elseYield = op->getRegion(1).front().getTerminator();
  for (unsigned i = 0; i < op->getNumResults(); ++i) {
    Type t = thenYield->getOperand(i).getType(), e = elseYield->getOperand(i).getType();
    if (elementType(thenYield->getOperand(i)) != elementType(elseYield->getOperand(i)))
      return op->emitError() << "branches yield different element types for result " << i;
    op->getResult(i).setType(t == e ? t : UnrankedTensorType::get(elementType(thenYield->getOperand(i))));
  }
  return success();
}

} // namespace

LogicalResult onnxc::resizeGeometry(Operation *op, RankedTensorType x,
                                    SmallVectorImpl<int64_t> &outShape,
                                    SmallVectorImpl<float> &scales,
                                    SmallVectorImpl<float> &roi) {
  int64_t rank = x.getRank();
  SmallVector<int64_t> axes;
  if (auto a = intsAttr(op, "axes")) {
    for (int64_t v : *a) {
      if (failed(normalizeAxis(op, v, rank)))
        return failure();
      axes.push_back(v);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  size_t n = axes.size();
  Value roiV = op->getOperand(1), scalesV = op->getOperand(2),
        sizesV = op->getNumOperands() > 3 ? op->getOperand(3) : Value();
  roi.assign(2 * rank, 0.f);
  for (int64_t i = 0; i < rank; ++i)
    roi[rank + i] = 1.f;
  if (!isNone(roiV)) {
    auto r = constantFloats(roiV);
    if (!r)
      return failure();
    if (r->size() == 2 * n)
      for (size_t i = 0; i < n; ++i) {
        roi[axes[i]] = float((*r)[i]);
        roi[rank + axes[i]] = float((*r)[n + i]);
      }
  }
  bool crop = strAttr(op, "coordinate_transformation_mode", "half_pixel") ==
              "tf_crop_and_resize";
  outShape.assign(x.getShape().begin(), x.getShape().end());
  scales.assign(rank, 1.f);
  auto sizes = isNone(sizesV) ? std::nullopt : constantInts(sizesV);
  auto scaleVals = isNone(scalesV) ? std::nullopt : constantFloats(scalesV);
  if (sizes && !sizes->empty()) {
    if (sizes->size() != n)
      return op->emitError() << "sizes has " << sizes->size() << " entries for "
                             << n << " axes";
    StringRef policy = strAttr(op, "keep_aspect_ratio_policy", "stretch");
    if (policy == "stretch") {
      for (size_t i = 0; i < n; ++i) {
        outShape[axes[i]] = (*sizes)[i];
        scales[axes[i]] = float((*sizes)[i]) / float(x.getDimSize(axes[i]));
      }
    } else {
      float common = policy == "not_larger" ? INFINITY : 0.f;
      for (size_t i = 0; i < n; ++i) {
        float sc = float((*sizes)[i]) / float(x.getDimSize(axes[i]));
        common = policy == "not_larger" ? std::min(common, sc) : std::max(common, sc);
      }
      for (size_t i = 0; i < n; ++i) {
        scales[axes[i]] = common;
        outShape[axes[i]] =
            int64_t(std::floor(float(x.getDimSize(axes[i])) * common + 0.5f));
      }
    }
    return success();
  }
  if (scaleVals && !scaleVals->empty()) {
    if (scaleVals->size() != n)
      return op->emitError() << "scales has " << scaleVals->size()
                             << " entries for " << n << " axes";
    for (size_t i = 0; i < n; ++i) {
      float sc = float((*scaleVals)[i]);
      if (sc <= 0)
        return op->emitError() << "scales must be positive";
      int64_t a = axes[i];
      scales[a] = sc;
      float extent = crop ? roi[rank + a] - roi[a] : 1.f;
      outShape[a] = int64_t(std::floor(float(x.getDimSize(a)) * extent * sc));
    }
    return success();
  }
  return failure();
}

namespace {
LogicalResult resizeShape(Operation *op) {
  auto x = rankedType(op->getOperand(0));
  Type element = elementType(op->getOperand(0));
  if (!x || !x.hasStaticShape()) {
    setUnranked(op, 0, element);
    return success();
  }
  SmallVector<int64_t> out;
  SmallVector<float> scales, roi;
  if (failed(resizeGeometry(op, x, out, scales, roi))) {
    setResult(op, 0, Shape(x.getRank(), kDyn), element);
    return success();
  }
  setResult(op, 0, ArrayRef<int64_t>(out), element);
  return success();
}
} // namespace

void onnxc::registerTensorShapes(MLIRContext *ctx) {
  attachShapeFn(ctx, {"Constant"}, constantShape);
  attachShapeFn(ctx, {"Shape"}, shapeShape);
  attachShapeFn(ctx, {"Size"}, sizeShape);
  attachShapeFn(ctx, {"Reshape"}, reshapeShape);
  attachShapeFn(ctx, {"Flatten"}, flattenShape);
  attachShapeFn(ctx, {"Squeeze"}, squeezeShape);
  attachShapeFn(ctx, {"Unsqueeze"}, unsqueezeShape);
  attachShapeFn(ctx, {"Transpose"}, transposeShape);
  attachShapeFn(ctx, {"Concat"}, concatShape);
  attachShapeFn(ctx, {"Split"}, splitShape);
  attachShapeFn(ctx, {"Slice"}, sliceShape);
  attachShapeFn(ctx, {"Gather"}, gatherShape);
  attachShapeFn(ctx, {"GatherElements"}, gatherElementsShape);
  attachShapeFn(ctx, {"Expand"}, expandShape);
  attachShapeFn(ctx, {"Tile"}, tileShape);
  attachShapeFn(ctx, {"Pad"}, padShape);
  attachShapeFn(ctx, {"ConstantOfShape"}, constantOfShapeShape);
  attachShapeFn(ctx, {"Range"}, rangeShape);
  attachShapeFn(ctx,
                {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin",
                 "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
                 "ReduceLogSumExp", "ReduceSumSquare"},
                reduceShape);
  attachShapeFn(ctx, {"ArgMax", "ArgMin"}, argReduceShape);
  attachShapeFn(ctx, {"Resize"}, resizeShape);
  attachShapeFn(ctx, {"If"}, ifShape);
  attachShapeFn(ctx, {"ScatterElements", "ScatterND"}, sameAsData);
  attachShapeFn(ctx, {"GatherND"}, gatherNDShape);
  attachShapeFn(ctx, {"EyeLike"}, eyeLikeShape);
  attachShapeFn(ctx, {"OneHot"}, oneHotShape);
  attachShapeFn(ctx, {"QuantizeLinear"}, quantizeShape);
  attachShapeFn(ctx, {"DequantizeLinear"}, dequantizeShape);
}
