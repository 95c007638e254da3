//===- NNRules.cpp - convolution, pooling, matmul, normalization, RNN ----===//
#include "codegen/cpp/KernelLowering.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeInference/ShapeHelpers.h"
#include "onnxc/conv_blocking.h"
#include "onnxc/sgemm_blocking.h"
#include "onnxc/winograd_blocking.h"

#include "mlir/IR/Diagnostics.h"

#include <array>
#include <optional>

using namespace mlir;
using namespace onnxc;

namespace {

std::string str(int64_t v) { return std::to_string(v); }

LogicalResult requireFloat(Operation *op, Value v) {
  Type t = elementType(v);
  if (!isa<FloatType>(t) || cType(t).empty())
    return op->emitError() << "not supported yet: element type " << t;
  return success();
}

/// `onnxc::window3d<...>` for spatial sizes `in` -> `out`, with the kernel,
/// strides, dilations and leading pads given per spatial dim; 1-D and 2-D
/// windows get unit leading dims.
std::string window3dText(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                         ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> dilations, ArrayRef<int64_t> padBegin) {
  size_t spatial = in.size();
  SmallVector<int64_t> i3(3, 1), o3(3, 1), k3(3, 1), s3(3, 1), p3(3, 0), d3(3, 1);
  for (size_t i = 0; i < spatial; ++i) {
    size_t j = 3 - spatial + i;
    i3[j] = in[i];
    o3[j] = out[i];
    k3[j] = kernel[i];
    s3[j] = strides[i];
    d3[j] = dilations[i];
    p3[j] = padBegin[i];
  }
  std::string w = "onnxc::window3d<";
  for (const auto &list : {i3, o3, k3, s3, p3, d3})
    for (int64_t v : list)
      w += str(v) + ",";
  w.back() = '>';
  return w;
}

/// Leading and trailing pads of each spatial dim, from `pads` or auto_pad.
std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
padsOf(Operation *op, RankedTensorType x, RankedTensorType y, ArrayRef<int64_t> kernel) {
  int64_t spatial = x.getRank() - 2;
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto dil = intsAttr(op, "dilations").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = intsAttr(op, "pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  StringRef autoPad = strAttr(op, "auto_pad", "NOTSET");
  SmallVector<int64_t> begin(pads.begin(), pads.begin() + spatial);
  SmallVector<int64_t> end(pads.begin() + spatial, pads.end());
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = x.getDimSize(2 + i), out = y.getDimSize(2 + i);
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t total = std::max<int64_t>(
          0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - in);
      begin[i] = autoPad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
      end[i] = total - begin[i];
    } else if (autoPad == "VALID") {
      begin[i] = end[i] = 0;
    }
  }
  return {begin, end};
}

/// The window of a conv or pool op, its leading pads resolved from pads or
/// auto_pad.
FailureOr<std::string> windowOf(Operation *op, RankedTensorType x,
                                RankedTensorType y, ArrayRef<int64_t> kernel) {
  int64_t spatial = x.getRank() - 2;
  if (spatial < 1 || spatial > 3)
    return op->emitError() << "not supported yet: " << spatial
                           << " spatial dimensions";
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto dil = intsAttr(op, "dilations").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> in(x.getShape().drop_front(2)), out(y.getShape().drop_front(2));
  return window3dText(in, out, kernel, strides, dil, padsOf(op, x, y, kernel).first);
}

/// The epilogue functor of a fused onnxk op ("none" for plain onnx ops).
FailureOr<std::string> activationFunctor(Operation *op, const std::string &t) {
  StringRef act = strAttr(op, "activation", "none");
  float alpha = floatAttr(op, "act_alpha", 0.0f), beta = floatAttr(op, "act_beta", 0.0f);
  if (act == "none")
    return std::string("onnxc::fn::Identity{}");
  if (act == "Relu" || act == "Sigmoid" || act == "Tanh" || act == "SiLU" ||
      act == "HardSwish")
    return "onnxc::fn::" + act.str() + "{}";
  if (act == "LeakyRelu")
    return "onnxc::fn::LeakyRelu{" + floatLiteral(alpha) + "}";
  if (act == "Gelu" || act == "GeluTanh")
    return std::string("onnxc::fn::Gelu{") + (act == "GeluTanh" ? "1" : "0") + "}";
  if (act == "Clip")
    return "onnxc::fn::Clip<" + t + ">{" + t + "(" + floatLiteral(alpha) + ")," + t +
           "(" + floatLiteral(beta) + ")}";
  return op->emitError() << "unknown fused activation \"" << act << "\"";
}

/// Operand 3 of a fused onnxk op: the residual added before the activation.
std::string residualOf(Operation *op, LoweringContext &ctx, Type elementType) {
  Value residual = op->getNumOperands() > 3 ? op->getOperand(3) : Value();
  return ctx.optionalInput(residual, elementType);
}

/// Whether an optional list attribute is absent or all `value`.
bool absentOrAll(std::optional<SmallVector<int64_t>> v, int64_t value) {
  return !v || llvm::all_of(*v, [&](int64_t e) { return e == value; });
}

/// The conv.h kernel a convolution runs: float 1-D/2-D ones are depthwise,
/// Winograd (3x3, stride 1, with weights the compiler may transform) or an
/// SGEMM, the rest take the reference loops.
constexpr int64_t kWinogradMinChannels = 16;
enum class ConvKernel { Loops, Depthwise, Sgemm, Winograd };
ConvKernel convKernelOf(Operation *op, bool weightsPackable) {
  auto xt = tensorType(op->getOperand(0)), yt = tensorType(op->getResult(0));
  auto wt = tensorType(op->getOperand(1));
  if (!xt.getElementType().isF32() || xt.getRank() < 3 || xt.getRank() > 4)
    return ConvKernel::Loops;
  int64_t group = intAttr(op, "group", 1);
  if (xt.getDimSize(1) == group && yt.getDimSize(1) == group)
    return ConvKernel::Depthwise;
  // Winograd F(2x2, 3x3) where its transforms pay off: enough channels on
  // both sides for the 16 products to dominate.
  if (weightsPackable && xt.getRank() == 4 && group == 1 && wt.getDimSize(2) == 3 &&
      wt.getDimSize(3) == 3 && absentOrAll(intsAttr(op, "strides"), 1) &&
      absentOrAll(intsAttr(op, "dilations"), 1) && xt.getDimSize(1) >= kWinogradMinChannels &&
      yt.getDimSize(1) >= kWinogradMinChannels)
    return ConvKernel::Winograd;
  return ConvKernel::Sgemm;
}

/// The value of `v` when an onnx.Constant defines it, else null.
DenseElementsAttr constantValue(Value v) {
  auto constant = v.getDefiningOp<onnx::ConstantOp>();
  return constant ? dyn_cast<DenseElementsAttr>(constant->getAttr("value"))
                  : DenseElementsAttr();
}

/// The constant weight of a convolution, or null.
DenseElementsAttr constantWeights(Operation *op) { return constantValue(op->getOperand(1)); }

/// Appends `count` rows (or columns) of at(i, k), k < K, as SGEMM panels of
/// `width`: the layout of sgemm::prepacked<width>, K block by K block (so
/// the product reads each block's panels as one sequential stream), the
/// last panel zero-padded.
void appendPanels(std::vector<float> &out, int64_t count, int64_t k, int64_t width,
                  llvm::function_ref<float(int64_t, int64_t)> at) {
  size_t base = out.size();
  int64_t padded = (count + width - 1) / width * width, depth = sgemm_blocking::block_depth(k);
  out.resize(base + padded * k, 0.0f);
  for (int64_t pc = 0; pc < k; pc += depth) {
    int64_t kc = std::min(depth, k - pc);
    for (int64_t i = 0; i < count; ++i)
      for (int64_t kk = 0; kk < kc; ++kk)
        out[base + pc * padded + ((i / width) * kc + kk) * width + i % width] =
            at(i, pc + kk);
  }
}

/// A 1-D tensor constant of `values`, element type `type`.
DenseElementsAttr vectorAttr(ArrayRef<float> values, Type type) {
  return DenseElementsAttr::get(RankedTensorType::get({int64_t(values.size())}, type),
                                values);
}

/// The conv.h kernel for this convolution when weights are packed for a
/// tile of `mr` rows (0: not packed).
ConvKernel convKernelOf(Operation *op, int64_t mr) {
  return convKernelOf(op, mr > 0 && constantWeights(op));
}

/// The output tile of a Winograd convolution's F(Out x Out, 3x3): 4 on
/// images of 20 rows and columns or more, whose V and M it shrinks by
/// 44% (standalone, one thread, against F(2x2): 27x27 -34%, 28x28 -29%,
/// 55x55 -38%, 56x56 -27%), else 2: at 13x13 and 14x14 the two are about
/// even (F(4x4) 2% faster), and F(2x2) rounds less; at 7x7 F(4x4)'s few
/// tiles make products twice as slow.
int64_t winogradOutTile(Operation *op) {
  auto yt = tensorType(op->getResult(0));
  return std::min(yt.getDimSize(2), yt.getDimSize(3)) >= 20 ? 4 : 2;
}

/// Winograd weights: U = G g G^T for every (m, c), as (out + 2)^2 SGEMM A
/// operands [M, C] packed in panels of `mr` rows (winograd.h).
DenseElementsAttr winogradWeights(DenseElementsAttr value, int64_t mr, int64_t out) {
  auto wt = cast<RankedTensorType>(value.getType());
  int64_t m = wt.getDimSize(0), c = wt.getDimSize(1);
  SmallVector<float> w(value.getValues<float>());
  static const double g2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static const double g4[6][3] = {{1 / 4.0, 0, 0},
                                  {-1 / 6.0, -1 / 6.0, -1 / 6.0},
                                  {-1 / 6.0, 1 / 6.0, -1 / 6.0},
                                  {1 / 24.0, 1 / 12.0, 1 / 6.0},
                                  {1 / 24.0, -1 / 12.0, 1 / 6.0},
                                  {0, 0, 1}};
  const int64_t alpha = out + 2, xis = alpha * alpha;
  auto g = [&](int64_t a, int j) { return out == 2 ? g2[a][j] : g4[a][j]; };
  std::vector<float> u(xis * m * c); // [xi][m][c]
  for (int64_t o = 0; o < m; ++o)
    for (int64_t i = 0; i < c; ++i) {
      const float *k = &w[(o * c + i) * 9];
      double t[6][3]; // G g, in double so U rounds once
      for (int64_t a = 0; a < alpha; ++a)
        for (int j = 0; j < 3; ++j)
          t[a][j] = g(a, 0) * k[j] + g(a, 1) * k[3 + j] + g(a, 2) * k[6 + j];
      for (int64_t a = 0; a < alpha; ++a)
        for (int64_t b = 0; b < alpha; ++b)
          u[((a * alpha + b) * m + o) * c + i] =
              float(t[a][0] * g(b, 0) + t[a][1] * g(b, 1) + t[a][2] * g(b, 2));
    }
  std::vector<float> packed;
  for (int64_t xi = 0; xi < xis; ++xi)
    appendPanels(packed, m, c, mr,
                 [&](int64_t o, int64_t i) { return u[(xi * m + o) * c + i]; });
  return vectorAttr(packed, wt.getElementType());
}

/// Weights [M, C/G, taps...] packed into SGEMM panels of `mr` rows per
/// group (templates/onnxc/sgemm.h, prepacked_a).
DenseElementsAttr packWeightPanels(DenseElementsAttr value, int64_t group, int64_t mr) {
  auto wt = cast<RankedTensorType>(value.getType());
  SmallVector<float> w(value.getValues<float>());
  int64_t m = wt.getDimSize(0), mg = m / group, kg = wt.getNumElements() / m;
  std::vector<float> packed;
  for (int64_t g = 0; g < group; ++g)
    appendPanels(packed, mg, kg, mr,
                 [&](int64_t row, int64_t k) { return w[(g * mg + row) * kg + k]; });
  return vectorAttr(packed, wt.getElementType());
}

/// A constant weight packed by packWeightPanels, or null when the weight
/// is not constant or the convolution is not an SGEMM.
DenseElementsAttr packConvWeights(Operation *op, int64_t group, int64_t mr) {
  if (mr <= 0 || convKernelOf(op, mr) != ConvKernel::Sgemm)
    return {};
  auto value = constantWeights(op);
  return value ? packWeightPanels(value, group, mr) : DenseElementsAttr();
}

/// Floats of one channel's phase-split image of a strided convolution's
/// SGEMM (conv.h im2col_phased_b::plane, after depthwise_padded<Win,
/// false>) for spatial dims `in` -> `out`: per dim, the input with its
/// leading pad or the last output's reach if longer; the columns split
/// into `stride` phases.
int64_t phasedImageFloats(ArrayRef<int64_t> in, ArrayRef<int64_t> out, ArrayRef<int64_t> kernel,
                          ArrayRef<int64_t> strides, ArrayRef<int64_t> dil,
                          ArrayRef<int64_t> lead) {
  auto span = [&](size_t i) {
    int64_t need = (out[i] - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1;
    return std::max(need, in[i] + lead[i]);
  };
  size_t last = in.size() - 1;
  int64_t phases = strides[last];
  int64_t rows = in.size() == 2 ? span(0) : 1;
  return phases * rows * ((span(last) + phases - 1) / phases);
}

/// The same for convolution `op` itself.
int64_t phasedImageFloats(Operation *op) {
  auto xt = tensorType(op->getOperand(0)), wt = tensorType(op->getOperand(1));
  auto yt = tensorType(op->getResult(0));
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  int64_t spatial = xt.getRank() - 2;
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto dil = intsAttr(op, "dilations").value_or(SmallVector<int64_t>(spatial, 1));
  return phasedImageFloats(xt.getShape().drop_front(2), yt.getShape().drop_front(2), kernel,
                           strides, dil, padsOf(op, xt, yt, kernel).first);
}

/// The product {M, K, N} (output channels, input channels, positions) of
/// a pointwise convolution (2-D, one group, 1x1, stride 1, no pads) whose
/// weights are packed for an SGEMM split over `threads` > 1 threads.
std::optional<std::array<int64_t, 3>> threadedPointwiseProduct(Operation *op, int threads,
                                                               int64_t mr) {
  if (threads < 2 || mr <= 0 || !constantWeights(op) || convKernelOf(op, mr) != ConvKernel::Sgemm)
    return std::nullopt;
  auto xt = tensorType(op->getOperand(0)), wt = tensorType(op->getOperand(1));
  auto yt = tensorType(op->getResult(0));
  if (xt.getRank() != 4 || intAttr(op, "group", 1) != 1 || wt.getDimSize(2) != 1 ||
      wt.getDimSize(3) != 1 || !absentOrAll(intsAttr(op, "strides"), 1) ||
      !absentOrAll(intsAttr(op, "pads"), 0) || xt.getDimSize(2) != yt.getDimSize(2) ||
      xt.getDimSize(3) != yt.getDimSize(3))
    return std::nullopt;
  return std::array<int64_t, 3>{yt.getDimSize(1), xt.getDimSize(1),
                                yt.getDimSize(2) * yt.getDimSize(3)};
}

/// Whether a pointwise convolution's product splits over the threads by
/// its input channels (conv.h conv_sgemm's SplitK, sgemm.h gemm_k_split):
/// with pre-packed weights, at least twice as many input channels as
/// output ones, a partial product of at most 32K floats (128 KB), and an
/// input whose channels a depthwise convolution wrote split the same way,
/// or more channels than positions. Split by positions instead, each core
/// streams all of the weights and reads half of its input from the other
/// core. On two threads, mobilenet_v2's projections after depthwise
/// layers ran 7-30% faster (28 x 28 to 7 x 7; the model 4.9%),
/// squeezenet1_1's 13 x 13 squeezes 7-19% (the model within noise); its
/// 27 x 27 one (fewer channels than positions, written split by
/// positions) lost 22%, mobilenet_v2's 56 x 56 and 112 x 112 ones
/// (partials of 300 KB and more) 19-91%.
bool splitsInputChannels(Operation *op, int threads, int64_t mr) {
  auto product = threadedPointwiseProduct(op, threads, mr);
  if (!product)
    return false;
  auto [m, k, n] = *product;
  if (k < 2 * m || m * n > 32768 || m * n * k < (int64_t(1) << 20))
    return false;
  Operation *producer = op->getOperand(0).getDefiningOp();
  bool depthwiseInput = producer &&
                        (producer->getName().getStringRef() == "onnx.Conv" ||
                         producer->getName().getStringRef() == "onnxk.Conv") &&
                        convKernelOf(producer, /*weightsPackable=*/false) == ConvKernel::Depthwise;
  return depthwiseInput || k >= n;
}

/// Whether a pointwise convolution's product splits over the threads by
/// its output channels (conv.h conv_sgemm's SplitRows, sgemm.h
/// gemm_split_rows): pre-packed weights, a product of 1M multiply-adds or
/// more with two row panels per thread, and
/// one user, a depthwise convolution that splits its planes over the
/// threads (images under 2048 positions: conv.h splits_planes_by_rows).
/// Split by positions instead, the depthwise convolution read half of its
/// input from the other core. On two threads, mobilenet_v2's expansions
/// before its 56 -> 28, 28 x 28 and 28 -> 14 depthwise layers: those
/// 17-43% faster, the expansions 1-3% slower (the model 1.0%); before its
/// 14 x 14 ones, 64 -> 384 channels with B packed: those 17-19% faster,
/// the expansions 0-9% faster (the model 0.5%).
bool splitsOutputChannels(Operation *op, int threads, int64_t mr) {
  auto product = threadedPointwiseProduct(op, threads, mr);
  if (!product || splitsInputChannels(op, threads, mr))
    return false;
  auto [m, k, n] = *product;
  // At most half as many positions as channels, sgemm.h may_split_rows
  // already splits a packed B's product by rows.
  if (m * n * k < (int64_t(1) << 20) || 2 * n <= m || (m + mr - 1) / mr < 2 * threads ||
      !op->getResult(0).hasOneUse())
    return false;
  Operation *user = *op->getResult(0).getUsers().begin();
  StringRef name = user->getName().getStringRef();
  if ((name != "onnx.Conv" && name != "onnxk.Conv") || user->getOperand(0) != op->getResult(0) ||
      convKernelOf(user, /*weightsPackable=*/false) != ConvKernel::Depthwise)
    return false;
  auto dt = tensorType(user->getResult(0));
  if (dt.getRank() != 4)
    return false;
  int64_t oh = dt.getDimSize(2), ow = dt.getDimSize(3);
  return !(oh * ow >= 2048 && oh >= 2 * threads);
}

/// A Gemm's constant B packed into SGEMM panels of `nr` columns
/// (sgemm::prepacked_b), where gemm.h takes the SGEMM path with it: float,
/// more than one row, alpha 1, C absent or one row of N with beta 1.
DenseElementsAttr packGemmWeights(Operation *op, int64_t nr) {
  Value a = op->getOperand(0), c = op->getOperand(2);
  auto yt = tensorType(op->getResult(0));
  int64_t m = yt.getDimSize(0), n = yt.getDimSize(1);
  if (nr <= 0 || !elementType(a).isF32() || m <= 1 ||
      floatAttr(op, "alpha", 1.0f) != 1.0f)
    return {};
  if (!isNone(c)) {
    auto ct = tensorType(c);
    bool row = ct.getNumElements() == n &&
               (ct.getRank() == 1 || (ct.getRank() == 2 && ct.getDimSize(0) == 1));
    if (!row || floatAttr(op, "beta", 1.0f) != 1.0f)
      return {};
  }
  auto value = constantValue(op->getOperand(1));
  if (!value)
    return {};
  bool tb = intAttr(op, "transB", 0);
  int64_t k = tensorType(op->getOperand(1)).getDimSize(tb ? 1 : 0);
  SmallVector<float> bv(value.getValues<float>());
  std::vector<float> packed;
  appendPanels(packed, n, k, nr, [&](int64_t j, int64_t kk) {
    return tb ? bv[j * k + kk] : bv[kk * n + j];
  });
  return vectorAttr(packed, elementType(a));
}

/// A static_assert that the scratch planned for `op` (scratchBytes, which
/// mirrors the kernel templates by hand) holds `elements` of C type `type`,
/// a constant expression the template computes from its own dispatch: the
/// two cannot drift apart without failing the model's build.
static KernelCall scratchCheck(Operation *op, LoweringContext &ctx, const std::string &elements,
                               const std::string &type) {
  return {"static_assert",
          {elements + " * sizeof(" + type +
               ") <= " + str(scratchBytes(op, ctx.threads(), ctx.sgemmTile())),
           "\"onnxc: the scratch planned for this node is smaller than its kernel uses\""}};
}

LogicalResult convRule(Operation *op, LoweringContext &ctx,
                       std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), w = op->getOperand(1), y = op->getResult(0);
  if (failed(requireFloat(op, x)))
    return failure();
  auto xt = tensorType(x), wt = tensorType(w), yt = tensorType(y);
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  auto win = windowOf(op, xt, yt, kernel);
  if (failed(win))
    return failure();
  Value b = op->getOperand(2);
  std::string t = cType(xt.getElementType());
  auto act = activationFunctor(op, t);
  if (failed(act))
    return failure();
  int64_t group = intAttr(op, "group", 1);
  // Constant float weights of an SGEMM convolution are packed now, so the
  // generated code never repacks them.
  std::string wBuf, kernelName;
  int64_t mr = ctx.sgemmTile().rows;
  ConvKernel convKernel = convKernelOf(op, mr);
  if (convKernel == ConvKernel::Winograd) {
    int64_t out = winogradOutTile(op);
    wBuf = ctx.newConstant(winogradWeights(constantWeights(op), mr, out),
                           nodeName(w.getDefiningOp()->getLoc()) + "_winograd");
    kernelName = "onnxc::conv_winograd<" + str(mr) + "," + str(out) + ">";
  } else if (auto packed = packConvWeights(op, group, mr)) {
    wBuf = ctx.newConstant(packed, nodeName(w.getDefiningOp()->getLoc()) + "_packed");
    kernelName = "onnxc::conv_sgemm<" + str(mr) +
                 (splitsInputChannels(op, ctx.threads(), mr)    ? ",true>"
                  : splitsOutputChannels(op, ctx.threads(), mr) ? ",false,true>"
                                                                : ">");
  } else {
    wBuf = ctx.buffer(w);
    kernelName = convKernel == ConvKernel::Sgemm      ? "onnxc::conv_sgemm<0>"
                 : convKernel == ConvKernel::Depthwise ? "onnxc::conv_depthwise"
                                                   : "onnxc::conv_loops";
  }
  std::string shape = str(xt.getDimSize(0)) + "," + str(xt.getDimSize(1)) + "," +
                      str(yt.getDimSize(1)) + "," + str(group) + "," + *win + "," + kernelName;
  calls.push_back({"onnxc::conv<" + shape + ">",
                   {ctx.buffer(x), wBuf, ctx.optionalInput(b, xt.getElementType()),
                    residualOf(op, ctx, xt.getElementType()), ctx.buffer(y),
                    ctx.scratch(op, xt.getElementType()), *act}});
  calls.push_back(scratchCheck(op, ctx, "onnxc::conv_scratch_floats<" + shape + ">()", t));
  return success();
}

/// Pooled rows per band of conv.h conv_pool_band: up to 8, as many as
/// keep M channels of the convolution's rows for them within 256 KB.
int64_t convPoolBandRows(int64_t m, int64_t ow, int64_t poolKernel, int64_t poolStride) {
  auto rowsFor = [&](int64_t r) { return (r - 1) * poolStride + poolKernel; };
  int64_t r = 8;
  while (r > 1 && m * rowsFor(r) * ow * 4 > 256 * 1024)
    --r;
  return rowsFor(r);
}

/// Floats of scratch conv.h conv_max_pool takes (conv_max_pool_floats):
/// the phase-split images and the slack a partial last panel's loads
/// reach past them, then a band per thread.
int64_t convMaxPoolScratchFloats(Operation *op, int threads) {
  auto xt = tensorType(op->getOperand(0)), wt = tensorType(op->getOperand(1));
  auto conv = *intsAttr(op, "conv_shape");
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>{1, 1});
  auto dil = intsAttr(op, "dilations").value_or(SmallVector<int64_t>{1, 1});
  auto pads = intsAttr(op, "pads").value_or(SmallVector<int64_t>(4, 0));
  int64_t plane = phasedImageFloats(
      xt.getShape().drop_front(2), ArrayRef<int64_t>(conv).drop_front(2),
      wt.getShape().drop_front(2), strides, dil, ArrayRef<int64_t>(pads).take_front(2));
  auto round16 = [](int64_t v) { return (v + 15) / 16 * 16; };
  int64_t images =
      round16(xt.getDimSize(1) * plane +
              conv_blocking::phased_slack(wt.getDimSize(3), dil[1], sgemm_blocking::max_nr));
  int64_t bandRows = convPoolBandRows(conv[1], conv[3], (*intsAttr(op, "pool_kernel_shape"))[0],
                                      (*intsAttr(op, "pool_strides"))[0]);
  return images + threads * round16(conv[1] * bandRows * conv[3]);
}

/// onnxk.ConvMaxPool: conv.h conv_max_pool with weights packed now.
LogicalResult convMaxPoolRule(Operation *op, LoweringContext &ctx, std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), w = op->getOperand(1), y = op->getResult(0);
  auto xt = tensorType(x), wt = tensorType(w), yt = tensorType(y);
  auto conv = *intsAttr(op, "conv_shape");
  auto value = constantWeights(op);
  int64_t mr = ctx.sgemmTile().rows;
  if (!value || mr <= 0)
    return op->emitError() << "internal: onnxk.ConvMaxPool without packable weights";
  int64_t m = wt.getDimSize(0);
  std::string wBuf = ctx.newConstant(packWeightPanels(value, 1, mr),
                                     nodeName(w.getDefiningOp()->getLoc()) + "_packed");
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>{1, 1});
  auto dil = intsAttr(op, "dilations").value_or(SmallVector<int64_t>{1, 1});
  auto pads = intsAttr(op, "pads").value_or(SmallVector<int64_t>(4, 0));
  SmallVector<int64_t> convOut{conv[2], conv[3]};
  std::string convWin = window3dText(SmallVector<int64_t>(xt.getShape().drop_front(2)), convOut,
                                     SmallVector<int64_t>(wt.getShape().drop_front(2)), strides,
                                     dil, ArrayRef<int64_t>(pads).take_front(2));
  std::string poolWin =
      window3dText(convOut, SmallVector<int64_t>(yt.getShape().drop_front(2)),
                   *intsAttr(op, "pool_kernel_shape"), *intsAttr(op, "pool_strides"), {1, 1},
                   ArrayRef<int64_t>(*intsAttr(op, "pool_pads")).take_front(2));
  auto act = activationFunctor(op, "float");
  if (failed(act))
    return failure();
  calls.push_back({"onnxc::conv_max_pool<" + str(xt.getDimSize(0)) + "," + str(xt.getDimSize(1)) +
                       "," + str(m) + "," + convWin + "," + poolWin + "," + str(mr) + "," +
                       str(convMaxPoolScratchFloats(op, ctx.threads())) + ">",
                   {ctx.buffer(x), wBuf, ctx.optionalInput(op->getOperand(2), xt.getElementType()),
                    ctx.buffer(y), ctx.scratch(op, xt.getElementType()), *act}});
  return success();
}

LogicalResult convTransposeRule(Operation *op, LoweringContext &ctx,
                                std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), w = op->getOperand(1), y = op->getResult(0);
  if (failed(requireFloat(op, x)))
    return failure();
  auto xt = tensorType(x), wt = tensorType(w), yt = tensorType(y);
  int64_t spatial = xt.getRank() - 2;
  if (spatial < 1 || spatial > 3)
    return op->emitError() << "not supported yet: " << spatial
                           << " spatial dimensions";
  SmallVector<int64_t> outSpatial, pads;
  if (failed(convTransposeGeometry(op, xt, wt, outSpatial, pads)))
    return failure();
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto dil = intsAttr(op, "dilations").value_or(SmallVector<int64_t>(spatial, 1));
  std::string win = window3dText(SmallVector<int64_t>(xt.getShape().drop_front(2)),
                                 outSpatial, kernel, strides, dil, pads);
  Value b = op->getOperand(2);
  calls.push_back({"onnxc::conv_transpose<" + str(xt.getDimSize(0)) + "," +
                       str(xt.getDimSize(1)) + "," + str(yt.getDimSize(1)) +
                       "," + str(intAttr(op, "group", 1)) + "," + win + ">",
                   {ctx.buffer(x), ctx.buffer(w),
                    ctx.optionalInput(b, xt.getElementType()), ctx.buffer(y)}});
  return success();
}

LoweringRule poolRule(bool isMax) {
  return [isMax](Operation *op, LoweringContext &ctx,
                 std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), y = op->getResult(0);
    if (failed(requireFloat(op, x)))
      return failure();
    if (op->getNumResults() > 1 && !isNone(op->getResult(1)))
      return op->emitError() << "not supported yet: the Indices output";
    if (intAttr(op, "storage_order", 0) != 0)
      return op->emitError() << "not supported yet: storage_order=1";
    auto xt = tensorType(x), yt = tensorType(y);
    auto kernel = *intsAttr(op, "kernel_shape");
    auto win = windowOf(op, xt, yt, kernel);
    if (failed(win))
      return failure();
    bool countPad = intAttr(op, "count_include_pad", 0) != 0;
    // Averages that count pads need the trailing ones where they differ.
    std::string padEnd;
    auto [begin, end] = padsOf(op, xt, yt, kernel);
    if (countPad && begin != end) {
      SmallVector<int64_t> e3(3, 0);
      for (size_t i = 0; i < end.size(); ++i)
        e3[3 - end.size() + i] = end[i];
      padEnd = ",onnxc::pad_end<" + str(e3[0]) + "," + str(e3[1]) + "," + str(e3[2]) + ">";
    }
    calls.push_back({std::string("onnxc::pool<") + (isMax ? "true" : "false") +
                         "," + (countPad ? "true" : "false") + "," +
                         str(xt.getDimSize(0) * xt.getDimSize(1)) + "," + *win + padEnd + ">",
                     {ctx.buffer(x), ctx.buffer(y)}});
    return success();
  };
}

LoweringRule globalPoolRule(bool isMax) {
  return [isMax](Operation *op, LoweringContext &ctx,
                 std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), y = op->getResult(0);
    if (failed(requireFloat(op, x)))
      return failure();
    auto xt = tensorType(x);
    int64_t nc = xt.getDimSize(0) * xt.getDimSize(1);
    calls.push_back({std::string("onnxc::global_pool<") +
                         (isMax ? "true" : "false") + "," + str(nc) + "," +
                         str(nc ? xt.getNumElements() / nc : 0) + ">",
                     {ctx.buffer(x), ctx.buffer(y)}});
    return success();
  };
}

LogicalResult gemmRule(Operation *op, LoweringContext &ctx,
                       std::vector<KernelCall> &calls) {
  Value a = op->getOperand(0), b = op->getOperand(1), c = op->getOperand(2),
        y = op->getResult(0);
  if (failed(requireFloat(op, a)))
    return failure();
  bool ta = intAttr(op, "transA", 0), tb = intAttr(op, "transB", 0);
  auto at = tensorType(a), yt = tensorType(y);
  int64_t m = yt.getDimSize(0), n = yt.getDimSize(1);
  int64_t k = at.getDimSize(ta ? 0 : 1);
  std::string bBuf, packedB = "0";
  int64_t nr = ctx.sgemmTile().cols;
  if (auto packed = packGemmWeights(op, nr)) {
    bBuf = ctx.newConstant(packed, nodeName(b.getDefiningOp()->getLoc()) + "_packed");
    packedB = str(nr);
  } else {
    bBuf = ctx.buffer(b);
  }
  std::string cDims = isNone(c) ? "onnxc::dims<0>" : dimsOf(c);
  std::string cBuf = ctx.optionalInput(c, at.getElementType());
  std::string t = cType(at.getElementType());
  auto act = activationFunctor(op, t);
  if (failed(act))
    return failure();
  std::string params = str(m) + "," + str(n) + "," + str(k) + "," + (ta ? "true" : "false") + "," +
                       (tb ? "true" : "false") + "," + cDims + "," + packedB;
  calls.push_back(
      {"onnxc::gemm<" + params + ">",
       {ctx.buffer(a), bBuf, cBuf, residualOf(op, ctx, at.getElementType()), ctx.buffer(y),
        floatLiteral(floatAttr(op, "alpha", 1.0f)), floatLiteral(floatAttr(op, "beta", 1.0f)),
        ctx.scratch(op, at.getElementType()), *act}});
  calls.push_back(
      scratchCheck(op, ctx, "onnxc::gemm_scratch_floats<" + params + "," + t + ">()", t));
  return success();
}

LogicalResult matmulRule(Operation *op, LoweringContext &ctx,
                         std::vector<KernelCall> &calls) {
  Value a = op->getOperand(0), b = op->getOperand(1), y = op->getResult(0);
  if (cType(elementType(a)).empty() || elementType(a).isInteger(1))
    return op->emitError() << "not supported yet: element type " << elementType(a);
  SmallVector<int64_t> as(tensorType(a).getShape()), bs(tensorType(b).getShape());
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  SmallVector<int64_t> aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2);
  Shape batch;
  (void)broadcastShapes({Shape(aBatch.begin(), aBatch.end()),
                         Shape(bBatch.begin(), bBatch.end())},
                        batch);
  std::string params = dimsOf(batch) + "," + dimsOf(aBatch) + "," + dimsOf(bBatch) + "," + str(m) +
                       "," + str(n) + "," + str(k);
  calls.push_back({"onnxc::matmul<" + params + ">",
                   {ctx.buffer(a), ctx.buffer(b), ctx.buffer(y), ctx.scratch(op, elementType(a))}});
  std::string t = cType(elementType(a));
  calls.push_back(
      scratchCheck(op, ctx, "onnxc::matmul_scratch_floats<" + params + "," + t + ">()", t));
  return success();
}

LogicalResult batchNormRule(Operation *op, LoweringContext &ctx,
                            std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (failed(requireFloat(op, x)))
    return failure();
  if (intAttr(op, "training_mode", 0))
    return op->emitError() << "not supported yet: training_mode=1";
  auto xt = tensorType(x);
  int64_t n = xt.getDimSize(0), c = xt.getRank() > 1 ? xt.getDimSize(1) : 1;
  int64_t plane = (n * c) != 0 ? xt.getNumElements() / (n * c) : 0;
  calls.push_back({"onnxc::batch_norm<" + str(n) + "," + str(c) + "," +
                       str(plane) + ">",
                   {ctx.buffer(x), ctx.buffer(op->getOperand(1)),
                    ctx.buffer(op->getOperand(2)), ctx.buffer(op->getOperand(3)),
                    ctx.buffer(op->getOperand(4)), ctx.buffer(y),
                    floatLiteral(floatAttr(op, "epsilon", 1e-5f))}});
  return success();
}

LogicalResult instanceNormRule(Operation *op, LoweringContext &ctx,
                               std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (failed(requireFloat(op, x)))
    return failure();
  auto xt = tensorType(x);
  int64_t n = xt.getDimSize(0), c = xt.getDimSize(1);
  calls.push_back({"onnxc::instance_norm<" + str(n) + "," + str(c) + "," +
                       str((n * c) != 0 ? xt.getNumElements() / (n * c) : 0) + ">",
                   {ctx.buffer(x), ctx.buffer(op->getOperand(1)),
                    ctx.buffer(op->getOperand(2)), ctx.buffer(y),
                    floatLiteral(floatAttr(op, "epsilon", 1e-5f))}});
  return success();
}

LogicalResult layerNormRule(Operation *op, LoweringContext &ctx,
                            std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (failed(requireFloat(op, x)))
    return failure();
  auto xt = tensorType(x);
  int64_t axis = intAttr(op, "axis", -1);
  if (axis < 0)
    axis += xt.getRank();
  int64_t inner = 1;
  for (int64_t i = axis; i < xt.getRank(); ++i)
    inner *= xt.getDimSize(i);
  int64_t outer = inner ? xt.getNumElements() / inner : 0;
  Value scale = op->getOperand(1), bias = op->getOperand(2);
  auto count = [&](Value v) -> int64_t {
    return isNone(v) ? 0 : tensorType(v).getNumElements();
  };
  if ((count(scale) != inner && count(scale) > 1) ||
      (count(bias) != inner && count(bias) > 1))
    return op->emitError() << "not supported yet: scale/bias broadcast over "
                              "part of the normalized axes";
  Type f32 = Float32Type::get(op->getContext());
  auto stat = [&](unsigned i) {
    return ctx.optionalOutput(op->getNumResults() > i ? op->getResult(i) : Value(), f32);
  };
  if (op->getNumResults() > 1)
    for (unsigned i = 1; i < op->getNumResults(); ++i)
      if (!isNone(op->getResult(i)) && !elementType(op->getResult(i)).isF32())
        return op->emitError() << "not supported yet: stash_type other than float";
  calls.push_back({"onnxc::layer_norm<" + str(outer) + "," + str(inner) + "," +
                       str(count(scale)) + "," + str(count(bias)) + ">",
                   {ctx.buffer(x), ctx.optionalInput(scale, xt.getElementType()),
                    ctx.optionalInput(bias, xt.getElementType()), ctx.buffer(y),
                    stat(1), stat(2),
                    floatLiteral(floatAttr(op, "epsilon", 1e-5f))}});
  return success();
}

LoweringRule softmaxRule(StringRef kind) {
  std::string k = kind.str();
  return [k](Operation *op, LoweringContext &ctx,
             std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), y = op->getResult(0);
    if (failed(requireFloat(op, x)))
      return failure();
    auto xt = tensorType(x);
    int64_t rank = xt.getRank();
    int64_t axis = intAttr(op, "axis", -1);
    if (axis < 0)
      axis += rank;
    int64_t outer = 1, n = 1, inner = 1;
    bool coerce = op->hasAttr("onnxc.coerce_2d");
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = xt.getDimSize(i);
      if (i < axis)
        outer *= d;
      else if (i == axis || coerce)
        n *= d;
      else
        inner *= d;
    }
    calls.push_back({"onnxc::softmax<onnxc::softmax_kind::" + k + "," + str(outer) +
                         "," + str(n) + "," + str(inner) + ">",
                     {ctx.buffer(x), ctx.buffer(y)}});
    return success();
  };
}

LoweringRule reduceRule(StringRef kind) {
  std::string k = kind.str();
  return [k](Operation *op, LoweringContext &ctx,
             std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), y = op->getResult(0);
    auto xt = tensorType(x);
    if (cType(xt.getElementType()).empty() || xt.getElementType().isInteger(1))
      return op->emitError() << "not supported yet: element type "
                             << xt.getElementType();
    std::optional<SmallVector<int64_t>> axes = SmallVector<int64_t>();
    if (op->getNumOperands() > 1 && !isNone(op->getOperand(1)))
      axes = constantInts(op->getOperand(1));
    if (!axes)
      return op->emitError()
             << "not supported yet: reduction axes computed at run time";
    bool noop = intAttr(op, "noop_with_empty_axes", 0) != 0;
    int64_t rank = xt.getRank();
    SmallVector<int64_t> keep(xt.getShape());
    if (axes->empty()) {
      if (!noop)
        for (auto &d : keep)
          d = 1;
    } else {
      for (int64_t a : *axes)
        keep[a < 0 ? a + rank : a] = 1;
    }
    if (tensorType(y).getNumElements() == 0)
      return success();
    calls.push_back({"onnxc::reduce<onnxc::reduce_kind::" + k + "," + dimsOf(xt.getShape()) +
                         "," + dimsOf(keep) + ">",
                     {ctx.buffer(x), ctx.buffer(y)}});
    return success();
  };
}

LoweringRule argRule(bool isMax) {
  return [isMax](Operation *op, LoweringContext &ctx,
                 std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), y = op->getResult(0);
    auto xt = tensorType(x);
    if (cType(xt.getElementType()).empty())
      return op->emitError() << "not supported yet: element type "
                             << xt.getElementType();
    int64_t axis = intAttr(op, "axis", 0);
    if (axis < 0)
      axis += xt.getRank();
    auto [outer, inner] = splitAtAxis(xt, axis);
    calls.push_back({std::string("onnxc::arg_reduce<") + (isMax ? "true" : "false") +
                         "," + (intAttr(op, "select_last_index", 0) ? "true" : "false") +
                         "," + str(outer) + "," + str(xt.getDimSize(axis)) + "," +
                         str(inner) + ">",
                     {ctx.buffer(x), ctx.buffer(y)}});
    return success();
  };
}

LogicalResult cumsumRule(Operation *op, LoweringContext &ctx,
                         std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  auto xt = tensorType(x);
  auto axisVals = constantInts(op->getOperand(1));
  if (!axisVals || axisVals->size() != 1)
    return op->emitError() << "not supported yet: axis computed at run time";
  int64_t axis = (*axisVals)[0];
  if (axis < 0)
    axis += xt.getRank();
  auto [outer, inner] = splitAtAxis(xt, axis);
  calls.push_back({std::string("onnxc::cumsum<") +
                       (intAttr(op, "exclusive", 0) ? "true" : "false") + "," +
                       (intAttr(op, "reverse", 0) ? "true" : "false") + "," +
                       str(outer) + "," + str(xt.getDimSize(axis)) + "," +
                       str(inner) + ">",
                   {ctx.buffer(x), ctx.buffer(y)}});
  return success();
}


/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss over [N, C, D].
LoweringRule lossRule(bool withSoftmax) {
  return [withSoftmax](Operation *op, LoweringContext &ctx,
                       std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0), target = op->getOperand(1),
          weight = op->getOperand(2), y = op->getResult(0);
    if (failed(requireFloat(op, x)))
      return failure();
    auto xt = tensorType(x);
    if (xt.getRank() < 2)
      return op->emitError() << "input must have rank >= 2";
    int64_t n = xt.getDimSize(0), c = xt.getDimSize(1);
    int64_t d = (n * c) != 0 ? xt.getNumElements() / (n * c) : 0;
    StringRef reduction = strAttr(op, "reduction", "mean");
    if (reduction != "none" && reduction != "sum" && reduction != "mean")
      return op->emitError() << "unknown reduction \"" << reduction << "\"";
    auto ignore = op->getAttrOfType<IntegerAttr>("ignore_index");
    std::string t = cType(xt.getElementType());
    std::string w = ctx.optionalInput(weight, xt.getElementType());
    std::string tmpl = str(n) + "," + str(c) + "," + str(d) +
                       ",onnxc::loss_reduction::" + reduction.str();
    std::string ignoreArgs = std::to_string(ignore ? ignore.getInt() : 0) + "," +
                             (ignore ? "true" : "false");
    if (!withSoftmax) {
      calls.push_back({"onnxc::nll_loss<" + tmpl + ">",
                       {ctx.buffer(x), ctx.buffer(target), w, ctx.buffer(y),
                        ignoreArgs}});
      return success();
    }
    std::string logProb = op->getNumResults() > 1 && !isNone(op->getResult(1))
                              ? ctx.buffer(op->getResult(1))
                              : ctx.scratch(op, xt.getElementType());
    calls.push_back({"onnxc::softmax_cross_entropy<" + tmpl + ">",
                     {ctx.buffer(x), ctx.buffer(target), w, ctx.buffer(y), logProb,
                      ignoreArgs}});
    return success();
  };
}

enum class RecurrentKind { LSTM, GRU, RNN };

/// A float LSTM's constant W and R made ready for rnn.h: per direction, W^T
/// packed in SGEMM panels of `nr` columns and R transposed to [H, 4H].
std::optional<std::pair<DenseElementsAttr, DenseElementsAttr>>
packLstmWeights(Operation *op, int64_t nr) {
  DenseElementsAttr wv = constantValue(op->getOperand(1)),
                    rv = constantValue(op->getOperand(2));
  if (nr <= 0 || !wv || !rv || !tensorType(op->getOperand(0)).getElementType().isF32())
    return std::nullopt;
  auto wt = cast<RankedTensorType>(wv.getType());
  int64_t dirs = wt.getDimSize(0), g = wt.getDimSize(1), input = wt.getDimSize(2);
  int64_t hidden = g / 4;
  SmallVector<float> w(wv.getValues<float>()), r(rv.getValues<float>());
  std::vector<float> wp, rt(dirs * hidden * g);
  for (int64_t d = 0; d < dirs; ++d) {
    appendPanels(wp, g, input, nr,
                 [&](int64_t j, int64_t k) { return w[(d * g + j) * input + k]; });
    for (int64_t j = 0; j < g; ++j)
      for (int64_t k = 0; k < hidden; ++k)
        rt[(d * hidden + k) * g + j] = r[(d * g + j) * hidden + k];
  }
  Type f32 = wt.getElementType();
  return std::make_pair(vectorAttr(wp, f32), vectorAttr(rt, f32));
}

/// LSTM, GRU and RNN share their operand order up to initial_h; LSTM adds
/// initial_c and peepholes, and a Y_c result.
LoweringRule recurrentRule(RecurrentKind kind) {
  return [kind](Operation *op, LoweringContext &ctx,
                std::vector<KernelCall> &calls) -> LogicalResult {
    Value x = op->getOperand(0);
    if (failed(requireFloat(op, x)))
      return failure();
    if (intAttr(op, "layout", 0) != 0)
      return op->emitError() << "not supported yet: layout=1";
    if (op->getAttr("clip") || intAttr(op, "input_forget", 0))
      return op->emitError() << "not supported yet: clip or input_forget";
    if (auto acts = op->getAttrOfType<ArrayAttr>("activations")) {
      // Only the defaults: Sigmoid for gates, Tanh for the cell/hidden.
      int perDirection = kind == RecurrentKind::LSTM ? 3 : kind == RecurrentKind::GRU ? 2 : 1;
      for (auto [i, a] : llvm::enumerate(acts)) {
        StringRef name = cast<StringAttr>(a).getValue();
        bool gate = kind != RecurrentKind::RNN && i % perDirection == 0;
        if (name != (gate ? "Sigmoid" : "Tanh"))
          return op->emitError() << "not supported yet: activation " << name;
      }
    }
    if (!isNone(op->getOperand(4)))
      return op->emitError() << "not supported yet: sequence_lens";
    auto xt = tensorType(x);
    Type e = xt.getElementType();
    StringRef direction = strAttr(op, "direction", "forward");
    int64_t dirs = direction == "bidirectional" ? 2 : 1;
    auto in = [&](unsigned i) { return ctx.optionalInput(op->getOperand(i), e); };
    auto out = [&](unsigned i) { return ctx.optionalOutput(op->getResult(i), e); };
    std::string batch = str(xt.getDimSize(1)), hidden = str(intAttr(op, "hidden_size", 0));
    // Seq, Batch, Input, Hidden: the kernels' first parameters.
    std::string sizes =
        str(xt.getDimSize(0)) + "," + batch + "," + str(xt.getDimSize(2)) + "," + hidden;
    std::string tmpl = sizes + "," + str(dirs) + "," + (direction == "reverse" ? "true" : "false");
    // A float LSTM's W and R go in prepared (and the originals not at all).
    auto packed = kind == RecurrentKind::LSTM
                      ? packLstmWeights(op, ctx.sgemmTile().cols)
                      : std::nullopt;
    std::string wBuf, rBuf;
    if (packed) {
      std::string base = nodeName(op->getLoc());
      wBuf = ctx.newConstant(packed->first, base + "_W_packed");
      rBuf = ctx.newConstant(packed->second, base + "_R_transposed");
      tmpl += "," + str(ctx.sgemmTile().cols);
    } else {
      wBuf = in(1);
      rBuf = in(2);
    }
    std::vector<std::string> args{ctx.buffer(x), wBuf, rBuf, in(3), in(5)};
    std::string callee;
    if (kind == RecurrentKind::LSTM) {
      callee = "onnxc::lstm<";
      args.insert(args.end(), {in(6), in(7), out(0), out(1), out(2)});
    } else {
      callee = kind == RecurrentKind::GRU ? "onnxc::gru<" : "onnxc::rnn<";
      if (kind == RecurrentKind::GRU)
        tmpl += intAttr(op, "linear_before_reset", 0) ? ",true" : ",false";
      args.insert(args.end(), {out(0), out(1)});
    }
    args.push_back(ctx.scratch(op, e));
    calls.push_back({callee + tmpl + ">", args});
    std::string elements;
    if (kind == RecurrentKind::LSTM && e.isF32())
      elements = "onnxc::lstm_f32_scratch_floats<" + sizes + ">";
    else
      elements = std::string(kind == RecurrentKind::LSTM  ? "onnxc::lstm_scratch_elements<"
                             : kind == RecurrentKind::GRU ? "onnxc::gru_scratch_elements<"
                                                          : "onnxc::rnn_scratch_elements<") +
                 batch + "," + hidden + ">()";
    calls.push_back(scratchCheck(op, ctx, elements, cType(e)));
    return success();
  };
}

LogicalResult lrnRule(Operation *op, LoweringContext &ctx,
                      std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (failed(requireFloat(op, x)))
    return failure();
  auto xt = tensorType(x);
  int64_t n = xt.getDimSize(0), c = xt.getDimSize(1);
  calls.push_back({"onnxc::lrn<" + str(n) + "," + str(c) + "," +
                       str((n * c) != 0 ? xt.getNumElements() / (n * c) : 0) + "," +
                       str(intAttr(op, "size", 1)) + ">",
                   {ctx.buffer(x), ctx.buffer(y),
                    floatLiteral(floatAttr(op, "alpha", 1e-4f)),
                    floatLiteral(floatAttr(op, "beta", 0.75f)),
                    floatLiteral(floatAttr(op, "bias", 1.0f))}});
  return success();
}

LogicalResult mvnRule(Operation *op, LoweringContext &ctx,
                      std::vector<KernelCall> &calls) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (failed(requireFloat(op, x)))
    return failure();
  auto xt = tensorType(x);
  auto axes = intsAttr(op, "axes").value_or(SmallVector<int64_t>{0, 2, 3});
  SmallVector<int64_t> keep(xt.getShape());
  for (int64_t a : axes)
    keep[a < 0 ? a + xt.getRank() : a] = 1;
  calls.push_back({"onnxc::mean_variance_norm<" + dimsOf(xt.getShape()) + "," +
                       dimsOf(keep) + ">",
                   {ctx.buffer(x), ctx.buffer(y)}});
  return success();
}

} // namespace

void onnxc::addNNRules(llvm::StringMap<LoweringRule> &r) {
  r["Conv"] = convRule;
  r["onnxk.Conv"] = convRule;
  r["onnxk.ConvMaxPool"] = convMaxPoolRule;
  r["onnxk.Gemm"] = gemmRule;
  r["ConvTranspose"] = convTransposeRule;
  r["MaxPool"] = poolRule(true);
  r["AveragePool"] = poolRule(false);
  r["GlobalAveragePool"] = globalPoolRule(false);
  r["GlobalMaxPool"] = globalPoolRule(true);
  r["Gemm"] = gemmRule;
  r["MatMul"] = matmulRule;
  r["BatchNormalization"] = batchNormRule;
  r["InstanceNormalization"] = instanceNormRule;
  r["LayerNormalization"] = layerNormRule;
  r["Softmax"] = softmaxRule("softmax");
  r["LogSoftmax"] = softmaxRule("log_softmax");
  r["Hardmax"] = softmaxRule("hardmax");
  r["ReduceSum"] = reduceRule("sum");
  r["ReduceMean"] = reduceRule("mean");
  r["ReduceMax"] = reduceRule("max");
  r["ReduceMin"] = reduceRule("min");
  r["ReduceProd"] = reduceRule("prod");
  r["ReduceL1"] = reduceRule("l1");
  r["ReduceL2"] = reduceRule("l2");
  r["ReduceLogSum"] = reduceRule("log_sum");
  r["ReduceLogSumExp"] = reduceRule("log_sum_exp");
  r["ReduceSumSquare"] = reduceRule("sum_square");
  r["ArgMax"] = argRule(true);
  r["ArgMin"] = argRule(false);
  r["CumSum"] = cumsumRule;
  r["LSTM"] = recurrentRule(RecurrentKind::LSTM);
  r["LRN"] = lrnRule;
  r["GRU"] = recurrentRule(RecurrentKind::GRU);
  r["RNN"] = recurrentRule(RecurrentKind::RNN);
  r["MeanVarianceNormalization"] = mvnRule;
  r["NegativeLogLikelihoodLoss"] = lossRule(false);
  r["SoftmaxCrossEntropyLoss"] = lossRule(true);
}

int64_t onnxc::sgemmScratchFloats(int64_t m, int64_t n, int64_t k, int threads, bool packA,
                                  bool threaded) {
  // As for a packed B: its space also holds a strided B's last panel,
  // which packs nothing else.
  return sgemm_blocking::scratch_floats(m, n, k, packA, /*packB=*/true, threaded, threads);
}

/// Mirrors conv.h depthwise_padded::floats for a 2-D window (a 1-D one is
/// one row tall): a strip of the phase-split image (two for small planes),
/// then a row; each phase plane's rows padded to whole cache lines.
static int64_t depthwiseScratchFloats(std::array<int64_t, 2> in, std::array<int64_t, 2> out,
                                      std::array<int64_t, 2> k,
                                      std::array<int64_t, 2> stride,
                                      std::array<int64_t, 2> pad,
                                      std::array<int64_t, 2> dil) {
  auto span = [&](int i) {
    int64_t need = (out[i] - 1) * stride[i] + (k[i] - 1) * dil[i] + 1;
    return std::max(need, in[i] + pad[i]);
  };
  int64_t phases = stride[1], w = ((span(1) + phases - 1) / phases + 15) / 16 * 16;
  auto rowsFor = [&](int64_t r) { return (r - 1) * stride[0] + (k[0] - 1) * dil[0] + 1; };
  int64_t r = out[0];
  while (stride[0] > 1 && r > 1 && rowsFor(r) * phases * w * 4 > 16 * 1024) // strided strips
    --r;
  int64_t slack = k[1] * dil[1] + 16, strip = phases * rowsFor(r) * w + slack;
  bool pipelined = r == out[0] && strip <= 2048 && out[0] * out[1] < 2048;
  return ((pipelined ? 2 : 1) * strip + phases * w + 15) / 16 * 16;
}

int64_t onnxc::nnScratchBytes(Operation *op, int threads, const SgemmTile &tile) {
  StringRef name = op->getName().getStringRef();
  if (name == "onnx.Conv" || name == "onnxk.Conv") {
    auto xt = tensorType(op->getOperand(0)), wt = tensorType(op->getOperand(1));
    auto yt = tensorType(op->getResult(0));
    // Winograd is taken only when weights are packed, which the planner
    // does not know: it reserves for whichever of the two is larger.
    bool packed = bool(constantWeights(op)); // weights pre-packed by the compiler
    ConvKernel kernel = convKernelOf(op, /*weightsPackable=*/packed);
    if (kernel == ConvKernel::Loops)
      return 0;
    int64_t group = intAttr(op, "group", 1);
    int64_t oh = xt.getRank() == 4 ? yt.getDimSize(2) : 1, ow = yt.getShape().back();
    int64_t kg = wt.getNumElements() / wt.getDimSize(0);
    int64_t sgemm =
        4 * sgemmScratchFloats(yt.getDimSize(1) / group, oh * ow, kg, threads, !packed);
    int64_t spatial = xt.getRank() - 2;
    auto pads = intsAttr(op, "pads").value_or(SmallVector<int64_t>{});
    auto strides = intsAttr(op, "strides").value_or(SmallVector<int64_t>(2, 1));
    auto dil = intsAttr(op, "dilations").value_or(SmallVector<int64_t>(2, 1));
    if (kernel == ConvKernel::Sgemm) {
      if (splitsInputChannels(op, threads, tile.rows))
        return 4 * std::max(sgemm, sgemm_blocking::k_split_floats(yt.getDimSize(1), oh * ow,
                                                                  xt.getDimSize(1), threads));
      // Each thread packs all of B one K block deep (as much as any B,
      // packed or read in place, takes).
      if (splitsOutputChannels(op, threads, tile.rows))
        return 4 * std::max(sgemm, sgemm_blocking::split_rows_floats(oh * ow, xt.getDimSize(1),
                                                                     /*packs=*/true, threads));
      // conv.h im2col_phased_v reads the images of all of a group's
      // channels, after the SGEMM's scratch.
      if (conv_blocking::phased_images(strides[spatial - 1] > 1, kg / (xt.getDimSize(1) / group),
                                       yt.getDimSize(1) / group, oh * ow, kg, threads))
        return sgemm + 4 * (xt.getDimSize(1) / group * phasedImageFloats(op) +
                            conv_blocking::phased_slack(wt.getShape().back(), dil[spatial - 1],
                                                        sgemm_blocking::max_nr));
      // conv.h im2col_whole_v writes the whole im2col matrix after the
      // SGEMM's scratch.
      bool unstrided = llvm::all_of(strides, [](int64_t v) { return v == 1; });
      if (conv_blocking::whole_im2col(unstrided, kg / (xt.getDimSize(1) / group), ow, tile.cols, kg,
                                      oh * ow))
        return sgemm + 4 * kg * oh * ow;
      return sgemm;
    }
    if (kernel == ConvKernel::Winograd)
      return std::max(sgemm,
                      4 * winograd_blocking::scratch_floats(winogradOutTile(op), xt.getDimSize(1),
                                                            yt.getDimSize(1), oh, ow, threads));
    // Depthwise: per thread, a strip of the image and a row. A 1-D
    // window is one row tall.
    auto dims2 = [&](ArrayRef<int64_t> v, int64_t fill) -> std::array<int64_t, 2> {
      if (v.empty())
        return {fill, fill};
      return {spatial == 2 ? v[v.size() - 2] : fill, v.back()};
    };
    return 4 * int64_t(threads) *
           depthwiseScratchFloats(dims2(xt.getShape(), 1), dims2(yt.getShape(), 1),
                                  dims2(wt.getShape(), 1), dims2(strides, 1),
                                  dims2(ArrayRef<int64_t>(pads).take_front(spatial), 0),
                                  dims2(dil, 1));
  }
  if (name == "onnxk.ConvMaxPool")
    return 4 * convMaxPoolScratchFloats(op, threads);
  if (name == "onnx.Gemm" || name == "onnxk.Gemm") {
    auto at = tensorType(op->getOperand(0)), yt = tensorType(op->getResult(0));
    if (!at.getElementType().isF32())
      return 0;
    bool transA = intAttr(op, "transA", 0);
    // One row of A runs as a GEMV (gemm.h), which packs nothing.
    if (yt.getDimSize(0) == 1 && !transA)
      return 0;
    int64_t k = at.getDimSize(transA ? 0 : 1);
    return 4 * sgemmScratchFloats(yt.getDimSize(0), yt.getDimSize(1), k, threads);
  }
  if (name == "onnx.MatMul") {
    auto at = tensorType(op->getOperand(0)), bt = tensorType(op->getOperand(1));
    if (!at.getElementType().isF32())
      return 0;
    // All of A's rows: gemm.h runs a batched A against one B as one product.
    int64_t k = at.getShape().back(), n = bt.getRank() > 1 ? bt.getShape().back() : 1;
    int64_t m = k ? at.getNumElements() / k : 0;
    if (m == 1) // a GEMV
      return 0;
    return 4 * sgemmScratchFloats(m, n, k, threads);
  }
  return 0;
}
