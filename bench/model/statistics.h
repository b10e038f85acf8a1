#pragma once
// Repetition statistics as llama-bench reports them: a rate per repetition (tokens / seconds),
// then the mean and the sample standard deviation of those rates.
#include <cstdint>
#include <span>

namespace rotary::bench {

struct Summary {
  double mean = 0;
  double stddev = 0;  // sample standard deviation (n - 1); 0 for fewer than 2 values
  uint32_t n = 0;
};

Summary summarize(std::span<const double> values);
// Tokens per second of each repetition (`seconds` > 0 each), summarised. Error(InvalidArgument)
// for a repetition that took no time.
Summary summarize_rates(uint64_t tokens, std::span<const double> seconds);

}  // namespace rotary::bench
