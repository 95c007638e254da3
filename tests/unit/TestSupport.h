// Helpers shared by the unit tests.
#ifndef ONNXC_TESTS_UNIT_TESTSUPPORT_H
#define ONNXC_TESTS_UNIT_TESTSUPPORT_H

#include "compiler/Pipeline.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/FileSystem.h"
#include <fstream>
#include <string>

namespace onnxc::test {

/// A scratch folder removed with the object.
struct TempDir {
  std::string path;
  TempDir() {
    llvm::SmallString<128> p;
    llvm::sys::fs::createUniqueDirectory("onnxc-unit", p);
    path = std::string(p);
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  std::string file(const std::string &name) const { return path + "/" + name; }
};

inline void writeModel(const ::onnx::ModelProto &model, const std::string &path) {
  std::ofstream f(path, std::ios::binary);
  model.SerializeToOstream(&f);
}

/// y = Relu(x) over float[2,3], opset 13.
inline ::onnx::ModelProto reluModel() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  auto *opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto *g = m.mutable_graph();
  g->set_name("relu");
  auto *node = g->add_node();
  node->set_op_type("Relu");
  node->set_name("relu0");
  node->add_input("x");
  node->add_output("y");
  for (auto [list, name] : {std::pair{g->mutable_input(), "x"},
                            std::pair{g->mutable_output(), "y"}}) {
    auto *vi = list->Add();
    vi->set_name(name);
    auto *tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(::onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(2);
    tt->mutable_shape()->add_dim()->set_dim_value(3);
  }
  return m;
}

} // namespace onnxc::test

#endif
