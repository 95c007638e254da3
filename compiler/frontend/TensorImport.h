//===- TensorImport.h - ONNX TensorProto/TypeProto to MLIR ---------------===//
#ifndef ONNXC_COMPILER_FRONTEND_TENSORIMPORT_H
#define ONNXC_COMPILER_FRONTEND_TENSORIMPORT_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringRef.h"
#include <string>

namespace onnxc {

/// The MLIR element type of an ONNX TensorProto_DataType, or null (with
/// `error` set) for strings and types we cannot represent.
mlir::Type convertElementType(mlir::MLIRContext &context, int dataType,
                              std::string &error);

/// ONNX's name of a data type, for messages ("float", "int64", ...).
std::string dataTypeName(int dataType);

/// Reads a TensorProto (raw_data, typed fields or external data resolved
/// below `modelDir`) into a dense elements attribute. Refuses sizes that do
/// not match the data or cannot fit before allocating anything.
mlir::FailureOr<mlir::DenseElementsAttr>
convertTensor(mlir::MLIRContext &context, const ::onnx::TensorProto &tensor,
              llvm::StringRef modelDir, std::string &error);

/// Largest tensor, in bytes, the importer accepts (weights live in memory).
constexpr uint64_t kMaxTensorBytes = uint64_t(4) << 30;

} // namespace onnxc

#endif
