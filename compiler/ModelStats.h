//===- ModelStats.h - op counts, parameters and MACs of a graph ---------===//
#ifndef ONNXC_COMPILER_MODELSTATS_H
#define ONNXC_COMPILER_MODELSTATS_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <map>
#include <string>

namespace onnxc {

/// What a graph holds, for `onnxc inspect` and the generated header.
struct GraphStats {
  std::map<std::string, int64_t> ops; ///< op type ("Conv", "onnxk.Conv") -> count
  int64_t parameters = 0;             ///< elements of the constants
  int64_t paramBytes = 0;
  int64_t macs = 0; ///< multiply-accumulates of Conv, Gemm, MatMul, RNNs
  int64_t arenaBytes = -1;
  int64_t activationBytes = -1;
};

/// Counts the ops, parameters and MACs of a module's graph, whose shapes
/// are inferred.
GraphStats graphStats(mlir::ModuleOp module);

/// Parameters as the ONNX file has them: the main graph's initializers and
/// its Constant nodes' values (elements and bytes). False if the file
/// cannot be read.
bool writtenParameters(const std::string &path, int64_t &count, int64_t &bytes);

} // namespace onnxc

#endif
