#include "runtime/ops/gdn_gates.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/gdn_checks.h"
#include "runtime/ops/grid.h"
#include "shaders/push.h"

namespace rotary::ops {

void gdn_gates(vk::Recorder& rec, const GdnShape& shape, const GdnGateLayout& layout,
               const vk::BufferView& b, const vk::BufferView& a, const vk::BufferView& dt_bias,
               const vk::BufferView& ssm_a, const vk::BufferView& beta, const vk::BufferView& g,
               uint32_t n_tokens, const GdnTuning& tuning) {
  shape.validate();
  require_tokens(n_tokens, "gdn_gates");
  const uint32_t h = shape.v_heads;
  require(layout.group > 0 && layout.token_stride > 0, ErrorKind::InvalidArgument,
          "gdn_gates: the gate layout needs a token stride and a group size");
  const uint64_t last = (h - 1) / layout.group * layout.group_stride + (h - 1) % layout.group;
  const uint64_t in_floats = uint64_t{n_tokens - 1} * layout.token_stride + last + 1;
  require_floats(b, in_floats + layout.b_offset, "gdn_gates b");
  require_floats(a, in_floats + layout.a_offset, "gdn_gates a");
  require_floats(dt_bias, h, "gdn_gates dt_bias");
  require_floats(ssm_a, h, "gdn_gates ssm_a");
  require_floats(beta, uint64_t{h} * n_tokens, "gdn_gates beta");
  require_floats(g, uint64_t{h} * n_tokens, "gdn_gates g");
  const check::OpScope checked(rec, [&] {
    return check::gdn_gates(shape, layout, b, a, dt_bias, ssm_a, beta, g, n_tokens);
  });

  const uint32_t wg = tuning.workgroup_or(64);
  const vk::Pipeline& p =
      rec.pipeline({"gdn_gates", {wg, tuning.subgroup(rec.caps())}, 6, sizeof(push::GdnGatesPush)});
  const push::GdnGatesPush pc{h,
                              n_tokens,
                              layout.token_stride,
                              layout.b_offset,
                              layout.a_offset,
                              layout.group,
                              layout.group_stride};
  const uint64_t out_bytes = uint64_t{h} * n_tokens * 4;
  const Grid grid = grid_for(rec.caps(), uint64_t{h} * n_tokens, wg);
  rec.dispatch(p,
               {b.sub(0, (in_floats + layout.b_offset) * 4),
                a.sub(0, (in_floats + layout.a_offset) * 4), dt_bias.sub(0, h * 4ull),
                ssm_a.sub(0, h * 4ull), beta.sub(0, out_bytes), g.sub(0, out_bytes)},
               pc, grid.x, grid.y);
}

}  // namespace rotary::ops
