#pragma once
// The devices `rotary bench --simulate` projects to: published bandwidths and compute rates, and
// the fixed costs of the operations a schedule is made of (per submission, host wait, dispatch,
// barrier, command buffer, copy). The figures and their sources are in device_models.cpp and
// docs/benchmarks.md ("The schedule simulator"); none was measured here (no GPU was lent), and
// docs/benchmarks.md says how to calibrate them from one measurement on the device.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rotary::bench {

struct DeviceModel {
  std::string key;   // as --simulate takes it: "rtx4060-laptop"
  std::string name;  // "RTX 4060 Laptop (8 GB GDDR6, PCIe 4.0 x8)"
  bool unified = false;         // the GPU's memory is the host's (rotary reads experts in place)
  bool transfer_queue = true;   // uploads run on their own queue, beside the kernels
  double memory_gbps = 0;       // VRAM (or unified memory) bandwidth, published, GB/s
  double kernel_efficiency = 0; // fraction of memory_gbps the kernels reach (assumed until measured)
  double tflops = 0;            // FP32 peak, TFLOP/s
  double link_gbps = 0;         // host -> VRAM uploads, GB/s achieved (discrete only)
  double host_gbps = 0;         // host memory bandwidth the CPU reaches, GB/s (CPU work)
  double host_gflops = 0;       // what the CPU computes for rotary (CPU experts), GFLOP/s
  // Fixed costs, microseconds. Host: CPU time on the decode thread. GPU: time on the queue.
  double submit_us = 0;           // host: one vkQueueSubmit
  double launch_us = 0;           // from a submission to its first work on an idle queue
  double wait_us = 0;             // from a signal to the waiting host thread running again
  double poll_us = 0;             // host: a wait whose value is already signalled
  double begin_us = 0;            // host: begin + end of one command buffer
  double record_dispatch_us = 0;  // host: recording one dispatch (bind, descriptors, push)
  double record_barrier_us = 0;   // host: recording one barrier or copy
  double dispatch_us = 0;         // GPU: launch and tail of one dispatch
  double barrier_us = 0;          // GPU: the pipeline drain a barrier costs
  double copy_us = 0;             // GPU: fixed cost of one copy command
  uint64_t budget = 0;            // VRAM rotary is given by default, bytes
  uint64_t host_memory = 0;       // system memory (unified: holds the VRAM too), bytes
  std::string source;             // where the figures come from
};

const std::vector<DeviceModel>& device_models();
// "all" or a comma-separated list of keys; Error(InvalidArgument) naming the known keys.
std::vector<DeviceModel> find_device_models(std::string_view keys);

}  // namespace rotary::bench
