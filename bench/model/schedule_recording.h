#pragma once
// Records the schedule of decode steps from rotary's own code path (runtime/vk/schedule.h): the
// model is loaded at a budget on a record-only device (nothing executes, no weight or expert byte
// is copied), the routing comes from a trace, and every step is logged as the host issues it.
// This is how `rotary bench --simulate` gets full-size schedules on a machine that could not run
// the model; the GPU test checks that a tiny model's record-only schedule is the one it runs.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/model/device_models.h"
#include "bench/model/report.h"
#include "runtime/options.h"
#include "runtime/residency/routing_trace.h"
#include "runtime/vk/schedule.h"

namespace rotary {
class GgufFile;
}

namespace rotary::bench {

struct ScheduleRequest {
  uint64_t budget = 0;      // VRAM budget of the recorded run
  bool in_place = false;    // --residency in-place (unified-memory targets), else copy
  bool record_only = true;  // false: the kernels really run (the GPU test compares both)
  const RoutingTrace* trace = nullptr;
  uint32_t warmup = 64;     // decode steps before the reported ones (the cache warms)
  uint32_t steps = 64;      // decode steps reported
};

struct ScheduleRecording {
  std::unique_ptr<vk::ScheduleLog> log;
  uint64_t skip = 0;  // Step events of the warm-up
  uint32_t slots = 0;
  double hit_rate = 0;       // expert hit rate over the reported steps
  std::string residency;     // the mode the model ran in
  ModelStats stats;          // of the reported steps (counter differences)
};

ScheduleRecording record_schedule(const GgufFile& file, const RuntimeOptions& options, const ScheduleRequest& req);

struct SimulationRequest {
  std::vector<DeviceModel> devices;
  uint64_t budget = 0;             // --target-budget; 0: each device's own
  double kernel_efficiency = 0;    // --kernel-efficiency; 0: each device's own
  bool copy_on_unified = false;    // --residency copy: unified devices copy experts too
  const RoutingTrace* trace = nullptr;
  uint32_t warmup = 64, steps = 64;
};

// Records once per distinct (budget, residency) and replays on each device; a device whose memory
// cannot hold the model gets a note instead of figures. `method` says how the schedule was made.
std::vector<SimulationResult> simulate_devices(const GgufFile& file, const RuntimeOptions& options,
                                               const SimulationRequest& req, std::string& method);

}  // namespace rotary::bench
