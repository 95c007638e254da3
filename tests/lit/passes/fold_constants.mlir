// RUN: onnxc-opt %s --onnx-fold-constants --canonicalize | FileCheck %s
// RUN: onnxc-opt %s --onnx-fold-constants="max-fold-bytes=16" | FileCheck %s --check-prefix=LIMIT

// CHECK-LABEL: func @float_arithmetic
func.func @float_arithmetic(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[C:.*]] = "onnx.Constant"() <{value = dense<[2.000000e+00, 3.000000e+00, 5.000000e+00, 9.000000e+00]> : tensor<4xf32>}>
  // CHECK-NOT: onnx.Sqrt
  // CHECK: "onnx.Add"(%arg0, %[[C]])
  %a = "onnx.Constant"() {value = dense<[1.0, 4.0, 16.0, 64.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %s = "onnx.Sqrt"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %b = "onnx.Add"(%s, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %y = "onnx.Add"(%x, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// The LSTM initial state exporters build: Expand of a constant to a shape.
// CHECK-LABEL: func @expand_zeros
// LIMIT-LABEL: func @expand_zeros
func.func @expand_zeros() -> tensor<2x1x8xf32> {
  // CHECK: "onnx.Constant"() <{value = dense<0.000000e+00> : tensor<2x1x8xf32>}>
  // CHECK-NOT: onnx.Expand
  // 64 bytes is over a 16-byte limit: the Expand stays.
  // LIMIT: onnx.Expand
  %z = "onnx.Constant"() {value = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shape = "onnx.Constant"() {value = dense<[2, 1, 8]> : tensor<3xi64>} : () -> tensor<3xi64>
  %e = "onnx.Expand"(%z, %shape) : (tensor<1xf32>, tensor<3xi64>) -> tensor<2x1x8xf32>
  return %e : tensor<2x1x8xf32>
}

// An op with a non-constant operand is left alone.
// CHECK-LABEL: func @not_constant
func.func @not_constant(%x: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK: onnx.Exp
  %e = "onnx.Exp"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %e : tensor<3xf32>
}
