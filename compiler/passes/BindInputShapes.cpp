//===- BindInputShapes.cpp - fix the dynamic dims of graph inputs --------===//
#include "compiler/passes/Passes.h"

#include "compiler/Diagnostics.h"
#include "compiler/frontend/ModelImporter.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace onnxc {
#define GEN_PASS_DEF_BINDINPUTSHAPES
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

struct BindInputShapesPass
    : public onnxc::impl::BindInputShapesBase<BindInputShapesPass> {
  using BindInputShapesBase::BindInputShapesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(onnxc::kMainGraphName);
    if (!func)
      return;
    llvm::StringMap<SmallVector<int64_t>> shapes;
    for (const std::string &binding : bindings) {
      StringRef text(binding);
      auto [name, dims] = text.rsplit('=');
      SmallVector<int64_t> shape;
      SmallVector<StringRef> parts;
      if (!dims.empty() && dims != "scalar")
        dims.split(parts, 'x');
      for (StringRef p : parts) {
        int64_t d;
        if (p.getAsInteger(10, d) || d < 0) {
          module.emitError() << "--shape " << binding
                             << ": expected NAME=DxDx... with sizes >= 0";
          return signalPassFailure();
        }
        shape.push_back(d);
      }
      shapes[name] = shape;
    }

    auto names = func->getAttrOfType<ArrayAttr>("onnx.input_names");
    auto dimParams = func->getAttrOfType<ArrayAttr>("onnx.dim_params");
    Block &entry = func.getBody().front();
    SmallVector<Type> argTypes;
    llvm::StringSet<> warned;
    for (BlockArgument arg : entry.getArguments()) {
      StringRef name = cast<StringAttr>(names[arg.getArgNumber()]).getValue();
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      auto it = shapes.find(name);
      if (it != shapes.end()) {
        if (!type) {
          module.emitError() << "--shape " << name
                             << ": the model gives this input no rank";
          return signalPassFailure();
        }
        if (int64_t(it->second.size()) != type.getRank()) {
          module.emitError() << "--shape " << name << ": rank "
                             << it->second.size() << " given, the input has rank "
                             << type.getRank();
          return signalPassFailure();
        }
        for (int64_t i = 0; i < type.getRank(); ++i)
          if (!type.isDynamicDim(i) && type.getDimSize(i) != it->second[i]) {
            module.emitError() << "--shape " << name << ": dimension " << i
                               << " is fixed at " << type.getDimSize(i)
                               << " by the model, not " << it->second[i];
            return signalPassFailure();
          }
        type = RankedTensorType::get(it->second, type.getElementType());
        shapes.erase(it);
      } else if (type && !type.hasStaticShape()) {
        SmallVector<int64_t> shape(type.getShape());
        auto params = dimParams ? dyn_cast<ArrayAttr>(dimParams[arg.getArgNumber()])
                                : ArrayAttr();
        for (int64_t i = 0; i < type.getRank(); ++i) {
          if (!type.isDynamicDim(i))
            continue;
          shape[i] = 1;
          std::string dimName =
              params && i < int64_t(params.size())
                  ? cast<StringAttr>(params[i]).getValue().str()
                  : "";
          std::string label = dimName.empty()
                                  ? name.str() + "[" + std::to_string(i) + "]"
                                  : dimName;
          if (warned.insert(label).second)
            onnxc::printWarning("dimension \"" + label + "\" of input \"" +
                                name.str() +
                                "\" is not bound; using 1 (bind it with "
                                "--shape " + name.str() + "=...)");
        }
        type = RankedTensorType::get(shape, type.getElementType());
      }
      if (type)
        arg.setType(type);
      argTypes.push_back(arg.getType());
    }
    if (!shapes.empty()) {
      module.emitError() << "--shape " << shapes.begin()->getKey()
                         << ": the model has no input of that name";
      return signalPassFailure();
    }
    func.setType(FunctionType::get(&getContext(), argTypes,
                                   func.getFunctionType().getResults()));
  }
};

} // namespace
