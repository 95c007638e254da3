// RUN: onnxc-opt %s --onnx-fuse-batchnorm --canonicalize | FileCheck %s

// Conv weights scaled by s = scale / sqrt(var + eps) per output channel,
// bias (b - mean) * s + beta. Here s = [2, 0.5] (var = 0.25 and 16, eps 0).
// CHECK-LABEL: func @conv_bn
func.func @conv_bn(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  // CHECK-DAG: %[[W:.*]] = "onnx.Constant"() <{value = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>}>
  // CHECK-DAG: %[[B:.*]] = "onnx.Constant"() <{value = dense<[-1.000000e+00, 1.500000e+00]> : tensor<2xf32>}>
  // CHECK: "onnx.Conv"(%arg0, %[[W]], %[[B]])
  // CHECK-NOT: onnx.BatchNormalization
  %w = "onnx.Constant"() {value = dense<[[[[1.0]]], [[[8.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "onnx.Constant"() {value = dense<[0.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %scale = "onnx.Constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %beta = "onnx.Constant"() {value = dense<[1.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %mean = "onnx.Constant"() {value = dense<[1.0, 0.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %var = "onnx.Constant"() {value = dense<[0.25, 16.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %c = "onnx.Conv"(%x, %w, %b) : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %y, %rm, %rv = "onnx.BatchNormalization"(%c, %scale, %beta, %mean, %var) {epsilon = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x3x3xf32>, none, none)
  return %y : tensor<1x2x3x3xf32>
}

// A conv whose output has another user keeps its BatchNormalization.
// CHECK-LABEL: func @conv_shared
func.func @conv_shared(%x: tensor<1x1x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  // CHECK: onnx.Conv
  // CHECK: onnx.BatchNormalization
  %none = onnx.NoValue
  %w = "onnx.Constant"() {value = dense<1.0> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %p = "onnx.Constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %c = "onnx.Conv"(%x, %w, %none) : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, none) -> tensor<1x2x3x3xf32>
  %y, %rm, %rv = "onnx.BatchNormalization"(%c, %p, %p, %p, %p) : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x3x3xf32>, none, none)
  return %y, %c : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// Gemm (transB) -> BatchNormalization over its columns, as PyTorch exports
// Linear + BatchNorm1d.
// CHECK-LABEL: func @gemm_bn
func.func @gemm_bn(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // CHECK: "onnx.Gemm"
  // CHECK-NOT: onnx.BatchNormalization
  %w = "onnx.Constant"() {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  %c = "onnx.Constant"() {value = dense<[1.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %p = "onnx.Constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %g = "onnx.Gemm"(%x, %w, %c) {transB = 1 : i64} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %y, %rm, %rv = "onnx.BatchNormalization"(%g, %p, %p, %p, %p) : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2xf32>, none, none)
  return %y : tensor<1x2xf32>
}

// A 2-D MatMul with constant weights folds its BatchNormalization too,
// becoming a Gemm with a bias. s = [1, 0.5] (var = 1, 4; eps 0).
// CHECK-LABEL: func @matmul_bn
func.func @matmul_bn(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // CHECK-DAG: %[[W:.*]] = "onnx.Constant"() <{value = dense<{{\[\[}}1.000000e+00, 1.000000e+00], [3.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>}>
  // CHECK-DAG: %[[C:.*]] = "onnx.Constant"() <{value = dense<[0.000000e+00, 5.000000e-01]> : tensor<2xf32>}>
  // CHECK: "onnx.Gemm"(%arg0, %[[W]], %[[C]])
  // CHECK-NOT: onnx.MatMul
  // CHECK-NOT: onnx.BatchNormalization
  %w = "onnx.Constant"() {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  %scale = "onnx.Constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %beta = "onnx.Constant"() {value = dense<[0.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %mean = "onnx.Constant"() {value = dense<[0.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %var = "onnx.Constant"() {value = dense<[1.0, 4.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "onnx.MatMul"(%x, %w) : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %y, %rm, %rv = "onnx.BatchNormalization"(%m, %scale, %beta, %mean, %var) {epsilon = 0.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2xf32>, none, none)
  return %y : tensor<1x2xf32>
}
