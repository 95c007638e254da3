// Data movement: transpose, concat, slice, gather, pad, tile.
#ifndef ONNXC_TEMPLATES_TENSOR_H
#define ONNXC_TEMPLATES_TENSOR_H

#include "onnxc/runtime.h"

ONNXC_NAMESPACE_BEGIN

/// Output dims [s, rank) that a transpose leaves in place at the end:
/// each run of their product is one contiguous copy.
template <class Perm> constexpr int transpose_run_start() {
  int s = Perm::rank;
  while (s > 0 && Perm::at(s - 1) == s - 1)
    --s;
  return s;
}

/// y = transpose(x) where In is x's shape and Perm the permutation, a row
/// of y at a time: trailing dims the permutation keeps as one copy
/// (memcpy), else y's last dim as one strided loop over x. Element by
/// element, tiny_transformer's head splits ([32, 4, 32] -> [4, 32, 32],
/// 16 KB) took 3 us each.
template <class In, class Perm, class T> void transpose(const T *x, T *y) {
  constexpr int S = transpose_run_start<Perm>();
  if constexpr (S == 0) {
    memcpy(y, x, size_t(In::size) * sizeof(T));
  } else {
    constexpr bool moved = S == In::rank; // the last dim moves
    constexpr int D = moved ? S - 1 : S;  // y's dims outside a row
    // A row: dims [S, rank) (the same in x and y), or y's last dim.
    constexpr index_t run = moved ? In::at(int(Perm::at(S - 1))) : In::stride(S - 1);
    constexpr index_t step = moved ? In::stride(int(Perm::at(S - 1))) : 1;
    index_t outDims[D + 1], inStride[D + 1], idx[D + 1] = {};
    for (int d = 0; d < D; ++d) {
      outDims[d] = In::at(int(Perm::at(d)));
      inStride[d] = In::stride(int(Perm::at(d)));
    }
    index_t off = 0;
    for (index_t i = 0; i < In::size; i += run) {
      if constexpr (moved) {
        for (index_t j = 0; j < run; ++j)
          y[i + j] = x[off + j * step];
      } else {
        memcpy(y + i, x + off, size_t(run) * sizeof(T));
      }
      for (int d = D - 1; d >= 0; --d) {
        off += inStride[d];
        if (++idx[d] < outDims[d])
          break;
        off -= inStride[d] * outDims[d];
        idx[d] = 0;
      }
    }
  }
}

/// Copies one Concat input (Outer x Chunk) into y at column Offset of rows
/// of OutChunk elements.
template <index_t Outer, index_t Chunk, index_t OutChunk, index_t Offset,
          class T>
void concat_part(const T *x, T *y) {
  for (index_t o = 0; o < Outer; ++o)
    memcpy(y + o * OutChunk + Offset, x + o * Chunk, size_t(Chunk) * sizeof(T));
}

/// Dims [s, rank) a slice copies as one contiguous run: unit steps, and
/// every dim after the first of them whole.
template <class In, class Out, class Start, class Step> constexpr int slice_run_start() {
  int s = In::rank;
  if (s == 0 || Step::at(s - 1) != 1)
    return s;
  --s;
  while (s > 0 && Step::at(s - 1) == 1 && Out::at(s) == In::at(s) && Start::at(s) == 0)
    --s;
  return s;
}

/// General strided slice: Out shape, In shape, Start and Step per dim.
/// Unit-step trailing dims go as runs (memcpy): element by element,
/// tiny_transformer's query, key and value slices (32 rows of 128 floats)
/// took 3 us each.
template <class In, class Out, class Start, class Step, class T>
void slice(const T *x, T *y) {
  constexpr int R = In::rank, S = slice_run_start<In, Out, Start, Step>();
  // Elements per run: Out's dims [S, R).
  constexpr index_t run = S == R ? 1 : S == 0 ? Out::size : Out::stride(S - 1);
  index_t base = 0; // where the runs' own dims start
  for (int d = S; d < R; ++d)
    base += Start::at(d) * In::stride(d);
  index_t idx[S > 0 ? S : 1] = {};
  for (index_t i = 0; i < Out::size; i += run) {
    index_t off = base;
    for (int d = 0; d < S; ++d)
      off += (Start::at(d) + idx[d] * Step::at(d)) * In::stride(d);
    if constexpr (run == 1)
      y[i] = x[off];
    else
      memcpy(y + i, x + off, size_t(run) * sizeof(T));
    for (int d = S - 1; d >= 0; --d) {
      if (++idx[d] < Out::at(d))
        break;
      idx[d] = 0;
    }
  }
}

/// Gather along an axis: data viewed as [Outer, Dim, Inner], NIdx indices.
/// Out-of-range indices are clamped to keep firmware safe.
template <index_t Outer, index_t Dim, index_t Inner, index_t NIdx, class T,
          class I>
void gather(const T *data, const I *indices, T *y) {
  for (index_t o = 0; o < Outer; ++o)
    for (index_t j = 0; j < NIdx; ++j) {
      index_t k = index_t(indices[j]);
      if (k < 0)
        k += Dim;
      if (k < 0)
        k = 0;
      if (k >= Dim)
        k = Dim - 1;
      memcpy(y + (o * NIdx + j) * Inner, data + (o * Dim + k) * Inner,
             size_t(Inner) * sizeof(T));
    }
}

/// GatherElements along Axis: Out is the indices' shape, In the data's.
template <class In, class Out, int Axis, class T, class I>
void gather_elements(const T *data, const I *indices, T *y) {
  index_t idx[Out::rank] = {};
  for (index_t i = 0; i < Out::size; ++i) {
    index_t off = 0;
    for (int d = 0; d < Out::rank; ++d) {
      index_t c = idx[d];
      if (d == Axis) {
        c = index_t(indices[i]);
        if (c < 0)
          c += In::at(d);
      }
      off += c * In::stride(d);
    }
    y[i] = data[off];
    for (int d = Out::rank - 1; d >= 0; --d) {
      if (++idx[d] < Out::at(d))
        break;
      idx[d] = 0;
    }
  }
}

/// Pad modes.
enum class pad_mode { constant, reflect, edge, wrap };

/// Pad: Begin holds the leading pad per dim (may be negative: crop).
template <class In, class Out, class Begin, pad_mode Mode, class T>
void pad(const T *x, const T *value, T *y) {
  constexpr int R = In::rank;
  T fill = value ? value[0] : T{};
  index_t idx[R > 0 ? R : 1] = {};
  for (index_t i = 0; i < Out::size; ++i) {
    index_t off = 0;
    bool inside = true;
    for (int d = 0; d < R; ++d) {
      index_t c = idx[d] - Begin::at(d);
      index_t n = In::at(d);
      if (c < 0 || c >= n) {
        if (Mode == pad_mode::constant || n == 0) {
          inside = false;
          break;
        } else if (Mode == pad_mode::edge) {
          c = c < 0 ? 0 : n - 1;
        } else if (Mode == pad_mode::wrap) {
          c = ((c % n) + n) % n;
        } else { // reflect
          if (n == 1) {
            c = 0;
          } else {
            index_t period = 2 * (n - 1);
            c = ((c % period) + period) % period;
            if (c >= n)
              c = period - c;
          }
        }
      }
      off += c * In::stride(d);
    }
    y[i] = inside ? x[off] : fill;
    for (int d = R - 1; d >= 0; --d) {
      if (++idx[d] < Out::at(d))
        break;
      idx[d] = 0;
    }
  }
}

/// Tile: y[i] = x[i mod In] per dim.
template <class In, class Out, class T> void tile(const T *x, T *y) {
  constexpr int R = In::rank;
  index_t idx[R > 0 ? R : 1] = {};
  for (index_t i = 0; i < Out::size; ++i) {
    index_t off = 0;
    for (int d = 0; d < R; ++d)
      off += (idx[d] % In::at(d)) * In::stride(d);
    y[i] = x[off];
    for (int d = R - 1; d >= 0; --d) {
      if (++idx[d] < Out::at(d))
        break;
      idx[d] = 0;
    }
  }
}

/// Fills N elements with the first element of `value`.
template <index_t N, class T> void fill(const T *value, T *y) {
  for (index_t i = 0; i < N; ++i)
    y[i] = value[0];
}

/// Range: y[i] = start + i * delta.
template <index_t N, class T> void range(const T *start, const T *delta, T *y) {
  compute_t<T> s = load(start[0]), d = load(delta[0]);
  for (index_t i = 0; i < N; ++i)
    y[i] = store<T>(compute_t<T>(s + compute_t<T>(i) * d));
}

/// Trilu: keeps the upper (or lower) triangle of each [R, C] matrix.
template <index_t Batch, index_t R, index_t C, bool Upper, class T, class K>
void trilu(const T *x, const K *kptr, T *y) {
  index_t k = kptr ? index_t(kptr[0]) : 0;
  for (index_t b = 0; b < Batch; ++b)
    for (index_t i = 0; i < R; ++i)
      for (index_t j = 0; j < C; ++j) {
        bool keep = Upper ? (j - i >= k) : (j - i <= k);
        index_t o = (b * R + i) * C + j;
        y[o] = keep ? x[o] : T{};
      }
}

/// DepthToSpace / SpaceToDepth on NCHW.
template <index_t N, index_t C, index_t H, index_t W, index_t B, bool DCR,
          class T>
void depth_to_space(const T *x, T *y) {
  constexpr index_t OC = C / (B * B);
  for (index_t n = 0; n < N; ++n)
    for (index_t c = 0; c < OC; ++c)
      for (index_t h = 0; h < H * B; ++h)
        for (index_t w = 0; w < W * B; ++w) {
          index_t bh = h % B, bw = w % B;
          index_t ic = DCR ? (bh * B + bw) * OC + c : c * B * B + bh * B + bw;
          y[((n * OC + c) * H * B + h) * W * B + w] =
              x[((n * C + ic) * H + h / B) * W + w / B];
        }
}

template <index_t N, index_t C, index_t H, index_t W, index_t B, class T>
void space_to_depth(const T *x, T *y) {
  constexpr index_t OH = H / B, OW = W / B;
  for (index_t n = 0; n < N; ++n)
    for (index_t c = 0; c < C; ++c)
      for (index_t h = 0; h < H; ++h)
        for (index_t w = 0; w < W; ++w) {
          index_t oc = ((h % B) * B + (w % B)) * C + c;
          y[((n * C * B * B + oc) * OH + h / B) * OW + w / B] =
              x[((n * C + c) * H + h) * W + w];
        }
}

enum class scatter_reduction { none, add, mul, max, min };

template <scatter_reduction R, class T> ONNXC_INLINE void scatter_apply(T &dst, T v) {
  switch (R) {
  case scatter_reduction::none: dst = v; break;
  case scatter_reduction::add: dst = store<T>(load(dst) + load(v)); break;
  case scatter_reduction::mul: dst = store<T>(load(dst) * load(v)); break;
  case scatter_reduction::max: dst = load(v) > load(dst) ? v : dst; break;
  case scatter_reduction::min: dst = load(v) < load(dst) ? v : dst; break;
  }
}

/// ScatterElements along Axis: Data is the data's shape, Idx the indices'.
template <class Data, class Idx, int Axis, scatter_reduction R, class T, class I>
void scatter_elements(const T *data, const I *indices, const T *updates, T *y) {
  if (y != data)
    memcpy(y, data, size_t(Data::size) * sizeof(T));
  index_t idx[Idx::rank > 0 ? Idx::rank : 1] = {};
  for (index_t i = 0; i < Idx::size; ++i) {
    index_t off = 0;
    for (int d = 0; d < Idx::rank; ++d) {
      index_t c = idx[d];
      if (d == Axis) {
        c = index_t(indices[i]);
        if (c < 0)
          c += Data::at(d);
      }
      off += c * Data::stride(d);
    }
    scatter_apply<R>(y[off], updates[i]);
    for (int d = Idx::rank - 1; d >= 0; --d) {
      if (++idx[d] < Idx::at(d))
        break;
      idx[d] = 0;
    }
  }
}

/// ScatterND: indices [NIdx, K] address slices of Slice elements in data.
template <class Data, index_t NIdx, int K, index_t Slice, scatter_reduction R,
          class T, class I>
void scatter_nd(const T *data, const I *indices, const T *updates, T *y) {
  if (y != data)
    memcpy(y, data, size_t(Data::size) * sizeof(T));
  for (index_t n = 0; n < NIdx; ++n) {
    index_t off = 0;
    for (int k = 0; k < K; ++k) {
      index_t c = index_t(indices[n * K + k]);
      if (c < 0)
        c += Data::at(k);
      off += c * Data::stride(k);
    }
    for (index_t j = 0; j < Slice; ++j)
      scatter_apply<R>(y[off + j], updates[n * Slice + j]);
  }
}

/// GatherND with batch_dims B: data viewed as [Batch, ...], indices as
/// [Batch, NIdx, K]; each index picks a slice of Slice elements.
template <class Data, index_t Batch, index_t NIdx, int K, int B, index_t Slice,
          class T, class I>
void gather_nd(const T *data, const I *indices, T *y) {
  constexpr index_t batchStride = Data::size / (Batch ? Batch : 1);
  for (index_t b = 0; b < Batch; ++b)
    for (index_t n = 0; n < NIdx; ++n) {
      index_t off = b * batchStride;
      for (int k = 0; k < K; ++k) {
        index_t c = index_t(indices[(b * NIdx + n) * K + k]);
        if (c < 0)
          c += Data::at(B + k);
        off += c * Data::stride(B + k);
      }
      memcpy(y + (b * NIdx + n) * Slice, data + off, size_t(Slice) * sizeof(T));
    }
}

/// EyeLike: ones on the K-th diagonal of an [R, C] matrix.
template <index_t R, index_t C, index_t K, class T> void eye_like(T *y) {
  for (index_t i = 0; i < R; ++i)
    for (index_t j = 0; j < C; ++j)
      y[i * C + j] = store<T>(compute_t<T>(j - i == K ? 1 : 0));
}

/// OneHot: indices (N values) -> [Outer, Depth, Inner] with values[0]/[1].
template <index_t Outer, index_t Depth, index_t Inner, class I, class T>
void one_hot(const I *indices, const T *values, T *y) {
  for (index_t o = 0; o < Outer; ++o)
    for (index_t d = 0; d < Depth; ++d)
      for (index_t i = 0; i < Inner; ++i) {
        index_t k = index_t(indices[o * Inner + i]);
        if (k < 0)
          k += Depth;
        y[(o * Depth + d) * Inner + i] = k == d ? values[1] : values[0];
      }
}

ONNXC_NAMESPACE_END

#endif
