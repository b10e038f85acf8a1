#include "runtime/ops/gdn_norm.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/gdn_checks.h"
#include "runtime/ops/grid.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {
// The _nosg reductions need a power-of-two workgroup.
void require_pow2(uint32_t wg, const char* op) {
  require(wg > 0 && (wg & (wg - 1)) == 0, ErrorKind::InvalidArgument,
          std::string(op) + ": workgroup size " + std::to_string(wg) + " is not a power of two");
}
}  // namespace

void gdn_l2_norm(vk::Recorder& rec, const vk::BufferView& x, uint32_t n_tokens, uint32_t heads,
                 uint32_t head_dim, uint32_t token_stride, float eps, const GdnTuning& tuning) {
  require_tokens(n_tokens, "gdn_l2_norm");
  require(heads > 0 && head_dim > 0 && token_stride >= uint64_t{heads} * head_dim,
          ErrorKind::InvalidArgument,
          "gdn_l2_norm: heads * head_dim must be positive and fit in the token stride");
  const uint64_t floats = uint64_t{n_tokens - 1} * token_stride + uint64_t{heads} * head_dim;
  require_floats(x, floats, "gdn_l2_norm x");
  const check::OpScope checked(rec, [&] {
    return check::gdn_l2_norm(x, n_tokens, heads, head_dim, token_stride, eps);
  });
  const uint32_t wg = tuning.workgroup_or(64);
  require_pow2(wg, "gdn_l2_norm");
  const vk::Pipeline& p = rec.pipeline(
      {"gdn_l2_norm", {wg, tuning.subgroup(rec.caps())}, 1, sizeof(push::GdnL2NormPush)});
  rec.dispatch(p, {x.sub(0, floats * 4)},
               push::GdnL2NormPush{head_dim, heads, n_tokens, token_stride, eps}, heads, n_tokens);
}

void gdn_gated_norm(vk::Recorder& rec, const vk::BufferView& o, const vk::BufferView& z,
                    const vk::BufferView& weight, const vk::BufferView& y, uint32_t rows,
                    uint32_t head_dim, float eps, const GdnTuning& tuning) {
  require(rows > 0 && head_dim > 0, ErrorKind::InvalidArgument, "gdn_gated_norm: empty input");
  const uint64_t floats = uint64_t{rows} * head_dim;
  require_floats(o, floats, "gdn_gated_norm o");
  require_floats(z, floats, "gdn_gated_norm z");
  require_floats(weight, head_dim, "gdn_gated_norm weight");
  require_floats(y, floats, "gdn_gated_norm y");
  const check::OpScope checked(
      rec, [&] { return check::gdn_gated_norm(o, z, weight, y, rows, head_dim, eps); });
  const uint32_t wg = tuning.workgroup_or(64);
  require_pow2(wg, "gdn_gated_norm");
  const vk::Pipeline& p = rec.pipeline(
      {"gdn_gated_norm", {wg, tuning.subgroup(rec.caps())}, 4, sizeof(push::GdnGatedNormPush)});
  const Grid grid = grid_for(rec.caps(), rows, 1);
  rec.dispatch(p,
               {o.sub(0, floats * 4), z.sub(0, floats * 4), weight.sub(0, head_dim * 4ull),
                y.sub(0, floats * 4)},
               push::GdnGatedNormPush{head_dim, rows, eps}, grid.x, grid.y);
}

}  // namespace rotary::ops
