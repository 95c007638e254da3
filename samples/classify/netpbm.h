// Binary PGM (P5, gray) and PPM (P6, RGB) images with 8-bit samples.
#ifndef CLASSIFY_NETPBM_H
#define CLASSIFY_NETPBM_H

#include <cstdint>
#include <string>
#include <vector>

struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> samples; ///< row by row, channels interleaved
};

/// Reads `path`; on failure returns false with `error` saying why.
bool readNetpbm(const std::string &path, Image &image, std::string &error);

#endif
