#pragma once
// How much host-side scheduling work rotary does: every queue submission, host wait on a queue's
// timeline, command buffer begun, dispatch and pipeline barrier recorded. Counted at the one place
// each happens (Queue::submit and Queue::wait, CommandStream::begin, Recorder::dispatch and
// Recorder::barrier), so that a model's decode step can be measured by taking the difference of
// two snapshots (runtime/models: the statistics' "per decoded token" figures).
#include <cstdint>

namespace rotary::vk {

struct ScheduleCounters {
  uint64_t submits = 0;          // vkQueueSubmit(2) calls, every queue
  uint64_t host_waits = 0;       // the host waited for a queue's timeline value
  uint64_t command_buffers = 0;  // command buffers begun (recorded)
  uint64_t dispatches = 0;       // vkCmdDispatch
  uint64_t barriers = 0;         // pipeline barriers

  ScheduleCounters& operator+=(const ScheduleCounters& o) {
    submits += o.submits;
    host_waits += o.host_waits;
    command_buffers += o.command_buffers;
    dispatches += o.dispatches;
    barriers += o.barriers;
    return *this;
  }
  ScheduleCounters& operator-=(const ScheduleCounters& o) {
    submits -= o.submits;
    host_waits -= o.host_waits;
    command_buffers -= o.command_buffers;
    dispatches -= o.dispatches;
    barriers -= o.barriers;
    return *this;
  }
};

}  // namespace rotary::vk
