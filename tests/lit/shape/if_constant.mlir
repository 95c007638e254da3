// An If whose condition shape inference can compute is its taken branch.
// RUN: onnxc-opt %s --onnx-shape-inference --canonicalize | FileCheck %s

// CHECK-LABEL: func @batch_is_one
func.func @batch_is_one(%x: tensor<1x4xf32>) -> tensor<*xf32> {
  // CHECK-NOT: onnx.If
  // CHECK: %[[R:.*]] = "onnx.Relu"(%arg0) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // CHECK-NOT: onnx.Neg
  // CHECK: return %[[R]]
  %s = "onnx.Shape"(%x) : (tensor<1x4xf32>) -> tensor<*xi64>
  %i = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %one = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %d = "onnx.Gather"(%s, %i) {axis = 0 : i64} : (tensor<*xi64>, tensor<i64>) -> tensor<*xi64>
  %c = "onnx.Equal"(%d, %one) : (tensor<*xi64>, tensor<i64>) -> tensor<*xi1>
  %r = "onnx.If"(%c) ({
    %a = "onnx.Relu"(%x) : (tensor<1x4xf32>) -> tensor<*xf32>
    onnx.Yield %a : tensor<*xf32>
  }, {
    %b = "onnx.Neg"(%x) : (tensor<1x4xf32>) -> tensor<*xf32>
    onnx.Yield %b : tensor<*xf32>
  }) : (tensor<*xi1>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// A condition only known at run time leaves the If in place, typed.
// CHECK-LABEL: func @runtime_condition
func.func @runtime_condition(%c: tensor<i1>, %x: tensor<3xf32>) -> tensor<*xf32> {
  // CHECK: "onnx.If"(%arg0)
  // CHECK: -> tensor<3xf32>
  %r = "onnx.If"(%c) ({
    %a = "onnx.Relu"(%x) : (tensor<3xf32>) -> tensor<*xf32>
    onnx.Yield %a : tensor<*xf32>
  }, {
    %b = "onnx.Neg"(%x) : (tensor<3xf32>) -> tensor<*xf32>
    onnx.Yield %b : tensor<*xf32>
  }) : (tensor<i1>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}
