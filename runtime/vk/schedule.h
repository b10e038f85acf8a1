#pragma once
// The schedule rotary actually runs, as the host issues it: every command buffer begun, every
// dispatch (with the bytes it reads and writes and its FLOPs, stated by the op that records it),
// barrier and copy (with its path: an upload crosses the host link), every submission (its queue
// role, the timeline value it signals and the values it waits for), every host wait and the CPU
// work the decode thread does itself (copies into staging, experts computed on the CPU). Taps sit
// where the counters of counters.h are counted (Recorder, CommandStream, Queue), so the log and the
// counters cannot disagree; bench/model/simulator replays a log on device models (rotary bench
// --simulate). With `record_only` the device executes nothing: a submission signals its timeline
// value from the host at once, so the real code path runs at full size with no kernel executed and
// no expert bytes copied (docs/benchmarks.md, "The schedule simulator").
#include <cstdint>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace rotary::vk {

// A Vulkan handle as the number the log keys on (a pointer on 64-bit builds, an integer on 32-bit).
template <typename Handle>
uint64_t handle_id(Handle h) {
  if constexpr (std::is_pointer_v<Handle>)
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(h));
  else
    return static_cast<uint64_t>(h);
}

// What one dispatch costs the memory system and the ALUs, as its op states it.
struct DispatchCost {
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  double flops = 0;
};

enum class CopyPath : uint8_t {
  DeviceToDevice,  // within VRAM (or the one memory of a unified device)
  HostToDevice,    // an upload: host memory (staging or the imported file) to VRAM over the link
  DeviceToHost,    // a readback over the link
};

// Which of rotary's two command streams a submission belongs to. On a single-queue device both
// roles share one queue; a device model with a transfer queue runs them apart (their order is
// already expressed by timeline waits, which rotary always states).
enum class QueueRole : uint8_t { Compute, Transfer };

enum class ScheduleEventKind : uint8_t {
  Begin,     // a command buffer begun on `role`'s stream
  Dispatch,  // into command buffer `cmd`
  Barrier,   // into `cmd`
  Copy,      // into `cmd`: `cost.bytes_read` bytes along `path`
  Submit,    // `cmd` submitted on `role`, signalling (timeline, value) after `waits`
  HostWait,  // the host waited for (timeline, value)
  CpuWork,   // the host computed or copied itself: `cost` bytes touched in host memory, FLOPs
  Step,      // a decode step (one token) begins; the driver of the recording marks them
};

struct TimelinePoint {
  uint64_t timeline = 0;  // the VkSemaphore's handle, as a number
  uint64_t value = 0;
};

struct ScheduleEvent {
  ScheduleEventKind kind = ScheduleEventKind::Step;
  QueueRole role = QueueRole::Compute;
  CopyPath path = CopyPath::DeviceToDevice;
  uint64_t cmd = 0;  // the command buffer's handle, as a number
  DispatchCost cost;
  TimelinePoint point;               // Submit: what it signals; HostWait: what the host waited for
  std::vector<TimelinePoint> waits;  // Submit
  uint32_t name = 0;                 // Dispatch, CpuWork: index into ScheduleLog::names
};

class ScheduleLog {
 public:
  void begin(uint64_t cmd, QueueRole role);
  void dispatch(uint64_t cmd, const std::string& name, const DispatchCost& cost);
  void barrier(uint64_t cmd);
  void copy(uint64_t cmd, CopyPath path, uint64_t bytes);
  void submit(uint64_t cmd, QueueRole role, TimelinePoint signal, std::vector<TimelinePoint> waits);
  void host_wait(TimelinePoint point);
  void cpu_work(const std::string& what, const DispatchCost& cost);
  void step();

  // Read once the recording is over (events are appended under a mutex: uploads may come from
  // another thread than the decode loop's).
  const std::vector<ScheduleEvent>& events() const { return events_; }
  const std::string& name(uint32_t index) const { return names_.at(index); }
  void clear();

 private:
  uint32_t intern(const std::string& name);
  void push(ScheduleEvent e);
  std::mutex mutex_;
  std::vector<ScheduleEvent> events_;
  std::vector<std::string> names_;
};

class Queue;

// Where a device's schedule goes: nowhere (the default), into a log, and whether it executes.
// Recording only, nothing runs and a submission is "done" when the host first waits for it (or
// for work that waited for it): the slowest GPU there is, so that the code sees every upload still
// in flight when it records the work that needs it, as it would on a discrete GPU. The queues are
// listed so that a host wait completes the submissions of the other queue it depended on.
struct ScheduleTap {
  ScheduleLog* log = nullptr;
  bool record_only = false;
  std::vector<Queue*> queues;
};

}  // namespace rotary::vk
