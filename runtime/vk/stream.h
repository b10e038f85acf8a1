#pragma once
// A command stream: a command pool bound to one queue, used from one thread. begin() hands out a
// recorder on a command buffer whose last use has finished; submit() returns the timeline value
// at which the recorded work is complete.
#include <deque>
#include <span>

#include "runtime/vk/recorder.h"

namespace rotary::vk {

class CommandStream {
 public:
  // `role`: what the schedule log calls this stream's submissions (schedule.h).
  CommandStream(Device& device, Queue& queue, PipelineCache& pipelines, DescriptorCache& descriptors,
                QueueRole role);
  ~CommandStream();
  CommandStream(const CommandStream&) = delete;
  CommandStream& operator=(const CommandStream&) = delete;

  Recorder begin();
  uint64_t submit(Recorder& rec, std::span<const SemaphoreWait> waits = {});
  // Records with `fn`, submits and waits: for set-up work and tests, never the decode loop.
  template <typename Fn>
  void run_now(Fn&& fn) {
    Recorder rec = begin();
    fn(rec);
    queue_.wait(submit(rec));
  }

  Queue& queue() { return queue_; }
  // Every recorder begin() hands out carries this checker (runtime/check/; null: off).
  void set_checker(check::OpChecker* checker) { checker_ = checker; }

 private:
  Device& device_;
  Queue& queue_;
  QueueRole role_;
  PipelineCache& pipelines_;
  DescriptorCache& descriptors_;
  Handle<VkCommandPool> pool_;
  struct InFlight {
    VkCommandBuffer cmd;
    uint64_t value;
  };
  std::deque<InFlight> in_flight_;
  std::vector<VkCommandBuffer> open_;  // begun, not yet submitted
  check::OpChecker* checker_ = nullptr;
};

}  // namespace rotary::vk
