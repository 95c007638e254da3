// Shape -> Gather -> Unsqueeze -> Concat -> Reshape folds to a static shape.
// RUN: onnxc-opt %s --onnx-shape-inference --canonicalize | FileCheck %s

// CHECK-LABEL: func @reshape_from_shape
func.func @reshape_from_shape(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  %s = "onnx.Shape"(%x) : (tensor<2x3x4xf32>) -> tensor<*xi64>
  %i = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %axes = "onnx.Constant"() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %minus1 = "onnx.Constant"() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %d0 = "onnx.Gather"(%s, %i) {axis = 0 : i64} : (tensor<*xi64>, tensor<i64>) -> tensor<*xi64>
  %u = "onnx.Unsqueeze"(%d0, %axes) : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  %shape = "onnx.Concat"(%u, %minus1) {axis = 0 : i64} : (tensor<*xi64>, tensor<1xi64>) -> tensor<*xi64>
  // CHECK-NOT: onnx.Shape
  // CHECK-NOT: onnx.Gather
  // CHECK: %[[SHAPE:.*]] = "onnx.Constant"() <{value = dense<[2, -1]> : tensor<2xi64>}>
  // CHECK: "onnx.Reshape"(%{{.*}}, %[[SHAPE]]){{.*}} -> tensor<2x12xf32>
  %r = "onnx.Reshape"(%x, %shape) : (tensor<2x3x4xf32>, tensor<*xi64>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// A Shape of a truly dynamic dim must stay.
// CHECK-LABEL: func @dynamic_shape
func.func @dynamic_shape(%x: tensor<?x3xf32>) -> tensor<*xi64> {
  // CHECK: "onnx.Shape"{{.*}} -> tensor<2xi64>
  %s = "onnx.Shape"(%x) : (tensor<?x3xf32>) -> tensor<*xi64>
  return %s : tensor<*xi64>
}
