//===- ShapeInference.cpp - infer every result type ----------------------===//
#include "compiler/passes/Passes.h"
#include "dialects/onnx/ConstantEvaluator.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/Builders.h"

namespace onnxc {
#define GEN_PASS_DEF_SHAPEINFERENCE
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// Combines what inference found with what the model declared: inferred
/// static dims win, declared ones fill the gaps; conflicts are errors.
FailureOr<Type> mergeTypes(Operation *op, unsigned index, Type declared,
                           Type inferred) {
  auto d = dyn_cast<RankedTensorType>(declared);
  auto i = dyn_cast<TensorType>(inferred);
  if (!i)
    return inferred;
  auto dElem = dyn_cast<TensorType>(declared);
  bool declaredIsPlaceholder =
      dElem && !d && dElem.getElementType().isF32(); // the importer's default
  if (dElem && !declaredIsPlaceholder &&
      dElem.getElementType() != i.getElementType()) {
    op->emitError() << "result " << index << " has element type "
                    << i.getElementType() << " but the model declares "
                    << dElem.getElementType();
    return failure();
  }
  if (!d)
    return inferred;
  auto ir = dyn_cast<RankedTensorType>(inferred);
  if (!ir)
    return Type(RankedTensorType::get(d.getShape(), i.getElementType()));
  if (ir.getRank() != d.getRank()) {
    op->emitError() << "inferred result " << index << " type " << ir
                    << " contradicts the declared " << d;
    return failure();
  }
  SmallVector<int64_t> shape(ir.getShape());
  for (int64_t k = 0; k < ir.getRank(); ++k) {
    if (d.isDynamicDim(k))
      continue;
    if (ir.isDynamicDim(k)) {
      shape[k] = d.getDimSize(k);
    } else if (ir.getDimSize(k) != d.getDimSize(k)) {
      op->emitError() << "inferred result " << index << " type " << ir
                      << " contradicts the declared " << d;
      return failure();
    }
  }
  return Type(RankedTensorType::get(shape, i.getElementType()));
}

struct ShapeInferencePass
    : public onnxc::impl::ShapeInferenceBase<ShapeInferencePass> {
  using ShapeInferenceBase::ShapeInferenceBase;

  LogicalResult inferOp(Operation *op) {
    auto iface = dyn_cast<onnxc::ShapeInferenceOpInterface>(op);
    if (!iface)
      return op->emitError() << "not supported yet";
    SmallVector<Type> before(op->getResultTypes());
    if (failed(iface.inferShapes()))
      return failure();
    for (unsigned r = 0; r < op->getNumResults(); ++r) {
      if (isa<NoneType>(before[r]))
        continue;
      // Refuse shapes no machine could hold before anything allocates them.
      if (auto ranked = dyn_cast<RankedTensorType>(op->getResult(r).getType())) {
        uint64_t elements = 1;
        for (int64_t d : ranked.getShape()) {
          if (d == ShapedType::kDynamic)
            continue;
          if (d != 0 && elements > (uint64_t(1) << 40) / uint64_t(d))
            return op->emitError() << "result " << r << " would have more than 2^40 "
                                   << "elements (" << ranked << ")";
          elements *= uint64_t(d);
        }
      }
      auto merged = mergeTypes(op, r, before[r], op->getResult(r).getType());
      if (failed(merged))
        return failure();
      op->getResult(r).setType(*merged);
    }
    return success();
  }

  /// An If whose condition is a constant is its taken branch: the branch's
  /// ops move before it and its yielded values replace its results.
  static void inlineConstantIf(Operation *ifOp) {
    auto cond = onnxc::constantInts(ifOp->getOperand(0));
    if (!cond || cond->size() != 1)
      return;
    Region &taken = ifOp->getRegion((*cond)[0] ? 0 : 1);
    Block &block = taken.front();
    Operation *yield = block.getTerminator();
    for (auto [result, value] :
         llvm::zip(ifOp->getResults(), yield->getOperands()))
      result.replaceAllUsesWith(value);
    yield->erase();
    ifOp->getBlock()->getOperations().splice(ifOp->getIterator(),
                                             block.getOperations());
    ifOp->erase();
  }

  /// Infers every op of `block` in order, regions before the op holding
  /// them, folding shape arithmetic as it goes.
  LogicalResult inferBlock(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (isa<onnxc::onnx::NoValueOp, func::ReturnOp, onnxc::onnx::YieldOp>(op))
        continue;
      for (Region &region : op.getRegions())
        for (Block &inner : region)
          if (failed(inferBlock(inner)))
            return failure();
      if (failed(inferOp(&op)))
        return failure();
      if (isa<onnxc::onnx::IfOp>(op)) {
        inlineConstantIf(&op);
        continue;
      }
      if (isa<onnxc::onnx::ConstantOp>(op))
        continue;
      if (DenseElementsAttr folded = onnxc::foldShapeComputation(&op)) {
        OpBuilder b(&op);
        OperationState state(op.getLoc(),
                             onnxc::onnx::ConstantOp::getOperationName());
        state.addAttribute("value", folded);
        state.addTypes(folded.getType());
        Operation *constant = b.create(state);
        op.getResult(0).replaceAllUsesWith(constant->getResult(0));
        op.erase();
      }
    }
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      Block &body = func.getBody().front();
      if (failed(inferBlock(body)))
        return signalPassFailure();
      auto ret = cast<func::ReturnOp>(body.getTerminator());
      func.setType(FunctionType::get(&getContext(),
                                     func.getFunctionType().getInputs(),
                                     ret.getOperandTypes()));
      if (requireStatic) {
        WalkResult result = func.walk([&](Operation *op) {
          for (Type t : op->getResultTypes()) {
            if (isa<NoneType>(t))
              continue;
            auto ranked = dyn_cast<RankedTensorType>(t);
            if (!ranked || !ranked.hasStaticShape()) {
              op->emitError() << "not supported yet: data-dependent result "
                                 "shape "
                              << t << " (binding the input shapes does not "
                                      "fix it)";
              return WalkResult::interrupt();
            }
          }
          return WalkResult::advance();
        });
        if (result.wasInterrupted())
          return signalPassFailure();
      }
    }
  }
};

} // namespace
