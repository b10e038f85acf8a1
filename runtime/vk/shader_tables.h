#pragma once
// The read-only lookup tables some shaders read as data (the grids of the IQ quant types,
// shaders/lookup_tables.h): one small buffer per device and one descriptor set that binds it at
// set 1, binding 0. The PipelineCache creates it the first time a pipeline's shader declares set
// 1, and gives such pipelines a layout of two sets; Recorder::dispatch binds it with set 0. So
// an op never binds it, and a shader that reads it cannot run without it.
//
// The memory is device-local and host-visible where the device has such a type (the BAR of a
// discrete GPU, unified memory), else host-visible: the host writes it once, at creation. It is
// counted against the VRAM budget as weights; a model plan counts it when the model has a type
// that reads it (MemoryPlan::dense), and the model creates it before its slot pool
// (DenseWeights::lookup_table_bytes, DenseWeights::load).
#include "runtime/vk/memory.h"

namespace rotary::vk {

class ShaderTables {
 public:
  // Throws Error(Budget) when `budget` cannot hold them.
  ShaderTables(Device& device, MemoryBudget* budget);

  VkDescriptorSetLayout set_layout() const { return layout_.get(); }
  VkDescriptorSet set() const { return set_; }
  const Buffer& buffer() const { return buffer_; }
  // What creating them reserves from the budget.
  static uint64_t bytes();

 private:
  Buffer buffer_;
  Handle<VkDescriptorSetLayout> layout_;
  Handle<VkDescriptorPool> pool_;
  VkDescriptorSet set_ = VK_NULL_HANDLE;  // freed with the pool
};

}  // namespace rotary::vk
