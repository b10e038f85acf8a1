#include "runtime/vk/timestamps.h"

#include <atomic>

#include <string>

namespace rotary::vk {

namespace {
std::atomic<uint64_t> pools_created{0};
}  // namespace

uint64_t TimestampPool::created() {
  return pools_created.load(std::memory_order_relaxed);
}

std::optional<TimestampPool> TimestampPool::create(Device& device, uint32_t count, int32_t family) {
  const DeviceCaps& caps = device.caps();
  if (family < 0) family = caps.compute_family;
  uint32_t bits = 0;
  for (const QueueFamilyInfo& f : caps.queue_families)
    if (static_cast<int32_t>(f.index) == family) bits = f.timestamp_valid_bits;
  if (bits == 0 || caps.timestamp_period_ns <= 0 || count == 0) return std::nullopt;
  VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  info.queryType = VK_QUERY_TYPE_TIMESTAMP;
  info.queryCount = count;
  VkQueryPool pool = VK_NULL_HANDLE;
  ROTARY_VK(vkCreateQueryPool(device.handle(), &info, nullptr, &pool));
  pools_created.fetch_add(1, std::memory_order_relaxed);
  TimestampPool p;
  p.device_ = device.handle();
  p.pool_ = Handle<VkQueryPool>(device.handle(), pool);
  p.count_ = count;
  p.mask_ = bits >= 64 ? ~0ull : (1ull << bits) - 1;
  p.period_ns_ = caps.timestamp_period_ns;
  return p;
}

void TimestampPool::reset(Recorder& rec) const {
  vkCmdResetQueryPool(rec.handle(), pool_.get(), 0, count_);
}

void TimestampPool::write(Recorder& rec, uint32_t index, VkPipelineStageFlagBits stage) const {
  require(index < count_, ErrorKind::Internal, "timestamp index out of range");
  vkCmdWriteTimestamp(rec.handle(), stage, pool_.get(), index);
}

void TimestampPool::reset(Recorder& rec, uint32_t first, uint32_t count) const {
  require(first + count <= count_, ErrorKind::Internal, "timestamp range out of range");
  vkCmdResetQueryPool(rec.handle(), pool_.get(), first, count);
}

void TimestampPool::reset_on_host(uint32_t first, uint32_t count) const {
  require(first + count <= count_, ErrorKind::Internal, "timestamp range out of range");
  vkResetQueryPool(device_, pool_.get(), first, count);
}

double TimestampPool::elapsed_ns(uint32_t from, uint32_t to) const {
  require(from < count_ && to < count_, ErrorKind::Internal, "timestamp index out of range");
  uint64_t a = 0, b = 0;
  const VkQueryResultFlags flags = VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT;
  ROTARY_VK(vkGetQueryPoolResults(device_, pool_.get(), from, 1, sizeof(a), &a, sizeof(a), flags));
  ROTARY_VK(vkGetQueryPoolResults(device_, pool_.get(), to, 1, sizeof(b), &b, sizeof(b), flags));
  return static_cast<double>(((b & mask_) - (a & mask_)) & mask_) * period_ns_;
}

}  // namespace rotary::vk
