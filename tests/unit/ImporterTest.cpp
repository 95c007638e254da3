// The importer: graph structure, opset upgrades, refusals.
#include "compiler/frontend/ModelImporter.h"
#include "dialects/onnx/OnnxDialect.h"
#include "tests/unit/TestSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <gtest/gtest.h>

using namespace onnxc;

namespace {

struct ImporterTest : ::testing::Test {
  ImporterTest() { registerDialects(context); }
  mlir::MLIRContext context;
  test::TempDir dir;
  std::string error;

  mlir::OwningOpRef<mlir::ModuleOp> import(const ::onnx::ModelProto &m) {
    test::writeModel(m, dir.file("m.onnx"));
    return importModelFile(context, dir.file("m.onnx"), error);
  }
};

TEST_F(ImporterTest, BuildsOneFunctionWithNamedInputsAndOutputs) {
  auto module = import(test::reluModel());
  ASSERT_TRUE(module) << error;
  auto func = module->lookupSymbol<mlir::func::FuncOp>(kMainGraphName);
  ASSERT_TRUE(func);
  EXPECT_EQ(func.getNumArguments(), 1u);
  EXPECT_EQ(module->getOperation()->getAttrOfType<mlir::IntegerAttr>("onnx.opset").getInt(), 13);
  int relus = 0;
  func.walk([&](onnxc::onnx::ReluOp) { ++relus; });
  EXPECT_EQ(relus, 1);
}

TEST_F(ImporterTest, UpgradesOpset11SqueezeAxesToAnOperand) {
  auto m = test::reluModel();
  m.mutable_opset_import(0)->set_version(11);
  auto *g = m.mutable_graph();
  g->mutable_node(0)->set_output(0, "r");
  auto *sq = g->add_node();
  sq->set_op_type("Unsqueeze");
  sq->set_name("unsq");
  sq->add_input("r");
  sq->add_output("y");
  auto *axes = sq->add_attribute();
  axes->set_name("axes");
  axes->set_type(::onnx::AttributeProto::INTS);
  axes->add_ints(0);
  g->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  auto module = import(m);
  ASSERT_TRUE(module) << error;
  bool found = false;
  module->walk([&](onnxc::onnx::UnsqueezeOp op) {
    found = true;
    EXPECT_FALSE(op->hasAttr("axes"));
    EXPECT_TRUE(op->getOperand(1).getDefiningOp<onnxc::onnx::ConstantOp>());
  });
  EXPECT_TRUE(found);
}

TEST_F(ImporterTest, AcceptsNodesOutOfOrder) {
  auto m = test::reluModel();
  auto *g = m.mutable_graph();
  g->mutable_node(0)->set_input(0, "t");
  auto *first = g->add_node(); // defines "t" after its use
  first->set_op_type("Neg");
  first->add_input("x");
  first->add_output("t");
  auto module = import(m);
  EXPECT_TRUE(module) << error;
}

TEST_F(ImporterTest, RefusesAnOutputProducedTwice) {
  auto m = test::reluModel();
  *m.mutable_graph()->add_node() = m.graph().node(0);
  EXPECT_FALSE(import(m));
  EXPECT_NE(error.find("is produced twice"), std::string::npos) << error;
}

TEST_F(ImporterTest, RefusesAnOpThatDidNotExistAtTheOpset) {
  auto m = test::reluModel();
  m.mutable_opset_import(0)->set_version(13);
  m.mutable_graph()->mutable_node(0)->set_op_type("Gelu"); // since opset 20
  EXPECT_FALSE(import(m));
  EXPECT_NE(error.find("does not exist in opset 13"), std::string::npos) << error;
}

TEST_F(ImporterTest, RefusesTooManyInputs) {
  auto m = test::reluModel();
  m.mutable_graph()->mutable_node(0)->add_input("x");
  EXPECT_FALSE(import(m));
  EXPECT_NE(error.find("takes at most 1"), std::string::npos) << error;
}

} // namespace
