#include "runtime/models/model.h"

namespace rotary {

namespace {

// Every counter of the statistics, once: a new field is added here and nowhere else.
static_assert(sizeof(ResidencyStats) == 88 && sizeof(RoutedMoeStats) == 56 && sizeof(DecodeSchedule) == 56,
              "ResidencyStats, RoutedMoeStats or DecodeSchedule changed: update for_each_counter");

template <typename Op>
void for_each_counter(ModelStats& a, const ModelStats& b, Op op) {
  auto& r = a.residency;
  const auto& br = b.residency;
  op(r.accesses, br.accesses);
  op(r.hits, br.hits);
  op(r.prefetch_hits, br.prefetch_hits);
  op(r.uploads, br.uploads);
  op(r.prefetch_uploads, br.prefetch_uploads);
  op(r.prefetch_used, br.prefetch_used);
  op(r.bytes_uploaded, br.bytes_uploaded);
  op(r.evictions, br.evictions);
  op(r.upload_gpu_seconds, br.upload_gpu_seconds);
  op(r.preloaded, br.preloaded);
  auto& m = a.moe;
  const auto& bm = b.moe;
  op(m.layer_steps, bm.layer_steps);
  op(m.upload_wait_seconds, bm.upload_wait_seconds);
  op(m.dispatch_groups, bm.dispatch_groups);
  op(m.predictions, bm.predictions);
  op(m.predicted_correct, bm.predicted_correct);
  op(m.predicted_total, bm.predicted_total);
  auto& d = a.decode;
  const auto& bd = b.decode;
  op(d.steps, bd.steps);
  op(d.work.submits, bd.work.submits);
  op(d.work.host_waits, bd.work.host_waits);
  op(d.work.command_buffers, bd.work.command_buffers);
  op(d.work.dispatches, bd.work.dispatches);
  op(d.work.barriers, bd.work.barriers);
  op(d.bytes_uploaded, bd.bytes_uploaded);
}

}  // namespace

ModelStats stats_since(const ModelStats& later, const ModelStats& earlier) {
  ModelStats d = later;
  for_each_counter(d, earlier, [](auto& x, auto y) { x -= y; });
  return d;
}

void add_stats(ModelStats& total, const ModelStats& more) {
  for_each_counter(total, more, [](auto& x, auto y) { x += y; });
  total.residency.upload_timed = more.residency.upload_timed;
  total.moe.wait_timed = more.moe.wait_timed;
  total.residency_mode = more.residency_mode;
}

}  // namespace rotary
