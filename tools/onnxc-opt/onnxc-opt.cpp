//===- onnxc-opt.cpp - mlir-opt with onnxc's dialects and passes ---------===//
#include "compiler/passes/Passes.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<onnxc::onnx::OnnxDialect, onnxc::onnxk::OnnxkDialect,
                  mlir::arith::ArithDialect, mlir::math::MathDialect,
                  mlir::func::FuncDialect,
                  mlir::emitc::EmitCDialect>();
  onnxc::registerShapeInferenceModels(registry);
  onnxc::registerOnnxcPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "onnxc optimizer driver\n", registry));
}
