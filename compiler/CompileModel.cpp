//===- CompileModel.cpp - one model from .onnx to library or sources -----===//
#include "compiler/CompileModel.h"
#include "compiler/TargetCpu.h"

#include "codegen/cpp/CppEmitter.h"
#include "codegen/cpp/LowerToEmitC.h"
#include "compiler/Diagnostics.h"
#include "compiler/ModelStats.h"
#include "compiler/Pipeline.h"
#include "compiler/frontend/ModelImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;
using namespace onnxc;

std::string onnxc::findIncludeDir() {
  if (const char *env = std::getenv("ONNXC_INCLUDE_DIR"))
    return env;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallString<256> installed(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(installed, "share", "onnxc", "include");
  llvm::SmallString<256> probe(installed);
  llvm::sys::path::append(probe, "onnxc", "kernels.h");
  if (llvm::sys::fs::exists(probe))
    return std::string(installed);
  // The build tree: a folder gathering runtime/ and templates/.
  llvm::SmallString<256> build(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(build, "..", "include");
  probe = build;
  llvm::sys::path::append(probe, "onnxc", "kernels.h");
  if (llvm::sys::fs::exists(probe))
    return std::string(build);
  return ONNXC_SOURCE_DIR "/build-include";
}

std::string onnxc::buildFlags(const CompileOptions &o) {
  CpuTarget cpu;
  std::string error;
  if (!resolveCpu(o.cpu, cpu, error))
    return o.cxxflags;
  // The user's flags come last, so they can override ours.
  return targetCompileFlags(cpu, o.threads) + " " + o.cxxflags;
}

static OpPrintingFlags printingFlags() {
  OpPrintingFlags flags;
  flags.elideLargeElementsAttrs(16);
  return flags;
}

static std::string defaultPrefix(const CompileOptions &o) {
  if (!o.name.empty())
    return o.name;
  llvm::StringRef stem = llvm::sys::path::stem(o.output.empty() ? o.input : o.output);
  if (o.emit == "cpp" || stem == "model" || stem.empty())
    stem = llvm::sys::path::filename(llvm::sys::path::parent_path(o.input));
  if (o.emit == "cpp" && !o.name.empty())
    stem = o.name;
  std::string s = sanitizeIdentifier(stem.empty() ? "model" : stem);
  return s;
}

/// Import, optimize and lower; prints IR when asked. Null on failure (the
/// error was printed through the diagnostic printer or `error`).
static OwningOpRef<ModuleOp> runPipeline(MLIRContext &context,
                                         const CompileOptions &o,
                                         const std::string &prefix,
                                         std::string &error, bool &printedOnly) {
  printedOnly = false;
  OwningOpRef<ModuleOp> module = importModelFile(context, o.input, error);
  if (!module)
    return nullptr;
  if (o.emit == "mlir-import") {
    module->print(llvm::outs(), printingFlags().assumeVerified());
    printedOnly = true;
    return module;
  }
  // --print-ir-after-all covers every stage: binding and inference, the
  // optimization pipeline and the lowering.
  auto configure = [&](PassManager &manager) {
    if (!o.printIrAfterAll)
      return;
    context.disableMultithreading();
    manager.enableIRPrinting([](Pass *, Operation *) { return false; },
                             [](Pass *, Operation *) { return true; },
                             /*printModuleScope=*/true,
                             /*printAfterOnlyOnChange=*/false,
                             /*printAfterOnlyOnFailure=*/false, llvm::errs(),
                             printingFlags());
  };
  PassManager pm(&context);
  configure(pm);
  PipelineOptions po;
  po.shapes = o.shapes;
  po.optLevel = o.optLevel;
  // Imported result types are placeholders until shape inference has run,
  // so the verifier runs only once it has.
  PassManager infer(&context);
  infer.enableVerifier(false);
  configure(infer);
  buildShapePipeline(infer, po);
  if (failed(infer.run(*module)) || failed(mlir::verify(*module)))
    return nullptr;
  buildOnnxPipeline(pm, po);
  if (failed(pm.run(*module)))
    return nullptr;
  if (o.emit == "mlir") {
    module->print(llvm::outs(), printingFlags());
    printedOnly = true;
    return module;
  }
  // What the header says the graph computes.
  GraphStats stats = graphStats(*module);
  auto i64 = IntegerType::get(&context, 64);
  (*module)->setAttr("onnxc.macs", IntegerAttr::get(i64, stats.macs));
  (*module)->setAttr("onnxc.parameters", IntegerAttr::get(i64, stats.parameters));
  PassManager lower(&context);
  configure(lower);
  CpuTarget cpu;
  if (!resolveCpu(o.cpu, cpu, error))
    return nullptr;
  lower.addPass(createLowerToEmitCPass(prefix, cpu.sgemm, o.threads));
  if (failed(lower.run(*module)))
    return nullptr;
  // What the header tells whoever compiles the sources themselves.
  (*module)->setAttr("onnxc.target",
                  StringAttr::get(&context, "--cpu=" + o.cpu + " --threads=" +
                                                std::to_string(o.threads)));
  (*module)->setAttr("onnxc.target_flags",
                  StringAttr::get(&context, targetCompileFlags(cpu, o.threads)));
  (*module)->setAttr("onnxc.threads", IntegerAttr::get(IntegerType::get(&context, 64),
                                                    o.threads));
  if (o.emit == "mlir-lowered") {
    module->print(llvm::outs(), printingFlags());
    printedOnly = true;
  }
  return module;
}

bool onnxc::compileToSources(const CompileOptions &o, const std::string &dir,
                             const std::string &prefix, std::string &error) {
  MLIRContext context;
  registerDialects(context);
  std::string firstError;
  context.getDiagEngine().registerHandler([&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error && firstError.empty()) {
      firstError = diag.str();
      if (auto fused = dyn_cast<FusedLoc>(diag.getLocation())) {
        std::string node = nodeName(fused);
        if (auto meta = dyn_cast_or_null<StringAttr>(fused.getMetadata()))
          firstError = "node \"" + node + "\" (" + meta.str() + "): " + firstError;
      }
    }
    return success();
  });
  bool printedOnly;
  CompileOptions quiet = o;
  quiet.emit = "lib";
  auto module = runPipeline(context, quiet, prefix, error, printedOnly);
  if (!module) {
    if (error.empty())
      error = firstError.empty() ? "compilation failed" : firstError;
    return false;
  }
  GeneratedSources sources;
  if (failed(emitCpp(*module, o.input, sources))) {
    error = firstError.empty() ? "C++ emission failed" : firstError;
    return false;
  }
  return succeeded(writeSources(sources, dir, prefix, error));
}

BuildOptions onnxc::buildOptions(const CompileOptions &o) {
  BuildOptions bo;
  const std::string &triple = o.targetTriple;
  if (!o.cxx.empty())
    bo.cxx = o.cxx;
  else if (!triple.empty())
    bo.cxx = triple + "-g++";
  else if (const char *env = std::getenv("CXX"))
    bo.cxx = env;
  if (!o.ar.empty())
    bo.ar = o.ar;
  else if (!triple.empty())
    bo.ar = triple + "-ar";
  bo.cxxflags = buildFlags(o);
  // GCC's cross compilers know their target; clang is told it.
  if (!triple.empty() && llvm::sys::path::filename(bo.cxx).contains("clang"))
    bo.cxxflags += " --target=" + triple;
  bo.includeDir = findIncludeDir();
  bo.verbose = o.verbose;
  return bo;
}

int onnxc::compileModel(const CompileOptions &o) {
  if (!llvm::sys::fs::exists(o.input)) {
    printError(o.input + ": no such file");
    return 1;
  }
  if (o.target != "cpu") {
    printError(o.input + ": target \"" + o.target +
               "\" is not supported yet (only --target=cpu)");
    return 1;
  }
  std::string prefix = defaultPrefix(o);
  MLIRContext context;
  registerDialects(context);
  DiagnosticPrinter printer(context, o.input);
  std::string error;
  bool printedOnly;
  auto module = runPipeline(context, o, prefix, error, printedOnly);
  if (!module) {
    if (!error.empty())
      printError(o.input + ": " + error);
    else if (printer.errorCount() == 0)
      printError(o.input + ": compilation failed");
    return 1;
  }
  if (printedOnly)
    return 0;

  GeneratedSources sources;
  if (failed(emitCpp(*module, o.input, sources)))
    return 1;

  if (o.emit == "cpp") {
    std::string dir = o.output.empty() ? "." : o.output;
    if (failed(writeSources(sources, dir, prefix, error))) {
      printError(o.input + ": " + error);
      return 1;
    }
    // The sources stand alone: the kernel and runtime headers go with them.
    llvm::SmallString<256> from(findIncludeDir()), to(dir);
    llvm::sys::path::append(from, "onnxc");
    llvm::sys::path::append(to, "onnxc");
    llvm::sys::fs::create_directories(to);
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(from, ec), end; it != end && !ec;
         it.increment(ec)) {
      llvm::SmallString<256> target(to);
      llvm::sys::path::append(target, llvm::sys::path::filename(it->path()));
      if (llvm::sys::fs::copy_file(it->path(), target)) {
        printError(o.input + ": cannot copy " + it->path() + " to " + std::string(to));
        return 1;
      }
    }
    return 0;
  }

  // A library: build in a temporary folder, then move the archive and the
  // header next to each other.
  std::string output = o.output.empty() ? prefix + ".a" : o.output;
  llvm::SmallString<256> absOut(output);
  llvm::sys::fs::make_absolute(absOut);
  if (std::error_code ec =
          llvm::sys::fs::create_directories(llvm::sys::path::parent_path(absOut))) {
    printError(o.input + ": cannot create the folder of " + output + ": " + ec.message());
    return 1;
  }
  llvm::SmallString<128> tmpDir;
  if (llvm::sys::fs::createUniqueDirectory("onnxc", tmpDir)) {
    printError(o.input + ": cannot create a temporary folder");
    return 1;
  }
  auto cleanup = [&] {
    if (!o.verbose)
      llvm::sys::fs::remove_directories(tmpDir);
  };
  if (failed(writeSources(sources, std::string(tmpDir), prefix, error))) {
    printError(o.input + ": " + error);
    cleanup();
    return 1;
  }
  int64_t codeBytes = 0;
  if (failed(buildLibrary(std::string(tmpDir), prefix, std::string(absOut), buildOptions(o),
                          error, &codeBytes))) {
    printError(o.input + ": " + error);
    cleanup();
    return 1;
  }
  // The header now tells the library's flash too.
  sources.header = emitHeader(*module, o.input, codeBytes);
  llvm::SmallString<256> header(llvm::sys::path::parent_path(absOut));
  llvm::sys::path::append(header, prefix + ".h");
  std::string headerTmp = std::string(header) + ".tmp";
  {
    std::error_code ec;
    llvm::raw_fd_ostream h(headerTmp, ec);
    if (ec) {
      printError(o.input + ": cannot write " + std::string(header));
      cleanup();
      return 1;
    }
    h << sources.header;
  }
  llvm::sys::fs::rename(headerTmp, header);
  if (o.verbose)
    llvm::errs() << "onnxc: sources kept in " << tmpDir << "\n";
  cleanup();
  return 0;
}
