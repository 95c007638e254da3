#include "netpbm.h"

#include <cctype>
#include <fstream>
#include <iterator>

namespace {

/// The next header number, past whitespace and # comments; -1 if none.
long headerNumber(const std::string &data, size_t &at) {
  for (;;) {
    while (at < data.size() && std::isspace(static_cast<unsigned char>(data[at])))
      ++at;
    if (at < data.size() && data[at] == '#') {
      while (at < data.size() && data[at] != '\n')
        ++at;
      continue;
    }
    break;
  }
  long value = -1;
  while (at < data.size() && std::isdigit(static_cast<unsigned char>(data[at]))) {
    value = (value < 0 ? 0 : value * 10) + (data[at++] - '0');
    if (value > 100000)
      return -1;
  }
  return value;
}

} // namespace

bool readNetpbm(const std::string &path, Image &image, std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": cannot open";
    return false;
  }
  std::string data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (data.size() < 2 || data[0] != 'P' || (data[1] != '5' && data[1] != '6')) {
    error = path + ": not a binary PGM (P5) or PPM (P6) image";
    return false;
  }
  image.channels = data[1] == '5' ? 1 : 3;
  size_t at = 2;
  long width = headerNumber(data, at), height = headerNumber(data, at),
       maxval = headerNumber(data, at);
  if (width <= 0 || height <= 0 || maxval <= 0 || maxval > 255 || at >= data.size() ||
      !std::isspace(static_cast<unsigned char>(data[at]))) {
    error = path + ": bad header (width, height, maxval up to 255)";
    return false;
  }
  ++at; // the one whitespace before the samples
  size_t count = size_t(width) * size_t(height) * size_t(image.channels);
  if (data.size() - at < count) {
    error = path + ": " + std::to_string(data.size() - at) + " bytes of samples, expected " +
            std::to_string(count);
    return false;
  }
  image.width = int(width);
  image.height = int(height);
  image.samples.resize(count);
  for (size_t i = 0; i < count; ++i) // scaled to 0..255 when maxval is lower
    image.samples[i] =
        uint8_t((static_cast<unsigned char>(data[at + i]) * 255 + maxval / 2) / maxval);
  return true;
}
