#include "tests/gpu/expert_util.h"

#include <cmath>

#include "runtime/reference/random_weights.h"

namespace rotary::test {

ref::HostExpert ExpertPool::host(uint32_t e) const {
  return {{gate_up_type, n_embd, n_ff, gate[e]},
          {gate_up_type, n_embd, n_ff, up[e]},
          {down_type, n_ff, n_embd, down[e]}};
}

ExpertPool make_pool(vk::GpuContext& g, GgmlType gate_up_type, GgmlType down_type, uint32_t n_embd,
                     uint32_t n_ff, uint32_t experts, uint32_t page_count, uint64_t seed) {
  ExpertPool p{gate_up_type, down_type, n_embd, n_ff, {}, {}, {}, {}, {}, {}};
  std::vector<std::vector<std::byte>> images(page_count);
  // Appends a matrix to a page 6 bytes past a 4-byte boundary: rows start at unaligned bytes.
  auto place = [&](uint32_t page, const std::vector<std::byte>& m) {
    std::vector<std::byte>& img = images[page];
    img.resize((img.size() + 3) / 4 * 4 + 6);
    const auto offset = static_cast<uint32_t>(img.size());
    img.insert(img.end(), m.begin(), m.end());
    return offset;
  };
  for (uint32_t e = 0; e < experts; ++e) {
    p.gate.push_back(ref::random_weight(gate_up_type, n_ff, n_embd, seed + 3 * e));
    p.up.push_back(ref::random_weight(gate_up_type, n_ff, n_embd, seed + 3 * e + 1));
    p.down.push_back(ref::random_weight(down_type, n_embd, n_ff, seed + 3 * e + 2));
    ops::ExpertSlot s{};
    s.gate_page = e % page_count;
    s.gate_offset = place(s.gate_page, p.gate.back());
    s.up_page = (e + 1) % page_count;
    s.up_offset = place(s.up_page, p.up.back());
    s.down_page = (e + 2) % page_count;
    s.down_offset = place(s.down_page, p.down.back());
    p.where.push_back(s);
  }
  for (auto& img : images) {
    p.page_buffers.push_back(upload_bytes(g, img, 0, "test slot pool page"));
    p.pages.push_back(p.page_buffers.back().view(0, (img.size() + 3) / 4 * 4));
  }
  return p;
}

void gate_up_expectation(const ExpertPool& pool, uint32_t e, std::span<const float> x,
                         std::span<float> want, std::span<float> tol) {
  const ref::HostExpert h = pool.host(e);
  const uint32_t n = pool.n_ff;
  std::vector<float> g(n), u(n), mg(n), mu(n);
  ref::matvec(h.gate, x, g);
  ref::matvec(h.up, x, u);
  ref::matmul_magnitude(h.gate, x, 1, mg);
  ref::matmul_magnitude(h.up, x, 1, mu);
  ref::expert_gate_up(h, x, want);
  const double gamma = product_gamma(pool.n_embd);
  for (uint32_t r = 0; r < n; ++r) {
    const double silu = g[r] / (1.0 + std::exp(-static_cast<double>(g[r])));
    const double dg = gamma * mg[r], du = gamma * mu[r];
    tol[r] = static_cast<float>(1.1 * dg * (std::fabs(u[r]) + du) + std::fabs(silu) * du +
                                64 * kUnitRoundoff * std::fabs(want[r]) + 1e-30);
  }
}

void down_expectation(const ExpertPool& pool, uint32_t e, std::span<const float> h, float weight,
                      std::span<float> want, std::span<float> tol) {
  const ref::HostExpert x = pool.host(e);
  std::vector<float> mag(pool.n_embd);
  ref::expert_down(x, h, weight, want);
  ref::matmul_magnitude(x.down, h, 1, mag);
  for (uint32_t r = 0; r < pool.n_embd; ++r)
    tol[r] = static_cast<float>(std::fabs(weight) * product_gamma(pool.n_ff) * mag[r] +
                                2 * kUnitRoundoff * std::fabs(want[r]) + 1e-30);
}

size_t count_outside(std::span<const float> got, std::span<const float> want,
                     std::span<const float> tol) {
  size_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) bad += !(std::fabs(got[i] - want[i]) <= tol[i]);
  return bad;
}

}  // namespace rotary::test
