#pragma once
// Descriptor sets, cached by (layout, bound ranges). A decode step binds the same weights and
// activation buffers every token (shapes and offsets travel as push constants), so after the
// first token no descriptor set is allocated or written again.
//
// A destroyed buffer's handle value can come back for a new buffer (lavapipe's handles are heap
// pointers); a set cached for the old one would then be returned for the new one and point at
// freed memory. So vk::Buffer tells every cache on its device to forget it before it goes.
#include <mutex>
#include <unordered_map>
#include <span>
#include <vector>

#include "runtime/vk/memory.h"
#include "runtime/vk/pipeline.h"

namespace rotary::vk {

class DescriptorCache {
 public:
  explicit DescriptorCache(Device& device);
  ~DescriptorCache();
  DescriptorCache(const DescriptorCache&) = delete;
  DescriptorCache& operator=(const DescriptorCache&) = delete;

  VkDescriptorSet get(const Pipeline& pipeline, std::span<const BufferView> bindings);
  size_t size() const;
  // Frees every set; only when no submitted work still uses them.
  void clear();
  // Frees the sets that bind `buffer` (which is about to be destroyed).
  void forget(VkBuffer buffer);
  // forget(buffer) on every live cache of `device`; vk::Buffer calls it before destroying.
  static void forget_everywhere(VkDevice device, VkBuffer buffer);

 private:
  struct Key {
    VkDescriptorSetLayout layout;
    std::vector<uint64_t> words;  // (buffer, offset, size) per binding
    bool operator==(const Key& o) const { return layout == o.layout && words == o.words; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    VkDescriptorSet set;
    VkDescriptorPool pool;
  };
  VkDescriptorPool grow();

  Device& device_;
  mutable std::mutex mutex_;
  std::vector<Handle<VkDescriptorPool>> pools_;
  std::unordered_map<Key, Entry, KeyHash> sets_;
};

}  // namespace rotary::vk
