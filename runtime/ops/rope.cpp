#include "runtime/ops/rope.h"

#include <algorithm>
#include <cmath>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/kernel_limits.h"
#include "runtime/ops/tuning.h"
#include "shaders/push.h"

namespace rotary::ops {

float rope_theta_scale(float base, uint32_t n_rot) {
  return std::pow(base, -2.0f / static_cast<float>(n_rot));  // the float overload: powf
}

RopeYarn rope_yarn(const RopeShape& s) {
  RopeYarn y;
  y.mscale = s.attn_factor;
  if (s.ext_factor == 0.0f) return y;
  // ggml_rope_yarn_corr_dim: n_dims * log(n_ctx_orig / (n_rot * 2 pi)) / (2 log(base)), in float.
  const auto corr_dim = [&](float n_rot) {
    return static_cast<float>(s.n_rot) *
           std::log(static_cast<float>(s.n_ctx_orig) / (n_rot * 2 * static_cast<float>(M_PI))) /
           (2 * std::log(s.base));
  };
  y.corr_low = std::max(0.0f, std::floor(corr_dim(s.beta_fast)));
  y.corr_high = std::min(static_cast<float>(s.n_rot - 1), std::ceil(corr_dim(s.beta_slow)));
  y.mscale *= 1.0f + 0.1f * std::log(1.0f / s.freq_scale);
  return y;
}

void rope_neox(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& positions,
               const vk::BufferView& y, const RopeShape& s, const RopeTuning& tuning) {
  const check::OpScope checked(rec, [&] { return check::rope_neox(x, positions, y, s); });
  require(s.n_rot > 0 && s.n_rot % 2 == 0 && s.n_rot <= s.head_dim && s.n_rot <= kRopeMaxDims,
          ErrorKind::InvalidArgument, "rope: n_rot must be even, positive, <= head_dim and <= 512");
  require(s.base > 0.0f, ErrorKind::InvalidArgument, "rope: the base must be positive");
  if (s.n_tokens == 0 || s.n_heads == 0) return;
  const uint32_t xh = s.x_head_stride ? s.x_head_stride : s.head_dim;
  const uint32_t xt = s.x_token_stride ? s.x_token_stride : s.n_heads * xh;
  const uint32_t yh = s.y_head_stride ? s.y_head_stride : s.head_dim;
  const uint32_t yt = s.y_token_stride ? s.y_token_stride : s.n_heads * yh;
  const auto extent = [&](uint32_t ts, uint32_t hs) {  // floats spanned
    return (s.n_tokens - 1) * uint64_t{ts} + (s.n_heads - 1) * uint64_t{hs} + s.head_dim;
  };
  const bool in_place = x.buffer == y.buffer && x.offset == y.offset && xh == yh && xt == yt;
  const uint32_t wg = resolve_workgroup_size(rec.caps(), tuning.workgroup_size, 128, "rope");
  const BoundRange bx = bind_elements(rec.caps(), x, extent(xt, xh), "rope");
  const BoundRange bp = bind_elements(rec.caps(), positions, s.n_tokens, "rope");
  const BoundRange by = bind_elements(rec.caps(), y, extent(yt, yh), "rope");
  require(s.freq_scale > 0.0f && (s.ext_factor == 0.0f || s.n_ctx_orig > 0), ErrorKind::InvalidArgument,
          "rope: YaRN needs a positive frequency scale and the original context");
  const RopeYarn yarn = rope_yarn(s);
  const push::RopePush pc{s.n_tokens,      s.n_heads,     s.head_dim,     s.n_rot,     rope_theta_scale(s.base, s.n_rot),
                          s.freq_scale,    s.ext_factor,  yarn.corr_low,  yarn.corr_high, yarn.mscale,
                          in_place ? 0u : 1u, bp.offset, bx.offset,  xt,      xh,
                          by.offset,       yt,            yh};
  const vk::Pipeline& p = rec.pipeline({"rope", {wg}, 3, sizeof(push::RopePush)});
  const Grid g = grid_for(rec.caps(), s.n_tokens, 1);
  rec.dispatch(p, {bx.binding, bp.binding, by.binding}, pc, g.x, g.y);
}

}  // namespace rotary::ops
