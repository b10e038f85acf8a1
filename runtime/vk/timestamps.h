#pragma once
// GPU timestamps for benchmarks: a query pool whose differences are converted to nanoseconds with
// the device's timestampPeriod. Devices whose compute queue has no timestamps get none (create()
// returns nullopt) and callers time on the host instead.
#include <cstdint>
#include <optional>

#include "runtime/vk/handle.h"
#include "runtime/vk/recorder.h"

namespace rotary::vk {

class TimestampPool {
 public:
  // `count` timestamps; nullopt when the compute queue family reports no valid timestamp bits or
  // the device has no timestamp period.
  // Timestamps for queues of `family` (-1: the compute family); nullopt when it has none.
  static std::optional<TimestampPool> create(Device& device, uint32_t count, int32_t family = -1);

  TimestampPool(TimestampPool&&) noexcept = default;
  TimestampPool& operator=(TimestampPool&&) noexcept = default;
  TimestampPool(const TimestampPool&) = delete;
  TimestampPool& operator=(const TimestampPool&) = delete;

  uint32_t count() const { return count_; }
  // Query pools created in this process (tests: nothing creates one unless timestamps are asked).
  static uint64_t created();
  // Records a reset of every query; do it before the first write() of a recording.
  void reset(Recorder& rec) const;
  // Records timestamp `index`, taken once every earlier command has completed.
  // At `stage`: BOTTOM_OF_PIPE (all earlier work done) or TOP_OF_PIPE (this point reached).
  void write(Recorder& rec, uint32_t index,
             VkPipelineStageFlagBits stage = VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT) const;
  void reset(Recorder& rec, uint32_t first, uint32_t count) const;
  // Resets queries from the host (needs the device's hostQueryReset): the only reset a queue family
  // without graphics or compute may use, since vkCmdResetQueryPool is not allowed there. The queries
  // must not be in use by work still pending.
  void reset_on_host(uint32_t first, uint32_t count) const;
  // Nanoseconds from timestamp `from` to `to`, waiting for both to be available (the submission
  // that wrote them must have been submitted).
  double elapsed_ns(uint32_t from, uint32_t to) const;

 private:
  TimestampPool() = default;
  VkDevice device_ = VK_NULL_HANDLE;
  Handle<VkQueryPool> pool_;
  uint32_t count_ = 0;
  uint64_t mask_ = 0;  // valid bits
  double period_ns_ = 0;
};

}  // namespace rotary::vk
