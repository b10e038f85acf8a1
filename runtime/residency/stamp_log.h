#pragma once
// GPU timestamps of residency work on one queue, best effort: where the queue family has no
// timestamps, or the log is full, stamp() returns -1 and the statistic is reported as unmeasured.
// Reading waits for the stamped work, so it happens after a step's final wait.
#include <cstdint>
#include <optional>

#include "runtime/vk/timestamps.h"

namespace rotary {

class StampLog {
 public:
  StampLog(vk::Device& device, int32_t family, uint32_t capacity = 8192);
  bool enabled() const { return pool_.has_value(); }
  // Resets and writes the next query: at the top of the pipe (work starts) or the bottom (all
  // earlier work done).
  int32_t stamp(vk::Recorder& rec, bool top_of_pipe);
  // Nanoseconds between two stamps (waits for both); 0 if either is -1.
  double ns(int32_t from, int32_t to) const;
  uint32_t used() const { return used_; }
  bool nearly_full() const { return enabled() && used_ + 512 > pool_->count(); }
  void clear() { used_ = 0; }

 private:
  std::optional<vk::TimestampPool> pool_;
  uint32_t used_ = 0;
};

}  // namespace rotary
