//===- TargetCpu.cpp - what --cpu and --threads mean for the build -------===//
#include "compiler/TargetCpu.h"

using namespace onnxc;

namespace {

// Micro-kernel heights of templates/onnxc/simd.h.
constexpr int64_t kAvx512Rows = 8, kAvx2Rows = 6, kGenericRows = 6;

int64_t hostPanelRows() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    return kAvx512Rows;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return kAvx2Rows;
#endif
  return kGenericRows;
}

} // namespace

bool onnxc::resolveCpu(const std::string &cpu, CpuTarget &out, std::string &error) {
  out.name = cpu;
  if (cpu == "native") {
    out.march = "-march=native";
    out.sgemmPanelRows = hostPanelRows();
  } else if (cpu == "x86-64-v4") {
    out.march = "-march=x86-64-v4";
    out.sgemmPanelRows = kAvx512Rows;
  } else if (cpu == "x86-64-v3") {
    out.march = "-march=x86-64-v3";
    out.sgemmPanelRows = kAvx2Rows;
  } else if (cpu == "x86-64-v2") {
    out.march = "-march=x86-64-v2";
    out.sgemmPanelRows = kGenericRows;
  } else if (cpu == "generic") {
    out.march.clear();
    out.sgemmPanelRows = kGenericRows;
  } else {
    error = "--cpu=" + cpu + ": expected native, x86-64-v2, x86-64-v3, x86-64-v4 or generic";
    return false;
  }
  return true;
}

std::string onnxc::targetCompileFlags(const CpuTarget &cpu, int threads) {
  std::string flags = cpu.march;
  flags += " -DONNXC_THREADS=" + std::to_string(threads);
  if (threads > 1)
    flags += " -pthread";
  return flags;
}
