//===- OnnxSchemas.h - what the importer needs to know of each op --------===//
//
// A compact view of the ONNX operator schemas the dialect was generated from
// (OnnxSchemas.inc, written by scripts/gen_onnx_ops.py beside OnnxOps.td).
//
//===----------------------------------------------------------------------===//
#ifndef ONNXC_DIALECTS_ONNX_ONNXSCHEMAS_H
#define ONNXC_DIALECTS_ONNX_ONNXSCHEMAS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <vector>

namespace onnxc {

struct OpSchemaInfo {
  llvm::StringRef opType;
  int numInputs;  ///< formal inputs; a variadic one counts once
  int numOutputs; ///< formal outputs; a variadic one counts once
  bool variadicInputs;
  bool variadicOutputs;
  int numRegions;
  std::vector<int> sinceVersions; ///< every schema version, ascending
  std::vector<llvm::StringRef> requiredInputs;

  /// The schema version in force for a model importing `opset`, or 0 when
  /// the op did not exist yet at that opset.
  int versionAt(int opset) const;
};

/// The schema of `opType` in the default domain, or null when ONNX has none.
const OpSchemaInfo *lookupOpSchema(llvm::StringRef opType);

/// The newest default-domain opset the dialect was generated from.
int maxKnownOpset();

} // namespace onnxc

#endif
