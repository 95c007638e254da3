//===- GraphDot.cpp - a graph for Graphviz --------------------------------===//
#include "compiler/GraphDot.h"

#include "codegen/cpp/LowerToEmitC.h"
#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace onnxc;

std::string onnxc::tensorTypeText(Type t, ArrayAttr dimParams) {
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
       << quote(tensorTypeText(arg.getType())) << "\"];\n";
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
           << quote(tensorTypeText(v.getType())) << "\"];\n";
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
      os << "\\n" << quote(tensorTypeText(op.getResult(0).getType()));
    os << "\"];\n";
    for (Value v : op.getOperands())
      if (ids.count(v))
        os << "  " << ids[v] << " -> " << id << ";\n";
    for (Value r : op.getResults())
      ids[r] = id;
  }
  os << "}\n";
}
