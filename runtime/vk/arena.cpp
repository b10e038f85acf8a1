#include "runtime/vk/arena.h"

#include <algorithm>
#include <string>

#include "base/units.h"

namespace rotary::vk {

WeightArena::WeightArena(Device& device, MemoryBudget* budget, MemoryUse use, uint64_t chunk_bytes)
    : device_(device), budget_(budget), use_(use), chunk_bytes_(chunk_bytes),
      align_(binding_alignment(device.caps())) {}

void WeightArena::reserve(uint64_t total_bytes, std::string_view what) {
  const uint64_t max_alloc = std::max<uint64_t>(device_.caps().max_memory_allocation_size, 1ull << 28);
  while (total_bytes > 0) {
    const uint64_t n = std::min(total_bytes, align_down(max_alloc, align_));
    chunks_.push_back(Buffer::create(device_, budget_, n, MemoryKind::DeviceLocal, use_, what));
    cursors_.push_back(0);
    total_bytes -= n;
  }
}

BufferView WeightArena::alloc(uint64_t bytes, std::string_view what) {
  const uint64_t need = align_up(bytes, align_);
  for (size_t i = 0; i < chunks_.size(); ++i) {
    if (cursors_[i] + need <= chunks_[i].size()) {
      const uint64_t off = cursors_[i];
      cursors_[i] += need;
      return chunks_[i].view(off, bytes);
    }
  }
  const uint64_t max_alloc = device_.caps().max_memory_allocation_size;
  if (max_alloc && need > max_alloc)
    throw Error(ErrorKind::Unsupported, std::string(what) + " needs one allocation of " + format_bytes(need) +
                                            ", more than this device allows (" + format_bytes(max_alloc) + ")");
  uint64_t size = std::max(need, chunk_bytes_);
  if (max_alloc) size = std::min(size, max_alloc);
  chunks_.push_back(Buffer::create(device_, budget_, size, MemoryKind::DeviceLocal, use_, what));
  cursors_.push_back(need);
  return chunks_.back().view(0, bytes);
}

uint64_t WeightArena::allocated_bytes() const {
  uint64_t total = 0;
  for (const auto& c : chunks_) total += c.size();
  return total;
}

}  // namespace rotary::vk
