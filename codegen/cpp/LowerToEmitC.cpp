//===- LowerToEmitC.cpp - the onnx graph as an EmitC function ------------===//
#include "codegen/cpp/LowerToEmitC.h"

#include "codegen/cpp/KernelLowering.h"
#include "codegen/cpp/MemoryPlanner.h"
#include "compiler/frontend/ModelImporter.h"
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnxk/OnnxkDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"
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

/// What every pattern of one lowering shares: the memory plan, the C names
/// given so far, the weights blob, and where declarations go.
struct LoweringState {
  std::string prefix;
  SgemmTile sgemmTile;
  int threads = 1;
  MemoryPlan plan;
  llvm::DenseMap<Value, std::string> names; // keyed by the onnx-level value
  /// Constants converted so far, added to the blob when first read.
  llvm::DenseMap<Value, std::pair<DenseElementsAttr, std::string>> constants;
  llvm::StringSet<> used;
  std::vector<char> blob;
  Operation *topMarker = nullptr; // weight declarations go before it
  SmallVector<std::string> outputNames;

  std::string uniqueName(StringRef base) {
    std::string name = sanitizeIdentifier(base);
    std::string candidate = name;
    for (int i = 1; !used.insert(candidate).second; ++i)
      candidate = name + "_" + std::to_string(i);
    return candidate;
  }

  /// Appends `value` to the weights blob (64-byte aligned) and declares a
  /// typed pointer to it at the top of the function.
  std::string addToBlob(OpBuilder &builder, DenseElementsAttr value,
                        StringRef hint) {
    auto type = cast<RankedTensorType>(value.getType());
    Type e = type.getElementType();
    size_t offset = (blob.size() + kBufferAlign - 1) / kBufferAlign * kBufferAlign;
    blob.resize(offset);
    if (e.isInteger(1)) {
      for (bool b : value.getValues<bool>())
        blob.push_back(b ? 1 : 0);
    } else {
      ArrayRef<char> raw = value.getRawData();
      size_t elemBytes = e.getIntOrFloatBitWidth() / 8;
      if (value.isSplat())
        for (int64_t i = 0; i < type.getNumElements(); ++i)
          blob.insert(blob.end(), raw.begin(), raw.begin() + elemBytes);
      else
        blob.insert(blob.end(), raw.begin(), raw.end());
    }
    std::string t = cType(e);
    std::string name = uniqueName("w_" + hint.str());
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(topMarker);
    emitc::VerbatimOp::create(builder, 
        topMarker->getLoc(),
        builder.getStringAttr("const " + t + "* const " + name +
                              " = reinterpret_cast<const " + t + "*>(" + prefix +
                              "_weights + " + std::to_string(offset) + ");"));
    return name;
  }
};

/// The LoweringContext a rule sees while its op is being converted.
/// The C++ name of an op result's buffer before uniquing: its node's name,
/// with the result number when the node has several.
std::string resultBaseName(Value v) {
  Operation *def = v.getDefiningOp();
  std::string base = nodeName(def->getLoc());
  if (def->getNumResults() > 1)
    base += "_out" + std::to_string(cast<OpResult>(v).getResultNumber());
  return base;
}

class PatternContext : public LoweringContext {
public:
  PatternContext(LoweringState &state, OpBuilder &builder, Location loc)
      : state(state), builder(builder), loc(loc) {}

  std::string buffer(Value v) override {
    if (isNone(v))
      return "nullptr";
    auto it = state.names.find(v);
    if (it != state.names.end())
      return it->second;
    BufferRef ref = state.plan.buffers.lookup(v);
    std::string t = cType(elementType(v));
    if (ref.part) {
      // A Concat input written in place: its own name, into the result.
      std::string whole = buffer(ref.root);
      std::string name = state.uniqueName(resultBaseName(v));
      emitc::VerbatimOp::create(
          builder, loc,
          builder.getStringAttr(t + "* const " + name + " = " + whole + " + " +
                                std::to_string(ref.within) + ";"));
      return state.names[v] = name;
    }
    if (ref.root && ref.root != v) // a view shares its root's name
      return state.names[v] = buffer(ref.root);
    std::string name;
    if (ref.kind == BufferRef::Constant) {
      auto c = state.constants.find(v);
      if (c == state.constants.end())
        llvm::report_fatal_error("onnxc: constant read before its conversion");
      name = state.addToBlob(builder, c->second.first, c->second.second);
    } else if (ref.kind == BufferRef::Output) {
      name = state.outputNames[ref.index];
    } else if (ref.kind == BufferRef::Arena) {
      name = state.uniqueName(resultBaseName(v));
      emitc::VerbatimOp::create(builder, 
          loc, builder.getStringAttr(t + "* const " + name + " = reinterpret_cast<" +
                                     t + "*>(arena + " +
                                     std::to_string(ref.offset) + ");"));
    } else {
      // Inputs and constants are named when they are converted, first.
      llvm::report_fatal_error("onnxc: buffer requested for an unnamed value");
    }
    return state.names[v] = name;
  }

  std::string newConstant(DenseElementsAttr value, StringRef hint) override {
    return state.addToBlob(builder, value, hint);
  }

  SgemmTile sgemmTile() const override { return state.sgemmTile; }
  int threads() const override { return state.threads; }

  bool writtenInPlace(Value part, Value whole) const override {
    BufferRef ref = state.plan.buffers.lookup(part);
    return ref.part && ref.root == whole;
  }

  std::string scratch(Operation *op, Type elementType) override {
    std::string t = cType(elementType);
    return "reinterpret_cast<" + t + "*>(arena + " +
           std::to_string(state.plan.scratch.lookup(op)) + ")";
  }

private:
  LoweringState &state;
  OpBuilder &builder;
  Location loc;
};

/// Every lowered value is an untyped pointer; its C name travels in the
/// literal that stands for it.
Type pointerType(MLIRContext *ctx) {
  return emitc::PointerType::get(emitc::OpaqueType::get(ctx, "void"));
}

Value literal(OpBuilder &b, Location loc, const std::string &text) {
  return emitc::LiteralOp::create(b, loc, pointerType(b.getContext()), text);
}

/// One onnx op -> calls of kernel templates, through its LoweringRule.
class KernelCallPattern : public ConversionPattern {
public:
  KernelCallPattern(const TypeConverter &converter, StringRef opName,
                    const LoweringRule &rule, LoweringState &state,
                    MLIRContext *ctx)
      : ConversionPattern(converter, opName, /*benefit=*/1, ctx), rule(rule),
        state(state) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op->getLoc();
    auto comment = emitc::VerbatimOp::create(rewriter, 
        loc, rewriter.getStringAttr("// " + nodeName(loc) + " (" +
                                    op->getName().getStringRef().split('.').second.str() +
                                    ")"));
    PatternContext ctx(state, rewriter, loc);
    std::vector<KernelCall> calls;
    if (failed(rule(op, ctx, calls)))
      return failure();
    SmallVector<Value> results;
    for (Value r : op->getResults())
      results.push_back(
          literal(rewriter, loc, isNone(r) || (r.use_empty() && !state.plan.buffers.count(r))
                                     ? std::string("nullptr")
                                     : ctx.buffer(r)));
    for (const KernelCall &call : calls) {
      SmallVector<Value> args;
      for (const std::string &arg : call.args)
        args.push_back(literal(rewriter, loc, arg));
      emitc::CallOpaqueOp::create(rewriter, loc, TypeRange{}, call.callee, args);
    }
    if (calls.empty() && isa<onnx::ConcatOp>(op))
      comment.setValue(comment.getValue().str() + ": its inputs were written in place");
    else if (calls.empty())
      rewriter.eraseOp(comment); // views cost nothing
    rewriter.replaceOp(op, results);
    return success();
  }

private:
  const LoweringRule &rule;
  LoweringState &state;
};

/// onnx.Constant -> a view into the weights blob.
class ConstantPattern : public OpConversionPattern<onnx::ConstantOp> {
public:
  ConstantPattern(const TypeConverter &converter, LoweringState &state,
                  MLIRContext *ctx)
      : OpConversionPattern(converter, ctx), state(state) {}

  LogicalResult
  matchAndRewrite(onnx::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Only constants a kernel reads go into the blob, when it first does
    // (a Gemm's B may be replaced by its pre-transposed copy).
    state.constants[op->getResult(0)] = {
        cast<DenseElementsAttr>(op->getAttr("value")), nodeName(op.getLoc())};
    rewriter.replaceOp(op, literal(rewriter, op.getLoc(), "nullptr"));
    return success();
  }

private:
  LoweringState &state;
};

class NoValuePattern : public OpConversionPattern<onnx::NoValueOp> {
public:
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(onnx::NoValueOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, literal(rewriter, op.getLoc(), "nullptr"));
    return success();
  }
};

/// func.return -> copies of the outputs that could not be written in place.
class ReturnPattern : public OpConversionPattern<func::ReturnOp> {
public:
  ReturnPattern(const TypeConverter &converter, LoweringState &state,
                MLIRContext *ctx)
      : OpConversionPattern(converter, ctx), state(state) {}

  LogicalResult
  matchAndRewrite(func::ReturnOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    PatternContext ctx(state, rewriter, op.getLoc());
    for (auto [v, k] : state.plan.outputCopies) {
      emitc::VerbatimOp::create(rewriter, 
          op.getLoc(),
          rewriter.getStringAttr("// output " + state.outputNames[k] + " is a copy"));
      emitc::CallOpaqueOp::create(rewriter, 
          op.getLoc(), TypeRange{},
          "onnxc::copy<" + std::to_string(tensorBytes(v.getType())) + ">",
          ValueRange{literal(rewriter, op.getLoc(), ctx.buffer(v)),
                     literal(rewriter, op.getLoc(), state.outputNames[k])});
    }
    rewriter.replaceOpWithNewOp<emitc::ReturnOp>(op, Value());
    return success();
  }

private:
  LoweringState &state;
};

struct LowerToEmitCPass
    : public PassWrapper<LowerToEmitCPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerToEmitCPass)
  LowerToEmitCPass(std::string prefix, SgemmTile sgemmTile, int threads)
      : prefix(std::move(prefix)), sgemmTile(sgemmTile), threads(threads) {}
  StringRef getArgument() const override { return "onnxc-lower-to-emitc"; }
  StringRef getDescription() const override {
    return "Lowers the onnx main graph to an EmitC function of kernel calls";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<emitc::EmitCDialect>();
  }

  void runOnOperation() override;
  LogicalResult lower(ModuleOp module, func::FuncOp func);

  std::string prefix;
  SgemmTile sgemmTile;
  int threads;
};

LogicalResult LowerToEmitCPass::lower(ModuleOp module, func::FuncOp func) {
  MLIRContext *ctx = module.getContext();
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());

  // Everything the backend cannot take, named before anything changes.
  for (BlockArgument arg : func.getArguments())
    if (cType(elementType(arg)).empty())
      return func.emitError() << "not supported yet: input element type "
                              << elementType(arg);
  for (Value v : ret.getOperands())
    if (cType(elementType(v)).empty())
      return func.emitError() << "not supported yet: output element type "
                              << elementType(v);
  for (Operation &op : body)
    if (!isa<onnx::ConstantOp, onnx::NoValueOp, func::ReturnOp>(op) &&
        !lookupLoweringRule(&op))
      return op.emitError() << "not supported yet";

  LoweringState state;
  state.prefix = prefix;
  state.sgemmTile = sgemmTile;
  state.threads = threads;
  state.plan = planMemory(
      func, [&](Operation *op) { return scratchBytes(op, threads, sgemmTile); });
  state.used.insert("arena");
  // What lives where in the arena, named after the nodes (for inspect).
  SmallVector<Attribute> entries;
  Builder b(ctx);
  for (const ArenaPlacement &p : state.plan.placements) {
    Operation *node = p.scratchOp ? p.scratchOp : p.root.getDefiningOp();
    std::string name = p.scratchOp ? nodeName(node->getLoc()) : resultBaseName(p.root);
    entries.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(name)),
         b.getNamedAttr("kind", b.getStringAttr(p.scratchOp ? "scratch" : "tensor")),
         b.getNamedAttr("op", b.getStringAttr(node->getName().getStringRef())),
         b.getNamedAttr("offset", b.getI64IntegerAttr(p.offset)),
         b.getNamedAttr("bytes", b.getI64IntegerAttr(p.bytes)),
         b.getNamedAttr("first", b.getI64IntegerAttr(p.first)),
         b.getNamedAttr("last", b.getI64IntegerAttr(p.last))}));
  }
  ArrayAttr memoryMap = ArrayAttr::get(ctx, entries);

  // The function the C ABI wraps: inputs, outputs, arena, as untyped
  // pointers that its first lines name after the ONNX inputs and outputs.
  auto inNames = func->getAttrOfType<ArrayAttr>("onnx.input_names");
  auto outNames = func->getAttrOfType<ArrayAttr>("onnx.output_names");
  OpBuilder builder(ctx);
  auto constVoidPtr = emitc::PointerType::get(emitc::OpaqueType::get(ctx, "const void"));
  SmallVector<Type> argTypes(func.getNumArguments(), constVoidPtr);
  argTypes.append(ret.getNumOperands() + 1, pointerType(ctx));
  builder.setInsertionPointToEnd(module.getBody());
  auto graph = emitc::FuncOp::create(builder, 
      func.getLoc(), prefix + "_graph", builder.getFunctionType(argTypes, {}));
  graph.setSpecifiersAttr(builder.getStrArrayAttr({"static"}));
  Block *entry = graph.addEntryBlock();
  builder.setInsertionPointToStart(entry);

  SmallVector<Attribute> inputInfo, outputInfo;
  auto declare = [&](const std::string &text, Value arg) {
    emitc::VerbatimOp::create(builder, func.getLoc(), builder.getStringAttr(text),
                                      ValueRange{arg});
  };
  for (BlockArgument arg : func.getArguments()) {
    unsigned i = arg.getArgNumber();
    std::string name = state.uniqueName(cast<StringAttr>(inNames[i]).getValue());
    std::string t = cType(elementType(arg));
    declare("const " + t + "* const " + name + " = static_cast<const " + t +
                "*>({});",
            entry->getArgument(i));
    inputInfo.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", inNames[i]),
         builder.getNamedAttr("c_name", builder.getStringAttr(name)),
         builder.getNamedAttr("type", TypeAttr::get(arg.getType()))}));
    // The onnx ops will use a pointer literal in the argument's place.
    auto cast = UnrealizedConversionCastOp::create(builder, 
        func.getLoc(), arg.getType(), literal(builder, func.getLoc(), name));
    state.names[cast.getResult(0)] = name;
    for (auto &entry2 : state.plan.buffers)
      if (entry2.second.root == arg)
        entry2.second.root = cast.getResult(0);
    state.plan.buffers[cast.getResult(0)] = state.plan.buffers.lookup(arg);
    arg.replaceAllUsesWith(cast.getResult(0));
  }
  for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
    std::string name = state.uniqueName(cast<StringAttr>(outNames[i]).getValue());
    state.outputNames.push_back(name);
    std::string t = cType(elementType(ret.getOperand(i)));
    declare(t + "* const " + name + " = static_cast<" + t + "*>({});",
            entry->getArgument(func.getNumArguments() + i));
    outputInfo.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", outNames[i]),
         builder.getNamedAttr("c_name", builder.getStringAttr(name)),
         builder.getNamedAttr("type", TypeAttr::get(ret.getOperand(i).getType()))}));
  }
  declare("uint8_t* const arena = static_cast<uint8_t*>({});",
          entry->getArgument(entry->getNumArguments() - 1));
  if (state.plan.arenaBytes == 0)
    emitc::VerbatimOp::create(builder, func.getLoc(), builder.getStringAttr("(void)arena;"));
  state.topMarker =
      emitc::VerbatimOp::create(builder, func.getLoc(), builder.getStringAttr(""));
  // The graph's ops move into the new function and are converted there.
  entry->getOperations().splice(entry->end(), body.getOperations());

  TypeConverter converter;
  converter.addConversion([](Type t) -> std::optional<Type> {
    if (isa<TensorType, NoneType>(t))
      return pointerType(t.getContext());
    return t;
  });
  ConversionTarget target(*ctx);
  target.addLegalDialect<emitc::EmitCDialect>();
  target.addLegalOp<UnrealizedConversionCastOp>();
  // A fused loop's scalar body goes away with the loop it describes.
  target.addLegalDialect<arith::ArithDialect, math::MathDialect>();
  target.addLegalOp<onnxk::YieldOp>();
  target.addIllegalDialect<onnx::OnnxDialect, onnxk::OnnxkDialect>();
  target.addIllegalOp<func::ReturnOp>();
  RewritePatternSet patterns(ctx);
  // Keys name onnx ops by their type ("Conv") and ops of our other
  // dialects in full ("onnxk.Conv").
  for (const auto &entry2 : loweringRules()) {
    StringRef key = entry2.getKey();
    std::string opName = key.contains('.') ? key.str() : ("onnx." + key).str();
    patterns.add<KernelCallPattern>(converter, opName, entry2.getValue(), state, ctx);
  }
  patterns.add<ConstantPattern, ReturnPattern>(converter, state, ctx);
  patterns.add<NoValuePattern>(converter, ctx);

  // A rule that fails has said why; the framework's own "failed to
  // legalize" note after it adds nothing.
  bool reported = false;
  ScopedDiagnosticHandler quiet(ctx, [&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return failure();
    if (reported && StringRef(diag.str()).starts_with("failed to legalize"))
      return success();
    reported = true;
    return failure();
  });
  if (failed(applyFullConversion(graph, target, std::move(patterns))))
    return failure();
  state.topMarker->erase();

  // Pointer literals stood in for tensors; the casts between them go.
  SmallVector<UnrealizedConversionCastOp> casts;
  graph.walk([&](UnrealizedConversionCastOp op) { casts.push_back(op); });
  reconcileUnrealizedCasts(casts);
  SmallVector<Operation *> dead;
  graph.walk([&](Operation *op) {
    if (isa<emitc::LiteralOp, UnrealizedConversionCastOp>(op) && op->use_empty())
      dead.push_back(op);
  });
  for (Operation *op : llvm::reverse(dead))
    op->erase();

  module->setAttr("onnxc.prefix", b.getStringAttr(prefix));
  module->setAttr("onnxc.inputs", b.getArrayAttr(inputInfo));
  module->setAttr("onnxc.outputs", b.getArrayAttr(outputInfo));
  module->setAttr("onnxc.arena_bytes", b.getI64IntegerAttr(state.plan.arenaBytes));
  module->setAttr("onnxc.memory_map", memoryMap);
  module->setAttr("onnxc.unshared_arena_bytes",
                  b.getI64IntegerAttr(state.plan.unsharedBytes));
  auto blobType =
      RankedTensorType::get({int64_t(state.blob.size())}, b.getIntegerType(8));
  module->setAttr("onnxc.weights",
                  DenseElementsAttr::getFromRawBuffer(blobType, state.blob));
  func.erase();
  return success();
}

void LowerToEmitCPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto func = module.lookupSymbol<func::FuncOp>(kMainGraphName);
  if (func && failed(lower(module, func)))
    signalPassFailure();
}

} // namespace

std::unique_ptr<Pass> onnxc::createLowerToEmitCPass(std::string prefix,
                                                   SgemmTile sgemmTile, int threads) {
  return std::make_unique<LowerToEmitCPass>(std::move(prefix), sgemmTile, threads);
}
