// TensorProto -> DenseElementsAttr: every storage form and every refusal.
#include "compiler/frontend/TensorImport.h"
#include "tests/unit/TestSupport.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace onnxc;
using TP = ::onnx::TensorProto;

namespace {

struct TensorImportTest : ::testing::Test {
  mlir::MLIRContext context;
  std::string error;
};

TEST_F(TensorImportTest, FloatFromTypedField) {
  TP t;
  t.set_data_type(TP::FLOAT);
  t.add_dims(2);
  t.add_float_data(1.5f);
  t.add_float_data(-2.0f);
  auto attr = convertTensor(context, t, ".", error);
  ASSERT_TRUE(mlir::succeeded(attr)) << error;
  auto values = llvm::to_vector(attr->getValues<float>());
  EXPECT_EQ(values, (llvm::SmallVector<float>{1.5f, -2.0f}));
}

TEST_F(TensorImportTest, Int64FromRawData) {
  TP t;
  t.set_data_type(TP::INT64);
  t.add_dims(3);
  int64_t data[3] = {7, -1, 1LL << 40};
  t.set_raw_data(std::string(reinterpret_cast<char *>(data), sizeof data));
  auto attr = convertTensor(context, t, ".", error);
  ASSERT_TRUE(mlir::succeeded(attr)) << error;
  auto values = llvm::to_vector(attr->getValues<int64_t>());
  EXPECT_EQ(values, (llvm::SmallVector<int64_t>{7, -1, 1LL << 40}));
}

TEST_F(TensorImportTest, BoolAndInt8FromInt32Data) {
  TP b;
  b.set_data_type(TP::BOOL);
  b.add_dims(3);
  for (int v : {1, 0, 1})
    b.add_int32_data(v);
  auto battr = convertTensor(context, b, ".", error);
  ASSERT_TRUE(mlir::succeeded(battr)) << error;
  EXPECT_EQ(llvm::to_vector(battr->getValues<bool>()),
            (llvm::SmallVector<bool>{true, false, true}));

  TP i;
  i.set_data_type(TP::INT8);
  i.add_dims(2);
  i.add_int32_data(-128);
  i.add_int32_data(127);
  auto iattr = convertTensor(context, i, ".", error);
  ASSERT_TRUE(mlir::succeeded(iattr)) << error;
  EXPECT_EQ(llvm::to_vector(iattr->getValues<int8_t>()),
            (llvm::SmallVector<int8_t>{-128, 127}));
}

TEST_F(TensorImportTest, Float16BitsFromInt32Data) {
  TP t;
  t.set_data_type(TP::FLOAT16);
  t.add_dims(1);
  t.add_int32_data(0x3c00); // 1.0 in IEEE half
  auto attr = convertTensor(context, t, ".", error);
  ASSERT_TRUE(mlir::succeeded(attr)) << error;
  EXPECT_EQ((*attr->getValues<llvm::APFloat>().begin()).convertToDouble(), 1.0);
}

TEST_F(TensorImportTest, ScalarHasRankZero) {
  TP t;
  t.set_data_type(TP::FLOAT);
  t.add_float_data(3.0f);
  auto attr = convertTensor(context, t, ".", error);
  ASSERT_TRUE(mlir::succeeded(attr)) << error;
  EXPECT_EQ(attr->getType().getRank(), 0);
}

TEST_F(TensorImportTest, RefusesDataThatDoesNotFillTheShape) {
  TP t;
  t.set_name("w");
  t.set_data_type(TP::FLOAT);
  t.add_dims(4);
  t.add_float_data(1.0f);
  EXPECT_TRUE(mlir::failed(convertTensor(context, t, ".", error)));
  EXPECT_NE(error.find("has 1 elements of data but its shape holds 4"),
            std::string::npos)
      << error;
}

TEST_F(TensorImportTest, RefusesHugeShapesBeforeAllocating) {
  TP t;
  t.set_data_type(TP::FLOAT);
  t.add_dims(int64_t(1) << 40);
  t.add_dims(int64_t(1) << 40);
  EXPECT_TRUE(mlir::failed(convertTensor(context, t, ".", error)));
  EXPECT_NE(error.find("too large"), std::string::npos) << error;
}

TEST_F(TensorImportTest, RefusesStrings) {
  TP t;
  t.set_data_type(TP::STRING);
  t.add_dims(1);
  t.add_string_data("x");
  EXPECT_TRUE(mlir::failed(convertTensor(context, t, ".", error)));
  EXPECT_NE(error.find("string tensors are not supported"), std::string::npos);
}

TEST_F(TensorImportTest, ReadsExternalDataInsideTheModelFolder) {
  test::TempDir dir;
  float data[4] = {0, 1, 2, 3};
  {
    std::ofstream f(dir.file("weights.bin"), std::ios::binary);
    f.write("pad!", 4);
    f.write(reinterpret_cast<char *>(data), sizeof data);
  }
  TP t;
  t.set_data_type(TP::FLOAT);
  t.add_dims(4);
  t.set_data_location(TP::EXTERNAL);
  auto *loc = t.add_external_data();
  loc->set_key("location");
  loc->set_value("weights.bin");
  auto *off = t.add_external_data();
  off->set_key("offset");
  off->set_value("4");
  auto attr = convertTensor(context, t, dir.path, error);
  ASSERT_TRUE(mlir::succeeded(attr)) << error;
  EXPECT_EQ(llvm::to_vector(attr->getValues<float>()),
            (llvm::SmallVector<float>{0, 1, 2, 3}));

  off->set_value("100"); // past the end of the file
  EXPECT_TRUE(mlir::failed(convertTensor(context, t, dir.path, error)));
  EXPECT_NE(error.find("past the end"), std::string::npos) << error;

  loc->set_value("/etc/passwd");
  EXPECT_TRUE(mlir::failed(convertTensor(context, t, dir.path, error)));
  EXPECT_NE(error.find("outside the model's folder"), std::string::npos) << error;
}

} // namespace
