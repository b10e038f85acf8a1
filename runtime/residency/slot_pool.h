#pragma once
// The expert slot pool: a fixed set of VRAM slots, each holding one routed expert (gate, up and
// down matrices at fixed offsets), in pages of at most maxStorageBufferRange so that the grouped
// expert kernels bind every page at once as one descriptor array.
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/residency/expert_source.h"
#include "runtime/vk/context.h"

namespace rotary {

struct SlotLayout {
  uint64_t gate_offset = 0, up_offset = 0, down_offset = 0;
  uint64_t slot_bytes = 0;
  // Room for the largest gate, up and down of any layer, each 16-byte aligned (the kernels'
  // vectorised loads).
  static SlotLayout for_source(const ExpertSource& source);
};

class ExpertSlotPool {
 public:
  // Slots per page on this device (pages are at most `max_page_bytes` when that is not 0), and
  // the pages `slots` slots need.
  static uint32_t slots_per_page(const vk::DeviceCaps& caps, const SlotLayout& layout, uint64_t max_page_bytes = 0);
  static uint64_t planned_bytes(const vk::DeviceCaps& caps, const SlotLayout& layout, uint32_t slots);
  // The most slots whose pages fit the kernels' descriptor array on this device.
  static uint32_t max_slots(const vk::DeviceCaps& caps, const SlotLayout& layout, uint64_t max_page_bytes = 0);

  // Allocates `slots` slots (MemoryUse::Experts, against the budget). If the driver runs out of
  // memory part way, the pool keeps what it got when that is at least `min_slots`, else throws.
  static ExpertSlotPool create(vk::GpuContext& gpu, const SlotLayout& layout, uint32_t slots, uint32_t min_slots,
                               uint64_t max_page_bytes = 0);

  uint32_t slots() const { return slots_; }
  const SlotLayout& layout() const { return layout_; }
  std::span<const vk::BufferView> pages() const { return views_; }
  uint32_t page_of(uint32_t slot) const { return slot / per_page_; }
  uint64_t offset_of(uint32_t slot) const { return (slot % per_page_) * layout_.slot_bytes; }
  vk::BufferView slot_view(uint32_t slot) const {
    return views_[page_of(slot)].sub(offset_of(slot), layout_.slot_bytes);
  }
  uint64_t bytes() const;

 private:
  SlotLayout layout_;
  uint32_t per_page_ = 0;
  uint32_t slots_ = 0;
  std::vector<vk::Buffer> buffers_;
  std::vector<vk::BufferView> views_;
};

}  // namespace rotary
