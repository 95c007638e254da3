// Classifies an image with the model onnxc compiled into classifier.a:
//
//   classify IMAGE.pgm|IMAGE.ppm [--labels FILE] [--mean M0,M1,M2] [--std S0,S1,S2]
//
// The image is resized (bilinear, pixel centres aligned as in PIL and
// torchvision) to the model's input, converted to its channel count,
// scaled to [0, 1] and normalized per channel (ImageNet's mean and
// deviation for three channels by default, none for one), then the five
// best classes are printed with their scores and softmax probabilities.
#include "classifier.h"
#include "netpbm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

namespace {

/// Comma-separated floats; false unless there are exactly `count`.
bool parseFloats(const std::string &text, size_t count, std::vector<float> &out) {
  out.clear();
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char *end = nullptr;
    out.push_back(std::strtof(item.c_str(), &end));
    if (item.empty() || *end)
      return false;
  }
  return out.size() == count;
}

/// Sample (x, y, c) of the image resized to width x height, bilinear.
float resized(const Image &im, int width, int height, int x, int y, int c) {
  auto source = [](int out, int outSize, int inSize, int &i0, int &i1, float &t) {
    float s = (out + 0.5f) * float(inSize) / float(outSize) - 0.5f;
    s = std::min(std::max(s, 0.0f), float(inSize - 1));
    i0 = int(s);
    i1 = std::min(i0 + 1, inSize - 1);
    t = s - float(i0);
  };
  int x0, x1, y0, y1;
  float tx, ty;
  source(x, width, im.width, x0, x1, tx);
  source(y, height, im.height, y0, y1, ty);
  auto at = [&](int xx, int yy) {
    return float(im.samples[(size_t(yy) * im.width + xx) * im.channels + c]);
  };
  float top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * tx;
  float bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * tx;
  return top + (bottom - top) * ty;
}

} // namespace

int main(int argc, char **argv) {
  const onnxc_tensor_info &in = classifier_inputs[0];
  const onnxc_tensor_info &out = classifier_outputs[0];
  if (CLASSIFIER_NUM_INPUTS != 1 || in.onnx_type != 1 || in.rank != 4 || in.shape[0] != 1 ||
      (in.shape[1] != 1 && in.shape[1] != 3) || out.onnx_type != 1) {
    std::fprintf(stderr, "classify: the model must take one 1xCxHxW float image (C = 1 or 3) "
                         "and return float scores\n");
    return 2;
  }
  const int channels = int(in.shape[1]), height = int(in.shape[2]), width = int(in.shape[3]);
  std::string imagePath, labelsPath;
  std::vector<float> mean(channels, 0.0f), deviation(channels, 1.0f);
  if (channels == 3) {
    mean = {0.485f, 0.456f, 0.406f};
    deviation = {0.229f, 0.224f, 0.225f};
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool hasValue = i + 1 < argc;
    if (arg == "--labels" && hasValue) {
      labelsPath = argv[++i];
    } else if ((arg == "--mean" || arg == "--std") && hasValue) {
      if (!parseFloats(argv[++i], size_t(channels), arg == "--mean" ? mean : deviation)) {
        std::fprintf(stderr, "classify: %s takes %d comma-separated numbers\n", arg.c_str(),
                     channels);
        return 2;
      }
    } else if (imagePath.empty() && arg[0] != '-') {
      imagePath = arg;
    } else {
      std::fprintf(stderr, "usage: classify IMAGE.pgm|IMAGE.ppm [--labels FILE] "
                           "[--mean M,...] [--std S,...]\n");
      return 2;
    }
  }
  if (imagePath.empty()) {
    std::fprintf(stderr, "usage: classify IMAGE.pgm|IMAGE.ppm [--labels FILE]\n");
    return 2;
  }
  Image image;
  std::string error;
  if (!readNetpbm(imagePath, image, error)) {
    std::fprintf(stderr, "classify: %s\n", error.c_str());
    return 1;
  }

  // NCHW floats: resized, channels matched (gray <-> RGB), normalized.
  std::vector<float> input(size_t(channels) * height * width);
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        float v;
        if (image.channels == channels)
          v = resized(image, width, height, x, y, c);
        else if (channels == 1) // RGB to luminance (ITU-R BT.601)
          v = 0.299f * resized(image, width, height, x, y, 0) +
              0.587f * resized(image, width, height, x, y, 1) +
              0.114f * resized(image, width, height, x, y, 2);
        else
          v = resized(image, width, height, x, y, 0);
        input[(size_t(c) * height + y) * width + x] = (v / 255.0f - mean[c]) / deviation[c];
      }

  std::vector<float> scores(size_t(out.bytes) / sizeof(float));
  std::vector<unsigned char> arena(CLASSIFIER_ARENA_BYTES + 64);
  void *aligned = reinterpret_cast<void *>(
      (reinterpret_cast<uintptr_t>(arena.data()) + 63) / 64 * 64);
  const void *inputs[] = {input.data()};
  void *outputs[] = {scores.data()};
  if (classifier_run_generic(inputs, outputs, aligned) != 0) {
    std::fprintf(stderr, "classify: the model failed\n");
    return 1;
  }

  std::vector<std::string> labels;
  if (!labelsPath.empty()) {
    std::ifstream file(labelsPath);
    for (std::string line; std::getline(file, line);)
      labels.push_back(line);
  }
  float top = *std::max_element(scores.begin(), scores.end()), sum = 0.0f;
  for (float s : scores)
    sum += std::exp(s - top);
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t(0));
  size_t shown = std::min<size_t>(5, order.size());
  std::partial_sort(order.begin(), order.begin() + shown, order.end(),
                    [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::printf("%s: %dx%d, %d channel(s) -> model input %dx%dx%d\n", imagePath.c_str(),
              image.width, image.height, image.channels, channels, height, width);
  std::printf("rank  class      score  probability  label\n");
  for (size_t r = 0; r < shown; ++r) {
    size_t k = order[r];
    std::printf("%4zu  %5zu  %9.5f  %11.5f  %s\n", r + 1, k, scores[k],
                std::exp(scores[k] - top) / sum, k < labels.size() ? labels[k].c_str() : "");
  }
  return 0;
}
