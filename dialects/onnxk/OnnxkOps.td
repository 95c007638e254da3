//===- OnnxkOps.td - onnxc's kernel-level ops -----------------*- tablegen -*-===//
//
// Ops that ONNX has no name for but the kernels do: an operator fused with
// the bias, residual addition and activation that follow it, applied in the
// kernel's epilogue before the store.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXC_ONNXK_OPS_TD
#define ONNXC_ONNXK_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/RegionKindInterface.td"

def Onnxk_Dialect : Dialect {
  let name = "onnxk";
  let summary = "onnxc's kernel-level operations (fused ONNX patterns)";
  let cppNamespace = "::onnxc::onnxk";
}

class Onnxk_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnxk_Dialect, mnemonic, traits>;

def Onnxk_FloatTensor : TensorOf<[F16, BF16, F32, F64]>;
def Onnxk_OptFloatTensor : AnyTypeOf<[Onnxk_FloatTensor, NoneType]>;

// `activation` names what the epilogue applies, with its parameters in
// act_alpha / act_beta (LeakyRelu alpha; Clip min and max).

def Onnxk_ConvOp : Onnxk_Op<"Conv", [Pure]> {
  let summary = "Conv + bias + residual Add + activation";
  let description = [{
    `Y = activation(Conv(X, W) + B + Residual)`, with onnx.Conv's attributes.
    `activation` is one of "none", "Relu", "Clip", "LeakyRelu", "Sigmoid",
    "SiLU", "HardSwish", "Tanh", "Gelu", "GeluTanh".
  }];
  let arguments = (ins
    Onnxk_FloatTensor:$X,
    Onnxk_FloatTensor:$W,
    Onnxk_OptFloatTensor:$B,
    Onnxk_OptFloatTensor:$Residual,
    DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
    OptionalAttr<I64ArrayAttr>:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$group,
    OptionalAttr<I64ArrayAttr>:$kernel_shape,
    OptionalAttr<I64ArrayAttr>:$pads,
    OptionalAttr<I64ArrayAttr>:$strides,
    DefaultValuedStrAttr<StrAttr, "none">:$activation,
    DefaultValuedAttr<F32Attr, "0.0f">:$act_alpha,
    DefaultValuedAttr<F32Attr, "0.0f">:$act_beta
  );
  let results = (outs Onnxk_FloatTensor:$Y);
}

def Onnxk_ConvMaxPoolOp : Onnxk_Op<"ConvMaxPool", [Pure]> {
  let summary = "Conv + bias + activation, then a stride-2 MaxPool";
  let description = [{
    `Y = MaxPool(activation(Conv(X, W) + B))`: a network's first
    convolution (strided, few input channels, constant weights) and the max
    pool after it, computed a band of rows at a time so the convolution's
    output never reaches memory. The convolution's attributes are
    onnx.Conv's (explicit pads); `conv_shape` is its output's shape, the
    MaxPool's input. The pool's attributes carry a `pool_` prefix: its
    kernel, strides and pads (ceil mode is in Y's shape).
  }];
  let arguments = (ins
    Onnxk_FloatTensor:$X,
    Onnxk_FloatTensor:$W,
    Onnxk_OptFloatTensor:$B,
    OptionalAttr<I64ArrayAttr>:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$group,
    OptionalAttr<I64ArrayAttr>:$kernel_shape,
    OptionalAttr<I64ArrayAttr>:$pads,
    OptionalAttr<I64ArrayAttr>:$strides,
    DefaultValuedStrAttr<StrAttr, "none">:$activation,
    DefaultValuedAttr<F32Attr, "0.0f">:$act_alpha,
    DefaultValuedAttr<F32Attr, "0.0f">:$act_beta,
    I64ArrayAttr:$conv_shape,
    I64ArrayAttr:$pool_kernel_shape,
    I64ArrayAttr:$pool_strides,
    I64ArrayAttr:$pool_pads
  );
  let results = (outs Onnxk_FloatTensor:$Y);
}

def Onnxk_GemmOp : Onnxk_Op<"Gemm", [Pure]> {
  let summary = "Gemm + residual Add + activation";
  let description = [{
    `Y = activation(alpha * A' B' + beta * C + Residual)`, with onnx.Gemm's
    attributes.
  }];
  let arguments = (ins
    Onnxk_FloatTensor:$A,
    Onnxk_FloatTensor:$B,
    Onnxk_OptFloatTensor:$C,
    Onnxk_OptFloatTensor:$Residual,
    DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
    DefaultValuedAttr<F32Attr, "1.0f">:$beta,
    DefaultValuedAttr<I64Attr, "0">:$transA,
    DefaultValuedAttr<I64Attr, "0">:$transB,
    DefaultValuedStrAttr<StrAttr, "none">:$activation,
    DefaultValuedAttr<F32Attr, "0.0f">:$act_alpha,
    DefaultValuedAttr<F32Attr, "0.0f">:$act_beta
  );
  let results = (outs Onnxk_FloatTensor:$Y);
}

def Onnxk_ElementwiseOp : Onnxk_Op<"Elementwise", [Pure,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "A chain of elementwise ops computed in one loop nest";
  let description = [{
    Each output element is the region applied to the matching (numpy-
    broadcast) elements of the inputs: the block takes one scalar per input
    and yields the result, computed with `arith` and `math` ops. Produced by
    fusing chains of ONNX elementwise ops, so intermediates never reach
    memory.
  }];
  let arguments = (ins Variadic<AnyTensor>:$inputs);
  let results = (outs AnyTensor:$Y);
  let regions = (region SizedRegion<1>:$body);
}

def Onnxk_YieldOp : Onnxk_Op<"yield", [Pure, Terminator,
    HasParent<"ElementwiseOp">]> {
  let summary = "The element an onnxk.Elementwise region computes";
  let arguments = (ins AnyType:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

#endif // ONNXC_ONNXK_OPS_TD
