#include "bench/model/device_models.h"

#include <algorithm>

#include "base/error.h"

namespace rotary::bench {

namespace {
constexpr uint64_t GiB = uint64_t{1} << 30;
constexpr uint64_t GB = 1000000000;

// The fixed costs are the same assumption for every device until one is measured (docs/benchmarks.md,
// "Calibrating a device model"): a submission, a wake-up and a launch of 10-15 us each make the
// 27-69 us host round trip that issue 14 estimates for an NVIDIA laptop driver (1.3-3.3 ms for 48);
// 1 us to record a dispatch (descriptor set, bind, push constants) and 2 us of GPU launch and tail
// per dispatch are the usual orders for desktop drivers at batch 1.
DeviceModel with_costs(DeviceModel d) {
  d.submit_us = 15;
  d.launch_us = 10;
  d.wait_us = 15;
  d.poll_us = 1;
  d.begin_us = 2;
  d.record_dispatch_us = 1;
  d.record_barrier_us = 0.3;
  d.dispatch_us = 2;
  d.barrier_us = 1;
  d.copy_us = 2;
  return d;
}

std::vector<DeviceModel> make_models() {
  std::vector<DeviceModel> v;
  DeviceModel d;
  // shared/reference/performance.md: 256 GB/s GDDR6, PCIe 4.0 x8 (15.75 GB/s in theory, 12-13
  // measured), 11.6 TFLOP/s FP32; host DDR5-5600 dual channel, 60-70 GB/s effective.
  d = {};
  d.key = "rtx4060-laptop";
  d.name = "RTX 4060 Laptop (8 GB GDDR6, PCIe 4.0 x8, DDR5-5600)";
  d.memory_gbps = 256;
  d.tflops = 11.6;
  d.link_gbps = 12.5;
  d.host_gbps = 65;
  d.host_gflops = 300;
  d.budget = static_cast<uint64_t>(6.3 * static_cast<double>(GiB));
  d.host_memory = 32 * GB;
  d.source = "performance.md: 256 GB/s, PCIe 4.0 x8 at 12.5 GB/s achieved (12-13 measured), 11.6 TFLOP/s, "
             "DDR5-5600 at 65 GB/s (60-70 effective); assumed: 6.3 GiB for rotary (the paper's), 32 GB RAM";
  v.push_back(with_costs(d));
  // AMD: Radeon 780M, 12 RDNA3 CUs at 2.7 GHz (8.3 TFLOP/s FP32 with dual issue), DDR5-5600 dual
  // channel 89.6 GB/s shared with the CPU.
  d = {};
  d.key = "radeon-780m";
  d.name = "Radeon 780M (DDR5-5600 dual channel, unified)";
  d.unified = true;
  d.memory_gbps = 89.6;
  d.tflops = 8.3;
  d.host_gbps = 65;
  d.host_gflops = 300;
  d.budget = 8 * GiB;
  d.host_memory = 32 * GB;
  d.source = "AMD: 12 CUs RDNA3, 8.3 TFLOP/s; DDR5-5600 dual channel 89.6 GB/s, unified; assumed: 8 GiB "
             "device-local, 32 GB in all";
  v.push_back(with_costs(d));
  // Valve: Steam Deck APU, 8 RDNA2 CUs at 1.6 GHz (1.6 TFLOP/s), 16 GB LPDDR5-5500 quad channel
  // (88 GB/s), unified.
  d = {};
  d.key = "steam-deck";
  d.name = "Steam Deck (16 GB LPDDR5, unified)";
  d.unified = true;
  d.memory_gbps = 88;
  d.tflops = 1.6;
  d.host_gbps = 50;
  d.host_gflops = 100;
  d.budget = 8 * GiB;
  d.host_memory = 16 * GB;
  d.source = "Valve / performance.md: 88 GB/s LPDDR5, 1.6 TFLOP/s, 16 GB unified; assumed: 8 GiB "
             "device-local, the CPU at 50 GB/s";
  v.push_back(with_costs(d));
  // Intel: Arc 140T (Arrow Lake-H), 8 Xe-cores at 2.35 GHz (4.8 TFLOP/s FP32), LPDDR5x-8533
  // about 136 GB/s (performance.md), unified.
  d = {};
  d.key = "arc-140t";
  d.name = "Intel Arc 140T iGPU (LPDDR5x-8533, unified)";
  d.unified = true;
  d.memory_gbps = 136;
  d.tflops = 4.8;
  d.host_gbps = 90;
  d.host_gflops = 300;
  d.budget = 8 * GiB;
  d.host_memory = 32 * GB;
  d.source = "performance.md: LPDDR5x-8533 about 136 GB/s, unified; Intel: 8 Xe-cores, 4.8 TFLOP/s; "
             "assumed: 8 GiB device-local, 32 GB in all, the CPU at 90 GB/s";
  v.push_back(with_costs(d));
  // NVIDIA H100 datasheet: PCIe card 80 GB HBM2e 2.0 TB/s, 51 TFLOP/s FP32; SXM 80 GB HBM3
  // 3.35 TB/s, 67 TFLOP/s; both on PCIe 5.0 x16 to the host (64 GB/s in theory).
  d = {};
  d.key = "h100-pcie";
  d.name = "H100 PCIe (80 GB HBM2e, PCIe 5.0 x16)";
  d.memory_gbps = 2000;
  d.tflops = 51;
  d.link_gbps = 50;
  d.host_gbps = 200;
  d.host_gflops = 1000;
  d.budget = 70 * GiB;
  d.host_memory = 256 * GB;
  d.source = "NVIDIA datasheet: HBM2e 2.0 TB/s, 51 TFLOP/s FP32, PCIe 5.0 x16 (64 GB/s, assumed 50 "
             "achieved); assumed: 70 GiB for rotary, a server with 256 GB at 200 GB/s";
  v.push_back(with_costs(d));
  d.key = "h100-sxm";
  d.name = "H100 SXM (80 GB HBM3, PCIe 5.0 x16 host link)";
  d.memory_gbps = 3350;
  d.tflops = 67;
  d.source = "NVIDIA datasheet: HBM3 3.35 TB/s, 67 TFLOP/s FP32, PCIe 5.0 x16 host link (assumed 50 "
             "GB/s achieved); assumed: 70 GiB for rotary, a server with 256 GB at 200 GB/s";
  v.push_back(with_costs(d));
  // No kernel has been timed on a GPU: every device gets docs/kernels.md's goal for the 4-bit
  // matvec less a margin, until `rotary-bench-kernels` runs there (--kernel-efficiency sets it).
  for (DeviceModel& m : v) m.kernel_efficiency = 0.7;
  return v;
}
}  // namespace

const std::vector<DeviceModel>& device_models() {
  static const std::vector<DeviceModel> models = make_models();
  return models;
}

std::vector<DeviceModel> find_device_models(std::string_view keys) {
  if (keys == "all") return device_models();
  std::vector<DeviceModel> out;
  size_t start = 0;
  while (start <= keys.size()) {
    const size_t comma = keys.find(',', start);
    const std::string_view key = keys.substr(start, comma == std::string_view::npos ? keys.npos : comma - start);
    const auto& all = device_models();
    auto it = std::find_if(all.begin(), all.end(), [&](const DeviceModel& d) { return d.key == key; });
    if (it == all.end()) {
      std::string names;
      for (const auto& d : all) names += (names.empty() ? "" : ", ") + d.key;
      throw Error(ErrorKind::InvalidArgument,
                  "unknown device model '" + std::string(key) + "' (known: " + names + ", or all)");
    }
    out.push_back(*it);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace rotary::bench
