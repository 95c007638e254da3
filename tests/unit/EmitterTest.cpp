// The C++ emitter: identifiers, header contents, and a generated library
// that compiles freestanding-style and computes the right numbers.
#include "codegen/cpp/CppEmitter.h"
#include "codegen/cpp/LowerToEmitC.h"
#include "compiler/CompileModel.h"
#include "tests/unit/TestSupport.h"

#include <gtest/gtest.h>

using namespace onnxc;

namespace {

TEST(EmitterTest, SanitizesOnnxNamesIntoReadableIdentifiers) {
  EXPECT_EQ(sanitizeIdentifier("/conv1/Conv"), "conv1_Conv");
  EXPECT_EQ(sanitizeIdentifier("layer.0.weight"), "layer_0_weight");
  EXPECT_EQ(sanitizeIdentifier("123"), "t_123");
  EXPECT_EQ(sanitizeIdentifier(""), "t_");
}

TEST(EmitterTest, HeaderDocumentsIoArenaAndWeights) {
  test::TempDir dir;
  test::writeModel(test::reluModel(), dir.file("relu.onnx"));
  CompileOptions o;
  o.input = dir.file("relu.onnx");
  std::string error;
  ASSERT_TRUE(compileToSources(o, dir.file("out"), "tiny", error)) << error;
  std::ifstream h(dir.file("out/tiny.h"));
  std::string header((std::istreambuf_iterator<char>(h)), {});
  EXPECT_NE(header.find("0: \"x\"  float [2x3]"), std::string::npos) << header;
  EXPECT_NE(header.find("#define TINY_ARENA_BYTES 0"), std::string::npos);
  EXPECT_NE(header.find("#define TINY_WEIGHTS_BYTES 0"), std::string::npos);
  EXPECT_NE(header.find("int tiny_run(const float *x, float *y, void *arena);"),
            std::string::npos)
      << header;
}

TEST(EmitterTest, GeneratedLibraryRunsWithoutHeapOrExceptions) {
  test::TempDir dir;
  test::writeModel(test::reluModel(), dir.file("relu.onnx"));
  CompileOptions o;
  o.input = dir.file("relu.onnx");
  std::string error;
  ASSERT_TRUE(compileToSources(o, dir.path, "tiny", error)) << error;
  BuildOptions bo;
  bo.includeDir = ONNXC_INCLUDE_DIR_FOR_TESTS;
  ASSERT_TRUE(mlir::succeeded(
      buildLibrary(dir.path, "tiny", dir.file("tiny.a"), bo, error)))
      << error;
  std::string out;
  // No allocation, no exception machinery in the library.
  ASSERT_EQ(runCommand("nm -u " + shellQuote(dir.file("tiny.a")), out), 0);
  for (const char *sym : {"malloc", "_Znwm", "_Znam", "__cxa_throw",
                          "__cxa_allocate_exception"})
    EXPECT_EQ(out.find(sym), std::string::npos) << sym << " in:\n" << out;
  {
    std::ofstream m(dir.file("main.c"));
    m << "#include \"tiny.h\"\n#include <stdio.h>\n"
         "int main(void) { float x[6] = {-1, 2, -3, 4, 0, -0.5f}, y[6];\n"
         "  tiny_run(x, y, 0);\n"
         "  for (int i = 0; i < 6; ++i) printf(\"%g \", y[i]);\n"
         "  return 0; }\n";
  }
  ASSERT_EQ(runCommand("cd " + shellQuote(dir.path) +
                           " && cc main.c tiny.a -lm -o main && ./main",
                       out),
            0)
      << out;
  EXPECT_EQ(out, "0 2 0 4 0 0 ");
}

} // namespace
