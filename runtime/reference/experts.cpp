#include "runtime/reference/experts.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"

namespace rotary::ref {

namespace {
double dot(std::span<const float> a, std::span<const float> b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}
}  // namespace

void expert_gate_up(const HostExpert& e, std::span<const float> x, std::span<float> h) {
  e.gate.check();
  e.up.check();
  require(x.size() >= e.gate.cols && h.size() >= e.gate.rows && e.up.cols == e.gate.cols &&
              e.up.rows == e.gate.rows,
          ErrorKind::InvalidArgument, "ref::expert_gate_up: shapes do not match");
  require((e.gate_bias.empty() || (e.gate_bias.size() >= e.gate.rows && e.up_bias.size() >= e.gate.rows)),
          ErrorKind::InvalidArgument, "ref::expert_gate_up: biases too short");
  for (uint32_t r = 0; r < e.gate.rows; ++r) {
    double g = dot(e.gate.row(r), x.first(e.gate.cols));
    double u = dot(e.up.row(r), x.first(e.gate.cols));
    if (!e.gate_bias.empty()) {
      g += e.gate_bias[r];
      u += e.up_bias[r];
    }
    h[r] = static_cast<float>(e.swiglu_oai ? swiglu_oai(g, u) : g / (1.0 + std::exp(-g)) * u);
  }
}

double swiglu_oai(double g, double u) {
  constexpr double kAlpha = 1.702, kLimit = 7.0;
  const double x = std::min(g, kLimit), y = std::clamp(u, -kLimit, kLimit);
  return x / (1.0 + std::exp(-kAlpha * x)) * (y + 1.0);
}

void expert_down(const HostExpert& e, std::span<const float> h, float weight, std::span<float> y) {
  e.down.check();
  require(h.size() >= e.down.cols && y.size() >= e.down.rows, ErrorKind::InvalidArgument,
          "ref::expert_down: shapes do not match");
  require(e.down_bias.empty() || e.down_bias.size() >= e.down.rows, ErrorKind::InvalidArgument,
          "ref::expert_down: biases too short");
  for (uint32_t r = 0; r < e.down.rows; ++r)
    y[r] = static_cast<float>(static_cast<double>(weight) *
                              (dot(e.down.row(r), h.first(e.down.cols)) + (e.down_bias.empty() ? 0.0 : e.down_bias[r])));
}

void expert_combine(std::span<const float> y, uint32_t n_tokens, uint32_t top_k, uint32_t n_embd,
                    std::span<const float> residual, std::span<float> out) {
  const uint64_t n = uint64_t{n_tokens} * n_embd;
  require(top_k > 0 && y.size() >= n * top_k && out.size() >= n &&
              (residual.empty() || residual.size() >= n),
          ErrorKind::InvalidArgument, "ref::expert_combine: shapes do not match");
  for (uint32_t t = 0; t < n_tokens; ++t)
    for (uint32_t r = 0; r < n_embd; ++r) {
      const uint64_t base = uint64_t{t} * top_k * n_embd + r;
      float s = y[base];
      for (uint32_t k = 1; k < top_k; ++k) s += y[base + uint64_t{k} * n_embd];
      const uint64_t i = uint64_t{t} * n_embd + r;
      out[i] = residual.empty() ? s : residual[i] + s;
    }
}

void expert_route(std::span<const uint32_t> ids, std::span<const ops::ExpertSlot> map, uint32_t map_first,
                  uint32_t n_experts, std::span<ops::ExpertSlot> table) {
  require(table.size() >= ids.size() && map.size() >= uint64_t{map_first} + n_experts, ErrorKind::InvalidArgument,
          "ref::expert_route: shapes do not match");
  for (uint32_t j = 0; j < ids.size(); ++j) {
    ops::ExpertSlot s = map[map_first + (ids[j] < n_experts ? ids[j] : 0)];
    s.k_index = j;
    table[j] = s;
  }
}

}  // namespace rotary::ref
