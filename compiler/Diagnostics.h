//===- Diagnostics.h - how onnxc reports bad input -----------------------===//
//
// Every user-facing error is one line: `onnxc: error: FILE: [node "N" (Op,
// opset K): ]what is wrong`. Code that finds a problem builds the message and
// returns failure; the driver prints it and exits 1.
//
//===----------------------------------------------------------------------===//
#ifndef ONNXC_COMPILER_DIAGNOSTICS_H
#define ONNXC_COMPILER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"
#include <string>

namespace onnxc {

/// Prints `onnxc: error: ` + message to stderr.
void printError(const std::string &message);
void printWarning(const std::string &message);

/// Routes MLIR diagnostics (verifier and pass errors) into the onnxc format
/// while alive, naming the model file and the ONNX node the location names.
class DiagnosticPrinter {
public:
  DiagnosticPrinter(mlir::MLIRContext &context, std::string modelPath);
  ~DiagnosticPrinter();
  /// Number of errors printed so far.
  int errorCount() const { return errors; }

private:
  mlir::MLIRContext &context;
  std::string modelPath;
  mlir::DiagnosticEngine::HandlerID id;
  int errors = 0;
};

/// The ONNX node name a location carries ("" when none): a name, or the
/// first name in a fused location (which may nest others, as a fused
/// kernel's location nests its nodes').
std::string nodeName(mlir::Location loc);

/// Describes an op for messages: `node "NAME" (OpType, opset N)`.
std::string describeNode(mlir::Operation *op);

} // namespace onnxc

#endif
