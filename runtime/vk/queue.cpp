#include "runtime/vk/queue.h"

#include <iterator>
#include <string>
#include <vector>

namespace rotary::vk {

Queue::Queue(VkDevice device, VkQueue queue, uint32_t family, bool sync2, const char* name,
             ScheduleCounters* counters, const ScheduleTap* tap)
    : device_(device), queue_(queue), family_(family), sync2_(sync2), name_(name), counters_(counters), tap_(tap),
      timeline_(TimelineSemaphore::create(device, 0)) {}

uint64_t Queue::submit(VkCommandBuffer cmd, std::span<const SemaphoreWait> waits) {
  std::lock_guard lock(mutex_);
  const uint64_t signal_value = next_value_;
  if (tap_->record_only) {
    // Nothing executes; complete_recorded() signals the value once the host waits for it.
    Recorded r{signal_value, {}};
    for (const auto& w : waits) r.waits.push_back({handle_id(w.semaphore->handle()), w.value});
    recorded_.push_back(std::move(r));
  } else if (sync2_) {
    std::vector<VkSemaphoreSubmitInfo> wait_infos;
    for (const auto& w : waits) {
      VkSemaphoreSubmitInfo s{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
      s.semaphore = w.semaphore->handle();
      s.value = w.value;
      s.stageMask = w.stages;
      wait_infos.push_back(s);
    }
    VkSemaphoreSubmitInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
    signal.semaphore = timeline_.handle();
    signal.value = signal_value;
    signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    VkCommandBufferSubmitInfo cb{VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
    cb.commandBuffer = cmd;
    VkSubmitInfo2 info{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
    info.waitSemaphoreInfoCount = static_cast<uint32_t>(wait_infos.size());
    info.pWaitSemaphoreInfos = wait_infos.data();
    info.commandBufferInfoCount = cmd != VK_NULL_HANDLE ? 1 : 0;
    info.pCommandBufferInfos = &cb;
    info.signalSemaphoreInfoCount = 1;
    info.pSignalSemaphoreInfos = &signal;
    ROTARY_VK(vkQueueSubmit2(queue_, 1, &info, VK_NULL_HANDLE));
  } else {
    std::vector<VkSemaphore> sems;
    std::vector<uint64_t> values;
    std::vector<VkPipelineStageFlags> stages;
    for (const auto& w : waits) {
      sems.push_back(w.semaphore->handle());
      values.push_back(w.value);
      // The legacy flags are the low 32 bits of the synchronization2 flags for every stage that
      // exists in both; ALL_COMMANDS is the safe superset for anything else.
      const uint64_t s2 = w.stages;
      stages.push_back(s2 >> 32 ? static_cast<VkPipelineStageFlags>(VK_PIPELINE_STAGE_ALL_COMMANDS_BIT)
                                : static_cast<VkPipelineStageFlags>(s2));
    }
    const VkSemaphore signal_sem = timeline_.handle();
    VkTimelineSemaphoreSubmitInfo tl{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
    tl.waitSemaphoreValueCount = static_cast<uint32_t>(values.size());
    tl.pWaitSemaphoreValues = values.data();
    tl.signalSemaphoreValueCount = 1;
    tl.pSignalSemaphoreValues = &signal_value;
    VkSubmitInfo info{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    info.pNext = &tl;
    info.waitSemaphoreCount = static_cast<uint32_t>(sems.size());
    info.pWaitSemaphores = sems.data();
    info.pWaitDstStageMask = stages.data();
    info.commandBufferCount = cmd != VK_NULL_HANDLE ? 1 : 0;
    info.pCommandBuffers = &cmd;
    info.signalSemaphoreCount = 1;
    info.pSignalSemaphores = &signal_sem;
    ROTARY_VK(vkQueueSubmit(queue_, 1, &info, VK_NULL_HANDLE));
  }
  ++next_value_;
  ++counters_->submits;
  return signal_value;
}

void Queue::complete_recorded(uint64_t value) const {
  std::vector<Recorded> done;
  {
    std::lock_guard lock(mutex_);
    auto it = recorded_.begin();
    while (it != recorded_.end() && it->value <= value) ++it;
    done.assign(std::make_move_iterator(recorded_.begin()), std::make_move_iterator(it));
    recorded_.erase(recorded_.begin(), it);
  }
  // Without the lock: the other queue may be this one (single-queue devices) or wait back on it.
  for (const Recorded& r : done) {
    for (const TimelinePoint& w : r.waits)
      for (const Queue* q : tap_->queues)
        if (q->timeline_id() == w.timeline) q->complete_recorded(w.value);
    if (timeline_.value() < r.value) timeline_.signal(r.value);
  }
}

uint64_t Queue::timeline_id() const {
  return handle_id(timeline_.handle());
}

uint64_t Queue::last_submitted() const {
  std::lock_guard lock(mutex_);
  return next_value_ - 1;
}

void Queue::wait(uint64_t value, uint64_t timeout_ns) const {
  {
    std::lock_guard lock(mutex_);
    ++counters_->host_waits;
  }
  if (tap_->log) tap_->log->host_wait({timeline_id(), value});
  if (tap_->record_only) complete_recorded(value);
  const std::string what = std::string("the ") + name_ + " queue";
  timeline_.wait_or_throw(value, timeout_ns, what.c_str());
}

}  // namespace rotary::vk
