//===- ShapeHelpers.h - shared pieces of per-op shape inference ----------===//
#ifndef ONNXC_DIALECTS_ONNX_SHAPEINFERENCE_SHAPEHELPERS_H
#define ONNXC_DIALECTS_ONNX_SHAPEINFERENCE_SHAPEHELPERS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace onnxc {

using Shape = llvm::SmallVector<int64_t, 6>;
constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

/// True when `v` is the `none` value of an absent optional operand.
bool isNone(mlir::Value v);
/// The ranked type of `v`, or null when unranked or not a tensor.
mlir::RankedTensorType rankedType(mlir::Value v);
mlir::Type elementType(mlir::Value v);

/// The constant value of `v` (an onnx.Constant result), or null.
mlir::DenseElementsAttr constantValue(mlir::Value v);
/// Integer contents of a constant operand.
std::optional<llvm::SmallVector<int64_t>> constantInts(mlir::Value v);
std::optional<llvm::SmallVector<double>> constantFloats(mlir::Value v);

/// Bytes of a statically shaped tensor (bool as one byte).
int64_t tensorBytesOf(mlir::RankedTensorType type);

/// Sets result `index` to a tensor of `shape` (or unranked if null).
void setResult(mlir::Operation *op, unsigned index,
               std::optional<llvm::ArrayRef<int64_t>> shape,
               mlir::Type elementType);
/// Result `index` keeps its rank-less form but takes `elementType`.
void setUnranked(mlir::Operation *op, unsigned index, mlir::Type elementType);

/// Multidirectional (numpy) broadcast of ranked shapes; fails on a mismatch.
mlir::LogicalResult broadcastShapes(llvm::ArrayRef<Shape> shapes, Shape &out);

/// Integer and float attribute access with defaults.
int64_t intAttr(mlir::Operation *op, llvm::StringRef name, int64_t dflt);
float floatAttr(mlir::Operation *op, llvm::StringRef name, float dflt);
std::optional<llvm::SmallVector<int64_t>> intsAttr(mlir::Operation *op,
                                                   llvm::StringRef name);
llvm::StringRef strAttr(mlir::Operation *op, llvm::StringRef name,
                        llvm::StringRef dflt);

/// A Transpose's permutation: its `perm` attribute, or the reversal of the
/// `rank` dims that ONNX takes when it is absent.
llvm::SmallVector<int64_t> transposePerm(mlir::Operation *op, int64_t rank);

/// Normalizes a possibly negative axis against `rank`; fails on range error.
mlir::LogicalResult normalizeAxis(mlir::Operation *op, int64_t &axis,
                                  int64_t rank);

/// ConvTranspose's output spatial sizes and leading pads.
mlir::LogicalResult convTransposeGeometry(mlir::Operation *op,
                                          mlir::RankedTensorType x,
                                          mlir::RankedTensorType w,
                                          llvm::SmallVectorImpl<int64_t> &outSpatial,
                                          llvm::SmallVectorImpl<int64_t> &padBegin);

/// Resize's output shape, per-axis scales (as used to map coordinates) and
/// roi ([starts..., ends...] over all axes). Fails silently when roi, scales
/// or sizes are not constants; emits an error when they are inconsistent.
mlir::LogicalResult resizeGeometry(mlir::Operation *op, mlir::RankedTensorType x,
                                   llvm::SmallVectorImpl<int64_t> &outShape,
                                   llvm::SmallVectorImpl<float> &scales,
                                   llvm::SmallVectorImpl<float> &roi);

/// Registers a shape function for each op name in `names`.
using ShapeFn = mlir::LogicalResult (*)(mlir::Operation *);
void attachShapeFn(mlir::MLIRContext *ctx, llvm::ArrayRef<llvm::StringRef> names,
                   ShapeFn fn);

/// The three families, each in its own file.
void registerElementwiseShapes(mlir::MLIRContext *ctx);
void registerTensorShapes(mlir::MLIRContext *ctx);
void registerNNShapes(mlir::MLIRContext *ctx);

} // namespace onnxc

#endif
