//===- Pipeline.cpp - the pass order per optimization level --------------===//
#include "compiler/Pipeline.h"

#include "compiler/passes/Passes.h"
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnxk/OnnxkDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

void onnxc::registerDialects(mlir::MLIRContext &context) {
  mlir::DialectRegistry registry;
  registry.insert<onnx::OnnxDialect, onnxk::OnnxkDialect, mlir::arith::ArithDialect,
                  mlir::math::MathDialect, mlir::func::FuncDialect,
                  mlir::emitc::EmitCDialect>();
  registerShapeInferenceModels(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  // Errors name the node; the op's IR dump would only bury that.
  context.printOpOnDiagnostic(false);
}

void onnxc::buildShapePipeline(mlir::PassManager &pm,
                               const PipelineOptions &options) {
  BindInputShapesOptions bind;
  bind.bindings.assign(options.shapes.begin(), options.shapes.end());
  pm.addPass(createBindInputShapes(bind));
  ShapeInferenceOptions infer;
  infer.requireStatic = true;
  pm.addPass(createShapeInference(infer));
}

void onnxc::buildOnnxPipeline(mlir::PassManager &pm,
                              const PipelineOptions &options) {
  // -O0 keeps the graph as the model wrote it, less dead code; -O1 and up
  // simplify, fold constants and fuse.
  if (options.optLevel >= 1) {
    pm.addNestedPass<mlir::func::FuncOp>(createSimplify());
    FoldConstantsOptions fold;
    fold.maxFoldBytes = options.maxFoldBytes;
    pm.addNestedPass<mlir::func::FuncOp>(createFoldConstants(fold));
    pm.addNestedPass<mlir::func::FuncOp>(createRecognizePatterns());
    pm.addNestedPass<mlir::func::FuncOp>(createFuseBatchNorm());
    pm.addNestedPass<mlir::func::FuncOp>(createFuseEpilogues());
    pm.addNestedPass<mlir::func::FuncOp>(createFuseConvMaxPool());
    pm.addNestedPass<mlir::func::FuncOp>(createFuseElementwise());
    pm.addNestedPass<mlir::func::FuncOp>(createPretransposeWeights());
    pm.addPass(mlir::createCSEPass());
  }
  // Dead shape arithmetic and unused constants go away at every level, so
  // the weights blob holds only what kernels read.
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createSymbolDCEPass());
}
