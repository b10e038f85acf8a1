#pragma once
// The KV cache of one sequence: per attention layer, a K buffer and a V buffer of
// [capacity][n_kv_heads][head_dim] elements of the K and V types (F32, F16, Q8_0, Q4_0; layout
// and reasons: ops/kv_view.h).
// Counted in the VRAM budget as MemoryUse::KvCache. One buffer per tensor, not one for all
// layers: a layer's K may exceed maxStorageBufferRange on its own at long contexts (the ops bind
// it in position ranges), and separate buffers keep each allocation far below
// maxMemoryAllocationSize.
#include <cstdint>
#include <vector>

#include "runtime/ops/kv_view.h"

namespace rotary::kv {

class KvCache {
 public:
  // `layers` attention layers (Qwen3.5: only its full-attention layers), each of geometry `geo`.
  static KvCache create(vk::Device& device, vk::MemoryBudget* budget, uint32_t layers,
                        const ops::KvGeometry& geo);

  // Bytes create() would reserve: the memory planner's figure.
  static uint64_t planned_bytes(uint32_t layers, const ops::KvGeometry& geo) {
    return uint64_t{layers} * geo.layer_bytes();
  }

  uint32_t layers() const { return static_cast<uint32_t>(k_.size()); }
  const ops::KvGeometry& geometry() const { return geo_; }
  ops::KvLayerView layer(uint32_t i) const;

 private:
  ops::KvGeometry geo_;
  std::vector<vk::Buffer> k_;
  std::vector<vk::Buffer> v_;
};

}  // namespace rotary::kv
