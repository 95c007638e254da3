//===- ModelImporter.h - ONNX ModelProto to the onnx dialect -------------===//
#ifndef ONNXC_COMPILER_FRONTEND_MODELIMPORTER_H
#define ONNXC_COMPILER_FRONTEND_MODELIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include <string>

namespace onnxc {

/// Name of the function the importer creates for the main graph.
constexpr const char *kMainGraphName = "main_graph";

/// Reads `path` and builds a module holding one func.func for the main graph
/// in the onnx dialect. Result types come from the model's own value_info
/// where given; shape inference refines them. On failure returns null and
/// sets `error` to a one-line message (without the "onnxc: error:" prefix).
mlir::OwningOpRef<mlir::ModuleOp> importModelFile(mlir::MLIRContext &context,
                                                  const std::string &path,
                                                  std::string &error);

} // namespace onnxc

#endif
