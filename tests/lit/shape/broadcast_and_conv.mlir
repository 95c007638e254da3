// RUN: onnxc-opt %s --onnx-shape-inference | FileCheck %s

// CHECK-LABEL: func @broadcast
func.func @broadcast(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<*xf32> {
  // CHECK: "onnx.Add"{{.*}} -> tensor<2x3x4xf32>
  %0 = "onnx.Add"(%a, %b) : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<*xf32>
  // CHECK: "onnx.Less"{{.*}} -> tensor<2x3x4xi1>
  %1 = "onnx.Less"(%0, %b) : (tensor<*xf32>, tensor<3x1xf32>) -> tensor<*xi1>
  return %0 : tensor<*xf32>
}

// CHECK-LABEL: func @conv_pool
func.func @conv_pool(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<*xf32> {
  %none = onnx.NoValue
  // CHECK: "onnx.Conv"{{.*}} -> tensor<1x64x112x112xf32>
  %0 = "onnx.Conv"(%x, %w, %none) {pads = [3, 3, 3, 3], strides = [2, 2]} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, none) -> tensor<*xf32>
  // CHECK: "onnx.MaxPool"{{.*}} -> (tensor<1x64x56x56xf32>, none)
  %1, %2 = "onnx.MaxPool"(%0) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<*xf32>) -> (tensor<*xf32>, none)
  // CHECK: "onnx.MaxPool"{{.*}} -> (tensor<1x64x28x28xf32>, none)
  %3, %4 = "onnx.MaxPool"(%1) {kernel_shape = [3, 3], strides = [2, 2], ceil_mode = 1} : (tensor<*xf32>) -> (tensor<*xf32>, none)
  // CHECK: "onnx.GlobalAveragePool"{{.*}} -> tensor<1x64x1x1xf32>
  %5 = "onnx.GlobalAveragePool"(%3) : (tensor<*xf32>) -> tensor<*xf32>
  return %5 : tensor<*xf32>
}

// CHECK-LABEL: func @same_upper
func.func @same_upper(%x: tensor<1x1x5x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<*xf32> {
  %none = onnx.NoValue
  // CHECK: "onnx.Conv"{{.*}} -> tensor<1x1x3x3xf32>
  %0 = "onnx.Conv"(%x, %w, %none) {auto_pad = "SAME_UPPER", strides = [2, 2]} : (tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
