//===- OnnxSchemas.cpp - lookup over the generated schema table ----------===//
#include "dialects/onnx/OnnxSchemas.h"

#include "llvm/ADT/StringMap.h"
#include <algorithm>

using namespace onnxc;

static std::vector<int> parseVersions(llvm::StringRef text) {
  std::vector<int> versions;
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, ',', -1, false);
  for (llvm::StringRef part : parts) {
    int v = 0;
    if (!part.trim().getAsInteger(10, v))
      versions.push_back(v);
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

static std::vector<llvm::StringRef> parseNames(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, ',', -1, false);
  return std::vector<llvm::StringRef>(parts.begin(), parts.end());
}

static const llvm::StringMap<OpSchemaInfo> &schemaTable() {
  static const llvm::StringMap<OpSchemaInfo> table = [] {
    llvm::StringMap<OpSchemaInfo> t;
#define ONNX_OP_SCHEMA(NAME, NIN, NOUT, VIN, VOUT, NREG, VERSIONS, REQUIRED)   \
  t[NAME] = OpSchemaInfo{NAME, NIN, NOUT, VIN, VOUT, NREG,                     \
                         parseVersions(VERSIONS), parseNames(REQUIRED)};
#include "dialects/onnx/OnnxSchemas.inc"
    return t;
  }();
  return table;
}

int OpSchemaInfo::versionAt(int opset) const {
  int found = 0;
  for (int v : sinceVersions)
    if (v <= opset)
      found = v;
  return found;
}

const OpSchemaInfo *onnxc::lookupOpSchema(llvm::StringRef opType) {
  auto it = schemaTable().find(opType);
  return it == schemaTable().end() ? nullptr : &it->second;
}

int onnxc::maxKnownOpset() {
  static const int maxOpset = [] {
    int m = 0;
    for (const auto &entry : schemaTable())
      if (!entry.second.sinceVersions.empty())
        m = std::max(m, entry.second.sinceVersions.back());
    return m;
  }();
  return maxOpset;
}
