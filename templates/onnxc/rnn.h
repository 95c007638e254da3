// Recurrent layers (ONNX LSTM, layout 0, default activations).
#ifndef ONNXC_TEMPLATES_RNN_H
#define ONNXC_TEMPLATES_RNN_H

#include "onnxc/elementwise.h"

namespace onnxc {

/// One direction of an LSTM. Gate order i, o, f, c as ONNX stores them.
/// scratch holds 4*Hidden*Batch + 2*Hidden*Batch floats.
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
  fn::Sigmoid sigmoid;
  fn::Tanh tanh_;
  for (index_t step = 0; step < Seq; ++step) {
    index_t t = Reverse ? Seq - 1 - step : step;
    const T *xt = x + t * Batch * Input;
    for (index_t n = 0; n < Batch; ++n) {
      T *g = gates + n * G;
      for (index_t j = 0; j < G; ++j) {
        T acc = bd ? T(bd[j] + bd[G + j]) : T(0);
        const T *wr = wd + j * Input;
        const T *xr = xt + n * Input;
        for (index_t k = 0; k < Input; ++k)
          acc += wr[k] * xr[k];
        const T *rr = rd + j * Hidden;
        const T *hr = h + n * Hidden;
        for (index_t k = 0; k < Hidden; ++k)
          acc += rr[k] * hr[k];
        g[j] = acc;
      }
      for (index_t k = 0; k < Hidden; ++k) {
        T cprev = c[n * Hidden + k];
        T gi = g[k], go = g[Hidden + k], gf = g[2 * Hidden + k],
          gc = g[3 * Hidden + k];
        if (pd) {
          gi += pd[k] * cprev;
          gf += pd[2 * Hidden + k] * cprev;
        }
        gi = sigmoid(gi);
        gf = sigmoid(gf);
        gc = tanh_(gc);
        T cnew = gf * cprev + gi * gc;
        if (pd)
          go += pd[Hidden + k] * cnew;
        go = sigmoid(go);
        c[n * Hidden + k] = cnew;
        h[n * Hidden + k] = go * tanh_(cnew);
      }
    }
    if (y)
      for (index_t n = 0; n < Batch; ++n)
        for (index_t k = 0; k < Hidden; ++k)
          y[((t * Dirs + dir) * Batch + n) * Hidden + k] = h[n * Hidden + k];
  }
  for (index_t i = 0; i < Batch * Hidden; ++i) {
    if (yh)
      yh[dir * Batch * Hidden + i] = h[i];
    if (yc)
      yc[dir * Batch * Hidden + i] = c[i];
  }
}

/// LSTM over Dirs directions (Dirs==2: forward then reverse).
template <index_t Seq, index_t Batch, index_t Input, index_t Hidden,
          index_t Dirs, bool ReverseOnly, class T>
void lstm(const T *x, const T *w, const T *r, const T *b, const T *h0,
          const T *c0, const T *p, T *y, T *yh, T *yc, T *scratch) {
  if (Dirs == 2) {
    lstm_direction<Seq, Batch, Input, Hidden, Dirs, false>(x, w, r, b, h0, c0, p, y, yh, yc, 0, scratch);
    lstm_direction<Seq, Batch, Input, Hidden, Dirs, true>(x, w, r, b, h0, c0, p, y, yh, yc, 1, scratch);
  } else {
    lstm_direction<Seq, Batch, Input, Hidden, Dirs, ReverseOnly>(x, w, r, b, h0, c0, p, y, yh, yc, 0, scratch);
  }
}

} // namespace onnxc

#endif
