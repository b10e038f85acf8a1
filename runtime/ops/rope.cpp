#include "runtime/ops/rope.h"

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
  const push::RopePush pc{
      s.n_tokens,         s.n_heads, s.head_dim, s.n_rot, rope_theta_scale(s.base, s.n_rot),
      in_place ? 0u : 1u, bp.offset, bx.offset,  xt,      xh,
      by.offset,          yt,        yh};
  const vk::Pipeline& p = rec.pipeline({"rope", {wg}, 3, sizeof(push::RopePush)});
  const Grid g = grid_for(rec.caps(), s.n_tokens, 1);
  rec.dispatch(p, {bx.binding, bp.binding, by.binding}, pc, g.x, g.y);
}

}  // namespace rotary::ops
