//===- Passes.td - onnxc's passes over the onnx dialect ------------------===//
#ifndef ONNXC_COMPILER_PASSES_TD
#define ONNXC_COMPILER_PASSES_TD

include "mlir/Pass/PassBase.td"

def BindInputShapes : Pass<"onnx-bind-input-shapes", "mlir::ModuleOp"> {
  let summary = "Binds the dynamic dims of the graph inputs to static sizes";
  let description = [{
    Each binding `name=1x3x224x224` fixes the shape of one graph input. A
    symbolic dim left unbound defaults to 1, with one warning naming it.
  }];
  let options = [
    ListOption<"bindings", "shapes", "std::string",
               "input shapes as name=DxDx...">,
  ];
}

def ShapeInference : Pass<"onnx-shape-inference", "mlir::ModuleOp"> {
  let summary = "Infers every result type through the per-op interface";
  let description = [{
    Walks the graph in order, asking each op's ShapeInferenceOpInterface for
    its result types, and evaluates the small integer computations that feed
    shape operands (Shape, Gather, Concat, Unsqueeze, Cast, arithmetic) so
    that data-dependent shapes become static. Fails on an op with no shape
    rule and on a contradiction with a shape the model declared.
  }];
  let options = [
    Option<"requireStatic", "require-static", "bool", "false",
           "fail unless every result shape ends up static">,
  ];
}

def Simplify : Pass<"onnx-simplify", "mlir::func::FuncOp"> {
  let summary = "Removes ops that do nothing and merges chains of views";
  let description = [{
    Identity and inference-mode Dropout disappear; Reshape/Flatten chains
    collapse to one Reshape; a Transpose of a Transpose becomes one (or none);
    a Cast to the type a value already has disappears.
  }];
}

def FoldConstants : Pass<"onnx-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluates ops whose operands are all constants";
  let description = [{
    Elementwise arithmetic, casts, views, Transpose, Concat, Gather, Slice,
    Expand, Where and the shape ops are evaluated at compile time when every
    operand is a constant and the result is no larger than max-fold-bytes,
    so weights are not blown up.
  }];
  let options = [
    Option<"maxFoldBytes", "max-fold-bytes", "int64_t", "1 << 20",
           "largest result, in bytes, folded into a constant">,
  ];
}

def FuseBatchNorm : Pass<"onnx-fuse-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Folds BatchNormalization into the Conv or Gemm before it";
  let description = [{
    An inference BatchNormalization whose input is the only use of a Conv or
    Gemm with constant weights is folded into those weights and bias.
  }];
}

def RecognizePatterns : Pass<"onnx-recognize-patterns", "mlir::func::FuncOp"> {
  let summary = "Replaces decomposed LayerNorm, GELU and Softmax by one op each";
  let description = [{
    Exporters write LayerNormalization as ReduceMean/Sub/Pow/ReduceMean/Add/
    Sqrt/Div[/Mul/Add], GELU as x*0.5*(1+erf(x/sqrt(2))) (or its tanh form)
    and Softmax as exp(x-max)/sum; each becomes onnx.LayerNormalization,
    onnx.Gelu or onnx.Softmax, which have kernels of their own.
  }];
}

def FuseEpilogues : Pass<"onnx-fuse-epilogues", "mlir::func::FuncOp"> {
  let summary = "Fuses bias, residual Add and activation into Conv and Gemm";
  let description = [{
    A Conv or Gemm whose only user is an activation (Relu, Clip with constant
    bounds, LeakyRelu, Sigmoid, HardSwish, Tanh, or SiLU as x*sigmoid(x)) or
    a same-shaped Add becomes an onnxk.Conv / onnxk.Gemm that applies them in
    the kernel's epilogue. MatMul + Add of a bias row becomes a Gemm first.
  }];
  let dependentDialects = ["::onnxc::onnxk::OnnxkDialect"];
}

def FuseConvMaxPool : Pass<"onnx-fuse-conv-max-pool", "mlir::func::FuncOp"> {
  let summary = "Fuses a first layer's strided convolution with the max pool after it";
  let description = [{
    A float 2-D Conv (or onnxk.Conv without a residual) of one group,
    constant weights, column stride 2 or more and at most 160 input
    channels x taps of more than one tap (the convolutions conv.h reads
    from phase-split images), whose only user is a 2-D MaxPool of column
    stride 2, unit dilations and small leading pads, becomes one
    onnxk.ConvMaxPool: the kernel pools the convolution's rows a band at a
    time while they are in cache (squeezenet's and resnet's first layers).
  }];
  let dependentDialects = ["::onnxc::onnxk::OnnxkDialect"];
}

def FuseElementwise : Pass<"onnx-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuses chains of elementwise ops into one loop nest";
  let description = [{
    A connected group of float elementwise ops (arithmetic, activations,
    exp/log/sqrt/erf, with numpy broadcasting) whose intermediate results
    have no other users becomes one onnxk.Elementwise, whose region computes
    an output element from the input elements with arith and math ops.
  }];
  let dependentDialects = ["::onnxc::onnxk::OnnxkDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def PretransposeWeights : Pass<"onnx-pretranspose-weights", "mlir::func::FuncOp"> {
  let summary = "Stores constant Gemm weights the way the kernel reads them";
  let description = [{
    A Gemm (or onnxk.Gemm) with transB = 1 and a constant B gets B
    transposed once at compile time and transB = 0, so the kernel streams
    rows of B instead of taking strided dot products.
  }];
}

#endif
