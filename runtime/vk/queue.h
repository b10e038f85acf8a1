#pragma once
// A device queue with its own timeline semaphore: every submission signals the next value, so
// "this work is done" is one number. Submission is serialised by a mutex because the transfer
// path may share the compute queue (single-queue devices) from another thread.
#include <cstdint>
#include <mutex>
#include <span>

#include "runtime/vk/counters.h"
#include "runtime/vk/timeline.h"

namespace rotary::vk {

struct SemaphoreWait {
  const TimelineSemaphore* semaphore;
  uint64_t value;
  VkPipelineStageFlags2 stages = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
};

class Queue {
 public:
  // `counters` (the device's) counts submissions and host waits; it outlives the queue.
  Queue(VkDevice device, VkQueue queue, uint32_t family, bool sync2, const char* name, ScheduleCounters* counters);

  VkQueue handle() const { return queue_; }
  uint32_t family() const { return family_; }
  const char* name() const { return name_; }
  const TimelineSemaphore& timeline() const { return timeline_; }

  // Submits `cmd` after `waits`; returns the timeline value that signals its completion.
  uint64_t submit(VkCommandBuffer cmd, std::span<const SemaphoreWait> waits = {});
  uint64_t last_submitted() const;
  bool done(uint64_t value) const { return timeline_.value() >= value; }
  void wait(uint64_t value, uint64_t timeout_ns = kDefaultTimeoutNs) const;
  void wait_idle() const { wait(last_submitted()); }

  static constexpr uint64_t kDefaultTimeoutNs = 120ull * 1000 * 1000 * 1000;

 private:
  VkDevice device_;
  VkQueue queue_;
  uint32_t family_;
  bool sync2_;
  const char* name_;
  ScheduleCounters* counters_;
  TimelineSemaphore timeline_;
  mutable std::mutex mutex_;
  uint64_t next_value_ = 1;
};

}  // namespace rotary::vk
