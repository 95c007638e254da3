// The arena planner: tensors with disjoint lifetimes share bytes, views
// cost nothing, outputs are written in place.
#include "codegen/cpp/MemoryPlanner.h"
#include "compiler/Pipeline.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace onnxc;

namespace {

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
  mlir::MLIRContext context;
  registerDialects(context);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(kChain, &context);
  ASSERT_TRUE(module);
  auto func = module->lookupSymbol<mlir::func::FuncOp>("main_graph");
  MemoryPlan plan = planMemory(func, [](mlir::Operation *) { return 0; });
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
  mlir::MLIRContext context;
  registerDialects(context);
  const char *diamond = R"mlir(
func.func @main_graph(%x: tensor<100xf32>) -> tensor<100xf32> {
  %a = "onnx.Relu"(%x) : (tensor<100xf32>) -> tensor<100xf32>
  %b = "onnx.Neg"(%x) : (tensor<100xf32>) -> tensor<100xf32>
  %c = "onnx.Abs"(%x) : (tensor<100xf32>) -> tensor<100xf32>
  %s = "onnx.Sum"(%a, %b, %c) : (tensor<100xf32>, tensor<100xf32>, tensor<100xf32>) -> tensor<100xf32>
  return %s : tensor<100xf32>
}
)mlir";
  auto module = mlir::parseSourceString<mlir::ModuleOp>(diamond, &context);
  ASSERT_TRUE(module);
  auto func = module->lookupSymbol<mlir::func::FuncOp>("main_graph");
  MemoryPlan plan = planMemory(func, [](mlir::Operation *) { return 0; });
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

TEST(MemoryPlannerTest, AnOutputThatIsAnInputIsCopied) {
  mlir::MLIRContext context;
  registerDialects(context);
  const char *passthrough = R"mlir(
func.func @main_graph(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = "onnx.Relu"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %x, %a : tensor<4xf32>, tensor<4xf32>
}
)mlir";
  auto module = mlir::parseSourceString<mlir::ModuleOp>(passthrough, &context);
  ASSERT_TRUE(module);
  auto func = module->lookupSymbol<mlir::func::FuncOp>("main_graph");
  MemoryPlan plan = planMemory(func, [](mlir::Operation *) { return 0; });
  ASSERT_EQ(plan.outputCopies.size(), 1u);
  EXPECT_EQ(plan.outputCopies[0].second, 0);
  EXPECT_EQ(plan.arenaBytes, 0);
}

} // namespace
