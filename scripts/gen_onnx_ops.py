#!/usr/bin/env python3
"""Generate the ONNX dialect's op definitions from the pip `onnx` schemas.

Writes two checked-in files (run from anywhere; default output is the
repository's dialects/onnx):

  OnnxOps.td        ODS definitions, one op per operator of the ONNX default
                    domain, following the newest schema version.
  OnnxSchemas.inc   C++ X-macro tables (ONNX_OP_SCHEMA, ONNX_OP_INPUT,
                    ONNX_OP_OUTPUT, ONNX_OP_ATTR, ONNX_OP_REGION,
                    ONNX_OP_ATTR_RENAME) describing the same ops, used to build
                    ops generically from protobuf nodes.

Usage:  python3 scripts/gen_onnx_ops.py [--out-dir DIR]

The output depends only on the installed `onnx` package, so re-running with
the same package gives byte-identical files.
"""

import argparse
import os
import re
import struct
import sys

import onnx
from onnx import defs
from onnx.defs import OpSchema

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT_DIR = os.path.join(REPO_ROOT, "dialects", "onnx")

FormalOption = OpSchema.FormalParameterOption
AttrType = OpSchema.AttrType

# ----------------------------------------------------------------------------
# Types
# ----------------------------------------------------------------------------

# ONNX tensor element type -> ODS type constraint. The order of this table is
# the order element types are listed in the generated TensorOf<[...]>.
# Integers are signless (the ONNX signed types), unsigned ONNX types map to
# MLIR's unsigned integers; bool is i1.
ELEMENT_TYPES = [
    ("bool", "I1"),
    ("int2", "I<2>"),
    ("int4", "I<4>"),
    ("int8", "I8"),
    ("int16", "I16"),
    ("int32", "I32"),
    ("int64", "I64"),
    ("uint2", "UI<2>"),
    ("uint4", "UI<4>"),
    ("uint8", "UI8"),
    ("uint16", "UI16"),
    ("uint32", "UI32"),
    ("uint64", "UI64"),
    ("float4e2m1", "F4E2M1FN"),
    ("float6e2m3", "F6E2M3FN"),
    ("float6e3m2", "F6E3M2FN"),
    ("float8e4m3fn", "F8E4M3FN"),
    ("float8e4m3fnuz", "F8E4M3FNUZ"),
    ("float8e5m2", "F8E5M2"),
    ("float8e5m2fnuz", "F8E5M2FNUZ"),
    ("float8e8m0", "F8E8M0FNU"),
    ("bfloat16", "BF16"),
    ("float16", "F16"),
    ("float", "F32"),
    ("double", "F64"),
    ("complex64", "Complex<F32>"),
    ("complex128", "Complex<F64>"),
]
ELEMENT_TYPE_MAP = dict(ELEMENT_TYPES)
ELEMENT_TYPE_ORDER = {ods: i for i, (_, ods) in enumerate(ELEMENT_TYPES)}
# Element types we deliberately refuse (no tensor of them is accepted).
DROPPED_ELEMENT_TYPES = {"string"}

_TENSOR_RE = re.compile(r"^tensor\((\w+)\)$")


def map_type_strs(type_strs, unknown):
    """Maps a set of ONNX type strings to an ODS type constraint."""
    elems = set()
    for ts in type_strs:
        m = _TENSOR_RE.match(ts)
        if not m:
            # seq(...), optional(...), sparse_tensor(...), map(...): not
            # supported yet, but the op must still be definable.
            return "AnyType"
        elem = m.group(1)
        if elem in ELEMENT_TYPE_MAP:
            elems.add(ELEMENT_TYPE_MAP[elem])
        elif elem not in DROPPED_ELEMENT_TYPES:
            unknown.add(elem)
    if not elems:
        return "AnyTensor"
    ordered = sorted(elems, key=lambda e: ELEMENT_TYPE_ORDER[e])
    return "TensorOf<[" + ", ".join(ordered) + "]>"


def param_constraint(schema, param, unknown):
    constraints = {tc.type_param_str: tc for tc in schema.type_constraints}
    if param.type_str in constraints:
        strs = constraints[param.type_str].allowed_type_strs
    else:
        strs = [param.type_str]
    return map_type_strs(strs, unknown)


def wrap_option(constraint, option):
    if option == FormalOption.Optional:
        if constraint == "AnyType":
            return "AnyType"
        return "AnyTypeOf<[" + constraint + ", NoneType]>"
    if option == FormalOption.Variadic:
        return "Variadic<" + constraint + ">"
    return constraint


# ----------------------------------------------------------------------------
# Names
# ----------------------------------------------------------------------------

CXX_KEYWORDS = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor",
    "bool", "break", "case", "catch", "char", "char8_t", "char16_t",
    "char32_t", "class", "compl", "concept", "const", "consteval",
    "constexpr", "constinit", "const_cast", "continue", "co_await",
    "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
    "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false",
    "float", "for", "friend", "goto", "if", "inline", "int", "long",
    "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
    "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "return", "short", "signed", "sizeof",
    "static", "static_assert", "static_cast", "struct", "switch", "template",
    "this", "thread_local", "throw", "true", "try", "typedef", "typeid",
    "typename", "union", "unsigned", "using", "virtual", "void", "volatile",
    "wchar_t", "while", "xor", "xor_eq",
    # Not keywords, but awkward as member names of the generated classes.
    "final", "override", "assert",
}

# Raw names ODS itself uses (segment-size properties, adaptor members...).
RESERVED_RAW = {
    "operands", "results", "attributes", "properties", "regions",
    "operandSegmentSizes", "resultSegmentSizes", "odsAttrs", "odsOperands",
    "odsRegions", "odsOpName", "odsState", "odsBuilder",
}
RESERVED_RAW_LOWER = {n.lower() for n in RESERVED_RAW}

# Accessor names (get<X>) already provided by OpState / op traits / adaptors.
RESERVED_ACCESSORS = {
    "Operation", "Operands", "Operand", "OperandTypes", "Results", "Result",
    "ResultTypes", "Type", "Region", "Regions", "Ops", "Loc", "Context",
    "Name", "Attr", "Attrs", "AttrDictionary", "Attributes", "Properties",
    "PropertiesStorage", "ODSOperands", "ODSResults",
    "ODSOperandIndexAndLength", "ODSResultIndexAndLength", "OperationName",
    "AttributeNames", "NumOperands", "NumResults", "NumRegions",
    "InherentAttr", "DiscardableAttr", "DiscardableAttrs",
    "DiscardableAttrDictionary", "RawDictionaryAttrs",
    "ParentOp", "ParentRegion", "OperandSegmentSizes", "ResultSegmentSizes",
    "AsmResultNames", "Effects", "SpeculatabilityAttr", "Speculatability",
}

_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def camel(name):
    """llvm::convertToCamelFromSnakeCase(name, /*capitalizeFirst=*/true)."""
    if not name:
        return ""
    out = [name[0].upper() if name[0].islower() else name[0]]
    i, e = 1, len(name)
    while i < e:
        c = name[i]
        if c == "_" and i != e - 1 and name[i + 1].islower():
            out.append(name[i + 1].upper())
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def accessors(kind, name):
    c = camel(name)
    if kind == "operand":
        return {"get" + c, "get" + c + "Mutable"}
    if kind == "attr":
        return {"get" + c, "get" + c + "Attr", "set" + c, "set" + c + "Attr",
                "remove" + c + "Attr", "get" + c + "AttrName"}
    return {"get" + c}  # result, region


SUFFIX = {"operand": "_in", "result": "_out", "attr": "_attr",
          "region": "_region"}


def name_is_bad(kind, name):
    if not _IDENT_RE.match(name):
        return True
    if name in CXX_KEYWORDS or name.lower() in RESERVED_RAW_LOWER:
        return True
    if name.startswith("_") or name.startswith("odsG"):
        return True
    c = camel(name)
    if c in RESERVED_ACCESSORS:
        return True
    if kind == "operand" and c.endswith("Mutable"):
        return True
    return False


def sanitize_names(entities):
    """entities: list of [kind, onnx_name]. Returns list of ODS names.

    Attributes keep their ONNX name whenever possible (it is the name of the
    attribute in the IR); operands, results and regions (whose names are not
    visible in the IR) are the ones renamed on a collision.
    """
    names = []
    for kind, onnx_name in entities:
        n = re.sub(r"[^A-Za-z0-9_]", "_", onnx_name)
        if not n or n[0].isdigit():
            n = "v_" + n
        if name_is_bad(kind, n):
            n = n + SUFFIX[kind]
        names.append(n)

    # Resolve clashes of generated accessors / raw names. Rename in priority
    # order: regions, results, operands, then attributes.
    priority = {"region": 0, "result": 1, "operand": 2, "attr": 3}
    for _ in range(10):
        changed = False
        owners = {}
        raw = {}
        for idx, (kind, _) in enumerate(entities):
            for acc in accessors(kind, names[idx]):
                owners.setdefault(acc, []).append(idx)
            raw.setdefault(names[idx], []).append(idx)
        clashing = set()
        for group in list(owners.values()) + list(raw.values()):
            if len(set(group)) > 1:
                ordered = sorted(set(group),
                                 key=lambda i: (priority[entities[i][0]], i))
                # Keep the highest-priority one, rename the rest.
                clashing.update(ordered[:-1])
        for idx in sorted(clashing):
            kind = entities[idx][0]
            names[idx] = names[idx] + SUFFIX[kind]
            changed = True
        if not changed:
            return names
    raise RuntimeError("could not resolve name clashes for %r" % (entities,))


# ----------------------------------------------------------------------------
# Attributes
# ----------------------------------------------------------------------------

ATTR_ODS = {
    AttrType.INT: "I64Attr",
    AttrType.INTS: "I64ArrayAttr",
    AttrType.FLOAT: "F32Attr",
    AttrType.FLOATS: "F32ArrayAttr",
    AttrType.STRING: "StrAttr",
    AttrType.STRINGS: "StrArrayAttr",
    AttrType.TENSOR: "ElementsAttr",
    AttrType.SPARSE_TENSOR: "ElementsAttr",
    AttrType.TYPE_PROTO: "TypeAttr",
    AttrType.TYPE_PROTOS: "TypeArrayAttr",
}
GRAPH_TYPES = {AttrType.GRAPH, AttrType.GRAPHS}


def attr_type_name(t):
    return str(t).split(".")[-1]


def td_string(s):
    """A TableGen string literal."""
    out = []
    for ch in s:
        if ch in "\\\"":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) > 0x7e:
            raise ValueError("cannot encode %r in a TableGen string" % s)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def cxx_string(s):
    out = []
    for ch in s:
        if ch in "\\\"":
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) > 0x7e:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def float32_literal(v):
    """Shortest decimal that round-trips to the same float32, as C++."""
    f32 = struct.unpack("<f", struct.pack("<f", v))[0]
    if f32 != f32 or f32 in (float("inf"), float("-inf")):
        raise ValueError("non-finite float default %r" % v)
    text = None
    for prec in range(1, 10):
        cand = "%.*g" % (prec, f32)
        if struct.unpack("<f", struct.pack("<f", float(cand)))[0] == f32:
            text = cand
            break
    assert text is not None
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "f"


def int64_literal(v):
    if v == -(1 << 63):
        return "std::numeric_limits<int64_t>::min()"
    return str(v)


def default_expr(attr):
    """The DefaultValuedAttr default string, or None if no default."""
    dv = attr.default_value
    if not dv.ListFields():
        return None
    val = onnx.helper.get_attribute_value(dv)
    t = attr.type
    if t == AttrType.INT:
        return int64_literal(int(val))
    if t == AttrType.FLOAT:
        # F32Attr's return type is APFloat; an APFloat expression works both
        # as builder argument and as default argument of generated builders.
        return "::llvm::APFloat(" + float32_literal(float(val)) + ")"
    if t == AttrType.STRING:
        return val.decode("utf-8") if isinstance(val, bytes) else str(val)
    if t == AttrType.INTS:
        return "{" + ", ".join(int64_literal(int(x)) for x in val) + "}"
    if t == AttrType.FLOATS:
        return "{" + ", ".join(float32_literal(float(x)) for x in val) + "}"
    if t == AttrType.STRINGS:
        items = [x.decode("utf-8") if isinstance(x, bytes) else str(x)
                 for x in val]
        return "{" + ", ".join(cxx_string(x) for x in items) + "}"
    return None  # tensors/types: no usable default; fall back to optional


def attr_constraint(attr):
    base = ATTR_ODS[attr.type]
    if attr.required:
        return base
    d = default_expr(attr)
    if d is None:
        return "OptionalAttr<" + base + ">"
    if attr.type == AttrType.STRING:
        return "DefaultValuedStrAttr<StrAttr, " + td_string(d) + ">"
    return "DefaultValuedAttr<" + base + ", " + td_string(d) + ">"


# ----------------------------------------------------------------------------
# Schemas
# ----------------------------------------------------------------------------

NON_DETERMINISTIC = {"Bernoulli", "Multinomial"}

# Preferred region order (then before else); other graph attributes follow
# alphabetically.
REGION_ORDER = {"then_branch": 0, "else_branch": 1}


def collect_schemas():
    opset = defs.onnx_opset_version()
    history = {}
    for s in defs.get_all_schemas_with_history():
        if s.domain not in ("", "ai.onnx"):
            continue
        history.setdefault(s.name, []).append(s)
    ops = []
    skipped = []
    for name in sorted(history):
        versions = [s for s in history[name] if s.since_version <= opset]
        if not versions:
            skipped.append((name, "no schema at or below opset %d" % opset))
            continue
        newest = max(versions, key=lambda s: s.since_version)
        if newest.deprecated:
            skipped.append((name, "deprecated since opset %d"
                            % newest.since_version))
            continue
        since = sorted({s.since_version for s in history[name]})
        ops.append((name, newest, since))
    return opset, ops, skipped


def is_pure(op_type, schema):
    if op_type.startswith("Random") or op_type in NON_DETERMINISTIC:
        return False
    if any(a.type in GRAPH_TYPES for a in schema.attributes.values()):
        return False
    return True


def sanitize_doc(doc):
    doc = (doc or "").replace("\r\n", "\n").replace("\r", "\n")
    doc = doc.replace("\t", "    ")
    while "}]" in doc:
        doc = doc.replace("}]", "} ]")
    lines = [l.rstrip() for l in doc.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    # Dedent common leading whitespace.
    indents = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    lines = [l[cut:] for l in lines]
    return lines


class OpInfo:
    def __init__(self, op_type, schema, since, unknown):
        self.op_type = op_type
        self.schema = schema
        self.since = since
        self.inputs = list(schema.inputs)
        self.outputs = list(schema.outputs)
        attrs = [schema.attributes[k] for k in sorted(schema.attributes)]
        self.attrs = [a for a in attrs if a.type not in GRAPH_TYPES]
        self.regions = sorted(
            [a for a in attrs if a.type in GRAPH_TYPES],
            key=lambda a: (REGION_ORDER.get(a.name, 2), a.name))

        entities = ([["operand", p.name] for p in self.inputs] +
                    [["result", p.name] for p in self.outputs] +
                    [["attr", a.name] for a in self.attrs] +
                    [["region", a.name] for a in self.regions])
        names = sanitize_names(entities)
        ni, no, na = len(self.inputs), len(self.outputs), len(self.attrs)
        self.input_names = names[:ni]
        self.output_names = names[ni:ni + no]
        self.attr_names = names[ni + no:ni + no + na]
        self.region_names = names[ni + no + na:]

        self.input_types = [wrap_option(param_constraint(schema, p, unknown),
                                        p.option) for p in self.inputs]
        self.output_types = [wrap_option(param_constraint(schema, p, unknown),
                                         p.option) for p in self.outputs]
        nvi = sum(p.option == FormalOption.Variadic for p in self.inputs)
        nvo = sum(p.option == FormalOption.Variadic for p in self.outputs)
        self.traits = ["Pure"] if is_pure(op_type, schema) else []
        # ONNX only has a (trailing) variadic parameter; keep ODS happy if
        # that ever changes.
        if nvi > 1:
            self.traits.append("AttrSizedOperandSegments")
        if nvo > 1:
            self.traits.append("AttrSizedResultSegments")

    def renames(self):
        out = []
        for kind, params, names in (("input", self.inputs, self.input_names),
                                    ("output", self.outputs,
                                     self.output_names),
                                    ("attribute", self.attrs,
                                     self.attr_names),
                                    ("region", self.regions,
                                     self.region_names)):
            for p, n in zip(params, names):
                if p.name != n:
                    out.append((kind, p.name, n))
        return out


# Ops with an MLIR folder (dialects/onnx/OnnxFolders.cpp): the shape
# arithmetic exporters emit and ops that can be their own input.
FOLDABLE_OPS = {
    "Abs", "Add", "Cast", "Concat", "ConstantOfShape", "Div", "Equal",
    "Expand", "Flatten", "Gather", "Greater", "Identity", "Less", "Max", "Min",
    "Mul", "Neg", "Not", "Range", "Reshape", "Shape", "Size", "Slice",
    "Squeeze", "Sub", "Transpose", "Unsqueeze", "Where",
}


def emit_td(opset, ops, skipped):
    L = []
    L.append("//===- OnnxOps.td - ONNX default-domain operators "
             "-----------*- tablegen -*-===//")
    L.append("//")
    L.append("// GENERATED by scripts/gen_onnx_ops.py from onnx %s "
             "(opset %d). DO NOT EDIT." % (onnx.__version__, opset))
    L.append("// Re-run `python3 scripts/gen_onnx_ops.py` instead.")
    L.append("//")
    L.append("// One op per operator of the ONNX default domain, following "
             "the newest")
    L.append("// schema version. Absent optional inputs/outputs are values of "
             "type `none`.")
    if skipped:
        L.append("//")
        L.append("// Operator types not defined here:")
        for name, why in skipped:
            L.append("//   %s: %s" % (name, why))
    L.append("//")
    L.append("//===----------------------------------------------------------"
             "------------===//")
    L.append("")
    L.append("#ifndef ONNXC_ONNX_OPS_TD")
    L.append("#define ONNXC_ONNX_OPS_TD")
    L.append("")
    L.append('include "dialects/onnx/OnnxBase.td"')
    L.append("")
    for op in ops:
        s = op.schema
        L.append("//===----------------------------------------------------"
                 "------------------===//")
        L.append("// %s" % op.op_type)
        L.append("//===----------------------------------------------------"
                 "------------------===//")
        L.append("")
        for kind, onnx_name, ods_name in op.renames():
            L.append("// Renamed %s: ONNX `%s` is `%s` here%s." % (
                kind, onnx_name, ods_name,
                " (also in the IR)" if kind == "attribute" else ""))
        L.append('def Onnx_%sOp : Onnx_Op<"%s", [%s]> {' % (
            op.op_type, op.op_type, ", ".join(op.traits)))
        L.append('  let summary = "ONNX %s (opset %d)";'
                 % (op.op_type, s.since_version))
        doc = sanitize_doc(s.doc)
        L.append("  let description = [{")
        for line in doc:
            L.append(("    " + line) if line else "")
        L.append("  }];")
        args = []
        for t, n in zip(op.input_types, op.input_names):
            args.append("%s:$%s" % (t, n))
        for a, n in zip(op.attrs, op.attr_names):
            args.append("%s:$%s" % (attr_constraint(a), n))
        if args:
            L.append("  let arguments = (ins")
            L.append(",\n".join("    " + a for a in args))
            L.append("  );")
        else:
            L.append("  let arguments = (ins);")
        res = ["%s:$%s" % (t, n)
               for t, n in zip(op.output_types, op.output_names)]
        if res:
            L.append("  let results = (outs")
            L.append(",\n".join("    " + r for r in res))
            L.append("  );")
        else:
            L.append("  let results = (outs);")
        if op.regions:
            regs = []
            for a, n in zip(op.regions, op.region_names):
                kind = ("VariadicRegion<AnyRegion>" if a.type == AttrType.GRAPHS
                        else "AnyRegion")
                regs.append("%s:$%s" % (kind, n))
            L.append("  let regions = (region %s);" % ", ".join(regs))
        if op.op_type in FOLDABLE_OPS:
            L.append("  let hasFolder = 1;")
        L.append("}")
        L.append("")
    L.append("#endif // ONNXC_ONNX_OPS_TD")
    return "\n".join(L) + "\n"


def b(v):
    return "true" if v else "false"


def emit_inc(opset, ops):
    L = []
    L.append("//===- OnnxSchemas.inc - ONNX operator schema tables "
             "------------*- C++ -*-===//")
    L.append("//")
    L.append("// GENERATED by scripts/gen_onnx_ops.py from onnx %s "
             "(opset %d). DO NOT EDIT." % (onnx.__version__, opset))
    L.append("//")
    L.append("// X-macro tables, one entry per op of OnnxOps.td, in the same "
             "order. Define")
    L.append("// the macros you need before including this file; each table "
             "is skipped")
    L.append("// when its macro is undefined and #undef's it at the end.")
    L.append("//")
    L.append("//   ONNX_OP_SCHEMA(opType, numInputs, numOutputs, "
             "variadicInputs,")
    L.append("//                  variadicOutputs, numRegions, sinceVersions, "
             "requiredInputs)")
    L.append("//     numInputs/numOutputs count formal parameters (a variadic "
             "one counts")
    L.append("//     as 1); sinceVersions lists every since_version of the op "
             "type in the")
    L.append("//     default domain; requiredInputs the names of the "
             "non-optional,")
    L.append("//     non-variadic inputs.")
    L.append("//   ONNX_OP_INPUT(opType, index, name, optional, variadic)")
    L.append("//   ONNX_OP_OUTPUT(opType, index, name, optional, variadic)")
    L.append("//   ONNX_OP_ATTR(opType, attrName, attrType, required)")
    L.append("//     Every attribute of the newest schema, by ONNX name, "
             "graph attributes")
    L.append("//     (GRAPH/GRAPHS) included; those become regions, see "
             "ONNX_OP_REGION.")
    L.append("//   ONNX_OP_REGION(opType, index, attrName, variadic)")
    L.append("//     Region `index` of the op holds the graph attribute "
             "`attrName`.")
    L.append("//   ONNX_OP_ATTR_RENAME(opType, onnxName, irName)")
    L.append("//     Attributes whose name in the IR differs from the ONNX "
             "name.")
    L.append("//")
    L.append("//===----------------------------------------------------------"
             "------------===//")
    L.append("")

    L.append("#ifdef ONNX_OP_SCHEMA")
    for op in ops:
        req = [p.name for p in op.inputs if p.option == FormalOption.Single]
        L.append(
            'ONNX_OP_SCHEMA("%s", /*numInputs=*/%d, /*numOutputs=*/%d, '
            "/*variadicInputs=*/%s, /*variadicOutputs=*/%s, "
            '/*numRegions=*/%d, /*sinceVersions=*/"%s", '
            '/*requiredInputs=*/"%s")' % (
                op.op_type, len(op.inputs), len(op.outputs),
                b(any(p.option == FormalOption.Variadic for p in op.inputs)),
                b(any(p.option == FormalOption.Variadic for p in op.outputs)),
                len(op.regions), ",".join(str(v) for v in op.since),
                ",".join(req)))
    L.append("#undef ONNX_OP_SCHEMA")
    L.append("#endif // ONNX_OP_SCHEMA")
    L.append("")

    for macro, attr in (("ONNX_OP_INPUT", "inputs"),
                        ("ONNX_OP_OUTPUT", "outputs")):
        L.append("#ifdef " + macro)
        for op in ops:
            for i, p in enumerate(getattr(op, attr)):
                L.append('%s("%s", %d, "%s", %s, %s)' % (
                    macro, op.op_type, i, p.name,
                    b(p.option == FormalOption.Optional),
                    b(p.option == FormalOption.Variadic)))
        L.append("#undef " + macro)
        L.append("#endif // " + macro)
        L.append("")

    L.append("#ifdef ONNX_OP_ATTR")
    for op in ops:
        for a in sorted(op.schema.attributes.values(), key=lambda a: a.name):
            L.append('ONNX_OP_ATTR("%s", "%s", "%s", %s)' % (
                op.op_type, a.name, attr_type_name(a.type), b(a.required)))
    L.append("#undef ONNX_OP_ATTR")
    L.append("#endif // ONNX_OP_ATTR")
    L.append("")

    L.append("#ifdef ONNX_OP_REGION")
    for op in ops:
        for i, a in enumerate(op.regions):
            L.append('ONNX_OP_REGION("%s", %d, "%s", %s)' % (
                op.op_type, i, a.name, b(a.type == AttrType.GRAPHS)))
    L.append("#undef ONNX_OP_REGION")
    L.append("#endif // ONNX_OP_REGION")
    L.append("")

    L.append("#ifdef ONNX_OP_ATTR_RENAME")
    for op in ops:
        for a, n in zip(op.attrs, op.attr_names):
            if a.name != n:
                L.append('ONNX_OP_ATTR_RENAME("%s", "%s", "%s")'
                         % (op.op_type, a.name, n))
    L.append("#undef ONNX_OP_ATTR_RENAME")
    L.append("#endif // ONNX_OP_ATTR_RENAME")
    return "\n".join(L) + "\n"


def write_if_changed(path, text):
    try:
        with open(path, "r", encoding="utf-8") as f:
            if f.read() == text:
                return False
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=DEFAULT_OUT_DIR,
                    help="output directory (default: %(default)s)")
    args = ap.parse_args(argv)

    opset, schemas, skipped = collect_schemas()
    unknown = set()
    ops = [OpInfo(name, s, since, unknown) for name, s, since in schemas]
    if unknown:
        print("warning: unmapped tensor element types dropped: %s"
              % ", ".join(sorted(unknown)), file=sys.stderr)

    os.makedirs(args.out_dir, exist_ok=True)
    td_path = os.path.join(args.out_dir, "OnnxOps.td")
    inc_path = os.path.join(args.out_dir, "OnnxSchemas.inc")
    write_if_changed(td_path, emit_td(opset, ops, skipped))
    write_if_changed(inc_path, emit_inc(opset, ops))
    for name, why in skipped:
        print("skipped %s: %s" % (name, why))
    print("wrote %d ops (onnx %s, opset %d) to %s and %s" % (
        len(ops), onnx.__version__, opset, td_path, inc_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
