#include "bench/model/simulator.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "base/error.h"

namespace rotary::bench {

namespace {

using vk::CopyPath;
using vk::QueueRole;
using vk::ScheduleEvent;
using vk::ScheduleEventKind;

enum class Cause { Kernels, UploadWait, Host };

struct Stretch {  // of the compute queue's time
  double start, end;
  Cause cause;
};

class Replay {
 public:
  explicit Replay(const DeviceModel& d) : d_(d) {}

  void run(const std::vector<ScheduleEvent>& events, uint64_t skip) {
    for (const ScheduleEvent& e : events) {
      if (e.kind == ScheduleEventKind::Step) {
        step_starts_.push_back(host_);
        if (step_starts_.size() == skip + 1) counting_ = true;
        continue;
      }
      if (counting_) count(e);
      apply(e);
    }
  }

  SimulatedSteps result(uint64_t skip) {
    require(step_starts_.size() > skip, ErrorKind::InvalidArgument,
            "the schedule holds " + std::to_string(step_starts_.size()) + " decode steps, none after the " +
                std::to_string(skip) + " skipped");
    const double t0 = step_starts_[skip], t1 = std::max(host_, queue_free_[0]);
    if (t1 > queue_free_[0]) compute_.push_back({queue_free_[0], t1, Cause::Host});
    r_.steps = step_starts_.size() - skip;
    r_.seconds = t1 - t0;
    double host_idle = 0, cpu_overlap = 0;
    size_t c = 0;
    for (const Stretch& s : compute_) {
      const double a = std::max(s.start, t0), b = std::min(s.end, t1);
      if (b <= a) continue;
      if (s.cause == Cause::Kernels) r_.kernel_s += b - a;
      if (s.cause == Cause::UploadWait) r_.upload_wait_s += b - a;
      if (s.cause != Cause::Host) continue;
      host_idle += b - a;
      while (c < cpu_.size() && cpu_[c].second <= a) ++c;  // both lists run forward in time
      for (size_t k = c; k < cpu_.size() && cpu_[k].first < b; ++k)
        cpu_overlap += std::max(0.0, std::min(b, cpu_[k].second) - std::max(a, cpu_[k].first));
    }
    r_.cpu_work_s = cpu_overlap;
    r_.host_gap_s = host_idle - cpu_overlap;
    for (const auto& [a0, b0] : transfer_busy_) r_.upload_busy_s += std::max(0.0, std::min(b0, t1) - std::max(a0, t0));
    return r_;
  }

 private:
  static constexpr double kUs = 1e-6;

  void count(const ScheduleEvent& e) {
    switch (e.kind) {
      case ScheduleEventKind::Begin: ++r_.command_buffers; break;
      case ScheduleEventKind::Dispatch:
        ++r_.dispatches;
        r_.dispatch_bytes += e.cost.bytes_read + e.cost.bytes_written;
        break;
      case ScheduleEventKind::Barrier: ++r_.barriers; break;
      case ScheduleEventKind::Copy:
        if (e.path == CopyPath::HostToDevice) r_.upload_bytes += e.cost.bytes_read;
        break;
      case ScheduleEventKind::Submit: ++r_.submits; break;
      case ScheduleEventKind::HostWait: ++r_.host_waits; break;
      default: break;
    }
  }

  std::vector<ScheduleEvent>& open(uint64_t cmd) {
    auto it = open_.find(cmd);
    require(it != open_.end(), ErrorKind::InvalidArgument, "schedule: a command into a command buffer never begun");
    return it->second.work;
  }

  void apply(const ScheduleEvent& e) {
    switch (e.kind) {
      case ScheduleEventKind::Begin:
        host_ += d_.begin_us * kUs;
        open_[e.cmd] = {e.role, {}};
        break;
      case ScheduleEventKind::Dispatch:
        host_ += d_.record_dispatch_us * kUs;
        open(e.cmd).push_back(e);
        break;
      case ScheduleEventKind::Barrier:
      case ScheduleEventKind::Copy:
        host_ += d_.record_barrier_us * kUs;
        open(e.cmd).push_back(e);
        break;
      case ScheduleEventKind::Submit: submit(e); break;
      case ScheduleEventKind::HostWait: {
        const double t = signal_time(e.point);
        host_ = t > host_ ? t + d_.wait_us * kUs : host_ + d_.poll_us * kUs;
        break;
      }
      case ScheduleEventKind::CpuWork: {
        const double bytes = static_cast<double>(e.cost.bytes_read + e.cost.bytes_written);
        const double s = std::max(bytes / (d_.host_gbps * 1e9), e.cost.flops / (d_.host_gflops * 1e9));
        cpu_.push_back({host_, host_ + s});
        host_ += s;
        break;
      }
      case ScheduleEventKind::Step: break;
    }
  }

  // When (timeline, value) is signalled. A value below everything the log saw on that timeline
  // (or on a timeline the log never saw signalled) was signalled before the recording began.
  double signal_time(const vk::TimelinePoint& p) const {
    if (p.value == 0) return 0;
    auto it = signals_.find({p.timeline, p.value});
    if (it != signals_.end()) return it->second;
    auto range = seen_.find(p.timeline);
    if (range == seen_.end() || p.value < range->second.first) return 0;
    throw Error(ErrorKind::InvalidArgument, "schedule: a wait for timeline value " + std::to_string(p.value) +
                                                " that no submission signals");
  }

  double work_seconds(const ScheduleEvent& w) const {
    const double mem = d_.memory_gbps * 1e9 * d_.kernel_efficiency;
    const double bytes = static_cast<double>(w.cost.bytes_read + w.cost.bytes_written);
    switch (w.kind) {
      case ScheduleEventKind::Dispatch:
        return std::max(bytes / mem, w.cost.flops / (d_.tflops * 1e12)) + d_.dispatch_us * kUs;
      case ScheduleEventKind::Barrier: return d_.barrier_us * kUs;
      case ScheduleEventKind::Copy: {
        const double once = static_cast<double>(w.cost.bytes_read);
        // Unified memory has no link: an "upload" copies within the one memory (reads and writes).
        if (w.path == CopyPath::DeviceToDevice || d_.unified) return 2 * once / mem + d_.copy_us * kUs;
        return once / (d_.link_gbps * 1e9) + d_.copy_us * kUs;
      }
      default: return 0;
    }
  }

  void submit(const ScheduleEvent& e) {
    host_ += d_.submit_us * kUs;
    auto it = open_.find(e.cmd);
    require(it != open_.end(), ErrorKind::InvalidArgument, "schedule: a submission of a command buffer never begun");
    const QueueRole role = it->second.role;
    std::vector<ScheduleEvent> work = std::move(it->second.work);
    open_.erase(it);
    const int q = role == QueueRole::Transfer && d_.transfer_queue ? 1 : 0;
    const double ready_host = host_ + d_.launch_us * kUs;
    double deps = 0;
    for (const vk::TimelinePoint& w : e.waits) deps = std::max(deps, signal_time(w));
    const double idle_from = queue_free_[q];
    const double start = std::max({idle_from, ready_host, deps});
    double end = start;
    for (const ScheduleEvent& w : work) end += work_seconds(w);
    if (q == 0) {
      const double host_until = std::min(start, std::max(idle_from, ready_host));
      if (host_until > idle_from) compute_.push_back({idle_from, host_until, Cause::Host});
      if (start > host_until) compute_.push_back({host_until, start, Cause::UploadWait});
      // Uploads sharing the compute queue (no transfer queue) are exposed by construction.
      compute_.push_back({start, end, role == QueueRole::Transfer ? Cause::UploadWait : Cause::Kernels});
    } else {
      transfer_busy_.push_back({start, end});
    }
    if (role == QueueRole::Transfer && q == 0) transfer_busy_.push_back({start, end});
    queue_free_[q] = end;
    signals_[{e.point.timeline, e.point.value}] = end;
    auto [range, fresh] = seen_.try_emplace(e.point.timeline, e.point.value, e.point.value);
    if (!fresh) {
      range->second.first = std::min(range->second.first, e.point.value);
      range->second.second = std::max(range->second.second, e.point.value);
    }
  }

  struct Open {
    QueueRole role;
    std::vector<ScheduleEvent> work;
  };

  const DeviceModel& d_;
  double host_ = 0;
  double queue_free_[2] = {0, 0};
  bool counting_ = false;
  std::map<uint64_t, Open> open_;
  std::map<std::pair<uint64_t, uint64_t>, double> signals_;
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> seen_;  // timeline -> lowest, highest value signalled
  std::vector<Stretch> compute_;
  std::vector<std::pair<double, double>> cpu_, transfer_busy_;
  std::vector<double> step_starts_;
  SimulatedSteps r_;
};

}  // namespace

SimulatedSteps simulate(const std::vector<ScheduleEvent>& events, const DeviceModel& device, uint64_t skip_steps) {
  require(device.memory_gbps > 0 && device.kernel_efficiency > 0 && device.kernel_efficiency <= 1 &&
              device.tflops > 0 && device.host_gbps > 0 && device.host_gflops > 0 &&
              (device.unified || device.link_gbps > 0),
          ErrorKind::InvalidArgument, "device model " + device.key + ": a bandwidth or rate is not positive");
  Replay r(device);
  r.run(events, skip_steps);
  return r.result(skip_steps);
}

}  // namespace rotary::bench
