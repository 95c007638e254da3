//===- LowerToEmitC.cpp - the onnx graph as an EmitC function ------------===//
#include "codegen/cpp/LowerToEmitC.h"

#include "codegen/cpp/KernelLowering.h"
#include "codegen/cpp/MemoryPlanner.h"
#include "compiler/frontend/ModelImporter.h"
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace onnxc;

std::string onnxc::sanitizeIdentifier(StringRef name) {
  std::string s;
  for (char c : name)
    s += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  // Collapse runs of '_' and trim them, so "/conv1/Conv" reads "conv1_Conv".
  std::string out;
  for (char c : s)
    if (!(c == '_' && (out.empty() || out.back() == '_')))
      out += c;
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  if (out.empty() || isdigit(static_cast<unsigned char>(out[0])))
    out = "t_" + out;
  // C and C++ keywords (ONNX tests name tensors "and", "or", "not", ...).
  static const llvm::StringSet<> keywords = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor",
      "bool", "break", "case", "catch", "char", "class", "compl", "const",
      "constexpr", "const_cast", "continue", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export",
      "extern", "false", "float", "for", "friend", "goto", "if", "inline",
      "int", "long", "mutable", "namespace", "new", "noexcept", "not",
      "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected",
      "public", "register", "reinterpret_cast", "restrict", "return", "short",
      "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try",
      "typedef", "typeid", "typename", "union", "unsigned", "using",
      "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      "arena", "main"};
  if (keywords.contains(out))
    out += "_";
  return out;
}

namespace {

std::string nodeName(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto n = dyn_cast<NameLoc>(inner))
        return n.getName().str();
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  return "";
}

class Lowering : public LoweringContext {
public:
  Lowering(ModuleOp module, func::FuncOp func, std::string prefix)
      : module(module), func(func), prefix(std::move(prefix)),
        builder(module.getContext()) {}

  LogicalResult run();

  std::string buffer(Value v) override;
  std::string newConstant(DenseElementsAttr value, StringRef hint) override;
  std::string scratch(Operation *op, Type elementType) override;

private:
  std::string uniqueName(StringRef base);
  void verbatim(const std::string &text) {
    builder.create<emitc::VerbatimOp>(func.getLoc(), builder.getStringAttr(text));
  }
  std::string addToBlob(DenseElementsAttr value, StringRef hint);
  void declareTop(const std::string &text) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(topMarker);
    verbatim(text);
  }

  ModuleOp module;
  func::FuncOp func;
  std::string prefix;
  OpBuilder builder;
  MemoryPlan plan;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
  std::vector<char> blob;
  Operation *topMarker = nullptr;
  SmallVector<std::string> inputNames, outputNames;
};

std::string Lowering::uniqueName(StringRef base) {
  std::string name = sanitizeIdentifier(base);
  std::string candidate = name;
  for (int i = 1; !used.insert(candidate).second; ++i)
    candidate = name + "_" + std::to_string(i);
  return candidate;
}

std::string Lowering::addToBlob(DenseElementsAttr value, StringRef hint) {
  auto type = cast<RankedTensorType>(value.getType());
  Type e = type.getElementType();
  size_t offset = (blob.size() + kBufferAlign - 1) / kBufferAlign * kBufferAlign;
  blob.resize(offset);
  int64_t n = type.getNumElements();
  if (e.isInteger(1)) {
    for (bool b : value.getValues<bool>())
      blob.push_back(b ? 1 : 0);
  } else {
    ArrayRef<char> raw = value.getRawData();
    size_t elemBytes = e.getIntOrFloatBitWidth() / 8;
    if (value.isSplat()) {
      for (int64_t i = 0; i < n; ++i)
        blob.insert(blob.end(), raw.begin(), raw.begin() + elemBytes);
    } else {
      blob.insert(blob.end(), raw.begin(), raw.end());
    }
  }
  std::string t = cType(e);
  std::string name = uniqueName("w_" + hint.str());
  declareTop("const " + t + "* const " + name + " = reinterpret_cast<const " + t +
             "*>(" + prefix + "_weights + " + std::to_string(offset) + ");");
  return name;
}

std::string Lowering::newConstant(DenseElementsAttr value, StringRef hint) {
  return addToBlob(value, hint);
}

std::string Lowering::scratch(Operation *op, Type elementType) {
  std::string t = cType(elementType);
  return "reinterpret_cast<" + t + "*>(arena + " +
         std::to_string(plan.scratch.lookup(op)) + ")";
}

std::string Lowering::buffer(Value v) {
  if (isNone(v))
    return "nullptr";
  auto it = names.find(v);
  if (it != names.end())
    return it->second;
  BufferRef ref = plan.buffers.lookup(v);
  if (ref.root && ref.root != v) { // a view shares its root's name
    std::string root = buffer(ref.root);
    names[v] = root;
    return root;
  }
  std::string t = cType(elementType(v));
  std::string name;
  switch (ref.kind) {
  case BufferRef::Input:
    name = inputNames[ref.index];
    break;
  case BufferRef::Output:
    name = outputNames[ref.index];
    break;
  case BufferRef::Constant: {
    auto value = cast<DenseElementsAttr>(v.getDefiningOp()->getAttr("value"));
    name = addToBlob(value, nodeName(v.getLoc()));
    break;
  }
  case BufferRef::Arena: {
    Operation *def = v.getDefiningOp();
    std::string base = nodeName(def->getLoc());
    if (def->getNumResults() > 1)
      base += "_out" + std::to_string(cast<OpResult>(v).getResultNumber());
    name = uniqueName(base);
    verbatim(t + "* const " + name + " = reinterpret_cast<" + t + "*>(arena + " +
             std::to_string(ref.offset) + ");");
    break;
  }
  }
  names[v] = name;
  return name;
}

LogicalResult Lowering::run() {
  MLIRContext *ctx = module.getContext();
  plan = planMemory(func, scratchBytes);

  for (BlockArgument arg : func.getArguments())
    if (cType(elementType(arg)).empty())
      return func.emitError() << "not supported yet: input element type "
                              << elementType(arg);
  auto inNames = func->getAttrOfType<ArrayAttr>("onnx.input_names");
  auto outNames = func->getAttrOfType<ArrayAttr>("onnx.output_names");
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (Value v : ret.getOperands())
    if (cType(elementType(v)).empty())
      return func.emitError() << "not supported yet: output element type "
                              << elementType(v);

  // Signature: inputs, outputs, arena - all untyped pointers; the body
  // names them after the ONNX inputs and outputs.
  auto constVoidPtr = emitc::PointerType::get(emitc::OpaqueType::get(ctx, "const void"));
  auto voidPtr = emitc::PointerType::get(emitc::OpaqueType::get(ctx, "void"));
  SmallVector<Type> argTypes;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    argTypes.push_back(constVoidPtr);
  for (unsigned i = 0; i < ret.getNumOperands(); ++i)
    argTypes.push_back(voidPtr);
  argTypes.push_back(voidPtr);
  builder.setInsertionPointToEnd(module.getBody());
  auto graph = builder.create<emitc::FuncOp>(
      func.getLoc(), prefix + "_graph", builder.getFunctionType(argTypes, {}));
  graph.setSpecifiersAttr(builder.getStrArrayAttr({"static"}));
  Block *body = graph.addEntryBlock();
  builder.setInsertionPointToStart(body);

  SmallVector<Attribute> inputInfo, outputInfo;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    std::string name = uniqueName(cast<StringAttr>(inNames[i]).getValue());
    inputNames.push_back(name);
    std::string t = cType(elementType(func.getArgument(i)));
    builder.create<emitc::VerbatimOp>(
        func.getLoc(),
        builder.getStringAttr("const " + t + "* const " + name +
                              " = static_cast<const " + t + "*>({});"),
        ValueRange{body->getArgument(i)});
    inputInfo.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", inNames[i]),
         builder.getNamedAttr("c_name", builder.getStringAttr(name)),
         builder.getNamedAttr("type", TypeAttr::get(func.getArgument(i).getType()))}));
  }
  for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
    std::string name = uniqueName(cast<StringAttr>(outNames[i]).getValue());
    outputNames.push_back(name);
    std::string t = cType(elementType(ret.getOperand(i)));
    builder.create<emitc::VerbatimOp>(
        func.getLoc(),
        builder.getStringAttr(t + "* const " + name + " = static_cast<" + t +
                              "*>({});"),
        ValueRange{body->getArgument(func.getNumArguments() + i)});
    outputInfo.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", outNames[i]),
         builder.getNamedAttr("c_name", builder.getStringAttr(name)),
         builder.getNamedAttr("type", TypeAttr::get(ret.getOperand(i).getType()))}));
  }
  used.insert("arena");
  builder.create<emitc::VerbatimOp>(
      func.getLoc(),
      builder.getStringAttr("uint8_t* const arena = static_cast<uint8_t*>({});"),
      ValueRange{body->getArgument(body->getNumArguments() - 1)});
  if (plan.arenaBytes == 0)
    verbatim("(void)arena;");
  // Weight declarations go here, ahead of all kernel calls.
  topMarker = builder.create<emitc::VerbatimOp>(func.getLoc(),
                                                builder.getStringAttr(""));

  auto literalType = emitc::OpaqueType::get(ctx, "auto");
  for (Operation &op : func.getBody().front()) {
    if (isa<onnx::ConstantOp, onnx::NoValueOp, func::ReturnOp>(op))
      continue;
    const LoweringRule *rule = lookupLoweringRule(&op);
    if (!rule)
      return op.emitError() << "not supported yet";
    std::vector<KernelCall> calls;
    size_t before = body->getOperations().size();
    verbatim("// " + nodeName(op.getLoc()) + " (" +
             op.getName().getStringRef().drop_front(5).str() + ")");
    if (failed((*rule)(&op, *this, calls)))
      return failure();
    for (Value r : op.getResults())
      if (!isNone(r) && !r.use_empty())
        (void)buffer(r);
    for (const KernelCall &call : calls) {
      SmallVector<Value> args;
      for (const std::string &arg : call.args)
        args.push_back(builder.create<emitc::LiteralOp>(op.getLoc(), literalType, arg));
      builder.create<emitc::CallOpaqueOp>(op.getLoc(), TypeRange{}, call.callee, args);
    }
    if (calls.empty() && body->getOperations().size() == before + 1)
      body->back().erase(); // views cost nothing: drop their comment
  }
  for (auto [v, k] : plan.outputCopies) {
    std::string src = buffer(v);
    auto lit = [&](const std::string &s) {
      return builder.create<emitc::LiteralOp>(func.getLoc(), literalType, s).getResult();
    };
    verbatim("// output " + outputNames[k] + " is a copy");
    builder.create<emitc::CallOpaqueOp>(
        func.getLoc(), TypeRange{},
        "onnxc::copy<" + std::to_string(tensorBytes(v.getType())) + ">",
        ValueRange{lit(src), lit(outputNames[k])});
  }
  builder.create<emitc::ReturnOp>(func.getLoc(), Value());
  topMarker->erase();

  Builder b(ctx);
  module->setAttr("onnxc.prefix", b.getStringAttr(prefix));
  module->setAttr("onnxc.inputs", b.getArrayAttr(inputInfo));
  module->setAttr("onnxc.outputs", b.getArrayAttr(outputInfo));
  module->setAttr("onnxc.arena_bytes", b.getI64IntegerAttr(plan.arenaBytes));
  module->setAttr("onnxc.unshared_arena_bytes",
                  b.getI64IntegerAttr(plan.unsharedBytes));
  auto blobType = RankedTensorType::get({int64_t(blob.size())}, b.getIntegerType(8));
  module->setAttr("onnxc.weights",
                  DenseElementsAttr::getFromRawBuffer(blobType, blob));
  func.erase();
  return success();
}

struct LowerToEmitCPass
    : public PassWrapper<LowerToEmitCPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerToEmitCPass)
  explicit LowerToEmitCPass(std::string prefix) : prefix(std::move(prefix)) {}
  StringRef getArgument() const override { return "onnxc-lower-to-emitc"; }
  StringRef getDescription() const override {
    return "Lowers the onnx main graph to an EmitC function of kernel calls";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<emitc::EmitCDialect>();
  }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(kMainGraphName);
    if (!func)
      return;
    Lowering lowering(module, func, prefix);
    if (failed(lowering.run()))
      signalPassFailure();
  }
  std::string prefix;
};

} // namespace

std::unique_ptr<Pass> onnxc::createLowerToEmitCPass(std::string prefix) {
  return std::make_unique<LowerToEmitCPass>(std::move(prefix));
}
