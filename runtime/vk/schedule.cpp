#include "runtime/vk/schedule.h"

#include <algorithm>

namespace rotary::vk {

uint32_t ScheduleLog::intern(const std::string& name) {
  // Few distinct names (one per pipeline): a linear search from the most recent is enough.
  for (size_t i = names_.size(); i-- > 0;)
    if (names_[i] == name) return static_cast<uint32_t>(i);
  names_.push_back(name);
  return static_cast<uint32_t>(names_.size() - 1);
}

void ScheduleLog::begin(uint64_t cmd, QueueRole role) {
  ScheduleEvent e;
  e.kind = ScheduleEventKind::Begin;
  e.cmd = cmd;
  e.role = role;
  push(std::move(e));
}

void ScheduleLog::push(ScheduleEvent e) {
  std::lock_guard lock(mutex_);
  events_.push_back(std::move(e));
}

void ScheduleLog::dispatch(uint64_t cmd, const std::string& name, const DispatchCost& cost) {
  ScheduleEvent e;
  e.kind = ScheduleEventKind::Dispatch;
  e.cmd = cmd;
  e.cost = cost;
  {
    std::lock_guard lock(mutex_);
    e.name = intern(name);
  }
  push(std::move(e));
}

void ScheduleLog::barrier(uint64_t cmd) {
  ScheduleEvent e;
  e.kind = ScheduleEventKind::Barrier;
  e.cmd = cmd;
  push(std::move(e));
}

void ScheduleLog::copy(uint64_t cmd, CopyPath path, uint64_t bytes) {
  ScheduleEvent e;
  e.kind = ScheduleEventKind::Copy;
  e.cmd = cmd;
  e.path = path;
  e.cost.bytes_read = bytes;
  e.cost.bytes_written = bytes;
  push(std::move(e));
}

void ScheduleLog::submit(uint64_t cmd, QueueRole role, TimelinePoint signal, std::vector<TimelinePoint> waits) {
  ScheduleEvent e;
  e.kind = ScheduleEventKind::Submit;
  e.cmd = cmd;
  e.role = role;
  e.point = signal;
  e.waits = std::move(waits);
  push(std::move(e));
}

void ScheduleLog::host_wait(TimelinePoint point) {
  ScheduleEvent e;
  e.kind = ScheduleEventKind::HostWait;
  e.point = point;
  push(std::move(e));
}

void ScheduleLog::cpu_work(const std::string& what, const DispatchCost& cost) {
  ScheduleEvent e;
  e.kind = ScheduleEventKind::CpuWork;
  e.cost = cost;
  {
    std::lock_guard lock(mutex_);
    e.name = intern(what);
  }
  push(std::move(e));
}

void ScheduleLog::step() {
  ScheduleEvent e;
  e.kind = ScheduleEventKind::Step;
  push(std::move(e));
}

void ScheduleLog::clear() {
  std::lock_guard lock(mutex_);
  events_.clear();
  names_.clear();
}

}  // namespace rotary::vk
