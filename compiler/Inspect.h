//===- Inspect.h - `onnxc inspect`: what a model is and what onnxc made of it
#ifndef ONNXC_COMPILER_INSPECT_H
#define ONNXC_COMPILER_INSPECT_H

#include "compiler/CompileModel.h"

namespace onnxc {

/// Prints inputs, outputs, opset, and before/after optimization: op counts
/// by type, parameter bytes, MACs and the arena size. Returns the exit code.
int runInspect(const CompileOptions &options);

} // namespace onnxc

#endif
