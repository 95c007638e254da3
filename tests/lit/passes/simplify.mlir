// RUN: onnxc-opt %s --onnx-simplify | FileCheck %s

// CHECK-LABEL: func @identity_and_dropout
func.func @identity_and_dropout(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NOT: onnx.Identity
  // CHECK-NOT: onnx.Dropout
  // CHECK: %[[R:.*]] = "onnx.Relu"(%arg0)
  // CHECK: return %[[R]]
  %none = onnx.NoValue
  %0 = "onnx.Identity"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1, %mask = "onnx.Dropout"(%0, %none, %none) : (tensor<2x3xf32>, none, none) -> (tensor<2x3xf32>, none)
  %2 = "onnx.Relu"(%1) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// A Dropout whose mask is used must stay.
// CHECK-LABEL: func @dropout_with_mask
func.func @dropout_with_mask(%x: tensor<4xf32>) -> tensor<4xi1> {
  // CHECK: onnx.Dropout
  %none = onnx.NoValue
  %0, %mask = "onnx.Dropout"(%x, %none, %none) : (tensor<4xf32>, none, none) -> (tensor<4xf32>, tensor<4xi1>)
  return %mask : tensor<4xi1>
}

// CHECK-LABEL: func @view_chain
func.func @view_chain(%x: tensor<2x3x4xf32>) -> tensor<24x1xf32> {
  // CHECK: %[[S:.*]] = "onnx.Constant"() <{value = dense<[24, 1]> : tensor<2xi64>}>
  // CHECK: %[[R:.*]] = "onnx.Reshape"(%arg0, %[[S]]) {{.*}} -> tensor<24x1xf32>
  // CHECK-NOT: onnx.Flatten
  // CHECK-NOT: onnx.Unsqueeze
  // CHECK: return %[[R]]
  %axes = "onnx.Constant"() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Flatten"(%x) {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  %s = "onnx.Constant"() {value = dense<[24]> : tensor<1xi64>} : () -> tensor<1xi64>
  %1 = "onnx.Reshape"(%0, %s) : (tensor<1x24xf32>, tensor<1xi64>) -> tensor<24xf32>
  %2 = "onnx.Unsqueeze"(%1, %axes) : (tensor<24xf32>, tensor<1xi64>) -> tensor<24x1xf32>
  return %2 : tensor<24x1xf32>
}

// CHECK-LABEL: func @transposes
func.func @transposes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<3x2x4xf32>) {
  // Two transposes that undo each other vanish; two that don't become one.
  // CHECK: %[[T:.*]] = "onnx.Transpose"(%arg0) <{perm = [1, 0, 2]}>
  // CHECK-NOT: onnx.Transpose
  // CHECK: return %arg0, %[[T]]
  %0 = "onnx.Transpose"(%x) {perm = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %1 = "onnx.Transpose"(%0) {perm = [1, 2, 0]} : (tensor<4x2x3xf32>) -> tensor<2x3x4xf32>
  %2 = "onnx.Transpose"(%0) {perm = [2, 1, 0]} : (tensor<4x2x3xf32>) -> tensor<3x2x4xf32>
  return %1, %2 : tensor<2x3x4xf32>, tensor<3x2x4xf32>
}

// A 2-D transpose feeding a matrix product becomes a trans flag.
// CHECK-LABEL: func @transpose_into_gemm
func.func @transpose_into_gemm(%a: tensor<3x2xf32>, %b: tensor<4x3xf32>) -> tensor<2x4xf32> {
  // CHECK: "onnx.Gemm"(%arg0, %arg1, %{{[0-9]+}}) <{{.*}}transA = 1 : i64, transB = 1 : i64}>
  // CHECK-NOT: onnx.Transpose
  // CHECK-NOT: onnx.MatMul
  %at = "onnx.Transpose"(%a) {perm = [1, 0]} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %bt = "onnx.Transpose"(%b) {perm = [1, 0]} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %y = "onnx.MatMul"(%at, %bt) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
