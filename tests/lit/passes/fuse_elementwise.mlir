// RUN: onnxc-opt %s --onnx-fuse-elementwise | FileCheck %s

// (x - m) * s + b with broadcasting, then an exp: one loop.
// CHECK-LABEL: func @chain
func.func @chain(%x: tensor<2x8xf32>, %m: tensor<2x1xf32>, %s: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  // CHECK: %[[Y:.*]] = "onnxk.Elementwise"(%arg0, %arg1, %arg2, %arg3) ({
  // CHECK: ^bb0(%[[X:.*]]: f32, %[[M:.*]]: f32, %[[S:.*]]: f32, %[[B:.*]]: f32):
  // CHECK:   %[[D:.*]] = arith.subf %[[X]], %[[M]] : f32
  // CHECK:   %[[P:.*]] = arith.mulf %[[D]], %[[S]] : f32
  // CHECK:   %[[Q:.*]] = arith.addf %[[P]], %[[B]] : f32
  // CHECK:   %[[E:.*]] = math.exp %[[Q]] : f32
  // CHECK:   onnxk.yield %[[E]] : f32
  // CHECK: }) : (tensor<2x8xf32>, tensor<2x1xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  // CHECK-NOT: onnx.Sub
  // CHECK: return %[[Y]]
  %0 = "onnx.Sub"(%x, %m) : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %1 = "onnx.Mul"(%0, %s) : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %2 = "onnx.Add"(%1, %b) : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %3 = "onnx.Exp"(%2) : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %3 : tensor<2x8xf32>
}

// An intermediate another op reads must reach memory: it ends a group.
// CHECK-LABEL: func @shared_intermediate
func.func @shared_intermediate(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[A:.*]] = "onnx.Add"(%arg0, %arg1)
  // CHECK: "onnxk.Elementwise"(%[[A]])
  // CHECK: return %[[A]]
  %a = "onnx.Add"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %e = "onnx.Exp"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %r = "onnx.Relu"(%e) : (tensor<4xf32>) -> tensor<4xf32>
  return %a, %r : tensor<4xf32>, tensor<4xf32>
}

// Integer arithmetic is not fused.
// CHECK-LABEL: func @integers
func.func @integers(%x: tensor<4xi64>, %y: tensor<4xi64>) -> tensor<4xi64> {
  // CHECK: onnx.Add
  // CHECK: onnx.Mul
  // CHECK-NOT: onnxk.Elementwise
  %a = "onnx.Add"(%x, %y) : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %m = "onnx.Mul"(%a, %y) : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %m : tensor<4xi64>
}
