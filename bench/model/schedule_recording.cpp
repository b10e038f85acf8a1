#include "bench/model/schedule_recording.h"

#include <algorithm>
#include <map>

#include "base/error.h"
#include "base/units.h"
#include "bench/model/simulator.h"
#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "loader/model_catalog.h"
#include "runtime/models/plan.h"
#include "runtime/models/model.h"
#include "runtime/vk/context.h"

namespace rotary::bench {

ScheduleRecording record_schedule(const GgufFile& file, const RuntimeOptions& options, const ScheduleRequest& req) {
  require(req.trace != nullptr && req.steps > 0, ErrorKind::InvalidArgument,
          "recording a schedule needs a routing trace and at least one step");
  require(uint64_t{req.warmup} + req.steps <= req.trace->tokens(), ErrorKind::InvalidArgument,
          "the routing trace holds " + std::to_string(req.trace->tokens()) + " tokens; recording needs " +
              std::to_string(req.warmup + req.steps));
  vk::GpuOptions g = options.gpu;
  g.record_only = req.record_only;
  g.vram_budget = req.budget;
  ModelOptions m = options.model;
  m.residency = req.in_place ? ResidencyMode::InPlace : ResidencyMode::Copy;
  m.moe.replay = req.trace;
  m.moe.record = nullptr;
  // Timestamp queries would never be written when nothing executes; they are off either way so
  // that both recordings issue the same commands.
  m.cache.timestamps = m.moe.timestamps = false;
  m.progress = false;
  m.check = {};
  m.ctx = std::max(m.ctx, req.warmup + req.steps + 1);

  std::unique_ptr<vk::GpuContext> gpu = vk::GpuContext::create(g);
  // A budget that holds every expert runs the GPU-routed path, which a replay (host routing) would
  // replace; there nothing is uploaded whichever experts are chosen, so the router may choose.
  const ModelHparams h = read_hparams(file.metadata());
  PlanRequest pr;
  pr.budget = gpu->budget().limit();
  pr.ctx = m.ctx;
  pr.kv_type = m.kv_type;
  pr.prefill_chunk = m.prefill_chunk;
  pr.expert_slots = m.expert_slots;
  try {
    const MemoryPlan plan = plan_memory(file, h, gpu->caps(), pr);
    if (plan.slots >= plan.all_experts) m.moe.replay = nullptr;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Budget) throw;  // load_model says what does not fit
  }
  std::unique_ptr<Model> model = load_model(*gpu, file, m);
  ScheduleRecording out;
  out.log = std::make_unique<vk::ScheduleLog>();
  out.skip = req.warmup;
  model->reset();
  int32_t token = 0;
  ModelStats before;
  gpu->device().set_schedule_log(out.log.get());
  for (uint32_t i = 0; i < req.warmup + req.steps; ++i) {
    if (i == req.warmup) before = model->stats();
    out.log->step();
    const int32_t one[1] = {token};
    token = model->eval(one, i, LogitsRequest{}).argmax;
  }
  // The routed path reads the last step's routes lazily: its wait belongs to the last step.
  out.stats = stats_since(model->stats(), before);
  gpu->device().set_schedule_log(nullptr);
  out.slots = model->plan().slots;
  out.hit_rate = out.stats.residency.hit_rate();
  out.residency = out.stats.residency_mode;
  model.reset();
  return out;
}

namespace {

SimulationResult figures(const DeviceModel& d, const ScheduleRecording& rec, uint64_t budget) {
  const SimulatedSteps s = simulate(rec.log->events(), d, rec.skip);
  SimulationResult r;
  r.device = d.key;
  r.device_name = d.name;
  r.budget = budget;
  r.residency = rec.residency;
  r.slots = rec.slots;
  r.hit_rate = rec.hit_rate;
  r.kernel_efficiency = d.kernel_efficiency;
  r.steps = s.steps;
  r.tps = s.tokens_per_second();
  r.ms = s.per_step_ms(s.seconds);
  r.kernel_ms = s.per_step_ms(s.kernel_s);
  r.upload_wait_ms = s.per_step_ms(s.upload_wait_s);
  r.host_gap_ms = s.per_step_ms(s.host_gap_s);
  r.cpu_work_ms = s.per_step_ms(s.cpu_work_s);
  r.upload_busy_ms = s.per_step_ms(s.upload_busy_s);
  const double n = static_cast<double>(s.steps);
  r.submits = static_cast<double>(s.submits) / n;
  r.host_waits = static_cast<double>(s.host_waits) / n;
  r.command_buffers = static_cast<double>(s.command_buffers) / n;
  r.dispatches = static_cast<double>(s.dispatches) / n;
  r.barriers = static_cast<double>(s.barriers) / n;
  r.upload_mb = static_cast<double>(s.upload_bytes) / n / 1e6;
  r.dispatch_mb = static_cast<double>(s.dispatch_bytes) / n / 1e6;
  return r;
}

}  // namespace

std::vector<SimulationResult> simulate_devices(const GgufFile& file, const RuntimeOptions& options,
                                               const SimulationRequest& req, std::string& method) {
  method = "recorded from rotary's decode path on a record-only device (" + std::to_string(req.warmup) +
           " warm-up steps, then " + std::to_string(req.steps) +
           " reported; routing replayed from the trace; nothing executed)";
  std::map<std::pair<uint64_t, bool>, ScheduleRecording> recordings;
  std::vector<SimulationResult> out;
  for (DeviceModel d : req.devices) {
    if (req.kernel_efficiency > 0) d.kernel_efficiency = req.kernel_efficiency;
    const uint64_t budget = req.budget ? req.budget : d.budget;
    const bool in_place = d.unified && !req.copy_on_unified;
    SimulationResult none;
    none.device = d.key;
    none.device_name = d.name;
    none.budget = budget;
    none.kernel_efficiency = d.kernel_efficiency;
    // The file's pages stay in memory (uploaded or read from there); unified VRAM is that memory too.
    const uint64_t needed = file.file_size() + (d.unified ? budget : 0);
    if (d.host_memory && needed > d.host_memory) {
      none.note = "does not fit: the model file and rotary's VRAM need " + format_bytes(needed) + " of " +
                  format_bytes(d.host_memory) + " of memory";
      out.push_back(none);
      continue;
    }
    auto key = std::make_pair(budget, in_place);
    auto it = recordings.find(key);
    if (it == recordings.end()) {
      ScheduleRequest sr;
      sr.budget = budget;
      sr.in_place = in_place;
      sr.trace = req.trace;
      sr.warmup = req.warmup;
      sr.steps = req.steps;
      try {
        it = recordings.emplace(key, record_schedule(file, options, sr)).first;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::Budget) throw;
        none.note = std::string("does not fit: ") + e.what();
        out.push_back(none);
        continue;
      }
    }
    out.push_back(figures(d, it->second, budget));
  }
  return out;
}

}  // namespace rotary::bench
