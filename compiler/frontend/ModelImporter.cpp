//===- ModelImporter.cpp - ONNX ModelProto to the onnx dialect -----------===//
#include "compiler/frontend/ModelImporter.h"

#include "compiler/frontend/OpsetUpgrade.h"
#include "compiler/frontend/TensorImport.h"
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/OnnxSchemas.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <deque>

using namespace mlir;

namespace {

class ModelImporter {
public:
  ModelImporter(MLIRContext &context, std::string path)
      : context(context), builder(&context), path(std::move(path)) {}

  OwningOpRef<ModuleOp> run(std::string &error);

private:
  LogicalResult fail(const std::string &message) {
    error = message;
    return failure();
  }
  LogicalResult failNode(const ::onnx::NodeProto &node,
                         const std::string &message) {
    error = "node \"" + nodeName(node) + "\" (" + node.op_type() +
            ", opset " + std::to_string(opset) + "): " + message;
    return failure();
  }
  static std::string nodeName(const ::onnx::NodeProto &node) {
    if (!node.name().empty())
      return node.name();
    return node.output_size() ? node.output(0) : std::string("?");
  }

  LogicalResult readModel();
  LogicalResult readOpset();
  Type convertType(const ::onnx::TypeProto &type, const std::string &what,
                   SmallVectorImpl<std::string> *dimParams = nullptr);
  LogicalResult sortNodes(const ::onnx::GraphProto &graph,
                          std::vector<const ::onnx::NodeProto *> &order);
  LogicalResult importGraph();
  LogicalResult importNode(const ::onnx::NodeProto &node, int index);
  LogicalResult importNodes(const ::onnx::GraphProto &graph);
  LogicalResult importInitializers(const ::onnx::GraphProto &graph,
                                   const ::onnx::NodeProto *owner);
  LogicalResult importSubgraph(const ::onnx::NodeProto &node,
                               const ::onnx::GraphProto &graph, Region &region);
  FailureOr<Attribute> convertAttribute(const ::onnx::NodeProto &node,
                                        const ::onnx::AttributeProto &attr);
  LogicalResult importConstantNode(const ::onnx::NodeProto &node,
                                   SmallVectorImpl<NamedAttribute> &attrs);

  MLIRContext &context;
  OpBuilder builder;
  std::string path;
  std::string modelDir;
  std::string error;
  ::onnx::ModelProto model;
  int opset = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<Type> declaredTypes;
  OwningOpRef<ModuleOp> module;
};

} // namespace

LogicalResult ModelImporter::readModel() {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail("cannot read file: " + buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.empty())
    return fail("file is empty, not an ONNX model");
  if (bytes.size() > size_t(INT32_MAX))
    return fail("model files over 2 GiB must keep their weights as external data");
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()), int(bytes.size()));
  stream.SetRecursionLimit(256);
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return fail("not a valid ONNX model (the protobuf does not parse; "
                "truncated or not an .onnx file)");
  if (model.ir_version() <= 0)
    return fail("not a valid ONNX model (no ir_version)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    return fail("not a valid ONNX model (no graph or an empty graph)");
  modelDir = llvm::sys::path::parent_path(path).str();
  if (modelDir.empty())
    modelDir = ".";
  return success();
}

LogicalResult ModelImporter::readOpset() {
  for (const auto &entry : model.opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = int(entry.version());
  if (opset == 0) {
    std::string domains;
    for (const auto &entry : model.opset_import())
      domains += (domains.empty() ? "" : ", ") + entry.domain();
    return fail("not supported yet: the model imports no default-domain opset"
                " (only " + (domains.empty() ? std::string("none") : domains) + ")");
  }
  int maxOpset = onnxc::maxKnownOpset();
  if (opset < 7 || opset > maxOpset)
    return fail("default-domain opset " + std::to_string(opset) +
                " is not supported (onnxc supports opsets 7 to " +
                std::to_string(maxOpset) + ")");
  return success();
}

Type ModelImporter::convertType(const ::onnx::TypeProto &type,
                                const std::string &what,
                                SmallVectorImpl<std::string> *dimParams) {
  if (!type.has_tensor_type()) {
    error = what + " is not a tensor (sequence, map and optional types are not "
                   "supported yet)";
    return nullptr;
  }
  const auto &tensorType = type.tensor_type();
  std::string typeError;
  Type element = onnxc::convertElementType(context, tensorType.elem_type(),
                                           typeError);
  if (!element) {
    error = what + ": " + typeError;
    return nullptr;
  }
  if (!tensorType.has_shape())
    return UnrankedTensorType::get(element);
  SmallVector<int64_t> shape;
  for (const auto &dim : tensorType.shape().dim()) {
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0) {
        error = what + " has a negative dimension";
        return nullptr;
      }
      shape.push_back(dim.dim_value());
    } else {
      shape.push_back(ShapedType::kDynamic);
    }
    if (dimParams)
      dimParams->push_back(dim.has_dim_param() ? dim.dim_param() : "");
  }
  return RankedTensorType::get(shape, element);
}

/// ONNX requires nodes in topological order; accept any order that has one,
/// and name the problem when there is none.
LogicalResult
ModelImporter::sortNodes(const ::onnx::GraphProto &graph,
                         std::vector<const ::onnx::NodeProto *> &order) {
  llvm::StringMap<int> producer;
  for (int i = 0; i < graph.node_size(); ++i)
    for (const std::string &out : graph.node(i).output()) {
      if (out.empty())
        continue;
      if (!producer.insert({out, i}).second)
        return failNode(graph.node(i),
                        "output \"" + out + "\" is produced twice");
    }
  // Names defined outside this graph: its inputs and initializers, and for
  // a subgraph everything visible in the enclosing graphs.
  llvm::DenseSet<llvm::StringRef> external;
  for (const auto &in : graph.input())
    external.insert(in.name());
  for (const auto &kv : values)
    if (!producer.count(kv.getKey()))
      external.insert(kv.getKey());
  for (const auto &init : graph.initializer())
    external.insert(init.name());
  for (const auto &kv : producer)
    if (external.contains(kv.getKey()))
      return failNode(graph.node(kv.second),
                      "output \"" + kv.getKey().str() +
                          "\" redefines a graph input or initializer");

  std::vector<int> pending(graph.node_size(), 0);
  std::vector<std::vector<int>> users(graph.node_size());
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto &node = graph.node(i);
    for (const std::string &in : node.input()) {
      if (in.empty() || external.contains(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end())
        return failNode(node, "input \"" + in +
                                  "\" is not a graph input, an initializer or "
                                  "the output of any node");
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  std::deque<int> ready;
  for (int i = 0; i < graph.node_size(); ++i)
    if (pending[i] == 0)
      ready.push_back(i);
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order.push_back(&graph.node(i));
    for (int u : users[i])
      if (--pending[u] == 0)
        ready.push_back(u);
  }
  if (int(order.size()) != graph.node_size()) {
    for (int i = 0; i < graph.node_size(); ++i)
      if (pending[i] > 0)
        return failNode(graph.node(i),
                        "is part of a cycle in the graph");
  }
  return success();
}

FailureOr<Attribute>
ModelImporter::convertAttribute(const ::onnx::NodeProto &node,
                                const ::onnx::AttributeProto &attr) {
  using AP = ::onnx::AttributeProto;
  switch (attr.type()) {
  case AP::FLOAT:
    return Attribute(builder.getF32FloatAttr(attr.f()));
  case AP::INT:
    return Attribute(builder.getI64IntegerAttr(attr.i()));
  case AP::STRING:
    return Attribute(builder.getStringAttr(attr.s()));
  case AP::FLOATS: {
    SmallVector<Attribute> items;
    for (float f : attr.floats())
      items.push_back(builder.getF32FloatAttr(f));
    return Attribute(builder.getArrayAttr(items));
  }
  case AP::INTS: {
    SmallVector<Attribute> items;
    for (int64_t i : attr.ints())
      items.push_back(builder.getI64IntegerAttr(i));
    return Attribute(builder.getArrayAttr(items));
  }
  case AP::STRINGS: {
    SmallVector<Attribute> items;
    for (const std::string &s : attr.strings())
      items.push_back(builder.getStringAttr(s));
    return Attribute(builder.getArrayAttr(items));
  }
  case AP::TENSOR: {
    std::string tensorError;
    auto value = onnxc::convertTensor(context, attr.t(), modelDir, tensorError);
    if (failed(value)) {
      (void)failNode(node, "attribute \"" + attr.name() + "\": " + tensorError);
      return failure();
    }
    return Attribute(*value);
  }
  case AP::GRAPH:
  case AP::GRAPHS:
    (void)failNode(node, "not supported yet: subgraph attribute \"" +
                             attr.name() + "\"");
    return failure();
  default:
    (void)failNode(node, "not supported yet: attribute \"" + attr.name() +
                             "\" of type " + ::onnx::AttributeProto_AttributeType_Name(attr.type()));
    return failure();
  }
}

/// Constant's many attribute forms all become `value`.
LogicalResult
ModelImporter::importConstantNode(const ::onnx::NodeProto &node,
                                  SmallVectorImpl<NamedAttribute> &attrs) {
  if (node.attribute_size() != 1)
    return failNode(node, "must have exactly one attribute, has " +
                              std::to_string(node.attribute_size()));
  const auto &attr = node.attribute(0);
  const std::string &name = attr.name();
  DenseElementsAttr value;
  auto i64 = builder.getIntegerType(64);
  auto f32 = builder.getF32Type();
  if (name == "value") {
    auto converted = convertAttribute(node, attr);
    if (failed(converted))
      return failure();
    value = cast<DenseElementsAttr>(*converted);
  } else if (name == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, f32), attr.f());
  } else if (name == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, i64), attr.i());
  } else if (name == "value_floats") {
    SmallVector<float> v(attr.floats().begin(), attr.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, f32), ArrayRef<float>(v));
  } else if (name == "value_ints") {
    SmallVector<int64_t> v(attr.ints().begin(), attr.ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(v.size())}, i64), ArrayRef<int64_t>(v));
  } else if (name == "value_string" || name == "value_strings") {
    return failNode(node, "string constants are not supported");
  } else if (name == "sparse_value") {
    return failNode(node, "not supported yet: sparse constant");
  } else {
    return failNode(node, "unknown attribute \"" + name + "\"");
  }
  attrs.push_back(builder.getNamedAttr("value", value));
  return success();
}

LogicalResult ModelImporter::importNode(const ::onnx::NodeProto &node,
                                        int index) {
  // The location names the node and, as metadata, its op type and opset, so
  // that any later diagnostic can say `node "N" (Conv, opset 13)`.
  Location loc = FusedLoc::get(
      &context,
      {NameLoc::get(builder.getStringAttr(nodeName(node)),
                    FileLineColLoc::get(builder.getStringAttr(path), index + 1,
                                        0))},
      builder.getStringAttr(node.op_type() + ", opset " +
                            std::to_string(opset)));
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return failNode(node, "not supported yet: operator domain \"" +
                              node.domain() + "\"");
  // Operators ONNX has since removed map onto their successors.
  std::string opType = node.op_type();
  bool deprecated = false;
  if (opType == "Scatter" && opset < 11) {
    opType = "ScatterElements";
    deprecated = true;
  } else if (opType == "Upsample" && opset < 10) {
    opType = "Resize";
    deprecated = true;
  }
  const onnxc::OpSchemaInfo *schema = onnxc::lookupOpSchema(opType);
  if (!schema)
    return failNode(node, "unknown operator \"" + node.op_type() + "\"");
  int version = deprecated ? schema->sinceVersions.back() : schema->versionAt(opset);
  if (version == 0)
    return failNode(node, "operator " + node.op_type() +
                              " does not exist in opset " +
                              std::to_string(opset));
  std::string opName = "onnx." + opType;
  if (!RegisteredOperationName::lookup(opName, &context))
    return failNode(node, "unknown operator \"" + node.op_type() + "\"");

  onnxc::ImportedNode imported;
  imported.opType = opType;
  imported.version = version;
  for (const std::string &in : node.input()) {
    if (in.empty()) {
      imported.inputs.push_back(Value());
      continue;
    }
    auto it = values.find(in);
    if (it == values.end())
      return failNode(node, "input \"" + in + "\" is not defined");
    imported.inputs.push_back(it->second);
  }
  if (node.op_type() == "Constant") {
    if (failed(importConstantNode(node, imported.attributes)))
      return failure();
  } else {
    llvm::StringSet<> seen;
    for (const auto &attr : node.attribute()) {
      if (!seen.insert(attr.name()).second)
        return failNode(node, "attribute \"" + attr.name() + "\" is given twice");
      if (opType == "If" && attr.type() == ::onnx::AttributeProto::GRAPH)
        continue; // imported as the op's regions below
      auto converted = convertAttribute(node, attr);
      if (failed(converted))
        return failure();
      imported.attributes.push_back(
          builder.getNamedAttr(attr.name(), *converted));
    }
  }
  if (node.op_type() == "Upsample") {
    // Upsample(X, scales) is Resize with asymmetric coordinates and, for
    // nearest, flooring; its scales were an attribute before opset 9.
    OpBuilder::InsertionGuard guard(builder);
    Value scales = imported.inputs.size() > 1 ? imported.inputs[1] : Value();
    SmallVector<NamedAttribute> attrs;
    std::string mode = "nearest";
    for (NamedAttribute a : imported.attributes) {
      if (a.getName() == "mode")
        mode = cast<StringAttr>(a.getValue()).str();
      if (a.getName() == "scales") {
        SmallVector<float> values;
        for (Attribute f : cast<ArrayAttr>(a.getValue()))
          values.push_back(float(cast<FloatAttr>(f).getValueAsDouble()));
        auto type = RankedTensorType::get({int64_t(values.size())},
                                          builder.getF32Type());
        OperationState cst(loc, onnxc::onnx::ConstantOp::getOperationName());
        auto value = DenseElementsAttr::get(type, ArrayRef<float>(values));
        cst.addAttribute("value", value);
        cst.addTypes(type);
        scales = builder.create(cst)->getResult(0);
      }
    }
    attrs.push_back(builder.getNamedAttr(
        "mode", builder.getStringAttr(mode == "bilinear" ? "linear" : mode)));
    attrs.push_back(builder.getNamedAttr("coordinate_transformation_mode",
                                         builder.getStringAttr("asymmetric")));
    attrs.push_back(builder.getNamedAttr("nearest_mode",
                                         builder.getStringAttr("floor")));
    imported.attributes = attrs;
    imported.inputs = {imported.inputs.empty() ? Value() : imported.inputs[0],
                       Value(), scales};
  }
  std::string upgradeError;
  if (failed(onnxc::upgradeNode(imported, builder, loc, upgradeError)))
    return failNode(node, upgradeError);

  // Operands: one per formal input, `none` for absent ones; a variadic last
  // input takes the rest.
  int formal = schema->numInputs;
  int given = int(imported.inputs.size());
  if (!schema->variadicInputs && given > formal)
    return failNode(node, "has " + std::to_string(given) +
                              " inputs, the operator takes at most " +
                              std::to_string(formal));
  Value none;
  auto getNone = [&]() {
    if (!none)
      none = onnxc::onnx::NoValueOp::create(builder, loc).getResult();
    return none;
  };
  OperationState state(loc, opName);
  int fixed = schema->variadicInputs ? formal - 1 : formal;
  for (int i = 0; i < fixed; ++i)
    state.operands.push_back(i < given && imported.inputs[i] ? imported.inputs[i]
                                                             : getNone());
  if (schema->variadicInputs)
    for (int i = fixed; i < given; ++i) {
      if (!imported.inputs[i])
        return failNode(node, "variadic input " + std::to_string(i) +
                                  " is empty");
      state.operands.push_back(imported.inputs[i]);
    }
  state.addAttributes(imported.attributes);

  // Results: declared types where the model gives them; shape inference
  // computes the rest.
  int outputs = node.output_size();
  int resultCount = schema->variadicOutputs
                        ? std::max(outputs, schema->numOutputs - 1)
                        : schema->numOutputs;
  if (!schema->variadicOutputs && outputs > schema->numOutputs)
    return failNode(node, "has " + std::to_string(outputs) +
                              " outputs, the operator produces at most " +
                              std::to_string(schema->numOutputs));
  auto placeholder = UnrankedTensorType::get(builder.getF32Type());
  for (int i = 0; i < resultCount; ++i) {
    if (i >= outputs || node.output(i).empty()) {
      state.types.push_back(builder.getNoneType());
      continue;
    }
    auto declared = declaredTypes.find(node.output(i));
    state.types.push_back(declared != declaredTypes.end() ? declared->second
                                                          : Type(placeholder));
  }
  const ::onnx::GraphProto *branches[2] = {nullptr, nullptr};
  if (opType == "If") {
    for (const auto &attr : node.attribute()) {
      if (attr.name() == "then_branch")
        branches[0] = &attr.g();
      if (attr.name() == "else_branch")
        branches[1] = &attr.g();
    }
    if (!branches[0] || !branches[1])
      return failNode(node, "needs both then_branch and else_branch");
    for (int i = 0; i < 2; ++i)
      if (branches[i]->output_size() != outputs)
        return failNode(node, "a branch has " +
                                  std::to_string(branches[i]->output_size()) +
                                  " outputs, the node " + std::to_string(outputs));
    state.addRegion();
    state.addRegion();
  }
  Operation *op = builder.create(state);
  for (int i = 0; i < 2; ++i)
    if (branches[i] && failed(importSubgraph(node, *branches[i], op->getRegion(i))))
      return failure();
  for (int i = 0; i < outputs && i < resultCount; ++i)
    if (!node.output(i).empty())
      values[node.output(i)] = op->getResult(i);
  return success();
}

LogicalResult ModelImporter::importGraph() {
  const auto &graph = model.graph();
  module = ModuleOp::create(FileLineColLoc::get(builder.getStringAttr(path), 0, 0));
  module->getOperation()->setAttr("onnx.opset", builder.getI64IntegerAttr(opset));
  if (!model.producer_name().empty())
    module->getOperation()->setAttr(
        "onnx.producer", builder.getStringAttr(model.producer_name() + " " +
                                               model.producer_version()));

  // Declared types of intermediate values and outputs; a malformed one is an
  // error, a partial one (no elem_type) is ignored.
  for (const auto &info : graph.value_info())
    if (info.type().has_tensor_type() && info.type().tensor_type().elem_type()) {
      Type t = convertType(info.type(), "value \"" + info.name() + "\"");
      if (!t)
        return failure();
      declaredTypes[info.name()] = t;
    }
  for (const auto &out : graph.output())
    if (out.type().has_tensor_type() && out.type().tensor_type().elem_type()) {
      Type t = convertType(out.type(), "graph output \"" + out.name() + "\"");
      if (!t)
        return failure();
      declaredTypes[out.name()] = t;
    }

  llvm::StringMap<const ::onnx::TensorProto *> initializers;
  for (const auto &init : graph.initializer()) {
    if (init.name().empty())
      return fail("an initializer has no name");
    if (!initializers.insert({init.name(), &init}).second)
      return fail("initializer \"" + init.name() + "\" is defined twice");
  }

  // Inputs that are not initializers become the function's arguments.
  SmallVector<Type> argTypes;
  SmallVector<Attribute> argNames, argDimParams;
  SmallVector<const ::onnx::ValueInfoProto *> args;
  llvm::StringSet<> inputNames;
  for (const auto &in : graph.input()) {
    if (!inputNames.insert(in.name()).second)
      return fail("graph input \"" + in.name() + "\" is declared twice");
    if (initializers.count(in.name()))
      continue;
    SmallVector<std::string> dimParams;
    Type t = convertType(in.type(), "graph input \"" + in.name() + "\"",
                         &dimParams);
    if (!t)
      return failure();
    argTypes.push_back(t);
    argNames.push_back(builder.getStringAttr(in.name()));
    SmallVector<Attribute> params;
    for (auto &p : dimParams)
      params.push_back(builder.getStringAttr(p));
    argDimParams.push_back(builder.getArrayAttr(params));
    args.push_back(&in);
  }
  if (graph.output_size() == 0)
    return fail("the graph has no outputs");

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, 
      FileLineColLoc::get(builder.getStringAttr(path), 0, 0),
      onnxc::kMainGraphName, builder.getFunctionType(argTypes, {}));
  func->setAttr("onnx.input_names", builder.getArrayAttr(argNames));
  func->setAttr("onnx.dim_params", builder.getArrayAttr(argDimParams));
  if (!graph.name().empty())
    func->setAttr("onnx.graph_name", builder.getStringAttr(graph.name()));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  for (auto [i, in] : llvm::enumerate(args))
    values[in->name()] = body->getArgument(i);

  if (failed(importInitializers(graph, /*owner=*/nullptr)) ||
      failed(importNodes(graph)))
    return failure();

  SmallVector<Value> results;
  SmallVector<Attribute> outputNames;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end())
      return fail("graph output \"" + out.name() +
                  "\" is not produced by any node");
    results.push_back(it->second);
    outputNames.push_back(builder.getStringAttr(out.name()));
  }
  func::ReturnOp::create(builder, func.getLoc(), results);
  func.setType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  func->setAttr("onnx.output_names", builder.getArrayAttr(outputNames));
  return success();
}

/// Initializers become onnx.Constant ops named after them; `owner` is the
/// node whose subgraph they belong to (null for the main graph).
LogicalResult
ModelImporter::importInitializers(const ::onnx::GraphProto &graph,
                                  const ::onnx::NodeProto *owner) {
  for (const auto &init : graph.initializer()) {
    std::string tensorError;
    auto value = onnxc::convertTensor(context, init, modelDir, tensorError);
    if (failed(value)) {
      std::string message = "initializer \"" + init.name() + "\": " + tensorError;
      return owner ? failNode(*owner, message) : fail(message);
    }
    OperationState state(NameLoc::get(builder.getStringAttr(init.name())),
                         onnxc::onnx::ConstantOp::getOperationName());
    state.addAttribute("value", *value);
    state.addTypes(value->getType());
    values[init.name()] = builder.create(state)->getResult(0);
  }
  return success();
}

LogicalResult ModelImporter::importNodes(const ::onnx::GraphProto &graph) {
  std::vector<const ::onnx::NodeProto *> order;
  if (failed(sortNodes(graph, order)))
    return failure();
  for (const ::onnx::NodeProto *node : order)
    if (failed(importNode(*node, int(node - &graph.node(0)))))
      return failure();
  return success();
}

/// A subgraph (an If branch) becomes the single block of `region`; it may
/// read any value of the enclosing graphs, which stay visible by name.
LogicalResult ModelImporter::importSubgraph(const ::onnx::NodeProto &node,
                                            const ::onnx::GraphProto &graph,
                                            Region &region) {
  if (graph.input_size() != 0)
    return failNode(node, "not supported yet: a subgraph with inputs");
  llvm::StringMap<Value> outer = values;
  OpBuilder::InsertionGuard guard(builder);
  Block *block = new Block();
  region.push_back(block);
  builder.setInsertionPointToStart(block);
  if (failed(importInitializers(graph, &node)) || failed(importNodes(graph)))
    return failure();
  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end())
      return failNode(node, "subgraph output \"" + out.name() +
                                "\" is not produced by any node");
    results.push_back(it->second);
  }
  onnxc::onnx::YieldOp::create(builder, builder.getUnknownLoc(), results);
  values = std::move(outer);
  return success();
}

OwningOpRef<ModuleOp> ModelImporter::run(std::string &errorOut) {
  if (failed(readModel()) || failed(readOpset()) || failed(importGraph())) {
    errorOut = error;
    return nullptr;
  }
  return std::move(module);
}

OwningOpRef<ModuleOp> onnxc::importModelFile(MLIRContext &context,
                                             const std::string &path,
                                             std::string &error) {
  ModelImporter importer(context, path);
  return importer.run(error);
}
