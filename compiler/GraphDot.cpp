//===- GraphDot.cpp - a graph for Graphviz --------------------------------===//
#include "compiler/GraphDot.h"

#include "codegen/cpp/LowerToEmitC.h"
#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace onnxc;

namespace {

/// A type as `f32 [1x3x224x224]`.
std::string typeLabel(Type t) {
  std::string out;
  llvm::raw_string_ostream os(out);
  auto ranked = dyn_cast<RankedTensorType>(t);
  if (!ranked)
    return "?";
  os << ranked.getElementType() << " [";
  for (int64_t i = 0; i < ranked.getRank(); ++i)
    os << (i ? "x" : "") << (ranked.isDynamicDim(i) ? std::string("?")
                                                     : std::to_string(ranked.getDimSize(i)));
  os << "]";
  return out;
}

} // namespace

void onnxc::writeGraphDot(func::FuncOp func, llvm::raw_ostream &os) {
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
       << quote(typeLabel(arg.getType())) << "\"];\n";
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
           << quote(typeLabel(v.getType())) << "\"];\n";
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
      os << "\\n" << quote(typeLabel(op.getResult(0).getType()));
    os << "\"];\n";
    for (Value v : op.getOperands())
      if (ids.count(v))
        os << "  " << ids[v] << " -> " << id << ";\n";
    for (Value r : op.getResults())
      ids[r] = id;
  }
  os << "}\n";
}

