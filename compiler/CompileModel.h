//===- CompileModel.h - one model from .onnx to library or sources -------===//
#ifndef ONNXC_COMPILER_COMPILEMODEL_H
#define ONNXC_COMPILER_COMPILEMODEL_H

#include <string>
#include <vector>

namespace onnxc {

struct BuildOptions;

struct CompileOptions {
  std::string input;
  std::string output;          ///< model.a, or a folder for --emit=cpp
  std::string emit = "lib";    ///< lib | cpp | mlir-import | mlir | mlir-lowered
  std::string name;            ///< symbol prefix; default from the output
  std::string target = "cpu";
  std::string cpu = "native";  ///< --cpu: native | x86-64-v2/v3/v4 | generic
  int threads = 1;             ///< --threads: worker threads of the model
  std::vector<std::string> shapes;
  int optLevel = 2;
  std::string cxx, cxxflags, ar;
  /// --target-triple: build for another machine (e.g. aarch64-linux-gnu):
  /// its GCC cross tools by default, `--target=` for clang.
  std::string targetTriple;
  /// check --run-prefix: runs each compiled runner through this command
  /// (an emulator such as `qemu-aarch64 -L /usr/aarch64-linux-gnu`).
  std::string runPrefix;
  bool verbose = false;
  bool printIrAfterAll = false;
};

/// Where onnxc/runtime.h and onnxc/kernels.h are: next to the executable
/// once installed, else the source tree.
std::string findIncludeDir();

/// The flags the generated code is compiled with: those of --cpu and
/// --threads, then --cxxflags.
std::string buildFlags(const CompileOptions &options);

/// The compiler, archiver and flags the library is built with: --cxx,
/// --ar and --cxxflags, else $CXX, c++ and ar, or the --target-triple's
/// cross tools.
BuildOptions buildOptions(const CompileOptions &options);

/// Compiles as `options` say; prints errors itself. Returns the exit code.
int compileModel(const CompileOptions &options);

/// Compiles to sources in `dir` with `prefix` (no library). On failure
/// `error` holds the one-line message.
bool compileToSources(const CompileOptions &options, const std::string &dir,
                      const std::string &prefix, std::string &error);

} // namespace onnxc

#endif
