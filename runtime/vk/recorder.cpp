#include "runtime/vk/recorder.h"

#include <string>

namespace rotary::vk {

Recorder::Recorder(Device& device, PipelineCache& pipelines, DescriptorCache& descriptors, VkCommandBuffer cmd)
    : device_(&device), pipelines_(&pipelines), descriptors_(&descriptors), cmd_(cmd) {}

DispatchCost Recorder::bound_cost(std::span<const BufferView> bindings) {
  DispatchCost c;
  for (const BufferView& b : bindings) c.bytes_read += b.size;
  return c;
}

void Recorder::dispatch(const DispatchCost& cost, const Pipeline& pipeline, std::span<const BufferView> bindings,
                        const void* push, uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz) {
  const DeviceCaps& caps = device_->caps();
  if (bindings.size() != pipeline.descriptor_total())
    throw Error(ErrorKind::Internal, pipeline.name() + ": " + std::to_string(bindings.size()) +
                                         " buffers given, " + std::to_string(pipeline.descriptor_total()) + " expected");
  if (push_bytes != pipeline.push_bytes())
    throw Error(ErrorKind::Internal, pipeline.name() + ": push constant size mismatch");
  for (size_t i = 0; i < bindings.size(); ++i) {
    const BufferView& b = bindings[i];
    if (!b || b.size == 0 || b.size > caps.max_storage_buffer_range ||
        b.offset % caps.min_storage_offset_alignment != 0)
      throw Error(ErrorKind::Internal, pipeline.name() + ": binding " + std::to_string(i) + " (offset " +
                                           std::to_string(b.offset) + ", size " + std::to_string(b.size) +
                                           ") is empty, misaligned or larger than maxStorageBufferRange");
  }
  if (gx == 0 || gy == 0 || gz == 0) return;
  if (gx > caps.max_workgroup_count[0] || gy > caps.max_workgroup_count[1] || gz > caps.max_workgroup_count[2])
    throw Error(ErrorKind::Internal, pipeline.name() + ": workgroup count over the device limit");

  const VkDescriptorSet set = descriptors_->get(pipeline, bindings);
  if (bound_ != pipeline.handle()) {
    vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
    bound_ = pipeline.handle();
  }
  const VkDescriptorSet sets[2] = {set, pipeline.tables_set()};
  vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, sets[1] ? 2 : 1, sets, 0,
                          nullptr);
  if (push_bytes) vkCmdPushConstants(cmd_, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
  vkCmdDispatch(cmd_, gx, gy, gz);
  ++device_->counters().dispatches;
  if (ScheduleLog* log = device_->schedule_tap().log) log->dispatch(handle_id(cmd_), pipeline.name(), cost);
}

void Recorder::barrier(Access src, Access dst) {
  ++device_->counters().barriers;
  if (ScheduleLog* log = device_->schedule_tap().log) log->barrier(handle_id(cmd_));
  if (device_->sync2()) {
    VkMemoryBarrier2 mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER_2};
    mb.srcStageMask = src.stage;
    mb.srcAccessMask = src.access;
    mb.dstStageMask = dst.stage;
    mb.dstAccessMask = dst.access;
    VkDependencyInfo dep{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    dep.memoryBarrierCount = 1;
    dep.pMemoryBarriers = &mb;
    vkCmdPipelineBarrier2(cmd_, &dep);
    return;
  }
  // The stages and accesses used here have the same bit values in both APIs.
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = static_cast<VkAccessFlags>(src.access);
  mb.dstAccessMask = static_cast<VkAccessFlags>(dst.access);
  vkCmdPipelineBarrier(cmd_, static_cast<VkPipelineStageFlags>(src.stage),
                       static_cast<VkPipelineStageFlags>(dst.stage), 0, 1, &mb, 0, nullptr, 0, nullptr);
}

void Recorder::copy_along(const BufferView& src, const BufferView& dst, CopyPath path) {
  require(src.size <= dst.size, ErrorKind::Internal, "copy larger than its destination");
  if (ScheduleLog* log = device_->schedule_tap().log) log->copy(handle_id(cmd_), path, src.size);
  const VkBufferCopy region{src.offset, dst.offset, src.size};
  vkCmdCopyBuffer(cmd_, src.buffer, dst.buffer, 1, &region);
}

void Recorder::fill(const BufferView& dst, uint32_t word) {
  vkCmdFillBuffer(cmd_, dst.buffer, dst.offset, dst.size & ~3ull, word);
}

}  // namespace rotary::vk
