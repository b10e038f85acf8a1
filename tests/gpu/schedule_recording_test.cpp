// The recorded decode schedule (runtime/vk/schedule.h, bench/model/schedule_recording.h) against
// what rotary already counts: per decoded token, the log's submissions, host waits, command
// buffers, dispatches, barriers and uploaded bytes are the counters' (a model with misses, the
// transfer path included); and a record-only recording (nothing executed) issues exactly the
// schedule the real run issues. Validation layer on (GpuTest).
#include "bench/model/schedule_recording.h"
#include "bench/model/simulator.h"
#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "tests/gpu/gpu_test.h"
#include "tests/gpu/model_util.h"

namespace rotary::test {
namespace {

using vk::ScheduleEventKind;

struct Counted {
  uint64_t submits = 0, host_waits = 0, command_buffers = 0, dispatches = 0, barriers = 0, uploaded = 0;
  uint64_t dispatch_bytes = 0;
};

// The events after the first `skip` Step events.
Counted count_after(const vk::ScheduleLog& log, uint64_t skip) {
  Counted c;
  uint64_t steps = 0;
  for (const vk::ScheduleEvent& e : log.events()) {
    if (e.kind == ScheduleEventKind::Step) ++steps;
    if (steps <= skip) continue;
    c.submits += e.kind == ScheduleEventKind::Submit;
    c.host_waits += e.kind == ScheduleEventKind::HostWait;
    c.command_buffers += e.kind == ScheduleEventKind::Begin;
    c.dispatches += e.kind == ScheduleEventKind::Dispatch;
    c.barriers += e.kind == ScheduleEventKind::Barrier;
    if (e.kind == ScheduleEventKind::Copy && e.path == vk::CopyPath::HostToDevice) c.uploaded += e.cost.bytes_read;
    if (e.kind == ScheduleEventKind::Dispatch) c.dispatch_bytes += e.cost.bytes_read + e.cost.bytes_written;
  }
  return c;
}

// A synthetic routing trace of `tokens` steps over the model's layers and experts.
RoutingTrace trace_for(const ModelHparams& h, uint32_t tokens) {
  SyntheticTraceParams tp;
  tp.layers = h.n_layer;
  tp.experts = h.n_expert;
  tp.k = h.n_expert_used;
  tp.tokens = tokens;
  return synthetic_trace(tp);
}

RuntimeOptions test_options(uint32_t slots) {
  RuntimeOptions o;
  o.gpu.validation = true;
  o.model = exact_options(64);
  o.model.expert_slots = slots;
  return o;
}

TEST_CASE_FIXTURE(GpuTest, "the recorded schedule matches the counters rotary reports per token") {
  const std::string path = synth_model_file("tiny-qwen3moe", synth::SynthQuant::Q4_K_M, 3);
  const GgufFile file = GgufFile::open(path);
  const ModelHparams h = read_hparams(file.metadata());
  const RoutingTrace trace = trace_for(h, 16);
  bench::ScheduleRequest req;
  req.trace = &trace;
  req.warmup = 3;
  req.steps = 5;
  req.record_only = false;
  // Half the experts: misses, uploads on the transfer path and one host wait per layer.
  const bench::ScheduleRecording r = bench::record_schedule(file, test_options(h.n_layer * h.n_expert / 2), req);
  const Counted c = count_after(*r.log, req.warmup);
  const DecodeSchedule& d = r.stats.decode;
  REQUIRE(d.steps == req.steps);
  CHECK(c.submits == d.work.submits);
  CHECK(c.host_waits == d.work.host_waits);
  CHECK(c.command_buffers == d.work.command_buffers);
  CHECK(c.dispatches == d.work.dispatches);
  CHECK(c.barriers == d.work.barriers);
  CHECK(c.uploaded == d.bytes_uploaded);
  CHECK(d.bytes_uploaded > 0);  // the case really has misses
  CHECK(c.host_waits >= uint64_t{h.n_layer} * req.steps);
  // The expert kernels state the experts' bytes, not the slot pool they bind: every step reads at
  // least its layers x k experts, far less than the pool.
  const uint64_t expert_bytes = file.file_size() / (h.n_layer * h.n_expert);  // an upper bound per expert
  CHECK(c.dispatch_bytes / req.steps < uint64_t{h.n_layer} * h.n_expert_used * expert_bytes * 4);
  // The log replays on every device model.
  for (const bench::DeviceModel& m : bench::device_models()) {
    const bench::SimulatedSteps s = bench::simulate(r.log->events(), m, r.skip);
    CHECK(s.steps == req.steps);
    CHECK(s.submits == d.work.submits);
    CHECK(s.tokens_per_second() > 0);
    CHECK(s.kernel_s + s.upload_wait_s + s.host_gap_s + s.cpu_work_s == doctest::Approx(s.seconds));
  }
}

TEST_CASE_FIXTURE(GpuTest, "a record-only recording issues the schedule the real run issues") {
  const std::string path = synth_model_file("tiny-qwen35moe", synth::SynthQuant::Q4_K_M, 3);
  const GgufFile file = GgufFile::open(path);
  const ModelHparams h = read_hparams(file.metadata());
  const RoutingTrace trace = trace_for(h, 8);
  bench::ScheduleRequest req;
  req.trace = &trace;
  req.warmup = 2;
  req.steps = 4;
  // Every expert resident: what the host issues does not depend on how fast the device runs (with
  // misses, whether an upload has landed when the experts are recorded does).
  const RuntimeOptions o = test_options(h.n_layer * h.n_expert);
  req.record_only = false;
  const bench::ScheduleRecording real = bench::record_schedule(file, o, req);
  req.record_only = true;
  const bench::ScheduleRecording recorded = bench::record_schedule(file, o, req);
  const auto& a = real.log->events();
  const auto& b = recorded.log->events();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    REQUIRE(a[i].kind == b[i].kind);
    CHECK(a[i].role == b[i].role);
    CHECK(a[i].path == b[i].path);
    CHECK(a[i].cost.bytes_read == b[i].cost.bytes_read);
    CHECK(a[i].cost.bytes_written == b[i].cost.bytes_written);
    CHECK(a[i].cost.flops == b[i].cost.flops);
    CHECK(a[i].waits.size() == b[i].waits.size());
    if (a[i].kind == ScheduleEventKind::Dispatch) CHECK(real.log->name(a[i].name) == recorded.log->name(b[i].name));
  }
  CHECK(count_after(*recorded.log, req.warmup).host_waits <= req.steps);  // the GPU routes
}

}  // namespace
}  // namespace rotary::test
