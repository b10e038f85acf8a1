#include "bench/model/statistics.h"

#include <cmath>
#include <vector>

#include "base/error.h"

namespace rotary::bench {

Summary summarize(std::span<const double> values) {
  Summary s;
  s.n = static_cast<uint32_t>(values.size());
  if (values.empty()) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  if (values.size() > 1) {
    double sq = 0;
    for (double v : values) sq += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(sq / static_cast<double>(values.size() - 1));
  }
  return s;
}

Summary summarize_rates(uint64_t tokens, std::span<const double> seconds) {
  std::vector<double> rates;
  rates.reserve(seconds.size());
  for (double s : seconds) {
    require(s > 0, ErrorKind::InvalidArgument, "a repetition took no measurable time");
    rates.push_back(static_cast<double>(tokens) / s);
  }
  return summarize(rates);
}

}  // namespace rotary::bench
