//===- TargetCpu.h - what --cpu and --threads mean for the build ---------===//
#ifndef ONNXC_COMPILER_TARGETCPU_H
#define ONNXC_COMPILER_TARGETCPU_H

#include "codegen/cpp/KernelLowering.h"

#include <cstdint>
#include <string>

namespace onnxc {

/// A resolved --cpu: the compiler flags for the generated code and the
/// SGEMM micro-kernel tile its kernels will use (templates/onnxc/simd.h),
/// which weights are pre-packed for.
struct CpuTarget {
  std::string name;  ///< as given: native, x86-64-v2/v3/v4, generic
  std::string march; ///< e.g. "-march=x86-64-v3"; empty for generic
  SgemmTile sgemm;
};

/// Resolves --cpu (`native` probes the machine onnxc runs on). Returns false
/// with `error` set for an unknown name.
bool resolveCpu(const std::string &cpu, CpuTarget &out, std::string &error);

/// Flags compiling a model for `cpu` and `threads` (-march, -DONNXC_THREADS,
/// -pthread when threaded).
std::string targetCompileFlags(const CpuTarget &cpu, int threads);

} // namespace onnxc

#endif
