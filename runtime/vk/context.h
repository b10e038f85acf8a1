#pragma once
// Everything a forward pass needs from Vulkan, in one owner: instance, device, the VRAM budget,
// pipelines, descriptor sets and the compute and transfer command streams. Destruction order is
// the reverse of the member order below, so nothing outlives the device it came from.
#include <memory>

#include "runtime/vk/arena.h"
#include "runtime/vk/instance.h"
#include "runtime/vk/stream.h"

namespace rotary::vk {

struct GpuOptions {
  int device_index = -1;             // --device; -1 picks discrete > integrated > virtual > CPU
  bool validation = false;           // Khronos validation + synchronization validation
  uint64_t vram_budget = 0;          // --vram-budget; 0: what the driver says rotary may use
  bool subgroup_arith = true;        // false forces the shared-memory reduction variants
  bool sync2 = true;                 // false forces the Vulkan 1.2 barrier and submit path
  bool dedicated_transfer = true;    // false makes uploads use the compute queue
  MatvecPath matvec_path = MatvecPath::automatic;  // --matvec-path (runtime/vk/matvec_path.h)
  MatmulPath matmul_path = MatmulPath::automatic;  // --matmul-path (likewise)
  bool record_only = false;          // record the schedule, execute nothing (vk/schedule.h)
};

class GpuContext {
 public:
  static std::unique_ptr<GpuContext> create(const GpuOptions& options);
  ~GpuContext();

  Instance& instance() { return *instance_; }
  Device& device() { return *device_; }
  const DeviceCaps& caps() const { return device_->caps(); }
  MemoryBudget& budget() { return *budget_; }
  PipelineCache& pipelines() { return *pipelines_; }
  DescriptorCache& descriptors() { return *descriptors_; }
  CommandStream& compute() { return *compute_; }
  // Uploads: the dedicated transfer queue when there is one, else the compute queue.
  CommandStream& transfer() { return *transfer_; }

 private:
  GpuContext() = default;
  std::unique_ptr<Instance> instance_;
  std::unique_ptr<Device> device_;
  std::unique_ptr<MemoryBudget> budget_;
  std::unique_ptr<PipelineCache> pipelines_;
  std::unique_ptr<DescriptorCache> descriptors_;
  std::unique_ptr<CommandStream> compute_;
  std::unique_ptr<CommandStream> transfer_;
};

// What rotary uses when no --vram-budget is given: the driver's budget for the largest
// device-local heap (VK_EXT_memory_budget), else 90% of that heap.
uint64_t default_vram_budget(const DeviceCaps& caps);

}  // namespace rotary::vk
