#include "runtime/kv/kv_cache.h"

#include <string>

namespace rotary::kv {

KvCache KvCache::create(vk::Device& device, vk::MemoryBudget* budget, uint32_t layers,
                        const ops::KvGeometry& geo) {
  ops::validate(geo);
  KvCache c;
  c.geo_ = geo;
  c.k_.reserve(layers);
  c.v_.reserve(layers);
  for (uint32_t i = 0; i < layers; ++i) {
    const std::string name = "KV cache layer " + std::to_string(i) + " (" +
                             ops::to_string(geo.types) + ", " + std::to_string(geo.capacity) +
                             " positions)";
    // Rounded up to whole words: quantised rows end at any even byte, and shaders read words.
    c.k_.push_back(vk::Buffer::create(device, budget, vk::align_up(geo.tensor_bytes(geo.types.k), 4),
                                      vk::MemoryKind::DeviceLocal, vk::MemoryUse::KvCache, "K of " + name));
    c.v_.push_back(vk::Buffer::create(device, budget, vk::align_up(geo.tensor_bytes(geo.types.v), 4),
                                      vk::MemoryKind::DeviceLocal, vk::MemoryUse::KvCache, "V of " + name));
  }
  return c;
}

ops::KvLayerView KvCache::layer(uint32_t i) const {
  require(i < k_.size(), ErrorKind::Internal, "KV cache: no layer " + std::to_string(i));
  return {k_[i].view(), v_[i].view(), geo_};
}

}  // namespace rotary::kv
