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

#endif
