#pragma once
// Descriptor sets, cached by (layout, bound ranges). A decode step binds the same weights and
// activation buffers every token (shapes and offsets travel as push constants), so after the
// first token no descriptor set is allocated or written again.
#include <unordered_map>
#include <span>
#include <vector>

#include "runtime/vk/memory.h"
#include "runtime/vk/pipeline.h"

namespace rotary::vk {

class DescriptorCache {
 public:
  explicit DescriptorCache(Device& device);

  VkDescriptorSet get(const Pipeline& pipeline, std::span<const BufferView> bindings);
  size_t size() const { return sets_.size(); }
  // Frees every set; only when no submitted work still uses them.
  void clear();

 private:
  struct Key {
    VkDescriptorSetLayout layout;
    std::vector<uint64_t> words;  // (buffer, offset, size) per binding
    bool operator==(const Key& o) const { return layout == o.layout && words == o.words; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  VkDescriptorPool grow();

  Device& device_;
  std::vector<Handle<VkDescriptorPool>> pools_;
  std::unordered_map<Key, VkDescriptorSet, KeyHash> sets_;
};

}  // namespace rotary::vk
