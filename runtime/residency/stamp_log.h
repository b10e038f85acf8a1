#pragma once
// GPU timestamps of residency work on one queue, best effort: where the queue family has no
// timestamps, or the log is full, stamp() returns -1 and the statistic is reported as unmeasured.
// Reading waits for the stamped work, so it happens after a step's final wait.
#include <cstdint>
#include <optional>

#include "runtime/vk/timestamps.h"

namespace rotary {

// How a query is made ready for reuse: a reset recorded before each write (graphics and compute
// families), or a reset from the host when the log is cleared (a transfer-only family, where
// vkCmdResetQueryPool is not allowed; needs the device's hostQueryReset).
enum class StampReset { Recorded, Host };

class StampLog {
 public:
  // The reset `family` (-1: the compute family) can use; nullopt when it can use none.
  static std::optional<StampReset> reset_mode(const vk::DeviceCaps& caps, int32_t family);

  // No timestamps (the default: GPU timestamps only when asked, --timestamps).
  StampLog() = default;
  // Timestamps on `family` with the reset it can use (none when it can use none).
  StampLog(vk::Device& device, int32_t family, uint32_t capacity = 8192);
  StampLog(vk::Device& device, int32_t family, StampReset reset, uint32_t capacity);
  bool enabled() const { return pool_.has_value(); }
  // Resets and writes the next query: at the top of the pipe (work starts) or the bottom (all
  // earlier work done).
  int32_t stamp(vk::Recorder& rec, bool top_of_pipe);
  // Nanoseconds between two stamps (waits for both); 0 if either is -1.
  double ns(int32_t from, int32_t to) const;
  uint32_t used() const { return used_; }
  bool nearly_full() const { return enabled() && used_ + 512 > pool_->count(); }
  // Starts over from the first query. Every stamp written so far must have been read (ns() waits
  // for it): on a queue family that resets from the host, the queries are reset here.
  void clear();

 private:
  std::optional<vk::TimestampPool> pool_;
  uint32_t used_ = 0;
  StampReset reset_ = StampReset::Recorded;
};

}  // namespace rotary
