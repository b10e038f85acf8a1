#pragma once
// What `rotary bench` measures, in llama-bench's terms: tests (pp N: a prompt of N tokens in one
// call; tg N: N tokens generated one at a time), each at a context depth (tokens already in the
// KV cache before the test), repeated; and the sweep over VRAM budgets and cache policies.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/residency/cache_policy.h"

namespace rotary::bench {

enum class TestKind { Prompt, Generate };

struct TestSpec {
  TestKind kind = TestKind::Prompt;
  uint32_t tokens = 0;
  uint32_t depth = 0;
  std::string name() const;  // "pp512", "tg128", "tg128 @ d4096"
  bool operator==(const TestSpec&) const = default;
};

// Every prompt test, then every generation test, each at every depth (llama-bench's order).
// Zero counts are left out (-p 0: no prompt test).
std::vector<TestSpec> make_tests(const std::vector<uint32_t>& prompts,
                                 const std::vector<uint32_t>& gens,
                                 const std::vector<uint32_t>& depths);
// "tg128 @ d512" -> the spec; Error(InvalidArgument) otherwise.
TestSpec parse_test_name(const std::string& name);

// A VRAM budget as written on the command line:
//   "device"   what the driver gives rotary (no --vram-budget)
//   SIZE       bytes, as --vram-budget takes them (6.3G, 6300M, 24MiB)
//   N%         the fixed part (dense weights, KV cache, scratch) plus N% of all routed experts
//              resident: the same point of the curve on every device and model
struct BudgetSpec {
  enum class Kind { Device, Bytes, ExpertPercent };
  Kind kind = Kind::Device;
  uint64_t bytes = 0;
  double percent = 0;
  std::string text;
};
BudgetSpec parse_budget(const std::string& text);
// Items of a comma-separated list (or of repeated flags), each parsed; Error(InvalidArgument)
// naming `flag` for an empty list or a bad item.
std::vector<BudgetSpec> parse_budgets(const std::vector<std::string>& items);
std::vector<PolicyKind> parse_policies(const std::vector<std::string>& items);
// "vulkan", "cpu" (llama.cpp's backends), each at most once.
std::vector<std::string> parse_llama_backends(const std::vector<std::string>& items);
std::vector<uint32_t> parse_counts(const std::vector<std::string>& items, const char* flag);

}  // namespace rotary::bench
