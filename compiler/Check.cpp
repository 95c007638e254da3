//===- Check.cpp - `onnxc check`: compile, run and compare test cases ----===//
#include "compiler/Check.h"

#include "codegen/cpp/CppEmitter.h"
#include "compiler/Diagnostics.h"

#include "onnx/onnx_pb.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>

using namespace onnxc;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {

struct Case {
  std::string name, dir;
  std::vector<std::string> dataSets;
  std::string status; // PASS / FAIL / SKIP
  std::string why;
  std::string workDir;
};

bool isCaseDir(const std::string &dir) {
  llvm::SmallString<256> p(dir);
  path::append(p, "model.onnx");
  return fs::exists(p);
}

void collectCases(const std::string &dir, std::vector<Case> &cases) {
  std::string clean = dir;
  while (clean.size() > 1 && clean.back() == '/')
    clean.pop_back();
  if (isCaseDir(clean)) {
    Case c;
    c.dir = clean;
    c.name = path::filename(clean).str();
    std::error_code ec;
    for (fs::directory_iterator it(clean, ec), end; it != end && !ec; it.increment(ec))
      if (path::filename(it->path()).starts_with("test_data_set_"))
        c.dataSets.push_back(it->path());
    std::sort(c.dataSets.begin(), c.dataSets.end());
    cases.push_back(c);
    return;
  }
  std::vector<std::string> subdirs;
  std::error_code ec;
  for (fs::directory_iterator it(clean, ec), end; it != end && !ec; it.increment(ec))
    if (fs::is_directory(it->path()))
      subdirs.push_back(it->path());
  std::sort(subdirs.begin(), subdirs.end());
  for (auto &s : subdirs)
    if (isCaseDir(s))
      collectCases(s, cases);
}

bool readProto(const std::string &file, onnx::TensorProto &t) {
  auto buf = llvm::MemoryBuffer::getFile(file, false, false);
  if (!buf)
    return false;
  return t.ParseFromArray((*buf)->getBufferStart(), int((*buf)->getBufferSize()));
}

int elemBytes(int type) {
  switch (type) {
  case 1: case 6: case 12: return 4;
  case 7: case 11: case 13: return 8;
  case 10: case 16: case 4: case 5: return 2;
  case 2: case 3: case 9: return 1;
  default: return 0;
  }
}

/// A TensorProto's elements as little-endian raw bytes.
bool rawBytes(const onnx::TensorProto &t, std::string &out) {
  int64_t n = 1;
  for (auto d : t.dims())
    n *= d;
  int eb = elemBytes(t.data_type());
  if (!eb)
    return false;
  if (t.has_raw_data()) {
    out = t.raw_data();
    return int64_t(out.size()) == n * eb;
  }
  out.assign(size_t(n * eb), '\0');
  auto put = [&](int64_t i, uint64_t bits) { memcpy(&out[i * eb], &bits, eb); };
  switch (t.data_type()) {
  case 1:
    if (t.float_data_size() != n) return false;
    memcpy(out.data(), t.float_data().data(), n * 4);
    return true;
  case 11:
    if (t.double_data_size() != n) return false;
    memcpy(out.data(), t.double_data().data(), n * 8);
    return true;
  case 7:
    if (t.int64_data_size() != n) return false;
    memcpy(out.data(), t.int64_data().data(), n * 8);
    return true;
  case 12: case 13:
    if (t.uint64_data_size() != n) return false;
    for (int64_t i = 0; i < n; ++i) put(i, t.uint64_data(i));
    return true;
  default:
    if (t.int32_data_size() != n) return false;
    for (int64_t i = 0; i < n; ++i) put(i, uint64_t(int64_t(t.int32_data(i))));
    return true;
  }
}

double halfToDouble(uint16_t h, bool bf) {
  uint32_t bits;
  if (bf) {
    bits = uint32_t(h) << 16;
  } else {
    uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0) {
      float f = std::ldexp(float(man), -24);
      return sign ? -f : f;
    }
    bits = exp == 0x1f ? sign | 0x7f800000 | (man << 13)
                       : sign | ((exp + 112) << 23) | (man << 13);
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

double elementAt(const std::string &raw, int type, int64_t i) {
  const char *p = raw.data() + i * elemBytes(type);
  switch (type) {
  case 1: { float v; memcpy(&v, p, 4); return v; }
  case 11: { double v; memcpy(&v, p, 8); return v; }
  case 10: case 16: { uint16_t v; memcpy(&v, p, 2); return halfToDouble(v, type == 16); }
  case 2: return double(uint8_t(*p));
  case 3: return double(int8_t(*p));
  case 9: return *p ? 1.0 : 0.0;
  case 4: { uint16_t v; memcpy(&v, p, 2); return v; }
  case 5: { int16_t v; memcpy(&v, p, 2); return v; }
  case 6: { int32_t v; memcpy(&v, p, 4); return v; }
  case 12: { uint32_t v; memcpy(&v, p, 4); return v; }
  case 7: { int64_t v; memcpy(&v, p, 8); return double(v); }
  case 13: { uint64_t v; memcpy(&v, p, 8); return double(v); }
  }
  return 0;
}

bool isFloatType(int type) { return type == 1 || type == 10 || type == 11 || type == 16; }

/// Compares one output; returns an empty string when it matches.
std::string compareOutput(const std::string &got, const onnx::TensorProto &want,
                          int index) {
  std::string ref;
  if (!rawBytes(want, ref))
    return "output " + std::to_string(index) + ": unreadable reference";
  int type = want.data_type();
  if (got.size() != ref.size())
    return "output " + std::to_string(index) + ": " + std::to_string(got.size()) +
           " bytes, the reference has " + std::to_string(ref.size());
  int64_t n = int64_t(ref.size()) / std::max(elemBytes(type), 1);
  int64_t bad = 0, firstBad = -1;
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    double a = elementAt(got, type, i), b = elementAt(ref, type, i);
    bool ok;
    if (isFloatType(type)) {
      double tol = type == 1 || type == 11 ? 1e-3 : 1e-2;
      ok = (std::isnan(a) && std::isnan(b)) || a == b ||
           std::fabs(a - b) <= 1e-5 + tol * std::fabs(b);
    } else {
      ok = got.compare(i * elemBytes(type), elemBytes(type), ref,
                       i * elemBytes(type), elemBytes(type)) == 0;
    }
    if (!ok) {
      if (firstBad < 0)
        firstBad = i;
      ++bad;
      worst = std::max(worst, std::fabs(a - b));
    }
  }
  if (!bad)
    return "";
  char buf[256];
  snprintf(buf, sizeof buf,
           "output %d: %lld of %lld elements differ (first at %lld: got %g, "
           "expected %g; max abs diff %g)",
           index, (long long)bad, (long long)n, (long long)firstBad,
           elementAt(got, type, firstBad), elementAt(ref, type, firstBad), worst);
  return buf;
}

const char *kRunner = R"(// Generic runner used by `onnxc check`.
#include MODEL_HEADER
#include <stdio.h>
#include <stdlib.h>
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
int main(int argc, char **argv) {
  const int ni = CAT(PREFIX_UPPER, _NUM_INPUTS), no = CAT(PREFIX_UPPER, _NUM_OUTPUTS);
  if (argc != 1 + ni + no) { fprintf(stderr, "usage: inputs... outputs...\n"); return 2; }
  const void *in[ni > 0 ? ni : 1]; void *out[no > 0 ? no : 1];
  for (int i = 0; i < ni; ++i) {
    const onnxc_tensor_info *t = &CAT(PREFIX, _inputs)[i];
    void *buf = malloc(t->bytes + 1);
    FILE *f = fopen(argv[1 + i], "rb");
    if (!f || fread(buf, 1, t->bytes, f) != (size_t)t->bytes) { fprintf(stderr, "bad input %d\n", i); return 2; }
    fclose(f); in[i] = buf;
  }
  for (int i = 0; i < no; ++i) out[i] = malloc(CAT(PREFIX, _outputs)[i].bytes + 1);
  void *arena = aligned_alloc(64, ((CAT(PREFIX_UPPER, _ARENA_BYTES) + 63) / 64) * 64 + 64);
  if (CAT(PREFIX, _run_generic)(in, out, arena) != 0) return 3;
  for (int i = 0; i < no; ++i) {
    FILE *f = fopen(argv[1 + ni + i], "wb");
    fwrite(out[i], 1, CAT(PREFIX, _outputs)[i].bytes, f); fclose(f);
  }
  return 0;
}
)";

std::string readAll(const std::string &file) {
  std::ifstream f(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

bool writeAll(const std::string &file, const std::string &data) {
  std::ofstream f(file, std::ios::binary);
  f.write(data.data(), std::streamsize(data.size()));
  return bool(f);
}

std::string join(const std::string &a, const std::string &b) {
  llvm::SmallString<256> p(a);
  path::append(p, b);
  return std::string(p);
}

std::vector<std::string> listPb(const std::string &dir, const char *prefix) {
  std::vector<std::string> files;
  for (int k = 0;; ++k) {
    std::string f = join(dir, std::string(prefix) + std::to_string(k) + ".pb");
    if (!fs::exists(f))
      break;
    files.push_back(f);
  }
  return files;
}

/// Builds the case's library and runner, runs every data set, compares.
void buildAndRun(Case &c, const BuildOptions &bo, int threads, const std::string &runPrefix) {
  std::string prefix = "model";
  std::string lib = join(c.workDir, "model.a");
  std::string error;
  if (failed(buildLibrary(c.workDir, prefix, lib, bo, error))) {
    c.status = "FAIL";
    size_t at = error.find("error:");
    std::string first = at == std::string::npos ? error : error.substr(at);
    c.why = "the C++ compiler failed: " + first.substr(0, first.find('\n'));
    return;
  }
  if (!writeAll(join(c.workDir, "runner.c"), kRunner)) {
    c.status = "FAIL";
    c.why = "cannot write the runner";
    return;
  }
  std::string output;
  // The runner is C, built by the library's compiler driver (a cross
  // compiler with --target-triple) with the library's flags.
  std::string cmd = "cd " + shellQuote(c.workDir) + " && " + bo.cxx + " " + bo.cxxflags +
                    " -O1 -x c -std=c11 " +
                    "-DMODEL_HEADER='\"model.h\"' -DPREFIX=model -DPREFIX_UPPER=MODEL " +
                    "runner.c -x none model.a -lm " + (threads > 1 ? "-pthread " : "") +
                    "-o runner";
  if (runCommand(cmd, output) != 0) {
    c.status = "FAIL";
    c.why = "linking the runner failed: " + output.substr(0, 300);
    return;
  }
  for (const std::string &set : c.dataSets) {
    auto inputs = listPb(set, "input_");
    auto outputs = listPb(set, "output_");
    std::string args;
    for (size_t i = 0; i < inputs.size(); ++i) {
      onnx::TensorProto t;
      std::string raw;
      if (!readProto(inputs[i], t) || !rawBytes(t, raw)) {
        c.status = "FAIL";
        c.why = "cannot read " + inputs[i];
        return;
      }
      std::string f = join(c.workDir, "in" + std::to_string(i) + ".bin");
      writeAll(f, raw);
      args += " " + shellQuote(f);
    }
    for (size_t i = 0; i < outputs.size(); ++i)
      args += " " + shellQuote(join(c.workDir, "out" + std::to_string(i) + ".bin"));
    // Emulated runs get more time.
    std::string run = runPrefix.empty() ? "timeout 60 ./runner"
                                        : "timeout 600 " + runPrefix + " ./runner";
    if (runCommand("cd " + shellQuote(c.workDir) + " && " + run + args, output) != 0) {
      c.status = "FAIL";
      c.why = path::filename(set).str() + ": the compiled model failed to run: " +
              output.substr(0, 200);
      return;
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      onnx::TensorProto want;
      if (!readProto(outputs[i], want)) {
        c.status = "FAIL";
        c.why = "cannot read " + outputs[i];
        return;
      }
      std::string diff = compareOutput(
          readAll(join(c.workDir, "out" + std::to_string(i) + ".bin")), want, int(i));
      if (!diff.empty()) {
        c.status = "FAIL";
        c.why = path::filename(set).str() + ": " + diff;
        return;
      }
    }
  }
  c.status = "PASS";
}

/// `--shape` bindings for a case: the dims of data set 0's inputs.
std::vector<std::string> shapesFromData(const Case &c) {
  std::vector<std::string> shapes;
  if (c.dataSets.empty())
    return shapes;
  onnx::ModelProto model;
  {
    auto buf = llvm::MemoryBuffer::getFile(join(c.dir, "model.onnx"), false, false);
    if (!buf || !model.ParseFromArray((*buf)->getBufferStart(),
                                      int((*buf)->getBufferSize())))
      return shapes;
  }
  std::vector<std::string> names;
  std::vector<bool> dynamic;
  std::set<std::string> inits;
  for (auto &i : model.graph().initializer())
    inits.insert(i.name());
  for (auto &i : model.graph().input())
    if (!inits.count(i.name())) {
      names.push_back(i.name());
      bool dyn = !i.type().tensor_type().has_shape();
      for (auto &d : i.type().tensor_type().shape().dim())
        dyn |= !d.has_dim_value();
      dynamic.push_back(dyn);
    }
  auto inputs = listPb(c.dataSets[0], "input_");
  for (size_t i = 0; i < inputs.size() && i < names.size(); ++i) {
    if (!dynamic[i])
      continue; // the model's own static shape stays authoritative
    onnx::TensorProto t;
    if (!readProto(inputs[i], t))
      continue;
    std::string s = names[i] + "=";
    if (t.dims_size() == 0)
      s += "scalar";
    for (int d = 0; d < t.dims_size(); ++d)
      s += (d ? "x" : "") + std::to_string(t.dims(d));
    shapes.push_back(s);
  }
  return shapes;
}

} // namespace

int onnxc::runCheck(const std::vector<std::string> &dirs,
                    const CompileOptions &base, int jobs) {
  std::vector<Case> cases;
  for (auto &d : dirs) {
    if (!fs::is_directory(d)) {
      printError(d + ": not a folder");
      return 1;
    }
    collectCases(d, cases);
  }
  llvm::SmallString<128> root;
  if (fs::createUniqueDirectory("onnxc-check", root)) {
    printError("cannot create a temporary folder");
    return 1;
  }
  BuildOptions bo = buildOptions(base);
  bo.verbose = false;

  // Front and middle end, one case after another (MLIR work is quick).
  for (size_t i = 0; i < cases.size(); ++i) {
    Case &c = cases[i];
    c.workDir = join(std::string(root), std::to_string(i));
    CompileOptions o = base;
    o.input = join(c.dir, "model.onnx");
    o.shapes = base.shapes.empty() ? shapesFromData(c) : base.shapes;
    std::string error;
    if (!compileToSources(o, c.workDir, "model", error)) {
      size_t at = error.find("not supported");
      if (at != std::string::npos) {
        // `not supported yet: OpType[ (detail)]`, the op taken from the
        // `node "N" (OpType, opset K)` part of the message.
        c.status = "SKIP";
        std::string detail = error.substr(at);
        size_t colon = detail.find(": ");
        detail = colon == std::string::npos ? "" : detail.substr(colon + 2);
        std::string op;
        size_t open = error.find("\" (");
        if (open != std::string::npos && open < at) {
          size_t start = open + 3;
          op = error.substr(start, error.find_first_of(",)", start) - start);
        }
        c.why = "not supported yet: " + (op.empty() ? (detail.empty() ? error : detail) : op);
        if (!op.empty() && !detail.empty())
          c.why += " (" + detail + ")";
      } else {
        c.status = "FAIL";
        c.why = error;
      }
    }
  }
  // C++ compile, run and compare on `jobs` threads (each runs processes).
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < cases.size();)
      if (cases[i].status.empty())
        buildAndRun(cases[i], bo, base.threads, base.runPrefix);
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::max(jobs, 1); ++j)
    pool.emplace_back(worker);
  for (auto &t : pool)
    t.join();

  int passed = 0, failed = 0, skipped = 0;
  for (Case &c : cases) {
    if (c.status == "PASS") {
      ++passed;
      llvm::outs() << "PASS " << c.name << "\n";
    } else if (c.status == "SKIP") {
      ++skipped;
      llvm::outs() << "SKIP " << c.name << ": " << c.why << "\n";
    } else {
      ++failed;
      llvm::outs() << "FAIL " << c.name << ": " << c.why << "\n";
    }
  }
  llvm::outs() << passed << " passed, " << failed << " failed, " << skipped
               << " skipped\n";
  llvm::outs().flush();
  if (!std::getenv("ONNXC_KEEP_CHECK"))
    fs::remove_directories(root);
  return failed ? 1 : 0;
}
