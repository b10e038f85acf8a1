#include "runtime/ops/gdn_conv.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/gdn_checks.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {
constexpr uint32_t kTokensPerInvocation = 16;
}

void gdn_conv(vk::Recorder& rec, const GdnShape& shape, const vk::BufferView& x,
              const vk::BufferView& weight, const vk::BufferView& conv_state,
              const vk::BufferView& y, uint32_t n_tokens, const GdnTuning& tuning) {
  shape.validate();
  const uint64_t c = shape.conv_channels();
  require_tokens(n_tokens, "gdn_conv");
  require_floats(x, c * n_tokens, "gdn_conv input");
  require_floats(weight, c * shape.conv_kernel, "gdn_conv weight");
  require_floats(conv_state, shape.conv_state_floats(), "gdn_conv state");
  require_floats(y, c * n_tokens, "gdn_conv output");
  const check::OpScope checked(
      rec, [&] { return check::gdn_conv(shape, x, weight, conv_state, y, n_tokens); });

  const uint32_t wg = tuning.workgroup_or(128);
  const vk::Pipeline& p =
      rec.pipeline({"gdn_conv",
                    {wg, tuning.subgroup(rec.caps()), kTokensPerInvocation, shape.conv_kernel},
                    4,
                    sizeof(push::GdnConvPush)});
  const uint32_t groups_x = static_cast<uint32_t>((c + wg - 1) / wg);
  const uint32_t blocks = (n_tokens + kTokensPerInvocation - 1) / kTokensPerInvocation;
  const uint64_t xb = c * n_tokens * 4, sb = shape.conv_state_floats() * 4;
  const auto bindings = {x.sub(0, xb), weight.sub(0, c * shape.conv_kernel * 4),
                         conv_state.sub(0, sb), y.sub(0, xb)};
  rec.dispatch(p, bindings, push::GdnConvPush{static_cast<uint32_t>(c), n_tokens, 0}, groups_x,
               blocks);
  if (blocks > 1) {
    rec.compute_barrier();
    rec.dispatch(p, bindings, push::GdnConvPush{static_cast<uint32_t>(c), n_tokens, 1}, groups_x,
                 1);
  }
}

}  // namespace rotary::ops
