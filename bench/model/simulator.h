#pragma once
// Replays a recorded schedule (runtime/vk/schedule.h) on a device model (device_models.h): a
// discrete-event simulation of one host thread and the device's queues.
//
// Host: walks the log in order; recording, submitting and CPU work advance its clock by the
// model's costs; a host wait jumps to the signal of the value waited for (plus the wake-up).
// Queues: a submission starts when the host has submitted it (plus the launch latency), its queue
// is free and every timeline value it waits for is signalled; its commands run one after the
// other: a dispatch takes max(bytes / (bandwidth x efficiency), FLOPs / peak) plus the dispatch
// cost, a barrier its cost, an upload bytes / link bandwidth (a copy within device memory reads and
// writes it at the memory bandwidth). Transfer-role submissions run on the transfer queue when the
// device has one.
// Where the time goes: the compute queue is either busy (kernels) or idle; an idle stretch that
// ends because an upload landed is exposed upload time, the rest of it is host time, split into
// CPU work (while the host did CpuWork) and host gaps (recording, submitting, waking up).
#include <cstdint>
#include <vector>

#include "bench/model/device_models.h"
#include "runtime/vk/schedule.h"

namespace rotary::bench {

struct SimulatedSteps {
  uint64_t steps = 0;       // decode steps simulated (after the skipped ones)
  double seconds = 0;       // their wall time
  double kernel_s = 0;      // compute queue busy
  double upload_wait_s = 0; // compute queue idle, waiting for an upload (exposed uploads)
  double host_gap_s = 0;    // compute queue idle, waiting for the host (not CPU work)
  double cpu_work_s = 0;    // compute queue idle while the host did CPU work
  double upload_busy_s = 0; // transfer queue busy (hidden or not)
  // Per step, from the log: what the counters of runtime/vk/counters.h count.
  uint64_t submits = 0, host_waits = 0, command_buffers = 0, dispatches = 0, barriers = 0;
  uint64_t upload_bytes = 0, dispatch_bytes = 0;
  double tokens_per_second() const { return seconds > 0 ? static_cast<double>(steps) / seconds : 0; }
  double per_step_ms(double s) const { return steps ? s * 1e3 / static_cast<double>(steps) : 0; }
};

// Simulates the whole log and reports the steps after the first `skip_steps` Step events (the
// warm-up). Error(InvalidArgument) when the log is malformed (a wait for a value never
// submitted, a dispatch into a command buffer never begun) or has no step to report.
SimulatedSteps simulate(const std::vector<vk::ScheduleEvent>& events, const DeviceModel& device,
                        uint64_t skip_steps);

}  // namespace rotary::bench
