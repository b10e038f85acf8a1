#pragma once
// Gated DeltaNet gates from the projected b (ssm_beta) and a (ssm_alpha) values:
//   beta[t][h] = sigmoid(b),  g[t][h] = softplus(a + dt_bias[h]) * ssm_a[h]
// g is the log of the per-step decay (exp(g) in (0, 1]); the delta-rule ops take it as is.
#include <cstdint>

#include "runtime/ops/gdn_shape.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

// Where value head h's raw b and a sit in a token's row:
//   b at b[t * token_stride + b_offset + (h / group) * group_stride + h % group], a likewise.
struct GdnGateLayout {
  uint32_t token_stride = 0;
  uint32_t b_offset = 0;
  uint32_t a_offset = 0;
  uint32_t group = 1;
  uint32_t group_stride = 1;

  // qwen35moe: ssm_beta and ssm_alpha projected into two buffers of [T][v_heads].
  static GdnGateLayout separate(const GdnShape& s) {
    return {s.v_heads, 0, 0, s.v_heads, s.v_heads};
  }
  // qwen3next: one ssm_ba projection [T][2 * v_heads], per key head [b x r | a x r],
  // r = v_heads / k_heads; pass the same view as b and a.
  static GdnGateLayout fused_ba(const GdnShape& s) {
    const uint32_t r = s.v_heads / s.k_heads;
    return {2 * s.v_heads, 0, r, r, 2 * r};
  }
};

// b, a: raw projections as `layout` says; dt_bias, ssm_a: [v_heads] f32 (ssm_dt.bias, ssm_a);
// beta, g: [n_tokens][v_heads] f32 outputs.
void gdn_gates(vk::Recorder& rec, const GdnShape& shape, const GdnGateLayout& layout,
               const vk::BufferView& b, const vk::BufferView& a, const vk::BufferView& dt_bias,
               const vk::BufferView& ssm_a, const vk::BufferView& beta, const vk::BufferView& g,
               uint32_t n_tokens, const GdnTuning& tuning = {});

}  // namespace rotary::ops
