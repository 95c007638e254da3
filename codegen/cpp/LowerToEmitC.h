//===- LowerToEmitC.h - the onnx graph as an EmitC function --------------===//
#ifndef ONNXC_CODEGEN_CPP_LOWERTOEMITC_H
#define ONNXC_CODEGEN_CPP_LOWERTOEMITC_H

#include "codegen/cpp/KernelLowering.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include <memory>
#include <string>

namespace onnxc {

/// Replaces the main graph function by `emitc.func @<prefix>_graph`: one
/// kernel call per op, every activation a view into the planned arena,
/// every constant a view into the weights blob (kept as the module attribute
/// `onnxc.weights`). I/O names, types, arena and weight sizes become module
/// attributes the header is written from. `sgemmTile` is the target's
/// SGEMM micro-kernel tile, which weights are pre-packed for (0 x 0: keep
/// them as stored). `threads` is what --threads gave (scratch per thread).
std::unique_ptr<mlir::Pass> createLowerToEmitCPass(std::string prefix,
                                                   SgemmTile sgemmTile = {},
                                                   int threads = 1);

/// Makes `name` a valid, unique-looking C identifier.
std::string sanitizeIdentifier(llvm::StringRef name);

} // namespace onnxc

#endif
