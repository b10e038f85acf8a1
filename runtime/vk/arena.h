#pragma once
// Weights are append-only for the life of a model (allocators split by lifetime, as ncnn does):
// views start at binding_alignment() so any sub-range can be bound as a storage buffer. (Scratch
// is one buffer per use, sized by each model's scratch_bytes; staging is vk::StagingRing.)
#include <string_view>
#include <vector>

#include "runtime/vk/memory.h"

namespace rotary::vk {

class WeightArena {
 public:
  WeightArena(Device& device, MemoryBudget* budget, MemoryUse use = MemoryUse::Weights,
              uint64_t chunk_bytes = 256ull << 20);

  // Creates chunks holding exactly `total_bytes` (as planned, alignment included) so that a
  // known set of tensors costs no slack; later allocations fill them first.
  void reserve(uint64_t total_bytes, std::string_view what);
  BufferView alloc(uint64_t bytes, std::string_view what);
  uint64_t allocated_bytes() const;  // the size of all chunks
  uint64_t alignment() const { return align_; }
  // Bytes a set of allocations of these sizes needs, alignment included.
  uint64_t planned_bytes(uint64_t bytes) const { return align_up(bytes, align_); }

 private:
  Device& device_;
  MemoryBudget* budget_;
  MemoryUse use_;
  uint64_t chunk_bytes_;
  uint64_t align_;
  std::vector<Buffer> chunks_;
  std::vector<uint64_t> cursors_;
};

}  // namespace rotary::vk
