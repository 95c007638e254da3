//===- Pipeline.h - the pass order per optimization level ----------------===//
#ifndef ONNXC_COMPILER_PIPELINE_H
#define ONNXC_COMPILER_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include <string>
#include <vector>

namespace onnxc {

struct PipelineOptions {
  std::vector<std::string> shapes; ///< name=DxD bindings
  int optLevel = 2;
  int64_t maxFoldBytes = 1 << 20;
};

/// Registers every dialect onnxc uses with `context`.
void registerDialects(mlir::MLIRContext &context);

/// Binds input shapes and infers every type (run without the verifier: the
/// importer's placeholder types are not valid until this has run).
void buildShapePipeline(mlir::PassManager &pm, const PipelineOptions &options);

/// The onnx-level optimization pipeline that follows.
void buildOnnxPipeline(mlir::PassManager &pm, const PipelineOptions &options);

} // namespace onnxc

#endif
