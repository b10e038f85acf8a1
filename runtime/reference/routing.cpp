#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/error.h"
#include "runtime/reference/activations.h"
#include "shaders/push.h"

namespace rotary::ref {

namespace {
// Value descending, then index ascending.
bool ranks_before(float va, uint32_t ia, float vb, uint32_t ib) {
  return va > vb || (va == vb && ia < ib);
}
}  // namespace

void router_topk(std::span<const float> logits, std::span<uint32_t> ids, std::span<float> weights,
                 const ops::RouterShape& s) {
  require(s.k > 0 && s.k <= s.n_experts && logits.size() >= size_t{s.n_tokens} * s.n_experts &&
              ids.size() >= size_t{s.n_tokens} * s.k && weights.size() >= size_t{s.n_tokens} * s.k,
          ErrorKind::InvalidArgument, "ref::router_topk: bad shape or spans too small");
  std::vector<float> prob(s.n_experts);
  std::vector<uint32_t> order(s.n_experts);
  for (size_t t = 0; t < s.n_tokens; ++t) {
    const float* x = logits.data() + t * s.n_experts;
    if (!std::all_of(x, x + s.n_experts, [](float v) { return std::isfinite(v); })) {
      for (uint32_t r = 0; r < s.k; ++r) {  // as router.comp: the host reports it
        ids[t * s.k + r] = ROUTER_NON_FINITE;
        weights[t * s.k + r] = 0.0f;
      }
      continue;
    }
    if (s.softmax_chosen) {  // gpt-oss: top-k of the logits, ggml_soft_max over those k
      std::iota(order.begin(), order.end(), 0u);
      std::partial_sort(order.begin(), order.begin() + s.k, order.end(),
                        [&](uint32_t a, uint32_t b) { return ranks_before(x[a], a, x[b], b); });
      const float top = x[order[0]];
      double sum = 0.0;
      for (uint32_t r = 0; r < s.k; ++r) sum += std::exp(x[order[r]] - top);
      const float inv = static_cast<float>(1.0 / sum);
      for (uint32_t r = 0; r < s.k; ++r) {
        ids[t * s.k + r] = order[r];
        weights[t * s.k + r] = std::exp(x[order[r]] - top) * inv;
      }
      continue;
    }
    const float mx = *std::max_element(x, x + s.n_experts);
    double sum = 0.0;
    for (uint32_t e = 0; e < s.n_experts; ++e) {
      prob[e] = std::exp(x[e] - mx);
      sum += prob[e];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (float& p : prob) p *= inv;
    std::iota(order.begin(), order.end(), 0u);
    std::partial_sort(order.begin(), order.begin() + s.k, order.end(),
                      [&](uint32_t a, uint32_t b) { return ranks_before(prob[a], a, prob[b], b); });
    double chosen = 0.0;
    for (uint32_t r = 0; r < s.k; ++r) chosen += prob[order[r]];
    const float div = s.normalize ? std::max(static_cast<float>(chosen), 6.103515625e-5f) : 1.0f;
    for (uint32_t r = 0; r < s.k; ++r) {
      ids[t * s.k + r] = order[r];
      weights[t * s.k + r] = prob[order[r]] / div;
    }
  }
}

uint32_t logits_argmax(std::span<const float> logits) {
  require(!logits.empty(), ErrorKind::InvalidArgument, "ref::logits_argmax: empty row");
  uint32_t best = 0;
  for (uint32_t i = 1; i < logits.size(); ++i)
    if (logits[i] > logits[best]) best = i;
  return best;
}

void logits_topk(std::span<const float> logits, uint32_t k, std::span<uint32_t> ids,
                 std::span<float> values) {
  require(k > 0 && k <= logits.size() && ids.size() >= k && values.size() >= k,
          ErrorKind::InvalidArgument, "ref::logits_topk: bad k or spans too small");
  std::vector<uint32_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0u);
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](uint32_t a, uint32_t b) {
    return ranks_before(logits[a], a, logits[b], b);
  });
  for (uint32_t r = 0; r < k; ++r) {
    ids[r] = order[r];
    values[r] = logits[order[r]];
  }
}

}  // namespace rotary::ref
