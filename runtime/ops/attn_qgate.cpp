#include "runtime/ops/attn_qgate.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/gdn_checks.h"
#include "runtime/ops/grid.h"
#include "shaders/push.h"

namespace rotary::ops {

void attn_qgate_split(vk::Recorder& rec, const vk::BufferView& qg, const vk::BufferView& q,
                      const vk::BufferView& gate, uint32_t n_tokens, uint32_t heads,
                      uint32_t head_dim, const GdnTuning& tuning) {
  require_tokens(n_tokens, "attn_qgate_split");
  require(heads > 0 && head_dim > 0, ErrorKind::InvalidArgument, "attn_qgate_split: empty heads");
  const uint64_t n = uint64_t{n_tokens} * heads * head_dim;
  require_floats(qg, 2 * n, "attn_qgate_split input");
  require_floats(q, n, "attn_qgate_split q");
  require_floats(gate, n, "attn_qgate_split gate");
  const check::OpScope checked(
      rec, [&] { return check::attn_qgate_split(qg, q, gate, n_tokens, heads, head_dim); });
  const uint32_t wg = tuning.workgroup_or(256);
  const vk::Pipeline& p = rec.pipeline(
      {"attn_qgate_split", {wg, tuning.subgroup(rec.caps())}, 3, sizeof(push::QGateSplitPush)});
  const Grid grid = grid_for(rec.caps(), n, wg);
  rec.dispatch(p, {qg.sub(0, 2 * n * 4), q.sub(0, n * 4), gate.sub(0, n * 4)},
               push::QGateSplitPush{head_dim, heads, n_tokens}, grid.x, grid.y);
}

}  // namespace rotary::ops
