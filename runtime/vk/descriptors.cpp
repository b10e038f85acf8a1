#include "runtime/vk/descriptors.h"

#include <algorithm>

namespace rotary::vk {

namespace {
constexpr uint32_t kSetsPerPool = 1024;
constexpr uint32_t kBuffersPerPool = 8 * kSetsPerPool;

// Every live cache, so that a buffer being destroyed can reach the ones on its device.
std::mutex g_registry_mutex;
std::vector<DescriptorCache*> g_registry;
}  // namespace

size_t DescriptorCache::KeyHash::operator()(const Key& k) const {
  uint64_t h = reinterpret_cast<uint64_t>(k.layout) * 0x9E3779B97F4A7C15ull;
  for (uint64_t w : k.words) h = (h ^ w) * 0x100000001B3ull + (h >> 29);
  return static_cast<size_t>(h);
}

DescriptorCache::DescriptorCache(Device& device) : device_(device) {
  std::lock_guard lock(g_registry_mutex);
  g_registry.push_back(this);
}

DescriptorCache::~DescriptorCache() {
  std::lock_guard lock(g_registry_mutex);
  g_registry.erase(std::find(g_registry.begin(), g_registry.end(), this));
}

size_t DescriptorCache::size() const {
  std::lock_guard lock(mutex_);
  return sets_.size();
}

void DescriptorCache::forget(VkBuffer buffer) {
  std::lock_guard lock(mutex_);
  const uint64_t handle = reinterpret_cast<uint64_t>(buffer);
  for (auto it = sets_.begin(); it != sets_.end();) {
    bool uses = false;
    for (size_t w = 0; w < it->first.words.size(); w += 3) uses = uses || it->first.words[w] == handle;
    if (uses) {
      vkFreeDescriptorSets(device_.handle(), it->second.pool, 1, &it->second.set);
      it = sets_.erase(it);
    } else {
      ++it;
    }
  }
}

void DescriptorCache::forget_everywhere(VkDevice device, VkBuffer buffer) {
  std::lock_guard lock(g_registry_mutex);
  for (DescriptorCache* c : g_registry)
    if (c->device_.handle() == device) c->forget(buffer);
}

VkDescriptorPool DescriptorCache::grow() {
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kBuffersPerPool};
  VkDescriptorPoolCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  info.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;  // forget() frees single sets
  info.maxSets = kSetsPerPool;
  info.poolSizeCount = 1;
  info.pPoolSizes = &size;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateDescriptorPool(device_.handle(), &info, nullptr, &pool));
  pools_.emplace_back(device_.handle(), pool);
  return pool;
}

VkDescriptorSet DescriptorCache::get(const Pipeline& pipeline, std::span<const BufferView> bindings) {
  std::lock_guard lock(mutex_);
  Key key{pipeline.set_layout(), {}};
  key.words.reserve(bindings.size() * 3);
  for (const BufferView& b : bindings) {
    key.words.push_back(reinterpret_cast<uint64_t>(b.buffer));
    key.words.push_back(b.offset);
    key.words.push_back(b.size);
  }
  if (auto it = sets_.find(key); it != sets_.end()) return it->second.set;

  VkDescriptorSetLayout layout = pipeline.set_layout();
  VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  ai.descriptorSetCount = 1;
  ai.pSetLayouts = &layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkResult r = VK_ERROR_OUT_OF_POOL_MEMORY;
  if (!pools_.empty()) {
    ai.descriptorPool = pools_.back().get();
    r = vkAllocateDescriptorSets(device_.handle(), &ai, &set);
  }
  if (r == VK_ERROR_OUT_OF_POOL_MEMORY || r == VK_ERROR_FRAGMENTED_POOL) {
    ai.descriptorPool = grow();
    r = vkAllocateDescriptorSets(device_.handle(), &ai, &set);
  }
  ROTARY_VK(r);

  std::vector<VkDescriptorBufferInfo> infos(bindings.size());
  for (size_t i = 0; i < bindings.size(); ++i) infos[i] = {bindings[i].buffer, bindings[i].offset, bindings[i].size};
  const auto& counts = pipeline.descriptor_counts();
  std::vector<VkWriteDescriptorSet> writes(counts.size());
  uint32_t first = 0;
  for (size_t b = 0; b < counts.size(); ++b) {
    writes[b] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[b].dstSet = set;
    writes[b].dstBinding = static_cast<uint32_t>(b);
    writes[b].descriptorCount = counts[b];
    writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[b].pBufferInfo = &infos[first];
    first += counts[b];
  }
  vkUpdateDescriptorSets(device_.handle(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);
  sets_.emplace(std::move(key), Entry{set, ai.descriptorPool});
  return set;
}

void DescriptorCache::clear() {
  std::lock_guard lock(mutex_);
  sets_.clear();
  pools_.clear();
}

}  // namespace rotary::vk
