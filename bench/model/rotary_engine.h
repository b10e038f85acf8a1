#pragma once
// rotary's side of a benchmark: one model configuration (VRAM budget, cache policy) at a time,
// each in a fresh GPU context so that its peak VRAM is its own. Tests drive the Model directly:
// pp N is one eval of N random tokens after `depth` untimed ones; tg N is N single-token evals,
// each feeding back the argmax (greedy generation, the path a user runs), after the depth.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "bench/model/report.h"
#include "bench/model/spec.h"
#include "runtime/options.h"
#include "runtime/residency/routing_trace.h"

namespace rotary::bench {

DeviceIdentity identify_device(const vk::DeviceCaps& caps);
ModelIdentity identify_model(const GgufFile& file, const ModelHparams& h, const std::string& name);

struct RotaryRun {
  double seconds = 0;
  uint64_t tokens = 0;  // tokens of the timed part
  ModelStats stats;     // what the timed part did (counter differences)
};

// A fresh context with these options: vk::GpuContext::create for the command, one with the
// validation layer in the GPU tests.
using ContextFactory = std::function<std::unique_ptr<vk::GpuContext>(const vk::GpuOptions&)>;

class RotaryEngine {
 public:
  RotaryEngine(const GgufFile& file, RuntimeOptions options, ContextFactory factory);
  ~RotaryEngine();

  // The device rotary runs on (a probe context at the device's own budget, made on first use).
  const vk::DeviceCaps& caps();
  // Bytes of a budget on this device and model; percentages give the fixed part of the plan
  // plus that share of all experts (at least one layer's top-k).
  uint64_t resolve(const BudgetSpec& budget);
  // Copy bandwidth of the device (read + write bytes per second / 1e9), with GPU timestamps
  // where the queue has them.
  double measure_copy_gbps();

  // A fresh context at `budget_bytes` with the model loaded under `policy`. Belady needs the
  // whole access sequence of what will run (`future`); `replay` replaces the router's choices.
  // Error(Budget) when the model does not fit.
  void load(uint64_t budget_bytes, PolicyKind policy, std::vector<ExpertKey> future,
            const RoutingTrace* replay);
  void unload();
  bool loaded() const { return model_ != nullptr; }
  const MemoryPlan& plan() const;
  const ModelHparams& hparams() const { return hparams_; }
  vk::GpuContext& gpu() { return *gpu_; }

  // Greedy tokens: the prompt in one eval, then n - 1 single-token evals (n evals in all).
  std::vector<int32_t> greedy(std::span<const int32_t> prompt, uint32_t n);
  RotaryRun run(const TestSpec& test, uint64_t seed);
  uint64_t peak_vram() const;
  uint64_t driver_vram() const { return driver_peak_; }
  // Called with every context just before it is destroyed (the GPU tests read the validation
  // layer's counts there).
  void set_release_hook(std::function<void(vk::GpuContext&)> hook) {
    release_hook_ = std::move(hook);
  }

 private:
  void release(std::unique_ptr<vk::GpuContext>& context);
  void sample_driver_vram();
  vk::GpuContext& probe();

  const GgufFile& file_;
  ModelHparams hparams_;
  RuntimeOptions options_;
  ContextFactory factory_;
  std::unique_ptr<vk::GpuContext> probe_;
  std::unique_ptr<vk::GpuContext> gpu_;
  std::unique_ptr<Model> model_;
  uint64_t driver_peak_ = 0;
  std::function<void(vk::GpuContext&)> release_hook_;
};

// Every expert access of a replay that runs `segments` one after the other, each from token 0
// of the trace for that many tokens (the order Belady must be told).
std::vector<ExpertKey> replay_future(const RoutingTrace& trace, std::span<const uint64_t> segments);

}  // namespace rotary::bench
