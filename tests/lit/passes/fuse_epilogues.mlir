// RUN: onnxc-opt %s --onnx-fuse-epilogues | FileCheck %s

// ResNet's basic block tail: conv -> add(identity) -> relu is one kernel.
// CHECK-LABEL: func @residual_relu
func.func @residual_relu(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  // CHECK: %[[Y:.*]] = "onnxk.Conv"(%arg0, %arg1, %arg2, %arg0)
  // CHECK-SAME: activation = "Relu"
  // CHECK-SAME: pads = [1, 1, 1, 1]
  // CHECK-NOT: onnx.Add
  // CHECK-NOT: onnx.Relu
  // CHECK: return %[[Y]]
  %c = "onnx.Conv"(%x, %w, %b) {pads = [1, 1, 1, 1]} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %a = "onnx.Add"(%c, %x) : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %r = "onnx.Relu"(%a) : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// MobileNet's ReLU6 is Clip(0, 6) with constant bounds.
// CHECK-LABEL: func @relu6
func.func @relu6(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // CHECK: "onnxk.Conv"
  // CHECK-SAME: act_alpha = 0.000000e+00 : f32, act_beta = 6.000000e+00 : f32, activation = "Clip"
  // CHECK-NOT: onnx.Clip
  %none = onnx.NoValue
  %lo = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %hi = "onnx.Constant"() {value = dense<6.0> : tensor<f32>} : () -> tensor<f32>
  %c = "onnx.Conv"(%x, %w, %none) {group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, none) -> tensor<1x4x6x6xf32>
  %r = "onnx.Clip"(%c, %lo, %hi) : (tensor<1x4x6x6xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// SiLU as x * sigmoid(x).
// CHECK-LABEL: func @silu
func.func @silu(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // CHECK: "onnxk.Gemm"
  // CHECK-SAME: activation = "SiLU"
  // CHECK-NOT: onnx.Sigmoid
  // CHECK-NOT: onnx.Mul
  %none = onnx.NoValue
  %g = "onnx.Gemm"(%a, %b, %none) : (tensor<2x3xf32>, tensor<3x4xf32>, none) -> tensor<2x4xf32>
  %s = "onnx.Sigmoid"(%g) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %m = "onnx.Mul"(%g, %s) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %m : tensor<2x4xf32>
}

// MatMul + bias row becomes a Gemm, then takes the activation.
// CHECK-LABEL: func @matmul_add_relu
func.func @matmul_add_relu(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %bias: tensor<4xf32>) -> tensor<2x4xf32> {
  // CHECK: "onnxk.Gemm"(%arg0, %arg1, %arg2, %{{[0-9]+}})
  // CHECK-SAME: activation = "Relu"
  // CHECK-NOT: onnx.MatMul
  %m = "onnx.MatMul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %y = "onnx.Add"(%m, %bias) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %r = "onnx.Relu"(%y) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// A conv whose output is also used elsewhere keeps its Relu separate.
// CHECK-LABEL: func @shared_output
func.func @shared_output(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  // CHECK: "onnx.Conv"
  // CHECK: "onnx.Relu"
  // CHECK-NOT: onnxk.Conv
  %none = onnx.NoValue
  %c = "onnx.Conv"(%x, %w, %none) : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, none) -> tensor<1x1x4x4xf32>
  %r = "onnx.Relu"(%c) : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %r, %c : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

// Clip bounds computed at run time cannot go into the epilogue.
// CHECK-LABEL: func @dynamic_clip
func.func @dynamic_clip(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>, %hi: tensor<f32>) -> tensor<1x1x4x4xf32> {
  // CHECK: "onnx.Clip"
  %none = onnx.NoValue
  %c = "onnx.Conv"(%x, %w, %none) : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, none) -> tensor<1x1x4x4xf32>
  %r = "onnx.Clip"(%c, %none, %hi) : (tensor<1x1x4x4xf32>, none, tensor<f32>) -> tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}
