#include "runtime/residency/stamp_log.h"

#include "base/error.h"

namespace rotary {

std::optional<StampReset> StampLog::reset_mode(const vk::DeviceCaps& caps, int32_t family) {
  if (family < 0) family = caps.compute_family;
  for (const vk::QueueFamilyInfo& f : caps.queue_families)
    if (static_cast<int32_t>(f.index) == family) {
      if (f.flags & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT)) return StampReset::Recorded;
      if (caps.host_query_reset) return StampReset::Host;
    }
  return std::nullopt;
}

StampLog::StampLog(vk::Device& device, int32_t family, uint32_t capacity) {
  if (const auto mode = reset_mode(device.caps(), family)) *this = StampLog(device, family, *mode, capacity);
}

StampLog::StampLog(vk::Device& device, int32_t family, StampReset reset, uint32_t capacity)
    : pool_(vk::TimestampPool::create(device, capacity, family)), reset_(reset) {
  require(reset == StampReset::Recorded || device.caps().host_query_reset, ErrorKind::Internal,
          "host query resets need the device's hostQueryReset feature");
  if (pool_ && reset_ == StampReset::Host) pool_->reset_on_host(0, pool_->count());
}

int32_t StampLog::stamp(vk::Recorder& rec, bool top_of_pipe) {
  if (!pool_ || used_ >= pool_->count()) return -1;
  const uint32_t i = used_++;
  if (reset_ == StampReset::Recorded) pool_->reset(rec, i, 1);
  pool_->write(rec, i, top_of_pipe ? VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT : VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT);
  return static_cast<int32_t>(i);
}

double StampLog::ns(int32_t from, int32_t to) const {
  if (!pool_ || from < 0 || to < 0) return 0;
  return pool_->elapsed_ns(static_cast<uint32_t>(from), static_cast<uint32_t>(to));
}

void StampLog::clear() {
  if (pool_ && reset_ == StampReset::Host && used_ > 0) pool_->reset_on_host(0, used_);
  used_ = 0;
}

}  // namespace rotary
