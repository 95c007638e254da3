//===- Diagnostics.cpp ---------------------------------------------------===//
#include "compiler/Diagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

using namespace mlir;

void onnxc::printError(const std::string &message) {
  llvm::errs() << "onnxc: error: " << message << "\n";
  llvm::errs().flush();
}

void onnxc::printWarning(const std::string &message) {
  llvm::errs() << "onnxc: warning: " << message << "\n";
  llvm::errs().flush();
}

std::string onnxc::nodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string name = nodeName(inner); !name.empty())
        return name;
  return "";
}

std::string onnxc::describeNode(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string name = nodeName(op->getLoc());
  os << "node \"" << name << "\" (";
  StringRef opName = op->getName().getStringRef();
  opName.consume_front("onnx.");
  os << opName;
  int64_t opset = 0;
  if (auto module = op->getParentOfType<ModuleOp>())
    if (auto attr = module->getAttrOfType<IntegerAttr>("onnx.opset"))
      opset = attr.getInt();
  if (opset)
    os << ", opset " << opset;
  os << ")";
  return text;
}

onnxc::DiagnosticPrinter::DiagnosticPrinter(MLIRContext &context,
                                            std::string modelPath)
    : context(context), modelPath(std::move(modelPath)) {
  id = context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << this->modelPath << ": ";
    std::string node = nodeName(diag.getLocation());
    if (!node.empty()) {
      os << "node \"" << node << "\"";
      if (auto fused = dyn_cast<FusedLoc>(diag.getLocation()))
        if (auto meta = dyn_cast_or_null<StringAttr>(fused.getMetadata()))
          os << " (" << meta.getValue() << ")";
      os << ": ";
    }
    os << diag.str();
    for (Diagnostic &note : diag.getNotes())
      os << " (" << note.str() << ")";
    if (diag.getSeverity() == DiagnosticSeverity::Error) {
      ++errors;
      printError(text);
    } else if (diag.getSeverity() == DiagnosticSeverity::Warning) {
      printWarning(text);
    }
    return success();
  });
}

onnxc::DiagnosticPrinter::~DiagnosticPrinter() {
  context.getDiagEngine().eraseHandler(id);
}
