//===- OnnxBase.td - the onnx dialect and its shared definitions ---------===//
//
// The `onnx` dialect holds one operation per operator of the ONNX default
// domain. OnnxOps.td (generated) includes this file.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXC_ONNX_BASE_TD
#define ONNXC_ONNX_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let summary = "Operators of the ONNX default domain";
  let description = [{
    One operation per ONNX operator, named like its op type (`onnx.Conv`),
    following the newest schema the ONNX package knows. Older opsets are
    upgraded to that form by the importer. Absent optional operands and
    results are values of type `none` (see `onnx.NoValue`).
  }];
  let cppNamespace = "::onnxc::onnx";
  let hasConstantMaterializer = 1;
  let usePropertiesForAttributes = 1;
}

class Onnx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic, traits>;

// An operand or result that ONNX lets a node leave out.
def Onnx_NoneType : Type<CPred<"::llvm::isa<::mlir::NoneType>($_self)">,
                         "absent value", "::mlir::NoneType">;

// Produces the `none` value used for an absent optional input.
def Onnx_NoValueOp : Onnx_Op<"NoValue", [Pure, ConstantLike]> {
  let summary = "An absent optional input";
  let results = (outs NoneType:$none);
  let assemblyFormat = "attr-dict";
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins), [{ build($_builder, $_state, $_builder.getNoneType()); }]>
  ];
}

// Ends a subgraph region (If branches): its operands are the subgraph's
// outputs.
def Onnx_YieldOp : Onnx_Op<"Yield", [Pure, Terminator, ReturnLike]> {
  let summary = "The outputs of a subgraph";
  let arguments = (ins Variadic<AnyType>:$outputs);
  let assemblyFormat = "attr-dict ($outputs^ `:` type($outputs))?";
}

#endif // ONNXC_ONNX_BASE_TD
