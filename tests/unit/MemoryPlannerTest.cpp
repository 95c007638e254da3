// The arena planner: tensors with disjoint lifetimes share bytes, views
// cost nothing, outputs are written in place.
#include "codegen/cpp/MemoryPlanner.h"
#include "compiler/Pipeline.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace onnxc;

namespace {

/// A parsed function and its memory plan.
struct Planned {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  MemoryPlan plan;
  explicit Planned(const char *source) {
    registerDialects(context);
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    if (!module)
      return;
    func = module->lookupSymbol<mlir::func::FuncOp>("main_graph");
    plan = planMemory(func, [](mlir::Operation *) { return 0; });
  }
};

const char *kChain = R"mlir(
func.func @main_graph(%x: tensor<1024xf32>) -> tensor<1024xf32> {
  %a = "onnx.Relu"(%x) : (tensor<1024xf32>) -> tensor<1024xf32>
  %b = "onnx.Neg"(%a) : (tensor<1024xf32>) -> tensor<1024xf32>
  %c = "onnx.Abs"(%b) : (tensor<1024xf32>) -> tensor<1024xf32>
  %d = "onnx.Exp"(%c) : (tensor<1024xf32>) -> tensor<1024xf32>
  %e = "onnx.Identity"(%d) : (tensor<1024xf32>) -> tensor<1024xf32>
  %f = "onnx.Sqrt"(%e) : (tensor<1024xf32>) -> tensor<1024xf32>
  return %f : tensor<1024xf32>
}
)mlir";

TEST(MemoryPlannerTest, ChainUsesTwoBuffersAndWritesTheOutputInPlace) {
  Planned planned(kChain);
  ASSERT_TRUE(planned.module);
  auto func = planned.func;
  const MemoryPlan &plan = planned.plan;
  // a..d are 4 KiB each; at most two are alive at once.
  EXPECT_EQ(plan.arenaBytes, 2 * 4096);
  EXPECT_EQ(plan.unsharedBytes, 4 * 4096);
  auto ret = func.getBody().front().getTerminator();
  EXPECT_EQ(plan.buffers.lookup(ret->getOperand(0)).kind, BufferRef::Output);
  EXPECT_TRUE(plan.outputCopies.empty());
  // The Identity is a view of Exp's result.
  mlir::Operation *identity = nullptr;
  func.walk([&](onnx::IdentityOp op) { identity = op; });
  ASSERT_TRUE(identity);
  EXPECT_EQ(plan.buffers.lookup(identity->getResult(0)).root,
            identity->getOperand(0));
}

TEST(MemoryPlannerTest, BuffersAliveTogetherNeverOverlap) {
  const char *diamond = R"mlir(
func.func @main_graph(%x: tensor<100xf32>) -> tensor<100xf32> {
  %a = "onnx.Relu"(%x) : (tensor<100xf32>) -> tensor<100xf32>
  %b = "onnx.Neg"(%x) : (tensor<100xf32>) -> tensor<100xf32>
  %c = "onnx.Abs"(%x) : (tensor<100xf32>) -> tensor<100xf32>
  %s = "onnx.Sum"(%a, %b, %c) : (tensor<100xf32>, tensor<100xf32>, tensor<100xf32>) -> tensor<100xf32>
  return %s : tensor<100xf32>
}
)mlir";
  Planned planned(diamond);
  ASSERT_TRUE(planned.module);
  auto func = planned.func;
  const MemoryPlan &plan = planned.plan;
  llvm::SmallVector<int64_t> offsets;
  func.walk([&](mlir::Operation *op) {
    if (llvm::isa<onnx::ReluOp, onnx::NegOp, onnx::AbsOp>(op))
      offsets.push_back(plan.buffers.lookup(op->getResult(0)).offset);
  });
  ASSERT_EQ(offsets.size(), 3u);
  llvm::sort(offsets);
  EXPECT_EQ(offsets[1] - offsets[0], 448); // 400 bytes rounded to 64
  EXPECT_EQ(offsets[2] - offsets[1], 448);
  EXPECT_EQ(plan.arenaBytes, 3 * 448);
}

TEST(MemoryPlannerTest, ConcatInputsAreWrittenInPlace) {
  mlir::MLIRContext context;
  registerDialects(context);
  // %a and %b are read only by the Concat: slices of it. %c is also read by
  // the Neg, so it keeps its own bytes and is copied.
  const char *fire = R"mlir(
func.func @main_graph(%x: tensor<1x4x8xf32>) -> (tensor<1x12x8xf32>, tensor<1x4x8xf32>) {
  %a = "onnx.Relu"(%x) : (tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %b = "onnx.Abs"(%x) : (tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %c = "onnx.Exp"(%x) : (tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %n = "onnx.Neg"(%c) : (tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %y = "onnx.Concat"(%a, %b, %c) {axis = 1 : i64} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x12x8xf32>
  %z = "onnx.Sqrt"(%y) : (tensor<1x12x8xf32>) -> tensor<1x12x8xf32>
  return %z, %n : tensor<1x12x8xf32>, tensor<1x4x8xf32>
}
)mlir";
  auto module = mlir::parseSourceString<mlir::ModuleOp>(fire, &context);
  ASSERT_TRUE(module);
  auto func = module->lookupSymbol<mlir::func::FuncOp>("main_graph");
  MemoryPlan plan = planMemory(func, [](mlir::Operation *) { return 0; });
  mlir::Operation *concat = nullptr;
  func.walk([&](onnx::ConcatOp op) { concat = op; });
  ASSERT_TRUE(concat);
  mlir::Value y = concat->getResult(0);
  BufferRef a = plan.buffers.lookup(concat->getOperand(0));
  BufferRef b = plan.buffers.lookup(concat->getOperand(1));
  BufferRef c = plan.buffers.lookup(concat->getOperand(2));
  BufferRef whole = plan.buffers.lookup(y);
  EXPECT_TRUE(a.part && a.root == y && a.within == 0 && a.offset == whole.offset);
  EXPECT_TRUE(b.part && b.root == y && b.within == 32 && b.offset == whole.offset);
  EXPECT_FALSE(c.part);
  EXPECT_EQ(c.root, concat->getOperand(2));
  // The Concat's bytes are alive from %a's definition on, so %c (alive
  // from before the Concat until the Neg) must not overlap them.
  EXPECT_TRUE(c.offset >= whole.offset + 384 || c.offset + 128 <= whole.offset);
}

TEST(MemoryPlannerTest, AnOutputThatIsAnInputIsCopied) {
  const char *passthrough = R"mlir(
func.func @main_graph(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = "onnx.Relu"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %x, %a : tensor<4xf32>, tensor<4xf32>
}
)mlir";
  Planned planned(passthrough);
  ASSERT_TRUE(planned.module);
  const MemoryPlan &plan = planned.plan;
  ASSERT_EQ(plan.outputCopies.size(), 1u);
  EXPECT_EQ(plan.outputCopies[0].second, 0);
  EXPECT_EQ(plan.arenaBytes, 0);
}

} // namespace
