// RUN: onnxc-opt %s --onnx-pretranspose-weights --canonicalize | FileCheck %s

// CHECK-LABEL: func @constant_b
func.func @constant_b(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  // CHECK: %[[BT:.*]] = "onnx.Constant"() <{value = dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>}>
  // CHECK: "onnx.Gemm"(%arg0, %[[BT]], %{{[0-9]+}}) <{{.*}}transB = 0 : i64}>
  %none = onnx.NoValue
  %b = "onnx.Constant"() {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %y = "onnx.Gemm"(%a, %b, %none) {transB = 1 : i64} : (tensor<1x3xf32>, tensor<2x3xf32>, none) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// A B computed at run time keeps transB.
// CHECK-LABEL: func @runtime_b
func.func @runtime_b(%a: tensor<1x3xf32>, %b: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // CHECK: "onnx.Gemm"(%arg0, %arg1, %{{[0-9]+}}) <{{.*}}transB = 1 : i64}>
  %none = onnx.NoValue
  %y = "onnx.Gemm"(%a, %b, %none) {transB = 1 : i64} : (tensor<1x3xf32>, tensor<2x3xf32>, none) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
