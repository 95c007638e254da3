//===- ShapeInferenceInterface.td - per-op shape and type inference ------===//

#ifndef ONNXC_SHAPE_INFERENCE_INTERFACE_TD
#define ONNXC_SHAPE_INFERENCE_INTERFACE_TD

include "mlir/IR/OpBase.td"

def ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::onnxc";
  let description = [{
    Computes the result types of an op from its operand types (and the values
    of constant operands where the ONNX semantics need them, as for Reshape's
    shape). Implemented per op family as external models, so that ops whose
    inference is not written yet are simply not supported.
  }];
  let methods = [
    InterfaceMethod<
      "Refines the result types in place; emits an error and fails when the "
      "operands contradict the op's rules.",
      "::llvm::LogicalResult", "inferShapes", (ins)>,
  ];
}

#endif // ONNXC_SHAPE_INFERENCE_INTERFACE_TD
