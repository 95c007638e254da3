//===- Inspect.h - `onnxc inspect`: what a model is and what onnxc made of it
#ifndef ONNXC_COMPILER_INSPECT_H
#define ONNXC_COMPILER_INSPECT_H

#include "compiler/CompileModel.h"

namespace onnxc {

struct InspectOptions {
  bool json = false;      ///< --json: everything as one JSON object
  bool memoryMap = false; ///< --memory-map: every arena buffer's offset
  std::string dot;        ///< --dot FILE: the optimized graph for Graphviz
};

/// Prints inputs, outputs, opset, and before/after optimization: op counts
/// by type, parameters, MACs and the arena size; then the memory a
/// firmware needs (flash: weights + code as built; RAM: arena + inputs +
/// outputs). Returns the exit code.
int runInspect(const CompileOptions &options, const InspectOptions &inspect);

} // namespace onnxc

#endif
