#pragma once
// Compute pipelines from the embedded SPIR-V. A pipeline is named by its shader variant and its
// specialization constants (tuning: workgroup size, rows per workgroup, subgroup size); its
// layout is N storage buffers at bindings 0..N-1 of set 0 plus one push-constant range, and, when
// the shader declares set 1, the device's lookup tables there (vk::ShaderTables).
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/vk/device.h"
#include "runtime/vk/handle.h"
#include "runtime/vk/shader_tables.h"

namespace rotary::vk {

struct PipelineDesc {
  std::string shader;               // registry name, without the "_nosg" suffix
  std::vector<uint32_t> spec;       // spec[i] is specialization constant_id i (32-bit each)
  uint32_t bindings = 0;            // storage buffers at bindings 0..bindings-1
  uint32_t push_bytes = 0;
  uint32_t required_subgroup_size = 0;  // 0: whatever the driver picks
  // Descriptor count per binding (an array of buffers, e.g. expert slot-pool pages indexed by a
  // workgroup-uniform value); empty means one buffer per binding.
  std::vector<uint32_t> array_sizes;

  bool operator<(const PipelineDesc& o) const;
};

class Pipeline {
 public:
  VkPipeline handle() const { return pipeline_.get(); }
  VkPipelineLayout layout() const { return layout_.get(); }
  VkDescriptorSetLayout set_layout() const { return set_layout_.get(); }
  uint32_t bindings() const { return bindings_; }
  // Descriptor count of each binding; dispatch() takes this many views per binding, in order.
  const std::vector<uint32_t>& descriptor_counts() const { return counts_; }
  uint32_t descriptor_total() const { return total_; }
  uint32_t push_bytes() const { return push_bytes_; }
  const std::string& name() const { return name_; }
  // The lookup tables' set, bound at set 1 by Recorder::dispatch; null when the shader has no set 1.
  VkDescriptorSet tables_set() const { return tables_set_; }

 private:
  friend class PipelineCache;
  std::string name_;
  VkDescriptorSet tables_set_ = VK_NULL_HANDLE;
  uint32_t bindings_ = 0;
  uint32_t push_bytes_ = 0;
  uint32_t total_ = 0;
  std::vector<uint32_t> counts_;
  Handle<VkDescriptorSetLayout> set_layout_;
  Handle<VkPipelineLayout> layout_;
  Handle<VkPipeline> pipeline_;
};

class PipelineCache {
 public:
  // `subgroup_arith`: use the variants with subgroup reductions (else the "_nosg" ones).
  // `budget` (may be null) pays for the lookup tables.
  PipelineCache(Device& device, bool subgroup_arith, MemoryBudget* budget = nullptr);

  const Pipeline& get(const PipelineDesc& desc);
  // The lookup tables, created on first use (a pipeline whose shader reads them, or a model that
  // will: it creates them before its slot pool takes the rest of the budget).
  const ShaderTables& tables();
  bool subgroup_arith() const { return subgroup_arith_; }
  size_t size() const { return pipelines_.size(); }

 private:
  std::unique_ptr<Pipeline> create(const PipelineDesc& desc);
  const ShaderTables& tables_locked();
  Device& device_;
  bool subgroup_arith_;
  MemoryBudget* budget_;
  std::mutex mutex_;
  std::unique_ptr<ShaderTables> tables_;
  std::map<PipelineDesc, std::unique_ptr<Pipeline>> pipelines_;
};

}  // namespace rotary::vk
