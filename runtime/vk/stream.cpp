#include "runtime/vk/stream.h"

#include <algorithm>

namespace rotary::vk {

CommandStream::CommandStream(Device& device, Queue& queue, PipelineCache& pipelines, DescriptorCache& descriptors,
                             QueueRole role)
    : device_(device), queue_(queue), role_(role), pipelines_(pipelines), descriptors_(descriptors) {
  VkCommandPoolCreateInfo info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  info.queueFamilyIndex = queue.family();
  VkCommandPool pool = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateCommandPool(device.handle(), &info, nullptr, &pool));
  pool_ = Handle<VkCommandPool>(device.handle(), pool);
}

CommandStream::~CommandStream() {
  // Command buffers must not be freed while the GPU may still execute them.
  if (in_flight_.empty()) return;
  if (device_.record_only()) queue_.complete_recorded(in_flight_.back().value);
  queue_.timeline().wait(in_flight_.back().value, Queue::kDefaultTimeoutNs);
}

Recorder CommandStream::begin() {
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  if (!in_flight_.empty() && queue_.done(in_flight_.front().value)) {
    cmd = in_flight_.front().cmd;
    in_flight_.pop_front();
    ROTARY_VK(vkResetCommandBuffer(cmd, 0));
  } else {
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = pool_.get();
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    ROTARY_VK(vkAllocateCommandBuffers(device_.handle(), &ai, &cmd));
  }
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  ROTARY_VK(vkBeginCommandBuffer(cmd, &bi));
  open_.push_back(cmd);
  ++device_.counters().command_buffers;
  if (ScheduleLog* log = device_.schedule_tap().log) log->begin(handle_id(cmd), role_);
  Recorder rec(device_, pipelines_, descriptors_, cmd);
  rec.set_checker(checker_);
  return rec;
}

uint64_t CommandStream::submit(Recorder& rec, std::span<const SemaphoreWait> waits) {
  VkCommandBuffer cmd = rec.handle();
  auto it = std::find(open_.begin(), open_.end(), cmd);
  require(it != open_.end(), ErrorKind::Internal, "submit of a command buffer this stream did not begin");
  open_.erase(it);
  ROTARY_VK(vkEndCommandBuffer(cmd));
  const uint64_t value = queue_.submit(cmd, waits);
  in_flight_.push_back({cmd, value});
  if (ScheduleLog* log = device_.schedule_tap().log) {
    std::vector<TimelinePoint> on;
    for (const SemaphoreWait& w : waits) on.push_back({handle_id(w.semaphore->handle()), w.value});
    log->submit(handle_id(cmd), role_, {queue_.timeline_id(), value}, std::move(on));
  }
  return value;
}

}  // namespace rotary::vk
