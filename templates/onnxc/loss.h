// Loss operators (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss).
#ifndef ONNXC_TEMPLATES_LOSS_H
#define ONNXC_TEMPLATES_LOSS_H

#include "onnxc/reduce.h"

ONNXC_NAMESPACE_BEGIN

enum class loss_reduction { none, sum, mean };

/// input [N, C, D] (log-probabilities), target [N, D] class indices, weight
/// [C] or null. Writes [N, D] for `none`, else one value.
template <index_t N, index_t C, index_t D, loss_reduction R, class T, class I>
void nll_loss(const T *input, const I *target, const T *weight, T *out,
              int64_t ignore_index, bool has_ignore) {
  using CT = compute_t<T>;
  CT total = 0, weights = 0;
  for (index_t n = 0; n < N; ++n)
    for (index_t d = 0; d < D; ++d) {
      index_t t = index_t(target[n * D + d]);
      CT loss = 0, w = 0;
      if (!(has_ignore && t == ignore_index) && t >= 0 && t < C) {
        w = weight ? CT(load(weight[t])) : CT(1);
        loss = -CT(load(input[(n * C + t) * D + d])) * w;
      }
      if (R == loss_reduction::none)
        out[n * D + d] = store<T>(loss);
      total += loss;
      weights += w;
    }
  if (R == loss_reduction::sum)
    out[0] = store<T>(total);
  else if (R == loss_reduction::mean)
    out[0] = store<T>(weights != CT(0) ? CT(total / weights) : CT(0));
}

/// log_softmax over C of scores [N, C, D] into log_prob, then nll_loss.
template <index_t N, index_t C, index_t D, loss_reduction R, class T, class I>
void softmax_cross_entropy(const T *scores, const I *labels, const T *weight,
                           T *out, T *log_prob, int64_t ignore_index,
                           bool has_ignore) {
  softmax<softmax_kind::log_softmax, N, C, D>(scores, log_prob);
  nll_loss<N, C, D, R>(log_prob, labels, weight, out, ignore_index, has_ignore);
}

ONNXC_NAMESPACE_END

#endif
