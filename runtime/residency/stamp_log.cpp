#include "runtime/residency/stamp_log.h"

namespace rotary {

StampLog::StampLog(vk::Device& device, int32_t family, uint32_t capacity)
    : pool_(vk::TimestampPool::create(device, capacity, family)) {}

int32_t StampLog::stamp(vk::Recorder& rec, bool top_of_pipe) {
  if (!pool_ || used_ >= pool_->count()) return -1;
  const uint32_t i = used_++;
  pool_->reset(rec, i, 1);
  pool_->write(rec, i, top_of_pipe ? VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT : VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT);
  return static_cast<int32_t>(i);
}

double StampLog::ns(int32_t from, int32_t to) const {
  if (!pool_ || from < 0 || to < 0) return 0;
  return pool_->elapsed_ns(static_cast<uint32_t>(from), static_cast<uint32_t>(to));
}

}  // namespace rotary
