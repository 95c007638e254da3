//===- Inspect.cpp - `onnxc inspect` -------------------------------------===//
#include "compiler/Inspect.h"

#include "codegen/cpp/CppEmitter.h"
#include "codegen/cpp/LowerToEmitC.h"
#include "codegen/cpp/MemoryPlanner.h"
#include "compiler/Diagnostics.h"
#include "compiler/GraphDot.h"
#include "compiler/ModelStats.h"
#include "compiler/Pipeline.h"
#include "compiler/TargetCpu.h"
#include "compiler/frontend/ModelImporter.h"
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace mlir;
using namespace onnxc;

namespace {

std::string bytesText(int64_t b) {
  if (b < 0)
    return "n/a";
  char buf[64];
  if (b >= (1 << 20))
    snprintf(buf, sizeof buf, "%lld (%.2f MiB)", (long long)b, b / 1048576.0);
  else if (b >= 1024)
    snprintf(buf, sizeof buf, "%lld (%.1f KiB)", (long long)b, b / 1024.0);
  else
    snprintf(buf, sizeof buf, "%lld", (long long)b);
  return buf;
}

/// A copy lowered the way the build lowers it (the same SGEMM tile and
/// threads), for the arena, the memory map and the code; null on failure.
OwningOpRef<ModuleOp> lowerCopy(ModuleOp module, const CompileOptions &o,
                                const std::string &prefix) {
  CpuTarget cpu;
  std::string error;
  if (!resolveCpu(o.cpu, cpu, error))
    return nullptr;
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  pm.addPass(createLowerToEmitCPass(prefix, cpu.sgemm, o.threads));
  if (failed(pm.run(*copy)))
    return nullptr;
  return copy;
}

void addArena(ModuleOp lowered, GraphStats &s) {
  s.arenaBytes = cast<IntegerAttr>(lowered->getAttr("onnxc.arena_bytes")).getInt();
  s.activationBytes =
      cast<IntegerAttr>(lowered->getAttr("onnxc.unshared_arena_bytes")).getInt();
}

/// Bytes of code and constants of the library `onnxc -o` would build (with
/// the same compiler and flags), built in a temporary folder; -1 on failure.
int64_t codeBytes(ModuleOp lowered, const CompileOptions &o, const std::string &prefix,
                  std::string &error) {
  GeneratedSources sources;
  if (failed(emitCpp(lowered, o.input, sources))) {
    error = "C++ emission failed";
    return -1;
  }
  llvm::SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("onnxc-inspect", dir)) {
    error = "cannot create a temporary folder";
    return -1;
  }
  llvm::SmallString<128> lib(dir);
  llvm::sys::path::append(lib, prefix + ".a");
  int64_t bytes = -1;
  if (failed(writeSources(sources, std::string(dir), prefix, error)) ||
      failed(buildLibrary(std::string(dir), prefix, std::string(lib), buildOptions(o), error,
                          &bytes)))
    bytes = -1;
  llvm::sys::fs::remove_directories(dir);
  return bytes;
}

/// A declared shape for JSON: numbers, dim names for symbolic dims, null for
/// unnamed dynamic ones.
llvm::json::Array shapeJson(Type t, ArrayAttr dimParams) {
  llvm::json::Array dims;
  auto ranked = dyn_cast<RankedTensorType>(t);
  if (!ranked)
    return dims;
  for (int64_t i = 0; i < ranked.getRank(); ++i) {
    StringRef param;
    if (dimParams && i < int64_t(dimParams.size()))
      param = cast<StringAttr>(dimParams[i]).getValue();
    if (!ranked.isDynamicDim(i))
      dims.push_back(ranked.getDimSize(i));
    else if (!param.empty())
      dims.push_back(param.str());
    else
      dims.push_back(nullptr);
  }
  return dims;
}

std::string elementTypeText(Type t) {
  std::string out;
  llvm::raw_string_ostream os(out);
  if (auto shaped = dyn_cast<ShapedType>(t))
    os << shaped.getElementType();
  return out;
}

/// One arena buffer, as the lowering recorded it (onnxc.memory_map).
struct MapEntry {
  std::string name, kind, op;
  int64_t offset, bytes, first, last;
};

/// A graph input or output: declared (symbolic dims by name) and bound.
struct TensorReport {
  std::string name, elementType, declaredText;
  llvm::json::Array declared, bound;
  int64_t bytes;
};

/// Everything inspect tells, gathered before it is printed.
struct Report {
  std::string model, producer, target, compiler;
  int64_t opset = 0;
  std::vector<TensorReport> inputs, outputs;
  GraphStats before, after;
  int64_t writtenParameters = 0, writtenParameterBytes = 0;
  int64_t weights = 0, code = 0, inputBytes = 0, outputBytes = 0;
  std::vector<MapEntry> map;
};

std::vector<MapEntry> readMemoryMap(ArrayAttr list) {
  std::vector<MapEntry> out;
  for (Attribute a : list) {
    auto d = cast<DictionaryAttr>(a);
    auto str = [&](StringRef k) { return cast<StringAttr>(d.get(k)).getValue().str(); };
    auto num = [&](StringRef k) { return cast<IntegerAttr>(d.get(k)).getInt(); };
    out.push_back({str("name"), str("kind"), str("op"), num("offset"), num("bytes"),
                   num("first"), num("last")});
  }
  return out;
}

/// The declared inputs or outputs, with their bound types from the
/// lowering's onnxc.inputs / onnxc.outputs.
std::vector<TensorReport> tensorReports(ArrayAttr names, ArrayRef<Type> declared,
                                        ArrayAttr dimParams, Attribute bound) {
  std::vector<TensorReport> out;
  auto boundList = cast<ArrayAttr>(bound);
  for (auto [i, t] : llvm::enumerate(declared)) {
    ArrayAttr params = dimParams ? cast<ArrayAttr>(dimParams[i]) : ArrayAttr();
    Type boundType = cast<TypeAttr>(cast<DictionaryAttr>(boundList[i]).get("type")).getValue();
    out.push_back({cast<StringAttr>(names[i]).getValue().str(), elementTypeText(t),
                   tensorTypeText(t, params), shapeJson(t, params),
                   shapeJson(boundType, ArrayAttr()), tensorBytes(boundType)});
  }
  return out;
}

void printJson(const Report &r, llvm::raw_ostream &os) {
  auto tensors = [](const std::vector<TensorReport> &list) {
    llvm::json::Array out;
    for (const TensorReport &t : list)
      out.push_back(llvm::json::Object{{"name", t.name},
                                       {"type", t.elementType},
                                       {"shape", llvm::json::Array(t.declared)},
                                       {"bound_shape", llvm::json::Array(t.bound)},
                                       {"bytes", t.bytes}});
    return out;
  };
  auto counts = [](const GraphStats &st) {
    llvm::json::Object ops;
    for (auto &[k, v] : st.ops)
      ops[k] = v;
    return ops;
  };
  llvm::json::Array map;
  for (const MapEntry &e : r.map)
    map.push_back(llvm::json::Object{{"name", e.name},     {"kind", e.kind},
                                     {"op", e.op},         {"offset", e.offset},
                                     {"bytes", e.bytes},   {"first_step", e.first},
                                     {"last_step", e.last}});
  llvm::json::Object report{
      {"model", r.model},
      {"opset", r.opset},
      {"producer", r.producer},
      {"target", r.target},
      {"inputs", tensors(r.inputs)},
      {"outputs", tensors(r.outputs)},
      {"ops_before", counts(r.before)},
      {"ops", counts(r.after)},
      {"macs", r.after.macs},
      // As written, and as compiled (folding may add or drop constants).
      {"parameters", r.writtenParameters},
      {"parameter_bytes", r.writtenParameterBytes},
      {"parameters_compiled", r.after.parameters},
      {"parameter_bytes_compiled", r.after.paramBytes},
      {"weights_bytes", r.weights},
      {"code_bytes", r.code},
      {"flash_bytes", r.weights + r.code},
      {"arena_bytes", r.after.arenaBytes},
      {"unshared_activation_bytes", r.after.activationBytes},
      {"input_bytes", r.inputBytes},
      {"output_bytes", r.outputBytes},
      {"ram_bytes", r.after.arenaBytes + r.inputBytes + r.outputBytes},
      {"memory_map", std::move(map)}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
}

void printText(const Report &r, int optLevel, bool memoryMap, llvm::raw_ostream &os) {
  os << "model:   " << r.model << "\n";
  if (r.opset)
    os << "opset:   " << r.opset << " (default domain)\n";
  if (!r.producer.empty())
    os << "producer: " << r.producer << "\n";
  os << "inputs:\n";
  for (const TensorReport &t : r.inputs)
    os << "  " << t.name << "  " << t.declaredText << "\n";
  os << "outputs (as declared):\n";
  for (const TensorReport &t : r.outputs)
    os << "  " << t.name << "  " << t.declaredText << "\n";

  os << "\n" << llvm::format("%-28s %12s %12s", "", "before", "after -O") << optLevel << "\n";
  std::map<std::string, std::pair<int64_t, int64_t>> rows;
  for (auto &[k, v] : r.before.ops)
    rows[k].first = v;
  for (auto &[k, v] : r.after.ops)
    rows[k].second = v;
  auto row = [&](const std::string &what, int64_t x, int64_t y) {
    os << llvm::format("  %-26s %12lld %12lld", what.c_str(), (long long)x, (long long)y)
       << "\n";
  };
  int64_t totalA = 0, totalB = 0;
  for (auto &[k, v] : rows) {
    row(k, v.first, v.second);
    totalA += v.first;
    totalB += v.second;
  }
  row("ops (total)", totalA, totalB);
  row("MACs", r.before.macs, r.after.macs);
  row("parameters", r.before.parameters, r.after.parameters);
  auto pair = [&](const char *what, int64_t x, int64_t y) {
    os << llvm::format("  %-26s ", what) << bytesText(x) << " -> " << bytesText(y) << "\n";
  };
  pair("parameter bytes", r.before.paramBytes, r.after.paramBytes);
  pair("arena bytes", r.before.arenaBytes, r.after.arenaBytes);
  pair("activations, unshared", r.before.activationBytes, r.after.activationBytes);

  os << "\nmemory (after -O" << optLevel << ", " << r.target << ", built by " << r.compiler
     << "):\n";
  os << "  flash  " << bytesText(r.weights + r.code) << " = weights " << r.weights
     << " + code " << r.code << "\n";
  os << "  RAM    " << bytesText(r.after.arenaBytes + r.inputBytes + r.outputBytes)
     << " = arena " << r.after.arenaBytes << " + inputs " << r.inputBytes << " + outputs "
     << r.outputBytes << " (and the caller's stack)\n";
  if (!memoryMap)
    return;
  os << "\narena map (steps: positions of the ops in the graph; 64-byte aligned):\n";
  os << llvm::format("  %10s %10s %10s  %-9s %-8s %s\n", "offset", "bytes", "steps", "kind",
                     "op", "name");
  std::vector<MapEntry> sorted = r.map;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const MapEntry &x, const MapEntry &y) { return x.offset < y.offset; });
  for (const MapEntry &e : sorted) {
    std::string steps = std::to_string(e.first) + "-" + std::to_string(e.last);
    StringRef op = e.op;
    op.consume_front("onnx.");
    os << llvm::format("  %10lld %10lld %10s  %-9s %-8s ", (long long)e.offset,
                       (long long)e.bytes, steps.c_str(), e.kind.c_str(), op.str().c_str())
       << e.name << "\n";
  }
}

} // namespace

int onnxc::runInspect(const CompileOptions &o, const InspectOptions &io) {
  MLIRContext context;
  registerDialects(context);
  DiagnosticPrinter printer(context, o.input);
  std::string error;
  OwningOpRef<ModuleOp> module = importModelFile(context, o.input, error);
  if (!module) {
    printError(o.input + ": " + error);
    return 1;
  }
  Report r;
  r.model = o.input;
  r.target = "--cpu=" + o.cpu + " --threads=" + std::to_string(o.threads);
  r.compiler = buildOptions(o).cxx;
  if (auto a = (*module)->getAttrOfType<IntegerAttr>("onnx.opset"))
    r.opset = a.getInt();
  if (auto a = (*module)->getAttrOfType<StringAttr>("onnx.producer"))
    r.producer = a.getValue().str();
  // The declared signature, before shapes are bound.
  auto func = module->lookupSymbol<func::FuncOp>(kMainGraphName);
  SmallVector<Type> inTypes(func.getArgumentTypes()), outTypes(func.getResultTypes());
  auto inNames = func->getAttrOfType<ArrayAttr>("onnx.input_names");
  auto outNames = func->getAttrOfType<ArrayAttr>("onnx.output_names");
  auto dimParams = func->getAttrOfType<ArrayAttr>("onnx.dim_params");

  PipelineOptions po;
  po.shapes = o.shapes;
  po.optLevel = o.optLevel;
  PassManager infer(&context);
  infer.enableVerifier(false);
  buildShapePipeline(infer, po);
  if (failed(infer.run(*module)) || failed(mlir::verify(*module)))
    return 1;
  // Before: the graph as written (only dead code removed, as at -O0).
  OwningOpRef<ModuleOp> before = module->clone();
  PipelineOptions po0 = po;
  po0.optLevel = 0;
  PassManager pm0(&context);
  buildOnnxPipeline(pm0, po0);
  if (failed(pm0.run(*before)))
    return 1;
  PassManager pm(&context);
  buildOnnxPipeline(pm, po);
  if (failed(pm.run(*module)))
    return 1;
  if (!io.dot.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream dot(io.dot, ec);
    if (ec) {
      printError(o.input + ": cannot write " + io.dot + ": " + ec.message());
      return 1;
    }
    writeGraphDot(module->lookupSymbol<func::FuncOp>(kMainGraphName), dot);
  }

  r.before = graphStats(*before);
  r.after = graphStats(*module);
  const std::string prefix = "model";
  OwningOpRef<ModuleOp> loweredBefore = lowerCopy(*before, o, prefix);
  OwningOpRef<ModuleOp> lowered = lowerCopy(*module, o, prefix);
  if (!loweredBefore || !lowered)
    return 1;
  addArena(*loweredBefore, r.before);
  addArena(*lowered, r.after);
  r.weights = cast<DenseElementsAttr>((*lowered)->getAttr("onnxc.weights")).getNumElements();
  r.code = codeBytes(*lowered, o, prefix, error);
  if (r.code < 0) {
    printError(o.input + ": " + error);
    return 1;
  }
  writtenParameters(o.input, r.writtenParameters, r.writtenParameterBytes);
  r.inputs = tensorReports(inNames, inTypes, dimParams, (*lowered)->getAttr("onnxc.inputs"));
  r.outputs = tensorReports(outNames, outTypes, ArrayAttr(), (*lowered)->getAttr("onnxc.outputs"));
  for (const TensorReport &t : r.inputs)
    r.inputBytes += t.bytes;
  for (const TensorReport &t : r.outputs)
    r.outputBytes += t.bytes;
  r.map = readMemoryMap(cast<ArrayAttr>((*lowered)->getAttr("onnxc.memory_map")));

  if (io.json)
    printJson(r, llvm::outs());
  else
    printText(r, o.optLevel, io.memoryMap, llvm::outs());
  return 0;
}
