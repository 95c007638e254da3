//===- ShapeHelpers.cpp - shared pieces of per-op shape inference --------===//
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

bool onnxc::isNone(Value v) { return !v || isa<NoneType>(v.getType()); }

RankedTensorType onnxc::rankedType(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : nullptr;
}

Type onnxc::elementType(Value v) {
  if (auto shaped = dyn_cast_or_null<ShapedType>(v ? v.getType() : Type()))
    return shaped.getElementType();
  return nullptr;
}

DenseElementsAttr onnxc::constantValue(Value v) {
  if (!v)
    return nullptr;
  Operation *def = v.getDefiningOp();
  if (!def || !isa<onnx::ConstantOp>(def))
    return nullptr;
  return dyn_cast_or_null<DenseElementsAttr>(def->getAttr("value"));
}

std::optional<SmallVector<int64_t>> onnxc::constantInts(Value v) {
  DenseElementsAttr attr = constantValue(v);
  if (!attr || !isa<IntegerType>(attr.getElementType()))
    return std::nullopt;
  SmallVector<int64_t> out;
  bool isUnsigned = attr.getElementType().isUnsignedInteger();
  for (const APInt &i : attr.getValues<APInt>())
    out.push_back(isUnsigned ? int64_t(i.getZExtValue()) : i.getSExtValue());
  return out;
}

std::optional<SmallVector<double>> onnxc::constantFloats(Value v) {
  DenseElementsAttr attr = constantValue(v);
  if (!attr)
    return std::nullopt;
  SmallVector<double> out;
  if (isa<FloatType>(attr.getElementType())) {
    for (const APFloat &f : attr.getValues<APFloat>())
      out.push_back(f.convertToDouble());
    return out;
  }
  if (auto ints = constantInts(v)) {
    for (int64_t i : *ints)
      out.push_back(double(i));
    return out;
  }
  return std::nullopt;
}

int64_t onnxc::tensorBytesOf(RankedTensorType type) {
  Type e = type.getElementType();
  int64_t bits = e.isInteger(1) ? 8 : e.getIntOrFloatBitWidth();
  return type.getNumElements() * std::max<int64_t>(bits / 8, 1);
}

void onnxc::setResult(Operation *op, unsigned index,
                      std::optional<ArrayRef<int64_t>> shape, Type elementType) {
  if (!shape) {
    setUnranked(op, index, elementType);
    return;
  }
  op->getResult(index).setType(RankedTensorType::get(*shape, elementType));
}

void onnxc::setUnranked(Operation *op, unsigned index, Type elementType) {
  op->getResult(index).setType(UnrankedTensorType::get(elementType));
}

LogicalResult onnxc::broadcastShapes(ArrayRef<Shape> shapes, Shape &out) {
  size_t rank = 0;
  for (const Shape &s : shapes)
    rank = std::max(rank, s.size());
  out.assign(rank, 1);
  for (const Shape &s : shapes) {
    size_t offset = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t d = s[i];
      int64_t &o = out[offset + i];
      if (d == 1)
        continue;
      if (o == 1) {
        o = d;
      } else if (d == kDyn) {
        continue; // unknown; keep what we know
      } else if (o == kDyn) {
        o = d;
      } else if (o != d) {
        return failure();
      }
    }
  }
  return success();
}

int64_t onnxc::intAttr(Operation *op, StringRef name, int64_t dflt) {
  if (auto a = op->getAttrOfType<IntegerAttr>(name))
    return a.getInt();
  return dflt;
}

float onnxc::floatAttr(Operation *op, StringRef name, float dflt) {
  if (auto a = op->getAttrOfType<FloatAttr>(name))
    return float(a.getValueAsDouble());
  return dflt;
}

std::optional<SmallVector<int64_t>> onnxc::intsAttr(Operation *op,
                                                    StringRef name) {
  auto a = op->getAttrOfType<ArrayAttr>(name);
  if (!a)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (Attribute item : a)
    out.push_back(cast<IntegerAttr>(item).getInt());
  return out;
}

StringRef onnxc::strAttr(Operation *op, StringRef name, StringRef dflt) {
  if (auto a = op->getAttrOfType<StringAttr>(name))
    return a.getValue();
  return dflt;
}

SmallVector<int64_t> onnxc::transposePerm(Operation *op, int64_t rank) {
  if (auto p = intsAttr(op, "perm"))
    return *p;
  SmallVector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  return reversed;
}

LogicalResult onnxc::normalizeAxis(Operation *op, int64_t &axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return op->emitError() << "axis " << axis << " is out of range for rank "
                           << rank;
  if (axis < 0)
    axis += rank;
  return success();
}

namespace {
/// One external model per distinct shape function.
struct ShapeFnModel
    : public onnxc::ShapeInferenceOpInterface::FallbackModel<ShapeFnModel> {
  LogicalResult inferShapes(Operation *op) const {
    return functions().lookup(op->getName())(op);
  }
  static llvm::DenseMap<OperationName, onnxc::ShapeFn> &functions() {
    static llvm::DenseMap<OperationName, onnxc::ShapeFn> map;
    return map;
  }
};
} // namespace

void onnxc::attachShapeFn(MLIRContext *ctx, ArrayRef<StringRef> names,
                          ShapeFn fn) {
  for (StringRef name : names) {
    std::string full = ("onnx." + name).str();
    auto opName = RegisteredOperationName::lookup(full, ctx);
    if (!opName)
      continue; // not in this ONNX version's schemas
    ShapeFnModel::functions()[*opName] = fn;
    if (!opName->hasInterface<ShapeInferenceOpInterface>())
      opName->attachInterface<ShapeFnModel>();
  }
}
