#include "runtime/residency/slot_pool.h"

#include <algorithm>
#include <string>

#include "base/units.h"

namespace rotary {

namespace {
// The expert kernels bind the pages plus a few buffers of their own (x, h, y, table, weights).
constexpr uint32_t kKernelOwnBindings = 8;
}  // namespace

SlotLayout SlotLayout::for_source(const ExpertSource& s) {
  SlotLayout l;
  l.gate_offset = 0;
  l.up_offset = vk::align_up(s.max_gate_bytes(), 16);
  l.down_offset = l.up_offset + vk::align_up(s.max_up_bytes(), 16);
  l.slot_bytes = l.down_offset + vk::align_up(s.max_down_bytes(), 16);
  return l;
}

uint32_t ExpertSlotPool::slots_per_page(const vk::DeviceCaps& caps, const SlotLayout& layout, uint64_t max_page_bytes) {
  uint64_t page = caps.max_storage_buffer_range;
  if (max_page_bytes) page = std::min(page, max_page_bytes);
  if (caps.max_memory_allocation_size) page = std::min(page, caps.max_memory_allocation_size);
  const uint64_t n = page / layout.slot_bytes;
  require(n > 0, ErrorKind::Unsupported,
          "one expert (" + format_bytes(layout.slot_bytes) + ") is larger than this device can bind at once (" +
              format_bytes(page) + ")");
  return static_cast<uint32_t>(std::min<uint64_t>(n, UINT32_MAX));
}

uint64_t ExpertSlotPool::planned_bytes(const vk::DeviceCaps& caps, const SlotLayout& layout, uint32_t slots) {
  const uint32_t per = slots_per_page(caps, layout);
  const uint64_t full = slots / per, rest = slots % per;
  return full * per * layout.slot_bytes + rest * layout.slot_bytes;
}

uint32_t ExpertSlotPool::max_slots(const vk::DeviceCaps& caps, const SlotLayout& layout, uint64_t max_page_bytes) {
  const uint32_t limit = caps.max_per_stage_storage_buffers;
  const uint32_t pages = limit > kKernelOwnBindings ? limit - kKernelOwnBindings : 1;
  return static_cast<uint32_t>(
      std::min<uint64_t>(uint64_t{pages} * slots_per_page(caps, layout, max_page_bytes), UINT32_MAX));
}

ExpertSlotPool ExpertSlotPool::create(vk::GpuContext& gpu, const SlotLayout& layout, uint32_t slots,
                                      uint32_t min_slots, uint64_t max_page_bytes) {
  require(slots >= min_slots && slots > 0, ErrorKind::Internal, "slot pool smaller than its minimum");
  const uint32_t bindable = max_slots(gpu.caps(), layout, max_page_bytes);
  require(slots <= bindable, ErrorKind::Unsupported,
          std::to_string(slots) + " expert slots need more buffer bindings than this device offers (at most " +
              std::to_string(bindable) + " slots); lower --vram-budget or --expert-slots");
  ExpertSlotPool pool;
  pool.layout_ = layout;
  pool.per_page_ = slots_per_page(gpu.caps(), layout, max_page_bytes);
  uint32_t made = 0;
  while (made < slots) {
    const uint32_t n = std::min(pool.per_page_, slots - made);
    try {
      pool.buffers_.push_back(vk::Buffer::create(gpu.device(), &gpu.budget(), n * layout.slot_bytes,
                                                 vk::MemoryKind::DeviceLocal, vk::MemoryUse::Experts,
                                                 "expert slot pool page " + std::to_string(pool.buffers_.size())));
    } catch (const Error& e) {
      // The driver may refuse memory the budget allowed (other programs use VRAM too): keep the
      // pages we have when they are enough, so that rotary runs slower instead of not at all.
      if (e.kind() != ErrorKind::OutOfMemory) throw;
      if (made < min_slots)
        throw Error(ErrorKind::OutOfMemory, "the driver gave " + std::to_string(made) + " expert slots, fewer than one "
                                                "layer's " + std::to_string(min_slots) + " (" + e.what() +
                                                "): lower --vram-budget or close other GPU programs");
      break;
    }
    made += n;  // whole pages except possibly the last: slot -> (page, offset) stays a division
  }
  pool.slots_ = made;
  for (const auto& b : pool.buffers_) pool.views_.push_back(b.view());
  return pool;
}

uint64_t ExpertSlotPool::bytes() const {
  uint64_t total = 0;
  for (const auto& b : buffers_) total += b.size();
  return total;
}

}  // namespace rotary
