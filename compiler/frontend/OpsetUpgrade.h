//===- OpsetUpgrade.h - older operator versions to the newest form -------===//
//
// The dialect follows the newest schema of each op. Nodes written against an
// older opset are brought to that form at import: attributes that later
// versions turned into inputs (Slice starts, Squeeze axes, Clip min/max, ...)
// become constant operands.
//
//===----------------------------------------------------------------------===//
#ifndef ONNXC_COMPILER_FRONTEND_OPSETUPGRADE_H
#define ONNXC_COMPILER_FRONTEND_OPSETUPGRADE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace onnxc {

struct ImportedNode {
  std::string opType;
  int version = 0; ///< the schema version the node was written against
  llvm::SmallVector<mlir::Value> inputs; ///< null for an absent input
  llvm::SmallVector<mlir::NamedAttribute> attributes;
};

/// Rewrites `node` in place to the newest schema's inputs and attributes.
/// Fails with `error` set when an old form has no newest equivalent.
mlir::LogicalResult upgradeNode(ImportedNode &node, mlir::OpBuilder &builder,
                                mlir::Location loc, std::string &error);

} // namespace onnxc

#endif
