#include "runtime/vk/staging.h"

#include <string>

#include "base/units.h"

namespace rotary::vk {

StagingRing::StagingRing(Device& device, MemoryBudget* budget, uint64_t bytes, const Queue& queue, MemoryKind kind)
    : queue_(queue), align_(binding_alignment(device.caps())),
      buffer_(Buffer::create(device, budget, bytes, kind,
                             kind == MemoryKind::Readback ? MemoryUse::Readback : MemoryUse::Staging,
                             kind == MemoryKind::Readback ? "readback ring" : "staging ring")) {
  require(buffer_.mapped() != nullptr, ErrorKind::Internal, "staging ring memory is not host-visible");
}

BufferView StagingRing::alloc(uint64_t bytes) {
  if (bytes > buffer_.size())
    throw Error(ErrorKind::Internal, "staging request of " + format_bytes(bytes) + " exceeds the ring (" +
                                         format_bytes(buffer_.size()) + ")");
  uint64_t begin = head_;
  if (begin + bytes > buffer_.size()) begin = 0;
  const uint64_t end = begin + bytes;
  wait_for_overlap(begin, end);
  pending_.push_back({begin, end, 0});
  head_ = std::min(align_up(end, align_), buffer_.size());
  return buffer_.view(begin, bytes);
}

void StagingRing::retire(uint64_t value) {
  for (Region r : pending_) {
    r.value = value;
    in_flight_.push_back(r);
  }
  pending_.clear();
}

void StagingRing::wait_for_overlap(uint64_t begin, uint64_t end) {
  while (!in_flight_.empty() && queue_.done(in_flight_.front().value)) in_flight_.pop_front();
  for (const Region& p : pending_)
    if (p.begin < end && begin < p.end)
      throw Error(ErrorKind::Internal, "staging ring overrun: retire() earlier uploads before allocating more");
  uint64_t wait_value = 0;
  for (const Region& r : in_flight_)
    if (r.begin < end && begin < r.end) wait_value = std::max(wait_value, r.value);
  if (wait_value == 0) return;
  queue_.wait(wait_value);
  while (!in_flight_.empty() && in_flight_.front().value <= wait_value) in_flight_.pop_front();
}

}  // namespace rotary::vk
