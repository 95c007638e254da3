//===- FuseElementwise.cpp - elementwise chains into one loop nest -------===//
#include "compiler/passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace onnxc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "compiler/passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

/// Most inputs one fused loop reads; beyond that, register pressure wins.
constexpr unsigned kMaxInputs = 8;

bool isFloatTensor(Value v) {
  auto t = rankedType(v);
  return t && t.hasStaticShape() && (t.getElementType().isF32() || t.getElementType().isF64());
}

/// Ops the scalar body can express, on float tensors of one element type.
bool isFusable(Operation *op) {
  if (!op || op->getNumResults() != 1 || !isFloatTensor(op->getResult(0)))
    return false;
  if (!isa<onnx::AddOp, onnx::SubOp, onnx::MulOp, onnx::DivOp, onnx::PowOp,
           onnx::ReluOp, onnx::NegOp, onnx::AbsOp, onnx::ExpOp, onnx::LogOp,
           onnx::SqrtOp, onnx::TanhOp, onnx::SigmoidOp, onnx::ErfOp,
           onnx::ReciprocalOp, onnx::FloorOp, onnx::CeilOp, onnx::LeakyReluOp>(op) &&
      !(isa<onnx::MaxOp, onnx::MinOp>(op) && op->getNumOperands() == 2))
    return false;
  Type e = elementType(op->getResult(0));
  for (Value v : op->getOperands())
    if (!isFloatTensor(v) || elementType(v) != e)
      return false;
  return true;
}

/// Emits the scalar computation of `op` on `args`.
Value emitScalar(OpBuilder &b, Location loc, Operation *op, ArrayRef<Value> args) {
  Type t = args[0].getType();
  auto cst = [&](double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v)).getResult();
  };
  if (isa<onnx::AddOp>(op)) return arith::AddFOp::create(b, loc, args[0], args[1]);
  if (isa<onnx::SubOp>(op)) return arith::SubFOp::create(b, loc, args[0], args[1]);
  if (isa<onnx::MulOp>(op)) return arith::MulFOp::create(b, loc, args[0], args[1]);
  if (isa<onnx::DivOp>(op)) return arith::DivFOp::create(b, loc, args[0], args[1]);
  if (isa<onnx::MaxOp>(op)) return arith::MaximumFOp::create(b, loc, args[0], args[1]);
  if (isa<onnx::MinOp>(op)) return arith::MinimumFOp::create(b, loc, args[0], args[1]);
  if (isa<onnx::PowOp>(op)) return math::PowFOp::create(b, loc, args[0], args[1]);
  if (isa<onnx::ReluOp>(op)) return arith::MaximumFOp::create(b, loc, args[0], cst(0));
  if (isa<onnx::NegOp>(op)) return arith::NegFOp::create(b, loc, args[0]);
  if (isa<onnx::AbsOp>(op)) return math::AbsFOp::create(b, loc, args[0]);
  if (isa<onnx::ExpOp>(op)) return math::ExpOp::create(b, loc, args[0]);
  if (isa<onnx::LogOp>(op)) return math::LogOp::create(b, loc, args[0]);
  if (isa<onnx::SqrtOp>(op)) return math::SqrtOp::create(b, loc, args[0]);
  if (isa<onnx::TanhOp>(op)) return math::TanhOp::create(b, loc, args[0]);
  if (isa<onnx::ErfOp>(op)) return math::ErfOp::create(b, loc, args[0]);
  if (isa<onnx::FloorOp>(op)) return math::FloorOp::create(b, loc, args[0]);
  if (isa<onnx::CeilOp>(op)) return math::CeilOp::create(b, loc, args[0]);
  if (isa<onnx::ReciprocalOp>(op)) return arith::DivFOp::create(b, loc, cst(1), args[0]);
  if (isa<onnx::SigmoidOp>(op)) {
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, args[0]));
    return arith::DivFOp::create(b, loc, cst(1), arith::AddFOp::create(b, loc, cst(1), e));
  }
  if (isa<onnx::LeakyReluOp>(op)) {
    Value scaled = arith::MulFOp::create(b, loc, args[0], cst(floatAttr(op, "alpha", 0.01f)));
    Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, args[0], cst(0));
    return arith::SelectOp::create(b, loc, positive, args[0], scaled);
  }
  llvm_unreachable("isFusable admitted an op emitScalar does not know");
}

struct FuseElementwisePass
    : public onnxc::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    Block &block = getOperation().getBody().front();
    llvm::DenseSet<Operation *> grouped;
    SmallVector<Operation *> ops;
    for (Operation &op : block)
      ops.push_back(&op);
    for (Operation *root : llvm::reverse(ops)) {
      if (grouped.contains(root) || !isFusable(root))
        continue;
      // Grow backwards through producers used only inside the group.
      llvm::SetVector<Operation *> group;
      group.insert(root);
      SmallVector<Operation *> work{root};
      while (!work.empty()) {
        Operation *cur = work.pop_back_val();
        for (Value v : cur->getOperands()) {
          Operation *def = v.getDefiningOp();
          if (!isFusable(def) || group.contains(def) || grouped.contains(def))
            continue;
          if (!llvm::all_of(def->getUsers(),
                            [&](Operation *u) { return group.contains(u); }))
            continue;
          group.insert(def);
          work.push_back(def);
        }
      }
      if (group.size() < 2)
        continue;
      // Inputs: values the group reads but does not produce, in order.
      llvm::SetVector<Value> inputs;
      SmallVector<Operation *> ordered;
      for (Operation *op : ops)
        if (group.contains(op))
          ordered.push_back(op);
      for (Operation *op : ordered)
        for (Value v : op->getOperands())
          if (!group.contains(v.getDefiningOp()))
            inputs.insert(v);
      if (inputs.size() > kMaxInputs)
        continue;

      OpBuilder b(root);
      OperationState state(root->getLoc(), onnxk::ElementwiseOp::getOperationName());
      state.addOperands(inputs.getArrayRef());
      state.addTypes(root->getResult(0).getType());
      Region *region = state.addRegion();
      Block *body = new Block();
      region->push_back(body);
      Type scalar = elementType(root->getResult(0));
      IRMapping map;
      for (Value in : inputs)
        map.map(in, body->addArgument(scalar, root->getLoc()));
      b.setInsertionPointToStart(body);
      for (Operation *op : ordered) {
        SmallVector<Value> args;
        for (Value v : op->getOperands())
          args.push_back(map.lookup(v));
        map.map(op->getResult(0), emitScalar(b, op->getLoc(), op, args));
      }
      onnxk::YieldOp::create(b, root->getLoc(), map.lookup(root->getResult(0)));
      b.setInsertionPoint(root);
      Operation *fused = b.create(state);
      root->getResult(0).replaceAllUsesWith(fused->getResult(0));
      for (Operation *op : llvm::reverse(ordered)) {
        grouped.insert(op);
        op->erase();
      }
    }
  }
};

} // namespace
