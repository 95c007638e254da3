// Recurrent layers (ONNX LSTM, layout 0, default activations).
#ifndef ONNXC_TEMPLATES_RNN_H
#define ONNXC_TEMPLATES_RNN_H

#include "onnxc/elementwise.h"

ONNXC_NAMESPACE_BEGIN

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

/// One direction of a GRU (gates z, r, h; default activations).
/// scratch holds 3*Hidden*Batch + Hidden*Batch + Hidden elements.
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
  fn::Sigmoid sigmoid;
  fn::Tanh tanh_;
  for (index_t step = 0; step < Seq; ++step) {
    index_t t = Reverse ? Seq - 1 - step : step;
    const T *xt = x + t * Batch * Input;
    for (index_t n = 0; n < Batch; ++n) {
      T *g = gates + n * G;
      const T *hn = h + n * Hidden;
      for (index_t j = 0; j < G; ++j) {
        T acc = bd ? bd[j] : T(0);
        const T *wr = wd + j * Input;
        for (index_t k = 0; k < Input; ++k)
          acc += wr[k] * xt[n * Input + k];
        g[j] = acc;
      }
      // z and r take the recurrent term directly.
      for (index_t j = 0; j < 2 * Hidden; ++j) {
        T acc = bd ? bd[G + j] : T(0);
        const T *rr = rd + j * Hidden;
        for (index_t k = 0; k < Hidden; ++k)
          acc += rr[k] * hn[k];
        g[j] = sigmoid(T(g[j] + acc));
      }
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

/// A simple RNN (tanh), Dirs directions. scratch: 2*Hidden*Batch elements.
template <index_t Seq, index_t Batch, index_t Input, index_t Hidden,
          index_t Dirs, bool ReverseOnly, class T>
void rnn(const T *x, const T *w, const T *r, const T *b, const T *h0, T *y,
         T *yh, T *scratch) {
  fn::Tanh tanh_;
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
