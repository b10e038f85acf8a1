#pragma once
// The kernel benchmark harness (rotary-bench-kernels): one GpuContext, GPU timestamps (host
// timing where the device has none), the device's copy bandwidth measured in the same run, and a
// table of results. A suite is a function that adds cases; suites are listed in main.cpp.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/vk/context.h"
#include "runtime/vk/timestamps.h"

namespace rotary::bench {

struct Options {
  bool quick = false;  // short runs for lavapipe: fewer shapes and repetitions
  int reps = 0;        // timed repetitions per case; 0: 20 (quick: 3)
  std::string filter;  // run only cases whose name contains this
  int device = -1;
  bool json = false;  // one JSON object per result line instead of the table
};

struct Result {
  std::string suite;  // "matvec", "matmul", "copy", ...
  std::string name;   // the case, e.g. "q4_K 2048x4096"
  double us = 0;      // mean time per repetition
  double bytes = 0;   // bytes the case must move (weights read; copies: read + write)
  double flops = 0;   // 0 when not meaningful
  std::string check;  // "ok" or what the correctness check found
};

class Bench {
 public:
  explicit Bench(const Options& options);

  vk::GpuContext& gpu() { return *gpu_; }
  const Options& options() const { return options_; }
  int reps() const { return options_.reps ? options_.reps : (options_.quick ? 3 : 20); }
  bool selected(const std::string& name) const;

  // Mean microseconds per repetition of `record` (one warm-up submission, then reps()
  // repetitions in one command buffer with a compute barrier after each).
  double time_us(const std::function<void(vk::Recorder&)>& record);

  // GB/s of vkCmdCopyBuffer, counting read + write bytes; measured once, on first use.
  double copy_gbps();

  void report(const Result& r);

  // Device buffers for cases: `bytes` from host memory (through a staging copy), and `count`
  // floats back. Slow and simple; for set-up and checks, never inside a timed region.
  vk::Buffer upload(const void* data, uint64_t bytes, const char* what);
  vk::Buffer scratch(uint64_t bytes, const char* what);
  std::vector<float> download(const vk::Buffer& src, uint64_t count);
  const char* timer_name() const { return timestamps_ ? "GPU timestamps" : "host clock"; }

 private:
  Options options_;
  std::unique_ptr<vk::GpuContext> gpu_;
  std::optional<vk::TimestampPool> timestamps_;
  double copy_gbps_ = 0;
  bool header_ = false;
};

// Suites (one file each).
void run_copy(Bench& b);
void run_matvec(Bench& b);
void run_matvec_paths(Bench& b);
void run_matmul(Bench& b);
void run_attention(Bench& b);

}  // namespace rotary::bench
