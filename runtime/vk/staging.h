#pragma once
// A host-visible ring for uploads (and, with MemoryKind::Readback, downloads). A region handed
// out by alloc() stays reserved until the queue that uses it reaches the timeline value given to
// retire(); alloc() waits for the oldest regions when the ring is full.
#include <deque>

#include "runtime/vk/memory.h"

namespace rotary::vk {

class StagingRing {
 public:
  StagingRing(Device& device, MemoryBudget* budget, uint64_t bytes, const Queue& queue,
              MemoryKind kind = MemoryKind::Upload);

  // A region of `bytes` (at most capacity()); host pointer in view.mapped.
  BufferView alloc(uint64_t bytes);
  // Every region allocated since the last retire() is free again once the queue reaches `value`.
  void retire(uint64_t value);
  uint64_t capacity() const { return buffer_.size(); }
  const Buffer& buffer() const { return buffer_; }

 private:
  struct Region {
    uint64_t begin, end, value;
  };
  void wait_for_overlap(uint64_t begin, uint64_t end);

  const Queue& queue_;
  uint64_t align_;
  Buffer buffer_;
  uint64_t head_ = 0;
  std::deque<Region> in_flight_;
  std::vector<Region> pending_;
};

}  // namespace rotary::vk
