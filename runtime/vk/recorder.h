#pragma once
// Records commands into one command buffer: dispatches (pipeline + bound ranges + push
// constants), copies and barriers. Ops record through it; they never submit.
#include <initializer_list>
#include <span>

#include "runtime/vk/descriptors.h"

namespace rotary::check {
class OpChecker;
}

namespace rotary::vk {

// A stage and the memory accesses made there, as synchronization2 names them.
struct Access {
  VkPipelineStageFlags2 stage;
  VkAccessFlags2 access;
};
namespace access {
inline constexpr Access kComputeRead{VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT};
inline constexpr Access kComputeWrite{VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT};
inline constexpr Access kComputeReadWrite{VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                                          VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT};
inline constexpr Access kTransferRead{VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_READ_BIT};
inline constexpr Access kTransferWrite{VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT};
inline constexpr Access kHostRead{VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT};
inline constexpr Access kHostWrite{VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT};
}  // namespace access

class Recorder {
 public:
  Recorder(Device& device, PipelineCache& pipelines, DescriptorCache& descriptors, VkCommandBuffer cmd);

  VkCommandBuffer handle() const { return cmd_; }
  Device& device() const { return *device_; }
  const DeviceCaps& caps() const { return device_->caps(); }
  // The pipeline for `desc`, created on first use.
  const Pipeline& pipeline(const PipelineDesc& desc) { return pipelines_->get(desc); }

  // Binds `bindings` to 0..n-1 (an array binding takes as many consecutive views as its
  // descriptor count) and dispatches. Every binding must respect
  // maxStorageBufferRange and minStorageBufferOffsetAlignment: ops split larger tensors.
  void dispatch(const Pipeline& pipeline, std::span<const BufferView> bindings, const void* push,
                uint32_t push_bytes, uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1);
  template <typename Push>
  void dispatch(const Pipeline& pipeline, std::initializer_list<BufferView> bindings, const Push& push,
                uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1) {
    dispatch(pipeline, std::span<const BufferView>(bindings.begin(), bindings.size()), &push,
             sizeof(Push), groups_x, groups_y, groups_z);
  }

  // A global memory barrier: everything `src` wrote is visible to `dst`.
  void barrier(Access src, Access dst);
  // The common case between two dependent dispatches.
  void compute_barrier() { barrier(access::kComputeWrite, access::kComputeReadWrite); }

  void copy(const BufferView& src, const BufferView& dst);
  void fill(const BufferView& dst, uint32_t word);

  // The debug mode that re-checks every op against its CPU reference (runtime/check/, --check-ops):
  // when set, each op has the checker snapshot its inputs before it records and verify its
  // outputs after. The checker submits and waits in between, so it may replace this recorder's
  // command buffer: the op's caller simply goes on recording into the same Recorder.
  check::OpChecker* checker() const { return checker_; }
  void set_checker(check::OpChecker* checker) { checker_ = checker; }

 private:
  Device* device_;  // pointers, not references: a Recorder can be reassigned
  PipelineCache* pipelines_;
  DescriptorCache* descriptors_;
  VkCommandBuffer cmd_;
  VkPipeline bound_ = VK_NULL_HANDLE;
  check::OpChecker* checker_ = nullptr;
};

}  // namespace rotary::vk
