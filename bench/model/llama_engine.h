#pragma once
// llama.cpp's side of a benchmark, through rotary-oracle (tests/oracle, built when the oracle is
// configured; docs/oracle.md): one process per repetition, so that its runs interleave with
// rotary's. On Vulkan it runs on rotary's device (GGML_VK_VISIBLE_DEVICES) and is made to fit a
// VRAM budget the only way llama.cpp can: routed experts of the first N layers stay in host
// memory (--n-cpu-moe N), N the smallest that fits, from the device memory llama.cpp reports
// with every expert on the host plus the file's expert bytes per layer.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/model/spec.h"

namespace rotary::bench {

struct LlamaOptions {
  std::string oracle;  // path of rotary-oracle
  std::string model_path;
  uint32_t threads = 2;
  uint32_t device_index = 0;  // the Vulkan device (rotary's index)
  std::string kv_type = "f16";
};

struct LlamaRun {
  double seconds = 0;
  uint64_t vram_buffers = 0;  // llama.cpp's device buffers (model, KV, compute)
  uint64_t vram_driver = 0;   // the drop in the device's free memory, 0 where not reported
  std::string device;         // llama.cpp's name for the GPU
};

class LlamaEngine {
 public:
  // `expert_bytes_per_layer`: bytes of every routed expert of each block, from the file.
  LlamaEngine(LlamaOptions options, std::vector<uint64_t> expert_bytes_per_layer);

  // rotary-oracle: `given` if not empty, else next to the running rotary in the build tree
  // (build/cli/rotary -> build/tests/oracle/rotary-oracle). Error(Io) saying how to build it.
  static std::string find_oracle(const std::string& given);

  // llama.cpp's greedy tokens (CPU backend, the oracle): the prompt then n - 1 more steps.
  std::vector<int32_t> greedy(const std::vector<int32_t>& prompt, uint32_t n);
  // The --n-cpu-moe that fits `budget` for `test` on Vulkan; -1 when even every expert on the
  // host does not fit (llama.cpp's dense part alone exceeds the budget).
  int32_t fit_n_cpu_moe(const TestSpec& test, uint64_t budget);
  // One timed repetition.
  LlamaRun run(const TestSpec& test, const std::string& backend, int32_t n_cpu_moe);

 private:
  std::vector<std::string> bench_args(const TestSpec& test, const std::string& backend,
                                      int32_t n_cpu_moe) const;
  std::string invoke(const std::vector<std::string>& args, const char* what) const;

  LlamaOptions options_;
  std::vector<uint64_t> expert_bytes_;
  std::map<std::string, uint64_t> fixed_;  // per test: device memory with every expert on the host
};

}  // namespace rotary::bench
