// RUN: onnxc-opt %s --onnx-recognize-patterns --canonicalize | FileCheck %s

// PyTorch's decomposed LayerNorm (opset < 17) with scale and bias.
// CHECK-LABEL: func @layer_norm
func.func @layer_norm(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // CHECK: %[[G:.*]] = "onnx.Constant"() <{value = dense<2.000000e+00> : tensor<8xf32>}>
  // CHECK: %[[B:.*]] = "onnx.Constant"() <{value = dense<1.000000e+00> : tensor<8xf32>}>
  // CHECK: "onnx.LayerNormalization"(%arg0, %[[G]], %[[B]]) <{axis = 1 : i64, epsilon = 9.99999974E-6 : f32
  // CHECK-NOT: onnx.ReduceMean
  // CHECK-NOT: onnx.Sqrt
  %axes = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %two = "onnx.Constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %eps = "onnx.Constant"() {value = dense<1.0e-5> : tensor<f32>} : () -> tensor<f32>
  %g = "onnx.Constant"() {value = dense<2.0> : tensor<8xf32>} : () -> tensor<8xf32>
  %b = "onnx.Constant"() {value = dense<1.0> : tensor<8xf32>} : () -> tensor<8xf32>
  %m = "onnx.ReduceMean"(%x, %axes) : (tensor<2x8xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  %d = "onnx.Sub"(%x, %m) : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %p = "onnx.Pow"(%d, %two) : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %v = "onnx.ReduceMean"(%p, %axes) : (tensor<2x8xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  %e = "onnx.Add"(%v, %eps) : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %s = "onnx.Sqrt"(%e) : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %n = "onnx.Div"(%d, %s) : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %y = "onnx.Mul"(%n, %g) : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %z = "onnx.Add"(%y, %b) : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %z : tensor<2x8xf32>
}

// The same over a leading axis is not a LayerNormalization.
// CHECK-LABEL: func @not_trailing
func.func @not_trailing(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // CHECK: onnx.ReduceMean
  // CHECK-NOT: onnx.LayerNormalization
  %axes = "onnx.Constant"() {value = dense<[0]> : tensor<1xi64>} : () -> tensor<1xi64>
  %two = "onnx.Constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %eps = "onnx.Constant"() {value = dense<1.0e-5> : tensor<f32>} : () -> tensor<f32>
  %m = "onnx.ReduceMean"(%x, %axes) : (tensor<2x8xf32>, tensor<1xi64>) -> tensor<1x8xf32>
  %d = "onnx.Sub"(%x, %m) : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  %p = "onnx.Pow"(%d, %two) : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %v = "onnx.ReduceMean"(%p, %axes) : (tensor<2x8xf32>, tensor<1xi64>) -> tensor<1x8xf32>
  %e = "onnx.Add"(%v, %eps) : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %s = "onnx.Sqrt"(%e) : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %n = "onnx.Div"(%d, %s) : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return %n : tensor<2x8xf32>
}

// GELU in the form PyTorch exports (erf).
// CHECK-LABEL: func @gelu
func.func @gelu(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[G:.*]] = "onnx.Gelu"(%arg0)
  // CHECK-NOT: onnx.Erf
  // CHECK: return %[[G]]
  %sqrt2 = "onnx.Constant"() {value = dense<1.41421354> : tensor<f32>} : () -> tensor<f32>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %half = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %0 = "onnx.Div"(%x, %sqrt2) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = "onnx.Erf"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "onnx.Add"(%1, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %3 = "onnx.Mul"(%x, %2) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = "onnx.Mul"(%3, %half) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %4 : tensor<4xf32>
}

// An erf of something else stays an erf.
// CHECK-LABEL: func @plain_erf
func.func @plain_erf(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: onnx.Erf
  // CHECK-NOT: onnx.Gelu
  %three = "onnx.Constant"() {value = dense<3.0> : tensor<f32>} : () -> tensor<f32>
  %0 = "onnx.Div"(%x, %three) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = "onnx.Erf"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// Softmax written out.
// CHECK-LABEL: func @softmax
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: "onnx.Softmax"(%arg0) <{axis = 1 : i64}>
  // CHECK-NOT: onnx.Exp
  %axes = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %m = "onnx.ReduceMax"(%x, %axes) : (tensor<2x5xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  %d = "onnx.Sub"(%x, %m) : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  %e = "onnx.Exp"(%d) : (tensor<2x5xf32>) -> tensor<2x5xf32>
  %s = "onnx.ReduceSum"(%e, %axes) : (tensor<2x5xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  %y = "onnx.Div"(%e, %s) : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// GELU's tanh approximation.
// CHECK-LABEL: func @gelu_tanh
func.func @gelu_tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[G:.*]] = "onnx.Gelu"(%arg0) <{approximate = "tanh"}>
  // CHECK-NOT: onnx.Tanh
  // CHECK: return %[[G]]
  %three = "onnx.Constant"() {value = dense<3.0> : tensor<f32>} : () -> tensor<f32>
  %k = "onnx.Constant"() {value = dense<0.044715> : tensor<f32>} : () -> tensor<f32>
  %c = "onnx.Constant"() {value = dense<0.797884583> : tensor<f32>} : () -> tensor<f32>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %half = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %0 = "onnx.Pow"(%x, %three) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = "onnx.Mul"(%0, %k) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %2 = "onnx.Add"(%x, %1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = "onnx.Mul"(%2, %c) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %4 = "onnx.Tanh"(%3) : (tensor<4xf32>) -> tensor<4xf32>
  %5 = "onnx.Add"(%4, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %6 = "onnx.Mul"(%x, %half) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %7 = "onnx.Mul"(%6, %5) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %7 : tensor<4xf32>
}
