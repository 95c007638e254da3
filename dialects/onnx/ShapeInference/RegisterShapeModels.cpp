//===- RegisterShapeModels.cpp - attach shape inference to the ops -------===//
#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"

void onnxc::registerShapeInferenceModels(mlir::DialectRegistry &registry) {
  registry.addExtension(+[](mlir::MLIRContext *ctx, onnx::OnnxDialect *) {
    registerElementwiseShapes(ctx);
    registerTensorShapes(ctx);
    registerNNShapes(ctx);
  });
}
