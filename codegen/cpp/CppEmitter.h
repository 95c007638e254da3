//===- CppEmitter.h - lowered module to C++ sources and a library --------===//
#ifndef ONNXC_CODEGEN_CPP_CPPEMITTER_H
#define ONNXC_CODEGEN_CPP_CPPEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include <string>
#include <vector>

namespace onnxc {

struct GeneratedSources {
  std::string header;      ///< <prefix>.h
  std::string source;      ///< <prefix>.cpp
  std::string weightsAsm;  ///< <prefix>_weights.S (.incbin of the blob)
  std::vector<char> weights; ///< <prefix>_weights.bin
};

/// Prints the lowered module (see createLowerToEmitCPass): the EmitC
/// function through MLIR's C++ translator, wrapped in the C ABI, the header
/// (emitHeader), and the weights blob.
mlir::LogicalResult emitCpp(mlir::ModuleOp module, const std::string &modelName,
                            GeneratedSources &out);

/// The header of a lowered module, documenting every input, output and size;
/// `codeBytes` (of the compiled library, once known) completes its flash
/// figure.
std::string emitHeader(mlir::ModuleOp module, const std::string &modelName,
                       int64_t codeBytes = -1);

struct BuildOptions {
  std::string cxx = "c++";
  std::string cxxflags;   ///< extra flags
  std::string ar = "ar";
  std::string includeDir; ///< holds onnxc/runtime.h and onnxc/kernels.h
  bool verbose = false;
};

/// Writes the sources into `dir` as <prefix>.h/.cpp/_weights.S/_weights.bin.
mlir::LogicalResult writeSources(const GeneratedSources &sources,
                                 const std::string &dir,
                                 const std::string &prefix, std::string &error);

/// Compiles the sources in `dir` and archives them into `archive`; with
/// `codeBytes`, also measures the code object's flash bytes (code, read-only
/// and initialized data).
mlir::LogicalResult buildLibrary(const std::string &dir, const std::string &prefix,
                                 const std::string &archive, const BuildOptions &options,
                                 std::string &error, int64_t *codeBytes = nullptr);

/// Runs a shell command, capturing its output into `output`; returns its
/// exit status.
int runCommand(const std::string &command, std::string &output);

/// Quotes a path for the shell.
std::string shellQuote(const std::string &s);

} // namespace onnxc

#endif
