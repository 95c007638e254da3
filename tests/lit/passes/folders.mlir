// The onnx ops' MLIR folders, run by the canonicalizer.
// RUN: onnxc-opt %s --canonicalize | FileCheck %s

// CHECK-LABEL: func @shape_chain
func.func @shape_chain(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  // CHECK: %[[C:.*]] = "onnx.Constant"() <{value = dense<[6, 4]> : tensor<2xi64>}>
  // CHECK-NEXT: return %[[C]]
  %s = "onnx.Shape"(%x) : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %a = "onnx.Constant"() {value = dense<[0, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %g = "onnx.Gather"(%s, %a) {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  %m = "onnx.Constant"() {value = dense<[3, 1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %r = "onnx.Mul"(%g, %m) : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %r : tensor<2xi64>
}

// Ops that are their own input fold to it.
// CHECK-LABEL: func @identities
func.func @identities(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NEXT: return %arg0
  %0 = "onnx.Identity"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "onnx.Cast"(%0) {to = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = "onnx.Transpose"(%1) {perm = [0, 1]} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// A transpose that permutes is not an identity, even on a square matrix.
// CHECK-LABEL: func @square_transpose
func.func @square_transpose(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  // CHECK: onnx.Transpose
  %0 = "onnx.Transpose"(%x) {perm = [1, 0]} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}
