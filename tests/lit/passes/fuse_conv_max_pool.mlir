// RUN: onnxc-opt %s --onnx-fuse-epilogues --onnx-fuse-conv-max-pool | FileCheck %s

// squeezenet's stem: a 3x3 stride-2 convolution over three channels, its
// ReLU, a 3x3 stride-2 max pool (ceil mode: 24 -> 12) is one kernel.
// CHECK-LABEL: func @squeezenet_stem
func.func @squeezenet_stem(%x: tensor<1x3x49x49xf32>) -> tensor<1x8x12x12xf32> {
  // CHECK: %[[Y:[0-9]+]] = "onnxk.ConvMaxPool"(%arg0, %{{[0-9]+}}, %{{[0-9]+}})
  // CHECK-SAME: activation = "Relu"
  // CHECK-SAME: conv_shape = [1, 8, 24, 24]
  // CHECK-SAME: pads = [0, 0, 0, 0]
  // CHECK-SAME: pool_kernel_shape = [3, 3], pool_pads = [0, 0, 0, 0], pool_strides = [2, 2]
  // CHECK-SAME: strides = [2, 2]
  // CHECK-SAME: -> tensor<1x8x12x12xf32>
  // CHECK-NOT: onnx.MaxPool
  // CHECK: return %[[Y]]
  %w = "onnx.Constant"() {value = dense<0.5> : tensor<8x3x3x3xf32>} : () -> tensor<8x3x3x3xf32>
  %b = "onnx.Constant"() {value = dense<0.1> : tensor<8xf32>} : () -> tensor<8xf32>
  %c = "onnx.Conv"(%x, %w, %b) {strides = [2, 2]} : (tensor<1x3x49x49xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x24x24xf32>
  %r = "onnx.Relu"(%c) : (tensor<1x8x24x24xf32>) -> tensor<1x8x24x24xf32>
  %p, %pi = "onnx.MaxPool"(%r) {kernel_shape = [3, 3], strides = [2, 2], ceil_mode = 1 : i64} : (tensor<1x8x24x24xf32>) -> (tensor<1x8x12x12xf32>, none)
  return %p : tensor<1x8x12x12xf32>
}

// resnet's stem: 7x7 with pads 3, then a pool with pads 1.
// CHECK-LABEL: func @resnet_stem
func.func @resnet_stem(%x: tensor<1x3x64x64xf32>) -> tensor<1x8x16x16xf32> {
  // CHECK: "onnxk.ConvMaxPool"
  // CHECK-SAME: pool_pads = [1, 1, 1, 1]
  // CHECK-NOT: onnx.MaxPool
  %w = "onnx.Constant"() {value = dense<0.5> : tensor<8x3x7x7xf32>} : () -> tensor<8x3x7x7xf32>
  %none = onnx.NoValue
  %c = "onnx.Conv"(%x, %w, %none) {strides = [2, 2], pads = [3, 3, 3, 3]} : (tensor<1x3x64x64xf32>, tensor<8x3x7x7xf32>, none) -> tensor<1x8x32x32xf32>
  %r = "onnx.Relu"(%c) : (tensor<1x8x32x32xf32>) -> tensor<1x8x32x32xf32>
  %p, %pi = "onnx.MaxPool"(%r) {kernel_shape = [3, 3], strides = [2, 2], pads = [1, 1, 1, 1]} : (tensor<1x8x32x32xf32>) -> (tensor<1x8x16x16xf32>, none)
  return %p : tensor<1x8x16x16xf32>
}

// Not fused: an unstrided convolution (its pool is an ordinary MaxPool),
// weights that are an input, a convolution whose output has another user,
// and a pool of stride 1.
// CHECK-LABEL: func @not_fused
func.func @not_fused(%x: tensor<1x3x16x16xf32>, %wi: tensor<4x3x3x3xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x3x3xf32>, tensor<1x4x7x7xf32>, tensor<1x4x4x4xf32>, tensor<1x4x5x5xf32>) {
  // CHECK-NOT: onnxk.ConvMaxPool
  // CHECK-COUNT-4: onnx.MaxPool
  %w = "onnx.Constant"() {value = dense<0.5> : tensor<4x3x3x3xf32>} : () -> tensor<4x3x3x3xf32>
  %none = onnx.NoValue
  %c1 = "onnx.Conv"(%x, %w, %none) {pads = [0, 0, 0, 0]} : (tensor<1x3x16x16xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x14x14xf32>
  %p1, %p1i = "onnx.MaxPool"(%c1) {kernel_shape = [3, 3], strides = [2, 2]} : (tensor<1x4x14x14xf32>) -> (tensor<1x4x6x6xf32>, none)
  %c2 = "onnx.Conv"(%x, %wi, %none) {strides = [2, 2]} : (tensor<1x3x16x16xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x7x7xf32>
  %p2, %p2i = "onnx.MaxPool"(%c2) {kernel_shape = [3, 3], strides = [2, 2]} : (tensor<1x4x7x7xf32>) -> (tensor<1x4x3x3xf32>, none)
  %c3 = "onnx.Conv"(%x, %w, %none) {strides = [2, 2]} : (tensor<1x3x16x16xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x7x7xf32>
  %p3, %p3i = "onnx.MaxPool"(%c3) {kernel_shape = [3, 3], strides = [2, 2], pads = [1, 1, 1, 1]} : (tensor<1x4x7x7xf32>) -> (tensor<1x4x4x4xf32>, none)
  %c4 = "onnx.Conv"(%x, %w, %none) {strides = [2, 2], pads = [0, 0, 0, 0]} : (tensor<1x3x16x16xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x7x7xf32>
  %p4, %p4i = "onnx.MaxPool"(%c4) {kernel_shape = [3, 3], strides = [1, 1]} : (tensor<1x4x7x7xf32>) -> (tensor<1x4x5x5xf32>, none)
  return %p1, %p2, %c3, %p3, %p4 : tensor<1x4x6x6xf32>, tensor<1x4x3x3xf32>, tensor<1x4x7x7xf32>, tensor<1x4x4x4xf32>, tensor<1x4x5x5xf32>
}
