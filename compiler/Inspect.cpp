//===- Inspect.cpp - `onnxc inspect` -------------------------------------===//
#include "compiler/Inspect.h"

#include "codegen/cpp/LowerToEmitC.h"
#include "compiler/Diagnostics.h"
#include "compiler/Pipeline.h"
#include "compiler/frontend/ModelImporter.h"
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace mlir;
using namespace onnxc;

namespace {

struct GraphStats {
  std::map<std::string, int64_t> ops; // op type -> count
  int64_t paramBytes = 0;
  int64_t macs = 0;
  int64_t arenaBytes = -1;
  int64_t activationBytes = -1;
};

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// Multiply-accumulates of one op (0 for ops without a matrix product).
int64_t macsOf(Operation *op) {
  StringRef name = op->getName().getStringRef();
  auto out = rankedType(op->getNumResults() ? op->getResult(0) : Value());
  if (!out || !out.hasStaticShape())
    return 0;
  if (name == "onnx.Conv" || name == "onnxk.Conv") {
    auto w = rankedType(op->getOperand(1));
    return w ? out.getNumElements() * product(w.getShape().drop_front(1)) : 0;
  }
  if (name == "onnx.ConvTranspose") {
    auto x = rankedType(op->getOperand(0)), w = rankedType(op->getOperand(1));
    return x && w ? x.getNumElements() * product(w.getShape().drop_front(1)) : 0;
  }
  if (name == "onnx.Gemm" || name == "onnxk.Gemm") {
    auto a = rankedType(op->getOperand(0));
    int64_t k = a ? a.getDimSize(intAttr(op, "transA", 0) ? 0 : 1) : 0;
    return out.getNumElements() * k;
  }
  if (name == "onnx.MatMul") {
    auto a = rankedType(op->getOperand(0));
    return a ? out.getNumElements() * a.getDimSize(a.getRank() - 1) : 0;
  }
  if (name == "onnx.LSTM" || name == "onnx.GRU" || name == "onnx.RNN") {
    auto x = rankedType(op->getOperand(0));
    int64_t h = intAttr(op, "hidden_size", 0);
    int64_t gates = name == "onnx.LSTM" ? 4 : name == "onnx.GRU" ? 3 : 1;
    int64_t dirs = strAttr(op, "direction", "forward") == "bidirectional" ? 2 : 1;
    return x ? x.getDimSize(0) * x.getDimSize(1) * dirs * gates * h *
                   (x.getDimSize(2) + h)
             : 0;
  }
  return 0;
}

GraphStats statsOf(ModuleOp module) {
  GraphStats s;
  module.walk([&](Operation *op) {
    if (op->getDialect() == nullptr || isa<func::FuncOp, func::ReturnOp, ModuleOp>(op) ||
        isa<onnx::NoValueOp>(op))
      return;
    if (isa<onnx::ConstantOp>(op)) {
      if (auto t = rankedType(op->getResult(0)))
        if (t.hasStaticShape())
          s.paramBytes += tensorBytesOf(t);
      return;
    }
    std::string name = op->getName().getStringRef().str();
    if (StringRef(name).starts_with("onnx."))
      name = name.substr(5);
    ++s.ops[name];
    s.macs += macsOf(op);
  });
  return s;
}

/// Plans memory on a copy to learn the arena the lowering would use.
void addArena(ModuleOp module, GraphStats &s) {
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  pm.addPass(createLowerToEmitCPass("inspect"));
  if (failed(pm.run(*copy)))
    return;
  s.arenaBytes = cast<IntegerAttr>((*copy)->getAttr("onnxc.arena_bytes")).getInt();
  s.activationBytes =
      cast<IntegerAttr>((*copy)->getAttr("onnxc.unshared_arena_bytes")).getInt();
}

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

} // namespace

int onnxc::runInspect(const CompileOptions &o) {
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
  auto &os = llvm::outs();
  os << "model:   " << o.input << "\n";
  if (auto opset = (*module)->getAttrOfType<IntegerAttr>("onnx.opset"))
    os << "opset:   " << opset.getInt() << " (default domain)\n";
  if (auto producer = (*module)->getAttrOfType<StringAttr>("onnx.producer"))
    os << "producer: " << producer.getValue() << "\n";
  auto inNames = func->getAttrOfType<ArrayAttr>("onnx.input_names");
  auto dimParams = func->getAttrOfType<ArrayAttr>("onnx.dim_params");
  auto outNames = func->getAttrOfType<ArrayAttr>("onnx.output_names");
  os << "inputs:\n";
  for (BlockArgument arg : func.getArguments())
    os << "  " << cast<StringAttr>(inNames[arg.getArgNumber()]).getValue() << "  "
       << typeText(arg.getType(),
                   dimParams ? cast<ArrayAttr>(dimParams[arg.getArgNumber()]) : ArrayAttr())
       << "\n";
  os << "outputs (as declared):\n";
  for (auto [i, t] : llvm::enumerate(func.getFunctionType().getResults()))
    os << "  " << cast<StringAttr>(outNames[i]).getValue() << "  "
       << typeText(t, ArrayAttr()) << "\n";

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
  GraphStats a = statsOf(*before), b = statsOf(*module);
  addArena(*before, a);
  addArena(*module, b);

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
  os << llvm::format("  %-26s %12lld %12lld", "ops (total)", (long long)totalA,
                     (long long)totalB)
     << "\n";
  os << llvm::format("  %-26s %12lld %12lld", "MACs", (long long)a.macs,
                     (long long)b.macs)
     << "\n";
  os << "  parameter bytes            " << bytesText(a.paramBytes) << " -> "
     << bytesText(b.paramBytes) << "\n";
  os << "  arena bytes                " << bytesText(a.arenaBytes) << " -> "
     << bytesText(b.arenaBytes) << "\n";
  os << "  activations, unshared      " << bytesText(a.activationBytes) << " -> "
     << bytesText(b.activationBytes) << "\n";
  return 0;
}
