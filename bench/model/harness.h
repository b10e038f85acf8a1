#pragma once
// The benchmark loop: for each VRAM budget and cache policy, a fresh rotary configuration checks
// its greedy tokens once against the first configuration's (residency must never change a
// token), then each test runs its repetitions; llama.cpp's repetitions of the same test run
// between rotary's (interleaved, so that both see the same machine), on Vulkan at the same
// budget and on the CPU once. Progress goes to stderr, one line per step.
#include <cstdint>
#include <string>
#include <vector>

#include "bench/model/llama_engine.h"
#include "bench/model/report.h"
#include "bench/model/rotary_engine.h"

namespace rotary::bench {

struct HarnessOptions {
  std::vector<TestSpec> tests;
  std::vector<BudgetSpec> budgets;
  std::vector<PolicyKind> policies;
  uint32_t repetitions = 3;
  uint32_t check_tokens = 16;
  uint32_t check_prompt = 32;               // prompt tokens of the check (1 when replaying a trace)
  const RoutingTrace* replay = nullptr;     // replaces the router's choices
  std::vector<std::string> llama_backends;  // "vulkan", "cpu"; empty: rotary alone
  bool progress = true;
};

// The tokens of the check prompt, and the per-repetition seeds, are fixed: every configuration
// and both engines see the same inputs.
std::vector<int32_t> check_prompt_tokens(uint32_t n, uint32_t n_vocab);
// Error(InvalidArgument) when the options cannot run (a replay with prompt tests or depths, a
// Belady policy without a trace, llama.cpp with a replay, no tests).
void validate(const HarnessOptions& options);

// Runs everything, appending to `report.results`; `llama` may be null when no backend is asked.
void run_benchmark(RotaryEngine& rotary, LlamaEngine* llama, const HarnessOptions& options,
                   BenchReport& report);

}  // namespace rotary::bench
