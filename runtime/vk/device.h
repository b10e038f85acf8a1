#pragma once
// The logical device: picks a physical device, enables the optional features it has, and owns
// the compute queue and the transfer queue (a dedicated transfer family when there is one, a
// second compute queue when not, the compute queue itself on single-queue devices).
#include <memory>
#include <vector>

#include "runtime/vk/caps.h"
#include "runtime/vk/instance.h"
#include "runtime/vk/matvec_path.h"
#include "runtime/vk/queue.h"

namespace rotary::vk {

struct DeviceOptions {
  int index = -1;                   // -1: discrete, then integrated, then virtual, then CPU
  bool use_sync2 = true;            // false forces the Vulkan 1.2 barrier/submit path
  bool use_dedicated_transfer = true;
  MatvecPath matvec_path = MatvecPath::automatic;  // forced when not automatic (checked at creation)
  MatmulPath matmul_path = MatmulPath::automatic;  // likewise
  bool record_only = false;  // schedule.h: submissions signal from the host, nothing executes
};

// Why a device cannot run rotary, or "" when it can.
std::string unsupported_reason(const DeviceCaps& caps);
// The device rotary would pick; throws Error(NoDevice) with the list of devices when none fits.
uint32_t pick_device(const std::vector<DeviceCaps>& devices, int requested);

class Device {
 public:
  static std::unique_ptr<Device> create(const Instance& instance, const DeviceOptions& options);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  VkDevice handle() const { return device_; }
  VkPhysicalDevice physical() const { return physical_; }
  const DeviceCaps& caps() const { return caps_; }
  bool sync2() const { return sync2_; }
  // The matvec path every decode weight kernel takes unless its tuning says otherwise
  // (DeviceOptions::matvec_path; automatic: chosen per weight type from caps()).
  MatvecPath matvec_path() const { return matvec_path_; }
  // The prefill matmul's path unless its tuning says otherwise (DeviceOptions::matmul_path).
  MatmulPath matmul_path() const { return matmul_path_; }
  bool memory_budget() const { return memory_budget_; }
  bool external_memory_host() const { return external_memory_host_; }
  VkPipelineCache pipeline_cache() const { return pipeline_cache_.get(); }

  Queue& compute() { return *compute_; }
  Queue& transfer() { return transfer_ ? *transfer_ : *compute_; }
  bool separate_transfer_queue() const { return transfer_ != nullptr; }
  bool dedicated_transfer_family() const { return dedicated_transfer_; }
  // Queue families a shared buffer must name (VK_SHARING_MODE_CONCURRENT when more than one).
  const std::vector<uint32_t>& queue_families() const { return families_; }

  void wait_idle() const;
  // Submissions, host waits, command buffers, dispatches and barriers so far (counters.h).
  ScheduleCounters& counters() { return counters_; }
  const ScheduleCounters& counters() const { return counters_; }
  // Where the schedule is logged (schedule.h): set a log to record; record_only is fixed at creation.
  void set_schedule_log(ScheduleLog* log) { tap_.log = log; }
  const ScheduleTap& schedule_tap() const { return tap_; }
  bool record_only() const { return tap_.record_only; }
  // Heap budget/usage from VK_EXT_memory_budget, read now; empty when not supported.
  std::vector<MemoryHeapInfo> heap_budgets() const;

 private:
  Device() = default;

  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  DeviceCaps caps_;
  bool sync2_ = false;
  MatvecPath matvec_path_ = MatvecPath::automatic;
  MatmulPath matmul_path_ = MatmulPath::automatic;
  bool memory_budget_ = false;
  bool external_memory_host_ = false;
  bool dedicated_transfer_ = false;
  std::vector<uint32_t> families_;
  ScheduleCounters counters_;
  ScheduleTap tap_;
  Handle<VkPipelineCache> pipeline_cache_;
  std::unique_ptr<Queue> compute_;
  std::unique_ptr<Queue> transfer_;
};

}  // namespace rotary::vk
