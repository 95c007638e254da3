//===- onnxc.cpp - the onnxc command line --------------------------------===//
//
//   onnxc model.onnx -o model.a [options]     static library + header
//   onnxc model.onnx --emit=cpp -o out/       the C++ sources
//   onnxc model.onnx --emit=mlir              IR after the onnx pipeline
//   onnxc check DIR...                        compile, run, compare
//
//===----------------------------------------------------------------------===//
#include "compiler/Check.h"
#include "compiler/CompileModel.h"
#include "compiler/TargetCpu.h"
#include "compiler/Diagnostics.h"
#include "compiler/Inspect.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <thread>

using namespace onnxc;

static const char *kUsage = R"(usage: onnxc MODEL.onnx [-o OUT] [options]
       onnxc check [options] DIR...
       onnxc inspect [options] MODEL.onnx

Compiles an ONNX model into a static library (OUT, default NAME.a) and a
header beside it, or into C++ sources or MLIR with --emit.

options:
  -o PATH                 output library, or folder for --emit=cpp
  --name PREFIX           prefix of every generated symbol (default: from OUT)
  --shape NAME=DxDx...    bind a dynamic input shape (repeatable)
  -O0 | -O1 | -O2 | -O3   optimization level (default -O2)
  --target=cpu            code generation target
  --emit=KIND             lib (default) | cpp | mlir-import | mlir | mlir-lowered
  --cpu=CPU               native (default: this machine), x86-64-v2,
                          x86-64-v3 (AVX2+FMA), x86-64-v4 (AVX-512), generic
  --threads N             threads the model runs on (default 1: no threading
                          code; N > 1 needs -pthread when linking)
  --cxx PATH              C++ compiler for the library (default $CXX or c++)
  --cxxflags FLAGS        extra flags for it (e.g. "-march=native")
  --ar PATH               archiver (default ar)
  --target-triple TRIPLE  build for another machine, e.g. aarch64-linux-gnu:
                          TRIPLE-g++ and TRIPLE-ar unless --cxx/--ar say
                          otherwise (clang gets --target=TRIPLE); --cpu
                          defaults to generic
  --json                  inspect: everything as one JSON object
  --memory-map            inspect: every arena buffer's offset, size, steps
  --dot FILE              inspect: write the optimized graph for Graphviz
  --run-prefix CMD        check: run each compiled case through CMD, e.g.
                          "qemu-aarch64 -L /usr/aarch64-linux-gnu"
  --print-ir-after-all    print the IR after every pass to stderr
  -j N                    parallel jobs for check (default: cores)
  -v                      print the commands run; keep temporary files
  -h, --help              this help
)";

int main(int argc, char **argv) {
  CompileOptions o;
  std::vector<std::string> positional;
  bool check = false, inspect = false, cpuGiven = false;
  InspectOptions io;
  int jobs = std::max(1u, std::thread::hardware_concurrency());
  auto value = [&](int &i, llvm::StringRef arg, llvm::StringRef flag,
                   std::string &out) -> bool {
    if (arg == flag) {
      if (i + 1 >= argc) {
        printError(("option " + flag + " needs a value").str());
        std::exit(1);
      }
      out = argv[++i];
      return true;
    }
    if (arg.starts_with((flag + "=").str())) {
      out = arg.drop_front(flag.size() + 1).str();
      return true;
    }
    return false;
  };
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    std::string v;
    if (arg == "-h" || arg == "--help") {
      llvm::outs() << kUsage;
      return 0;
    } else if (i == 1 && arg == "check") {
      check = true;
    } else if (i == 1 && arg == "inspect") {
      inspect = true;
    } else if (value(i, arg, "-o", o.output) || value(i, arg, "--name", o.name) ||
               value(i, arg, "--emit", o.emit) || value(i, arg, "--target", o.target) ||
               value(i, arg, "--cxx", o.cxx) || value(i, arg, "--cxxflags", o.cxxflags) ||
               value(i, arg, "--ar", o.ar) || value(i, arg, "--target-triple", o.targetTriple) ||
               value(i, arg, "--run-prefix", o.runPrefix)) {
    } else if (inspect && arg == "--json") {
      io.json = true;
    } else if (inspect && arg == "--memory-map") {
      io.memoryMap = true;
    } else if (inspect && value(i, arg, "--dot", io.dot)) {
    } else if (value(i, arg, "--cpu", o.cpu)) {
      cpuGiven = true;
    } else if (value(i, arg, "--threads", v)) {
      char *end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1 || n > 256) {
        printError("--threads " + v + ": expected a number from 1 to 256");
        return 1;
      }
      o.threads = int(n);
    } else if (value(i, arg, "--shape", v)) {
      if (v.find('=') == std::string::npos) {
        printError("--shape " + v + ": expected NAME=DxDx...");
        return 1;
      }
      o.shapes.push_back(v);
    } else if (value(i, arg, "-j", v)) {
      jobs = std::atoi(v.c_str());
    } else if (arg.size() > 2 && arg.starts_with("-j") &&
               std::isdigit(static_cast<unsigned char>(arg[2]))) {
      jobs = std::atoi(arg.drop_front(2).str().c_str());
    } else if (arg.size() == 3 && arg.starts_with("-O") && arg[2] >= '0' &&
               arg[2] <= '3') {
      o.optLevel = arg[2] - '0';
    } else if (arg == "--print-ir-after-all") {
      o.printIrAfterAll = true;
    } else if (arg == "-v") {
      o.verbose = true;
    } else if (arg.starts_with("-")) {
      printError(("unknown option " + arg + " (see onnxc --help)").str());
      return 1;
    } else {
      positional.push_back(arg.str());
    }
  }
  static const char *emits[] = {"lib", "cpp", "mlir-import", "mlir", "mlir-lowered"};
  if (std::find(std::begin(emits), std::end(emits), o.emit) == std::end(emits)) {
    printError("--emit=" + o.emit +
               ": expected lib, cpp, mlir-import, mlir or mlir-lowered");
    return 1;
  }
  // Another machine's code: native would describe this one.
  if (!o.targetTriple.empty()) {
    if (!cpuGiven)
      o.cpu = "generic";
    else if (o.cpu == "native") {
      printError("--cpu=native describes this machine, not " + o.targetTriple +
                 "; leave --cpu out (generic) or name the target's flags in --cxxflags");
      return 1;
    }
  }
  {
    CpuTarget cpu;
    std::string error;
    if (!resolveCpu(o.cpu, cpu, error)) {
      printError(error);
      return 1;
    }
  }
  if (check) {
    if (positional.empty()) {
      printError("check needs at least one folder");
      return 1;
    }
    return runCheck(positional, o, jobs);
  }
  if (positional.size() != 1) {
    llvm::errs() << kUsage;
    printError(positional.empty() ? "no model given" : "more than one model given");
    return 1;
  }
  o.input = positional[0];
  if (inspect)
    return runInspect(o, io);
  return compileModel(o);
}
