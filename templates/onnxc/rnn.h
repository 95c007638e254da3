// Recurrent layers (ONNX LSTM, layout 0, default activations).
#ifndef ONNXC_TEMPLATES_RNN_H
#define ONNXC_TEMPLATES_RNN_H

#include "onnxc/elementwise.h"
#include "onnxc/fastmath.h"
#include "onnxc/gemm.h"

ONNXC_NAMESPACE_BEGIN

/// out[j] += M[j] . v for j < Rows, M [Rows, K] row-major.
template <index_t Rows, index_t K, class T>
ONNXC_INLINE void matvec_acc(const T *m, const T *v, T *out) {
  if constexpr (is_same_v<T, float>) {
    gemv_rows<Rows, K, true>(v, m, out);
  } else {
    for (index_t j = 0; j < Rows; ++j) {
      T acc = 0;
      for (index_t k = 0; k < K; ++k)
        acc += m[j * K + k] * v[k];
      out[j] += acc;
    }
  }
}

/// The gate activations: branch-free and vectorizable for float.
struct rnn_sigmoid {
  template <class C> C operator()(C x) const {
    if constexpr (is_same_v<C, float>)
      return fastmath::sigmoid(x);
    else
      return fn::Sigmoid{}(x);
  }
};
struct rnn_tanh {
  template <class C> C operator()(C x) const {
    if constexpr (is_same_v<C, float>)
      return fastmath::tanh(x);
    else
      return fn::Tanh{}(x);
  }
};

/// The LSTM state update from the gate pre-activations g [4H] (i, o, f, c),
/// with peepholes pd [3H] when Peep; separate arrays, so it vectorizes.
template <index_t Hidden, bool Peep, class T>
void lstm_cell(const T *ONNXC_RESTRICT g, const T *ONNXC_RESTRICT pd,
               T *ONNXC_RESTRICT c, T *ONNXC_RESTRICT h) {
  rnn_sigmoid sigmoid;
  rnn_tanh tanh_;
  for (index_t k = 0; k < Hidden; ++k) {
    T cprev = c[k];
    T gi = g[k], go = g[Hidden + k], gf = g[2 * Hidden + k], gc = g[3 * Hidden + k];
    if constexpr (Peep) {
      gi += pd[k] * cprev;
      gf += pd[2 * Hidden + k] * cprev;
    }
    gi = sigmoid(gi);
    gf = sigmoid(gf);
    gc = tanh_(gc);
    T cnew = gf * cprev + gi * gc;
    if constexpr (Peep)
      go += pd[Hidden + k] * cnew;
    go = sigmoid(go);
    c[k] = cnew;
    h[k] = go * tanh_(cnew);
  }
}

/// The cell of either form: with peepholes when pd is given.
template <index_t Hidden, class T>
ONNXC_INLINE void lstm_cell(const T *g, const T *pd, T *c, T *h) {
  if (pd)
    lstm_cell<Hidden, true>(g, pd, c, h);
  else
    lstm_cell<Hidden, false>(g, pd, c, h);
}

/// Y[t, dir] = h, Y being [Seq, Dirs, Batch, Hidden].
template <index_t Batch, index_t Hidden, index_t Dirs, class T>
ONNXC_INLINE void rnn_store_step(const T *h, T *y, index_t t, int dir) {
  for (index_t i = 0; i < Batch * Hidden; ++i)
    y[(t * Dirs + dir) * Batch * Hidden + i] = h[i];
}

/// The last h and c into Y_h and Y_c (each optional) for direction dir.
template <index_t Size, class T>
ONNXC_INLINE void rnn_store_state(const T *h, const T *c, T *yh, T *yc, int dir) {
  for (index_t i = 0; i < Size; ++i) {
    if (yh)
      yh[dir * Size + i] = h[i];
    if (yc)
      yc[dir * Size + i] = c[i];
  }
}

/// Elements of scratch the LSTM of other than float types, the GRU and the
/// RNN need (the compiler reserves the same): the gates, then the state.
template <index_t Batch, index_t Hidden> constexpr index_t lstm_scratch_elements() {
  return 4 * Hidden * Batch + 2 * Hidden * Batch;
}
template <index_t Batch, index_t Hidden> constexpr index_t gru_scratch_elements() {
  return 3 * Hidden * Batch + Hidden * Batch + Hidden;
}
template <index_t Batch, index_t Hidden> constexpr index_t rnn_scratch_elements() {
  return 2 * Hidden * Batch;
}

/// One direction of an LSTM. Gate order i, o, f, c as ONNX stores them.
/// scratch holds lstm_scratch_elements: the gates [Batch, 4H], h, c.
template <index_t Seq, index_t Batch, index_t Input, index_t Hidden,
          index_t Dirs, bool Reverse, class T>
void lstm_direction(const T *x, const T *w, const T *r, const T *b,
                    const T *h0, const T *c0, const T *p, T *y, T *yh, T *yc,
                    int dir, T *scratch) {
  constexpr index_t G = 4 * Hidden;
  T *gates = scratch;                 // [Batch, 4H]
  T *h = scratch + Batch * G;         // [Batch, H]
  T *c = h + Batch * Hidden;          // [Batch, H]
  for (index_t i = 0; i < Batch * Hidden; ++i) {
    h[i] = h0 ? h0[dir * Batch * Hidden + i] : T(0);
    c[i] = c0 ? c0[dir * Batch * Hidden + i] : T(0);
  }
  const T *wd = w + dir * G * Input;
  const T *rd = r + dir * G * Hidden;
  const T *bd = b ? b + dir * 2 * G : nullptr;
  const T *pd = p ? p + dir * 3 * Hidden : nullptr;
  for (index_t step = 0; step < Seq; ++step) {
    index_t t = Reverse ? Seq - 1 - step : step;
    const T *xt = x + t * Batch * Input;
    for (index_t n = 0; n < Batch; ++n) {
      T *g = gates + n * G;
      for (index_t j = 0; j < G; ++j)
        g[j] = bd ? T(bd[j] + bd[G + j]) : T(0);
      matvec_acc<G, Input>(wd, xt + n * Input, g);
      matvec_acc<G, Hidden>(rd, h + n * Hidden, g);
      lstm_cell<Hidden>(g, pd, c + n * Hidden, h + n * Hidden);
    }
    if (y)
      rnn_store_step<Batch, Hidden, Dirs>(h, y, t, dir);
  }
  rnn_store_state<Batch * Hidden>(h, c, yh, yc, dir);
}

/// Floats of scratch the float LSTM needs (the compiler reserves the same):
/// input projections of every step, R transposed, the summed bias, h and c,
/// and the SGEMM's packing space.
template <index_t Seq, index_t Batch, index_t Input, index_t Hidden>
constexpr index_t lstm_f32_scratch_floats =
    Seq * Batch * 4 * Hidden + Hidden * 4 * Hidden + 4 * Hidden +
    2 * Batch * Hidden + sgemm::scratch_floats(Seq * Batch, 4 * Hidden, Input, true, true);

/// g[0, N) += sum over k < K of h[k] * rt[k, 0, N): the recurrent product on
/// R transposed, 64 outputs at a time in registers (no lane reductions).
template <index_t N, index_t K>
ONNXC_INLINE void recurrent_acc(const float *ONNXC_RESTRICT rt,
                                const float *ONNXC_RESTRICT h,
                                float *ONNXC_RESTRICT g) {
  using V = simd::native;
  constexpr index_t W = V::width, Chunk = 8 * W;
  index_t j = 0;
  for (; j + Chunk <= N; j += Chunk) {
    typename V::reg acc[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i)
      acc[i] = V::load(g + j + i * W);
    for (index_t k = 0; k < K; ++k) {
      typename V::reg hk = V::broadcast(h + k);
      const float *row = rt + k * N + j;
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i)
        acc[i] = V::fma(hk, V::load(row + i * W), acc[i]);
    }
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i)
      V::store(g + j + i * W, acc[i]);
  }
  for (index_t k = 0; k < K; ++k)
    for (index_t jj = j; jj < N; ++jj)
      g[jj] += h[k] * rt[k * N + jj];
}

/// One direction of a float LSTM: the input projections of all steps are
/// one SGEMM, X [Seq*Batch, Input] times W^T, with the bias as epilogue;
/// each step then adds h R^T and updates the state.
template <index_t Seq, index_t Batch, index_t Input, index_t Hidden,
          index_t Dirs, bool Reverse, index_t PackedNR>
void lstm_direction_f32(const float *x, const float *w, const float *r,
                        const float *b, const float *h0, const float *c0,
                        const float *p, float *y, float *yh, float *yc, int dir,
                        float *scratch) {
  constexpr index_t G = 4 * Hidden, Steps = Seq * Batch;
  float *xw = scratch;             // [Seq*Batch, G]
  float *rtBuf = xw + Steps * G;   // [Hidden, G]: R transposed here...
  const float *rt = rtBuf;          // ...unless the compiler did it
  float *bias = rtBuf + Hidden * G; // [G]
  float *h = bias + G;             // [Batch, H]
  float *c = h + Batch * Hidden;   // [Batch, H]
  float *pack = c + Batch * Hidden;
  const float *wd = w + dir * G * Input;
  const float *rd = r + dir * G * Hidden;
  const float *bd = b ? b + dir * 2 * G : nullptr;
  const float *pd = p ? p + dir * 3 * Hidden : nullptr;
  for (index_t j = 0; j < G; ++j)
    bias[j] = bd ? bd[j] + bd[G + j] : 0.0f;
  sgemm::bias_act_epilogue<fn::Identity> epi{nullptr, bias, nullptr, 0, {}};
  sgemm::dense_a<false> xs{x, Input, Steps};
  if constexpr (PackedNR != 0) {
    // The compiler packed W^T and transposed R.
    static_assert(PackedNR == sgemm::NR,
                  "weights were packed for another --cpu than this compiler targets");
    sgemm::gemm<Steps, G, Input>(
        xs, sgemm::prepacked_b{w + dir * sgemm::round_up(G, sgemm::NR) * Input, Input, G},
        xw, G, false, pack, epi);
    rt = rd;
  } else {
    sgemm::gemm<Steps, G, Input>(xs, sgemm::dense_b<true>{wd, Input, G}, xw, G, false,
                                 pack, epi);
    for (index_t j = 0; j < G; ++j)
      for (index_t k = 0; k < Hidden; ++k)
        rtBuf[k * G + j] = rd[j * Hidden + k];
  }
  for (index_t i = 0; i < Batch * Hidden; ++i) {
    h[i] = h0 ? h0[dir * Batch * Hidden + i] : 0.0f;
    c[i] = c0 ? c0[dir * Batch * Hidden + i] : 0.0f;
  }
  for (index_t step = 0; step < Seq; ++step) {
    index_t t = Reverse ? Seq - 1 - step : step;
    for (index_t n = 0; n < Batch; ++n) {
      float *g = xw + (t * Batch + n) * G;
      recurrent_acc<G, Hidden>(rt, h + n * Hidden, g);
      lstm_cell<Hidden>(g, pd, c + n * Hidden, h + n * Hidden);
    }
    if (y)
      rnn_store_step<Batch, Hidden, Dirs>(h, y, t, dir);
  }
  rnn_store_state<Batch * Hidden>(h, c, yh, yc, dir);
}

/// LSTM over Dirs directions (Dirs==2: forward then reverse).
/// With PackedNR (float only), w holds each direction's W^T packed in SGEMM
/// panels of PackedNR columns and r each direction's R transposed [H, 4H].
template <index_t Seq, index_t Batch, index_t Input, index_t Hidden,
          index_t Dirs, bool ReverseOnly, index_t PackedNR = 0, class T>
void lstm(const T *x, const T *w, const T *r, const T *b, const T *h0,
          const T *c0, const T *p, T *y, T *yh, T *yc, T *scratch) {
  static_assert(PackedNR == 0 || is_same_v<T, float>, "packed LSTM weights: float only");
  if constexpr (is_same_v<T, float>) {
    if (Dirs == 2) {
      lstm_direction_f32<Seq, Batch, Input, Hidden, Dirs, false, PackedNR>(x, w, r, b, h0, c0, p, y, yh, yc, 0, scratch);
      lstm_direction_f32<Seq, Batch, Input, Hidden, Dirs, true, PackedNR>(x, w, r, b, h0, c0, p, y, yh, yc, 1, scratch);
    } else {
      lstm_direction_f32<Seq, Batch, Input, Hidden, Dirs, ReverseOnly, PackedNR>(x, w, r, b, h0, c0, p, y, yh, yc, 0, scratch);
    }
    return;
  }
  if (Dirs == 2) {
    lstm_direction<Seq, Batch, Input, Hidden, Dirs, false>(x, w, r, b, h0, c0, p, y, yh, yc, 0, scratch);
    lstm_direction<Seq, Batch, Input, Hidden, Dirs, true>(x, w, r, b, h0, c0, p, y, yh, yc, 1, scratch);
  } else {
    lstm_direction<Seq, Batch, Input, Hidden, Dirs, ReverseOnly>(x, w, r, b, h0, c0, p, y, yh, yc, 0, scratch);
  }
}

/// One direction of a GRU (gates z, r, h; default activations).
/// scratch holds gru_scratch_elements: the gates [Batch, 3H], h, and the
/// recurrent part of the h gate [H].
template <index_t Seq, index_t Batch, index_t Input, index_t Hidden,
          index_t Dirs, bool Reverse, bool LinearBeforeReset, class T>
void gru_direction(const T *x, const T *w, const T *r, const T *b, const T *h0,
                   T *y, T *yh, int dir, T *scratch) {
  constexpr index_t G = 3 * Hidden;
  T *gates = scratch;           // [Batch, 3H]: input part
  T *h = gates + Batch * G;     // [Batch, H]
  T *rh = h + Batch * Hidden;   // [H]: recurrent part of the h gate
  for (index_t i = 0; i < Batch * Hidden; ++i)
    h[i] = h0 ? h0[dir * Batch * Hidden + i] : T(0);
  const T *wd = w + dir * G * Input;
  const T *rd = r + dir * G * Hidden;
  const T *bd = b ? b + dir * 2 * G : nullptr;
  rnn_sigmoid sigmoid;
  rnn_tanh tanh_;
  for (index_t step = 0; step < Seq; ++step) {
    index_t t = Reverse ? Seq - 1 - step : step;
    const T *xt = x + t * Batch * Input;
    for (index_t n = 0; n < Batch; ++n) {
      T *g = gates + n * G;
      const T *hn = h + n * Hidden;
      for (index_t j = 0; j < G; ++j)
        g[j] = bd ? (j < 2 * Hidden ? T(bd[j] + bd[G + j]) : bd[j]) : T(0);
      matvec_acc<G, Input>(wd, xt + n * Input, g);
      // z and r take the recurrent term directly.
      matvec_acc<2 * Hidden, Hidden>(rd, hn, g);
      for (index_t j = 0; j < 2 * Hidden; ++j)
        g[j] = sigmoid(g[j]);
      for (index_t j = 0; j < Hidden; ++j) {
        const T *rr = rd + (2 * Hidden + j) * Hidden;
        T rb = bd ? bd[G + 2 * Hidden + j] : T(0);
        T acc = 0;
        if (LinearBeforeReset) {
          for (index_t k = 0; k < Hidden; ++k)
            acc += rr[k] * hn[k];
          acc = g[Hidden + j] * (acc + rb);
        } else {
          for (index_t k = 0; k < Hidden; ++k)
            acc += rr[k] * (g[Hidden + k] * hn[k]);
          acc += rb;
        }
        rh[j] = tanh_(T(g[2 * Hidden + j] + acc));
      }
      for (index_t j = 0; j < Hidden; ++j) {
        T z = g[j];
        h[n * Hidden + j] = (T(1) - z) * rh[j] + z * h[n * Hidden + j];
      }
    }
    if (y)
      for (index_t n = 0; n < Batch; ++n)
        for (index_t k = 0; k < Hidden; ++k)
          y[((t * Dirs + dir) * Batch + n) * Hidden + k] = h[n * Hidden + k];
  }
  if (yh)
    for (index_t i = 0; i < Batch * Hidden; ++i)
      yh[dir * Batch * Hidden + i] = h[i];
}

template <index_t Seq, index_t Batch, index_t Input, index_t Hidden,
          index_t Dirs, bool ReverseOnly, bool LinearBeforeReset, class T>
void gru(const T *x, const T *w, const T *r, const T *b, const T *h0, T *y,
         T *yh, T *scratch) {
  if (Dirs == 2) {
    gru_direction<Seq, Batch, Input, Hidden, Dirs, false, LinearBeforeReset>(x, w, r, b, h0, y, yh, 0, scratch);
    gru_direction<Seq, Batch, Input, Hidden, Dirs, true, LinearBeforeReset>(x, w, r, b, h0, y, yh, 1, scratch);
  } else {
    gru_direction<Seq, Batch, Input, Hidden, Dirs, ReverseOnly, LinearBeforeReset>(x, w, r, b, h0, y, yh, 0, scratch);
  }
}

/// A simple RNN (tanh), Dirs directions. scratch: rnn_scratch_elements
/// (h and the next h).
template <index_t Seq, index_t Batch, index_t Input, index_t Hidden,
          index_t Dirs, bool ReverseOnly, class T>
void rnn(const T *x, const T *w, const T *r, const T *b, const T *h0, T *y,
         T *yh, T *scratch) {
  rnn_tanh tanh_;
  for (int dir = 0; dir < int(Dirs); ++dir) {
    bool reverse = Dirs == 2 ? dir == 1 : ReverseOnly;
    T *h = scratch, *hn = scratch + Batch * Hidden;
    for (index_t i = 0; i < Batch * Hidden; ++i)
      h[i] = h0 ? h0[dir * Batch * Hidden + i] : T(0);
    const T *wd = w + dir * Hidden * Input;
    const T *rd = r + dir * Hidden * Hidden;
    const T *bd = b ? b + dir * 2 * Hidden : nullptr;
    for (index_t step = 0; step < Seq; ++step) {
      index_t t = reverse ? Seq - 1 - step : step;
      const T *xt = x + t * Batch * Input;
      for (index_t n = 0; n < Batch; ++n)
        for (index_t j = 0; j < Hidden; ++j) {
          T acc = bd ? T(bd[j] + bd[Hidden + j]) : T(0);
          for (index_t k = 0; k < Input; ++k)
            acc += wd[j * Input + k] * xt[n * Input + k];
          for (index_t k = 0; k < Hidden; ++k)
            acc += rd[j * Hidden + k] * h[n * Hidden + k];
          hn[n * Hidden + j] = tanh_(acc);
        }
      for (index_t i = 0; i < Batch * Hidden; ++i)
        h[i] = hn[i];
      if (y)
        for (index_t n = 0; n < Batch; ++n)
          for (index_t k = 0; k < Hidden; ++k)
            y[((t * Dirs + dir) * Batch + n) * Hidden + k] = h[n * Hidden + k];
    }
    if (yh)
      for (index_t i = 0; i < Batch * Hidden; ++i)
        yh[dir * Batch * Hidden + i] = h[i];
  }
}

ONNXC_NAMESPACE_END

#endif
