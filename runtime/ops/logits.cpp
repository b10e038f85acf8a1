#include "runtime/ops/logits.h"

#include <string>

#include "runtime/check/op_checks.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/tuning.h"
#include "shaders/push.h"

namespace rotary::ops {

namespace {

struct TopKSetup {
  uint32_t wg = 0, per = 0, block = 0;
  uint32_t first_candidates = 0;  // after the first pass
  uint64_t region = 0;            // bytes of one candidate array, aligned
};

TopKSetup setup(uint32_t n, uint32_t k, const vk::DeviceCaps& caps, const LogitsTuning& t) {
  require(n > 0 && k > 0 && k <= n, ErrorKind::InvalidArgument,
          "logits top-k: need 1 <= k <= n_vocab");
  TopKSetup s;
  s.wg = resolve_workgroup_size(caps, t.workgroup_size, 256, "logits top-k");
  s.per = t.per_invocation ? t.per_invocation : 16;
  require(s.per <= 64, ErrorKind::InvalidArgument,
          "logits top-k: per_invocation must be at most 64");
  s.block = s.wg * s.per;
  require(2 * k < s.block, ErrorKind::InvalidArgument,
          "logits top-k: k = " + std::to_string(k) + " needs blocks larger than " +
              std::to_string(2 * k) + " (raise workgroup_size or per_invocation)");
  s.first_candidates = (n + s.block - 1) / s.block * k;
  s.region = vk::align_up(uint64_t{s.first_candidates} * 4, vk::binding_alignment(caps));
  return s;
}

struct Candidates {
  vk::BufferView values, ids;
};

void pass(vk::Recorder& rec, const TopKSetup& s, const vk::BufferView& values,
          const vk::BufferView* ids, uint32_t n, uint32_t k, const Candidates& out) {
  const uint32_t blocks = (n + s.block - 1) / s.block;
  const vk::DeviceCaps& caps = rec.caps();
  const BoundRange bv = bind_elements(caps, values, uint64_t{n}, "logits top-k");
  const BoundRange bi = ids ? bind_elements(caps, *ids, uint64_t{n}, "logits top-k") : bv;
  const BoundRange ov = bind_elements(caps, out.values, uint64_t{blocks} * k, "logits top-k");
  const BoundRange oi = bind_elements(caps, out.ids, uint64_t{blocks} * k, "logits top-k");
  const push::TopKPush pc{n, k, s.block, ids ? 1u : 0u, bv.offset, bi.offset, ov.offset, oi.offset};
  const vk::Pipeline& p = rec.pipeline({"topk", {s.wg, s.per}, 4, sizeof(push::TopKPush)});
  const Grid g = grid_for(caps, blocks, 1);
  rec.dispatch(p, {bv.binding, bi.binding, ov.binding, oi.binding}, pc, g.x, g.y);
}

}  // namespace

uint64_t logits_topk_scratch_bytes(uint32_t n_vocab, uint32_t k, const vk::DeviceCaps& caps,
                                   const LogitsTuning& tuning) {
  const TopKSetup s = setup(n_vocab, k, caps, tuning);
  return 4 * s.region +
         vk::binding_alignment(caps);  // two candidate pairs (ping-pong) + argmax's value
}

void logits_topk(vk::Recorder& rec, const vk::BufferView& logits, uint32_t n_vocab, uint32_t k,
                 const vk::BufferView& out_ids, const vk::BufferView& out_values,
                 const vk::BufferView& scratch, const LogitsTuning& tuning) {
  const check::OpScope checked(
      rec, [&] { return check::logits_topk(logits, n_vocab, k, out_ids, out_values); });
  const TopKSetup s = setup(n_vocab, k, rec.caps(), tuning);
  const Candidates final_out{out_values, out_ids};
  if (n_vocab <= s.block) {
    pass(rec, s, logits, nullptr, n_vocab, k, final_out);
    return;
  }
  require(scratch.size >= 4 * s.region, ErrorKind::InvalidArgument,
          "logits top-k: scratch too small (see logits_topk_scratch_bytes)");
  Candidates buf[2] = {{scratch.sub(0, s.region), scratch.sub(s.region, s.region)},
                       {scratch.sub(2 * s.region, s.region), scratch.sub(3 * s.region, s.region)}};
  pass(rec, s, logits, nullptr, n_vocab, k, buf[0]);
  uint32_t n = s.first_candidates;
  int cur = 0;
  while (n > s.block) {
    rec.compute_barrier();
    pass(rec, s, buf[cur].values, &buf[cur].ids, n, k, buf[1 - cur]);
    n = (n + s.block - 1) / s.block * k;
    cur = 1 - cur;
  }
  rec.compute_barrier();
  pass(rec, s, buf[cur].values, &buf[cur].ids, n, k, final_out);
}

void logits_argmax(vk::Recorder& rec, const vk::BufferView& logits, uint32_t n_vocab,
                   const vk::BufferView& out_id, const vk::BufferView& scratch,
                   const LogitsTuning& tuning) {
  const TopKSetup s = setup(n_vocab, 1, rec.caps(), tuning);
  const uint64_t value_at = 4 * s.region;
  require(scratch.size >= value_at + 4, ErrorKind::InvalidArgument,
          "logits argmax: scratch too small (see logits_topk_scratch_bytes)");
  logits_topk(rec, logits, n_vocab, 1, out_id, scratch.sub(value_at, 4), scratch, tuning);
}

}  // namespace rotary::ops
