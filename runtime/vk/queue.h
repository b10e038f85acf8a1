#pragma once
// A device queue with its own timeline semaphore: every submission signals the next value, so
// "this work is done" is one number. Submission is serialised by a mutex because the transfer
// path may share the compute queue (single-queue devices) from another thread.
#include <cstdint>
#include <mutex>
#include <span>

#include "runtime/vk/counters.h"
#include "runtime/vk/schedule.h"
#include "runtime/vk/timeline.h"

namespace rotary::vk {

struct SemaphoreWait {
  const TimelineSemaphore* semaphore;
  uint64_t value;
  VkPipelineStageFlags2 stages = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
};

class Queue {
 public:
  // `counters` (the device's) counts submissions and host waits; `tap` (the device's) logs host
  // waits and, when record_only, turns submissions into host signals. Both outlive the queue.
  Queue(VkDevice device, VkQueue queue, uint32_t family, bool sync2, const char* name, ScheduleCounters* counters,
        const ScheduleTap* tap);

  VkQueue handle() const { return queue_; }
  uint32_t family() const { return family_; }
  const char* name() const { return name_; }
  const TimelineSemaphore& timeline() const { return timeline_; }
  uint64_t timeline_id() const;  // the timeline's handle as a number (ScheduleLog's TimelinePoint)

  // Submits `cmd` after `waits`; returns the timeline value that signals its completion.
  uint64_t submit(VkCommandBuffer cmd, std::span<const SemaphoreWait> waits = {});
  uint64_t last_submitted() const;
  bool done(uint64_t value) const { return timeline_.value() >= value; }
  void wait(uint64_t value, uint64_t timeout_ns = kDefaultTimeoutNs) const;
  void wait_idle() const { wait(last_submitted()); }
  // Recording only (schedule.h): completes every submission up to `value` and, first, what they
  // waited for on other queues, by host signals. Not a host wait: nothing is counted or logged.
  void complete_recorded(uint64_t value) const;

  static constexpr uint64_t kDefaultTimeoutNs = 120ull * 1000 * 1000 * 1000;

 private:
  VkDevice device_;
  VkQueue queue_;
  uint32_t family_;
  bool sync2_;
  const char* name_;
  ScheduleCounters* counters_;
  const ScheduleTap* tap_;
  mutable TimelineSemaphore timeline_;  // mutable: record_only completes work from const waits
  mutable std::mutex mutex_;
  uint64_t next_value_ = 1;
  struct Recorded {
    uint64_t value;
    std::vector<TimelinePoint> waits;
  };
  mutable std::vector<Recorded> recorded_;  // record_only: submitted, not yet completed
};

}  // namespace rotary::vk
