//===- Inspect.cpp - `onnxc inspect` -------------------------------------===//
#include "compiler/Inspect.h"

#include "codegen/cpp/LowerToEmitC.h"
#include "codegen/cpp/CppEmitter.h"
#include "codegen/cpp/MemoryPlanner.h"
#include "compiler/Diagnostics.h"
#include "compiler/ModelStats.h"
#include "compiler/TargetCpu.h"
#include "compiler/Pipeline.h"
#include "compiler/frontend/ModelImporter.h"
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "onnx/onnx_pb.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace mlir;
using namespace onnxc;

namespace {

std::string typeText(Type t, ArrayAttr dimParams) {
  std::string out;
  llvm::raw_string_ostream os(out);
  auto shaped = dyn_cast<ShapedType>(t);
  if (!shaped)
    return "?";
  os << shaped.getElementType() << " [";
  if (auto ranked = dyn_cast<RankedTensorType>(t)) {
    for (int64_t i = 0; i < ranked.getRank(); ++i) {
      if (i)
        os << "x";
      StringRef param;
      if (dimParams && i < int64_t(dimParams.size()))
        param = cast<StringAttr>(dimParams[i]).getValue();
      if (ranked.isDynamicDim(i))
        os << (param.empty() ? "?" : param);
      else
        os << ranked.getDimSize(i);
    }
  } else {
    os << "unranked";
  }
  os << "]";
  return out;
}

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
  pm.addPass(createLowerToEmitCPass(
      prefix, SgemmTile{cpu.sgemmPanelRows, cpu.sgemmPanelCols}, o.threads));
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
  llvm::SmallString<128> lib(dir), object(dir);
  llvm::sys::path::append(lib, prefix + ".a");
  llvm::sys::path::append(object, prefix + ".o");
  int64_t bytes = -1;
  if (succeeded(writeSources(sources, std::string(dir), prefix, error)) &&
      succeeded(buildLibrary(std::string(dir), prefix, std::string(lib), buildOptions(o),
                             error)))
    bytes = codeBytesOf(std::string(object), error);
  llvm::sys::fs::remove_directories(dir);
  return bytes;
}

/// Bytes of one element of an ONNX TensorProto data type (0 for strings).
int64_t onnxElementBytes(int dataType) {
  switch (dataType) {
  case ::onnx::TensorProto::UINT8: case ::onnx::TensorProto::INT8:
  case ::onnx::TensorProto::BOOL:
    return 1;
  case ::onnx::TensorProto::UINT16: case ::onnx::TensorProto::INT16:
  case ::onnx::TensorProto::FLOAT16: case ::onnx::TensorProto::BFLOAT16:
    return 2;
  case ::onnx::TensorProto::FLOAT: case ::onnx::TensorProto::INT32:
  case ::onnx::TensorProto::UINT32:
    return 4;
  case ::onnx::TensorProto::DOUBLE: case ::onnx::TensorProto::INT64:
  case ::onnx::TensorProto::UINT64:
    return 8;
  default:
    return 0;
  }
}

/// Parameters as the file has them: the main graph's initializers and its
/// Constant nodes' values. False if the file cannot be read.
bool writtenParameters(const std::string &path, int64_t &count, int64_t &bytes) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ::onnx::ModelProto model;
  if (!buffer || !model.ParseFromArray((*buffer)->getBufferStart(),
                                       int((*buffer)->getBufferSize())))
    return false;
  count = bytes = 0;
  auto add = [&](int64_t n, int64_t elementBytes) {
    count += n;
    bytes += n * elementBytes;
  };
  auto addTensor = [&](const ::onnx::TensorProto &t) {
    int64_t n = 1;
    for (int64_t d : t.dims())
      n *= d;
    add(n, onnxElementBytes(t.data_type()));
  };
  for (const ::onnx::TensorProto &t : model.graph().initializer())
    addTensor(t);
  for (const ::onnx::NodeProto &node : model.graph().node()) {
    if (node.op_type() != "Constant" || node.attribute_size() == 0)
      continue;
    const ::onnx::AttributeProto &a = node.attribute(0);
    if (a.name() == "value")
      addTensor(a.t());
    else if (a.name() == "value_float" || a.name() == "value_int")
      add(1, a.name() == "value_float" ? 4 : 8);
    else if (a.name() == "value_floats")
      add(a.floats_size(), 4);
    else if (a.name() == "value_ints")
      add(a.ints_size(), 8);
  }
  return true;
}

/// Sum of the sizes in an onnxc.inputs / onnxc.outputs list.
int64_t ioBytes(Attribute list) {
  int64_t bytes = 0;
  for (Attribute a : cast<ArrayAttr>(list))
    bytes += tensorBytes(cast<TypeAttr>(cast<DictionaryAttr>(a).get("type")).getValue());
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

/// The graph for Graphviz: one box per op (type, node name, result shape),
/// the graph's inputs and outputs as ellipses; constants left out.
void writeDot(func::FuncOp func, llvm::raw_ostream &os) {
  os << "digraph onnxc {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n";
  llvm::DenseMap<Value, std::string> ids;
  auto quote = [](StringRef s) {
    std::string q;
    for (char c : s)
      q += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    return q;
  };
  auto inNames = func->getAttrOfType<ArrayAttr>("onnx.input_names");
  auto outNames = func->getAttrOfType<ArrayAttr>("onnx.output_names");
  for (BlockArgument arg : func.getArguments()) {
    std::string id = "in" + std::to_string(arg.getArgNumber());
    os << "  " << id << " [shape=ellipse, label=\""
       << quote(cast<StringAttr>(inNames[arg.getArgNumber()]).getValue()) << "\\n"
       << quote(typeText(arg.getType(), ArrayAttr())) << "\"];\n";
    ids[arg] = id;
  }
  int n = 0;
  for (Operation &op : func.getBody().front()) {
    if (isa<onnxc::onnx::ConstantOp, onnxc::onnx::NoValueOp>(op))
      continue;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        std::string id = "out" + std::to_string(i);
        os << "  " << id << " [shape=ellipse, label=\""
           << quote(cast<StringAttr>(outNames[i]).getValue()) << "\\n"
           << quote(typeText(v.getType(), ArrayAttr())) << "\"];\n";
        if (ids.count(v))
          os << "  " << ids[v] << " -> " << id << ";\n";
      }
      continue;
    }
    std::string id = "op" + std::to_string(n++);
    std::string type = op.getName().getStringRef().str();
    if (StringRef(type).starts_with("onnx."))
      type = type.substr(5);
    os << "  " << id << " [label=\"" << quote(type) << "\\n" << quote(nodeName(op.getLoc()));
    if (op.getNumResults())
      os << "\\n" << quote(typeText(op.getResult(0).getType(), ArrayAttr()));
    os << "\"];\n";
    for (Value v : op.getOperands())
      if (ids.count(v))
        os << "  " << ids[v] << " -> " << id << ";\n";
    for (Value r : op.getResults())
      ids[r] = id;
  }
  os << "}\n";
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
  auto func = module->lookupSymbol<func::FuncOp>(kMainGraphName);
  auto inNames = func->getAttrOfType<ArrayAttr>("onnx.input_names");
  auto dimParams = func->getAttrOfType<ArrayAttr>("onnx.dim_params");
  auto outNames = func->getAttrOfType<ArrayAttr>("onnx.output_names");
  auto paramsOf = [&](unsigned i) {
    return dimParams ? cast<ArrayAttr>(dimParams[i]) : ArrayAttr();
  };
  int64_t opset = 0;
  if (auto a = (*module)->getAttrOfType<IntegerAttr>("onnx.opset"))
    opset = a.getInt();
  std::string producer;
  if (auto a = (*module)->getAttrOfType<StringAttr>("onnx.producer"))
    producer = a.getValue().str();
  // The declared signature, before shapes are bound.
  SmallVector<Type> inTypes(func.getArgumentTypes()), outTypes(func.getResultTypes());

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
  GraphStats a = graphStats(*before), b = graphStats(*module);
  const std::string prefix = "model";
  OwningOpRef<ModuleOp> loweredBefore = lowerCopy(*before, o, prefix);
  OwningOpRef<ModuleOp> lowered = lowerCopy(*module, o, prefix);
  if (!loweredBefore || !lowered)
    return 1;
  addArena(*loweredBefore, a);
  addArena(*lowered, b);
  int64_t weights = cast<DenseElementsAttr>((*lowered)->getAttr("onnxc.weights")).getNumElements();
  int64_t code = codeBytes(*lowered, o, prefix, error);
  if (code < 0) {
    printError(o.input + ": " + error);
    return 1;
  }
  int64_t writtenCount = 0, writtenBytes = 0;
  writtenParameters(o.input, writtenCount, writtenBytes);
  int64_t inBytes = ioBytes((*lowered)->getAttr("onnxc.inputs"));
  int64_t outBytes = ioBytes((*lowered)->getAttr("onnxc.outputs"));
  auto memoryMap = cast<ArrayAttr>((*lowered)->getAttr("onnxc.memory_map"));
  auto entry = [](Attribute e, StringRef key) {
    return cast<DictionaryAttr>(e).get(key);
  };
  auto entryInt = [&](Attribute e, StringRef key) {
    return cast<IntegerAttr>(entry(e, key)).getInt();
  };
  auto entryStr = [&](Attribute e, StringRef key) {
    return cast<StringAttr>(entry(e, key)).getValue();
  };
  std::string target = "--cpu=" + o.cpu + " --threads=" + std::to_string(o.threads);

  if (!io.dot.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream dot(io.dot, ec);
    if (ec) {
      printError(o.input + ": cannot write " + io.dot + ": " + ec.message());
      return 1;
    }
    writeDot(module->lookupSymbol<func::FuncOp>(kMainGraphName), dot);
  }

  auto &os = llvm::outs();
  if (io.json) {
    auto tensors = [&](ArrayAttr names, ArrayRef<Type> declared, Attribute bound,
                       bool withParams) {
      llvm::json::Array list;
      auto boundList = cast<ArrayAttr>(bound);
      for (auto [i, t] : llvm::enumerate(declared)) {
        Type boundType =
            cast<TypeAttr>(cast<DictionaryAttr>(boundList[i]).get("type")).getValue();
        list.push_back(llvm::json::Object{
            {"name", cast<StringAttr>(names[i]).getValue().str()},
            {"type", elementTypeText(t)},
            {"shape", shapeJson(t, withParams ? paramsOf(unsigned(i)) : ArrayAttr())},
            {"bound_shape", shapeJson(boundType, ArrayAttr())},
            {"bytes", tensorBytes(boundType)}});
      }
      return list;
    };
    auto counts = [](const GraphStats &st) {
      llvm::json::Object ops;
      for (auto &[k, v] : st.ops)
        ops[k] = v;
      return ops;
    };
    llvm::json::Array map;
    for (Attribute e : memoryMap)
      map.push_back(llvm::json::Object{{"name", entryStr(e, "name").str()},
                                       {"kind", entryStr(e, "kind").str()},
                                       {"op", entryStr(e, "op").str()},
                                       {"offset", entryInt(e, "offset")},
                                       {"bytes", entryInt(e, "bytes")},
                                       {"first_step", entryInt(e, "first")},
                                       {"last_step", entryInt(e, "last")}});
    llvm::json::Object report{
        {"model", o.input},
        {"opset", opset},
        {"producer", producer},
        {"target", target},
        {"inputs", tensors(inNames, inTypes, (*lowered)->getAttr("onnxc.inputs"), true)},
        {"outputs", tensors(outNames, outTypes, (*lowered)->getAttr("onnxc.outputs"), false)},
        {"ops_before", counts(a)},
        {"ops", counts(b)},
        {"macs", b.macs},
        // As written, and as compiled (folding may add or drop constants).
        {"parameters", writtenCount},
        {"parameter_bytes", writtenBytes},
        {"parameters_compiled", b.parameters},
        {"parameter_bytes_compiled", b.paramBytes},
        {"weights_bytes", weights},
        {"code_bytes", code},
        {"flash_bytes", weights + code},
        {"arena_bytes", b.arenaBytes},
        {"unshared_activation_bytes", b.activationBytes},
        {"input_bytes", inBytes},
        {"output_bytes", outBytes},
        {"ram_bytes", b.arenaBytes + inBytes + outBytes},
        {"memory_map", std::move(map)}};
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
    return 0;
  }

  os << "model:   " << o.input << "\n";
  if (opset)
    os << "opset:   " << opset << " (default domain)\n";
  if (!producer.empty())
    os << "producer: " << producer << "\n";
  os << "inputs:\n";
  for (auto [i, t] : llvm::enumerate(inTypes))
    os << "  " << cast<StringAttr>(inNames[i]).getValue() << "  "
       << typeText(t, paramsOf(unsigned(i))) << "\n";
  os << "outputs (as declared):\n";
  for (auto [i, t] : llvm::enumerate(outTypes))
    os << "  " << cast<StringAttr>(outNames[i]).getValue() << "  " << typeText(t, ArrayAttr())
       << "\n";

  os << "\n" << llvm::format("%-28s %12s %12s", "", "before", "after -O")
     << o.optLevel << "\n";
  std::map<std::string, std::pair<int64_t, int64_t>> rows;
  for (auto &[k, v] : a.ops)
    rows[k].first = v;
  for (auto &[k, v] : b.ops)
    rows[k].second = v;
  int64_t totalA = 0, totalB = 0;
  for (auto &[k, v] : rows) {
    os << llvm::format("  %-26s %12lld %12lld", k.c_str(), (long long)v.first,
                       (long long)v.second)
       << "\n";
    totalA += v.first;
    totalB += v.second;
  }
  auto row = [&](const char *what, int64_t x, int64_t y) {
    os << llvm::format("  %-26s %12lld %12lld", what, (long long)x, (long long)y) << "\n";
  };
  row("ops (total)", totalA, totalB);
  row("MACs", a.macs, b.macs);
  row("parameters", a.parameters, b.parameters);
  os << "  parameter bytes            " << bytesText(a.paramBytes) << " -> "
     << bytesText(b.paramBytes) << "\n";
  os << "  arena bytes                " << bytesText(a.arenaBytes) << " -> "
     << bytesText(b.arenaBytes) << "\n";
  os << "  activations, unshared      " << bytesText(a.activationBytes) << " -> "
     << bytesText(b.activationBytes) << "\n";

  os << "\nmemory (after -O" << o.optLevel << ", " << target << ", built by "
     << buildOptions(o).cxx << "):\n";
  os << "  flash  " << bytesText(weights + code) << " = weights " << weights << " + code "
     << code << "\n";
  os << "  RAM    " << bytesText(b.arenaBytes + inBytes + outBytes) << " = arena "
     << b.arenaBytes << " + inputs " << inBytes << " + outputs " << outBytes
     << " (and the caller's stack)\n";

  if (io.memoryMap) {
    os << "\narena map (steps: positions of the ops in the graph; 64-byte aligned):\n";
    os << llvm::format("  %10s %10s %10s  %-9s %-8s %s\n", "offset", "bytes", "steps", "kind",
                       "op", "name");
    std::vector<Attribute> sorted(memoryMap.begin(), memoryMap.end());
    std::stable_sort(sorted.begin(), sorted.end(), [&](Attribute x, Attribute y) {
      return entryInt(x, "offset") < entryInt(y, "offset");
    });
    for (Attribute e : sorted) {
      std::string steps =
          std::to_string(entryInt(e, "first")) + "-" + std::to_string(entryInt(e, "last"));
      std::string op = entryStr(e, "op").str();
      if (StringRef(op).starts_with("onnx."))
        op = op.substr(5);
      os << llvm::format("  %10lld %10lld %10s  %-9s %-8s ", (long long)entryInt(e, "offset"),
                         (long long)entryInt(e, "bytes"), steps.c_str(),
                         entryStr(e, "kind").str().c_str(), op.c_str())
         << entryStr(e, "name") << "\n";
    }
  }
  return 0;
}
