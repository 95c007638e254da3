//===- Check.h - `onnxc check`: compile, run and compare test cases ------===//
#ifndef ONNXC_COMPILER_CHECK_H
#define ONNXC_COMPILER_CHECK_H

#include "compiler/CompileModel.h"

namespace onnxc {

/// Runs every case under `dirs` (ONNX backend-test layout); prints PASS /
/// FAIL / SKIP lines and `N passed, N failed, N skipped`. Returns the exit
/// code: 1 if any case failed.
int runCheck(const std::vector<std::string> &dirs, const CompileOptions &base,
             int jobs);

} // namespace onnxc

#endif
