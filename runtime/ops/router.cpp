#include "runtime/ops/router.h"

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/kernel_limits.h"
#include "runtime/ops/tuning.h"
#include "shaders/push.h"

namespace rotary::ops {

void router_topk(vk::Recorder& rec, const vk::BufferView& logits, const vk::BufferView& ids,
                 const vk::BufferView& weights, const RouterShape& s, const RouterTuning& tuning) {
  const check::OpScope checked(rec, [&] { return check::router_topk(logits, ids, weights, s); });
  require(s.n_experts > 0 && s.n_experts <= kRouterMaxExperts, ErrorKind::Unsupported,
          "router: at most " + std::to_string(kRouterMaxExperts) + " experts");
  require(s.k > 0 && s.k <= kRouterMaxTopK && s.k <= s.n_experts, ErrorKind::Unsupported,
          "router: k must be 1.." + std::to_string(kRouterMaxTopK) + " and at most the number of experts");
  if (s.n_tokens == 0) return;
  const uint32_t wg = resolve_workgroup_size(rec.caps(), tuning.workgroup_size, 64, "router");
  const BoundRange bl =
      bind_elements(rec.caps(), logits, uint64_t{s.n_tokens} * s.n_experts, "router");
  const BoundRange bi = bind_elements(rec.caps(), ids, uint64_t{s.n_tokens} * s.k, "router");
  const BoundRange bw = bind_elements(rec.caps(), weights, uint64_t{s.n_tokens} * s.k, "router");
  const vk::Pipeline& p = rec.pipeline({"router", {wg}, 3, sizeof(push::RouterPush)});
  const push::RouterPush pc{s.n_tokens, s.n_experts, s.k, s.normalize ? 1u : 0u, s.softmax_chosen ? 1u : 0u,
                            bl.offset,  bi.offset,   bw.offset};
  const Grid g = grid_for(rec.caps(), s.n_tokens, 1);
  rec.dispatch(p, {bl.binding, bi.binding, bw.binding}, pc, g.x, g.y);
}

}  // namespace rotary::ops
