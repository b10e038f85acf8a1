#pragma once
// The results of one `rotary bench` run with everything needed to merge them with runs from other
// machines: the device and driver identity, the Vulkan API version, the rotary version, the model,
// the settings, one row per (engine, budget, policy, test), and the simulated projections (kept
// apart: a projection is never a measurement). Written as JSON (the merge format), CSV (one row per result
// with the identity repeated, so files from several machines concatenate) and an aligned table.
#include <cstdint>
#include <string>
#include <vector>

#include "bench/model/spec.h"
#include "bench/model/statistics.h"

namespace rotary::bench {

inline constexpr const char* kReportSchema = "rotary-bench/1";

struct DeviceIdentity {
  std::string name;    // "NVIDIA GeForce RTX 4060 Laptop GPU", "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string vendor;  // "NVIDIA", "AMD", "Intel", "Mesa"
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  std::string type;             // "discrete", "integrated", "virtual", "cpu"
  std::string driver_name;      // "NVIDIA", "radv", "llvmpipe"
  std::string driver_info;      // "550.54.14", "Mesa 22.3.6 (LLVM 15.0.6)"
  uint32_t driver_version = 0;  // VkPhysicalDeviceProperties::driverVersion, vendor-encoded
  std::string api_version;      // "1.3.230"
  uint64_t vram_bytes = 0;      // device-local heaps
  bool unified_memory = false;
};

struct ModelIdentity {
  std::string name;  // "synth:tiny-qwen3moe" or the file name
  std::string path;
  std::string arch;
  uint64_t size_bytes = 0;  // tensor bytes
  uint64_t params = 0;
  uint32_t layers = 0, experts = 0, experts_used = 0;
};

struct BenchSettings {
  uint32_t repetitions = 0;
  uint32_t ctx = 0;
  std::string kv_type;
  bool prefetch = true;
  uint32_t check_tokens = 0;
  uint32_t llama_threads = 0;
  std::string trace;  // the routing trace replayed; "" when the model's router chose
};

struct BenchResult {
  std::string engine = "rotary";   // "rotary" or "llama.cpp"
  std::string backend = "vulkan";  // llama.cpp: "vulkan" or "cpu"
  std::string policy;              // rotary's cache policy; "" for llama.cpp
  std::string budget;              // as written: "device", "24M", "25%"; "" when it does not apply
  uint64_t budget_bytes = 0;       // what it resolved to
  TestSpec test;
  Summary tps;
  std::vector<double> seconds;  // per repetition
  // rotary: expert residency during the timed repetitions; < 0: not applicable or not measured
  std::string residency;  // "copy", "copy (zero-copy uploads)", "in-place"
  uint32_t slots = 0;
  uint32_t all_experts = 0;
  double hit_rate = -1;
  double upload_bytes_per_token = 0;
  double upload_gbps = -1;               // GPU timestamps on the transfer queue
  double upload_wait_ms_per_token = -1;  // compute queue waiting for uploads (GPU timestamps)
  double upload_hidden = -1;             // 1 - wait / upload time
  double prefetch_precision = -1;        // prefetched experts that were used
  double prediction_recall = -1;         // chosen experts that had been predicted
  // Per decoded token (single-token steps; < 0: none ran): the host's scheduling work.
  double submits_per_token = -1;
  double host_waits_per_token = -1;
  // VRAM: rotary's own accounting (peak) or llama.cpp's device buffers; driver_vram is
  // VK_EXT_memory_budget's heap usage where the driver reports it (0 otherwise).
  uint64_t vram = 0;
  uint64_t driver_vram = 0;
  int32_t n_cpu_moe = -1;  // llama.cpp on Vulkan: layers whose experts stay in host memory
  std::string check;       // "ok", or what the correctness check found

  std::string label() const;  // "rotary lru", "llama.cpp vulkan ncmoe 2", "llama.cpp cpu"
  bool check_failed() const { return check.rfind("FAILED", 0) == 0; }
};

// One device model's replay of a recorded decode schedule (`--simulate`): a PROJECTION, never a
// measurement. Times are per decoded token.
struct SimulationResult {
  std::string device;       // the model's key
  std::string device_name;
  uint64_t budget = 0;
  std::string residency;    // the mode the recorded run used
  uint32_t slots = 0;
  double hit_rate = 0;      // expert hit rate of the recorded steps
  double kernel_efficiency = 0;
  uint64_t steps = 0;       // decode steps replayed (after the warm-up)
  double tps = 0;
  double ms = 0, kernel_ms = 0, upload_wait_ms = 0, host_gap_ms = 0, cpu_work_ms = 0, upload_busy_ms = 0;
  double submits = 0, host_waits = 0, command_buffers = 0, dispatches = 0, barriers = 0;
  double upload_mb = 0, dispatch_mb = 0;  // MB per token uploaded, and read + written by dispatches
  std::string note;         // why there is no figure ("does not fit: ..."), else ""
};

struct BenchReport {
  std::string schema = kReportSchema;
  std::string rotary_version;
  std::string date;     // UTC, ISO 8601
  std::string command;  // the command line
  std::string host_cpu;
  DeviceIdentity device;
  ModelIdentity model;
  BenchSettings settings;
  std::vector<BenchResult> results;
  std::vector<SimulationResult> simulations;
  std::string simulation_method;  // how the schedule was recorded (printed beside the table)
  double copy_gbps = 0;  // the device's measured copy bandwidth (read + write), 0 when not measured
  double kernel_efficiency = 0;  // measured decode efficiency, 0 when not measured
};

std::string to_json(const BenchReport& report);
// Error(InvalidArgument) naming `source` for anything that is not a rotary-bench/1 report.
BenchReport report_from_json(const std::string& text, const std::string& source);

// One header line, then a row per result; every field of the identity on every row.
std::string to_csv(const std::vector<BenchReport>& reports);
// The rows back (identity fields filled per row, one report per distinct device+model+date).
std::vector<BenchReport> reports_from_csv(const std::string& text, const std::string& source);

// llama-bench's table: model, size, params, device, driver, engine, budget, test, t/s, and the
// residency columns; then the ratios to llama.cpp where it ran.
std::string to_table(const std::vector<BenchReport>& reports);
std::string ratio_table(const BenchReport& report);
// `--simulate`: every line labelled PROJECTION.
std::string simulation_table(const BenchReport& report);
std::string simulation_csv(const BenchReport& report);

// "2.86 GiB", "312 MiB"; and "8.13M"/"30.5B" parameters.
std::string format_params(uint64_t params);

}  // namespace rotary::bench
