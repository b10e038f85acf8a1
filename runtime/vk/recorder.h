#pragma once
// Records commands into one command buffer: dispatches (pipeline + bound ranges + push
// constants), copies and barriers. Ops record through it; they never submit.
#include <initializer_list>
#include <span>

#include "runtime/vk/descriptors.h"
#include "runtime/vk/schedule.h"

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
  // `cost` is what the op states the dispatch reads, writes and computes (the schedule log's
  // figures, schedule.h); the overloads without one are for ops that touch exactly the ranges they
  // bind, once each (elementwise ops, norms): their cost is the sum of the bound ranges, read.
  void dispatch(const DispatchCost& cost, const Pipeline& pipeline, std::span<const BufferView> bindings,
                const void* push, uint32_t push_bytes, uint32_t groups_x, uint32_t groups_y = 1,
                uint32_t groups_z = 1);
  void dispatch(const Pipeline& pipeline, std::span<const BufferView> bindings, const void* push,
                uint32_t push_bytes, uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1) {
    dispatch(bound_cost(bindings), pipeline, bindings, push, push_bytes, groups_x, groups_y, groups_z);
  }
  template <typename Push>
  void dispatch(const DispatchCost& cost, const Pipeline& pipeline, std::initializer_list<BufferView> bindings,
                const Push& push, uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1) {
    dispatch(cost, pipeline, std::span<const BufferView>(bindings.begin(), bindings.size()), &push, sizeof(Push),
             groups_x, groups_y, groups_z);
  }
  template <typename Push>
  void dispatch(const Pipeline& pipeline, std::initializer_list<BufferView> bindings, const Push& push,
                uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1) {
    const std::span<const BufferView> b(bindings.begin(), bindings.size());
    dispatch(bound_cost(b), pipeline, b, &push, sizeof(Push), groups_x, groups_y, groups_z);
  }
  static DispatchCost bound_cost(std::span<const BufferView> bindings);

  // A global memory barrier: everything `src` wrote is visible to `dst`.
  void barrier(Access src, Access dst);
  // The common case between two dependent dispatches.
  void compute_barrier() { barrier(access::kComputeWrite, access::kComputeReadWrite); }

  // Copies: within device memory, an upload from host memory (staging, the imported file) and a
  // readback into host memory. The path is what the schedule log charges the host link for.
  void copy(const BufferView& src, const BufferView& dst) { copy_along(src, dst, CopyPath::DeviceToDevice); }
  void upload(const BufferView& src, const BufferView& dst) { copy_along(src, dst, CopyPath::HostToDevice); }
  void read_back(const BufferView& src, const BufferView& dst) { copy_along(src, dst, CopyPath::DeviceToHost); }
  void fill(const BufferView& dst, uint32_t word);

  // The debug mode that re-checks every op against its CPU reference (runtime/check/, --check-ops):
  // when set, each op has the checker snapshot its inputs before it records and verify its
  // outputs after. The checker submits and waits in between, so it may replace this recorder's
  // command buffer: the op's caller simply goes on recording into the same Recorder.
  check::OpChecker* checker() const { return checker_; }
  void set_checker(check::OpChecker* checker) { checker_ = checker; }

 private:
  void copy_along(const BufferView& src, const BufferView& dst, CopyPath path);
  Device* device_;  // pointers, not references: a Recorder can be reassigned
  PipelineCache* pipelines_;
  DescriptorCache* descriptors_;
  VkCommandBuffer cmd_;
  VkPipeline bound_ = VK_NULL_HANDLE;
  check::OpChecker* checker_ = nullptr;
};

}  // namespace rotary::vk
