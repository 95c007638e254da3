//===- TargetCpu.cpp - what --cpu and --threads mean for the build -------===//
#include "compiler/TargetCpu.h"

using namespace onnxc;

namespace {

// Micro-kernel tiles (rows x columns) of templates/onnxc/simd.h.
const SgemmTile kAvx512{8, 32}, kAvx2{6, 16}, kGeneric{6, 8};

SgemmTile hostTile() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    return kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return kAvx2;
#endif
  return kGeneric;
}

} // namespace

bool onnxc::resolveCpu(const std::string &cpu, CpuTarget &out, std::string &error) {
  out.name = cpu;
  SgemmTile tile = kGeneric;
  if (cpu == "native") {
    out.march = "-march=native";
    tile = hostTile();
  } else if (cpu == "x86-64-v4") {
    out.march = "-march=x86-64-v4";
    tile = kAvx512;
  } else if (cpu == "x86-64-v3") {
    out.march = "-march=x86-64-v3";
    tile = kAvx2;
  } else if (cpu == "x86-64-v2") {
    out.march = "-march=x86-64-v2";
  } else if (cpu == "generic") {
    out.march.clear();
  } else {
    error = "--cpu=" + cpu + ": expected native, x86-64-v2, x86-64-v3, x86-64-v4 or generic";
    return false;
  }
  out.sgemm = tile;
  return true;
}

std::string onnxc::targetCompileFlags(const CpuTarget &cpu, int threads) {
  std::string flags = cpu.march;
  flags += " -DONNXC_THREADS=" + std::to_string(threads);
  if (threads > 1)
    flags += " -pthread";
  return flags;
}
