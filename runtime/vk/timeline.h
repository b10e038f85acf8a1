#pragma once
// A timeline semaphore: one 64-bit counter that queues signal and wait on, and the host can wait
// on with a timeout. Every queue in rotary owns one; "ready at value T" is how work is ordered.
#include <cstdint>

#include "runtime/vk/handle.h"

namespace rotary::vk {

class TimelineSemaphore {
 public:
  static TimelineSemaphore create(VkDevice device, uint64_t initial = 0);
  TimelineSemaphore() = default;

  VkSemaphore handle() const { return sem_.get(); }
  uint64_t value() const;
  // Waits until the counter reaches `value`. Returns false on timeout; throws on device loss.
  bool wait(uint64_t value, uint64_t timeout_ns) const;
  // Like wait(), but a timeout throws Error(Vulkan) naming `what`: a GPU that never finishes is
  // an error, never a hang.
  void wait_or_throw(uint64_t value, uint64_t timeout_ns, const char* what) const;
  void signal(uint64_t value);

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  Handle<VkSemaphore> sem_;
};

}  // namespace rotary::vk
