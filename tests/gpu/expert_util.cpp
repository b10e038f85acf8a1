#include "tests/gpu/expert_util.h"

#include <algorithm>
#include <cmath>

#include "runtime/reference/random_weights.h"

namespace rotary::test {

ref::HostExpert ExpertPool::host(uint32_t e) const {
  ref::HostExpert h{{gate_up_type, n_embd, n_ff, gate[e]},
                    {gate_up_type, n_embd, n_ff, up[e]},
                    {down_type, n_ff, n_embd, down[e]}};
  if (!gate_bias.empty()) {
    h.gate_bias = std::span(gate_bias).subspan(uint64_t{e} * n_ff, n_ff);
    h.up_bias = std::span(up_bias).subspan(uint64_t{e} * n_ff, n_ff);
    h.down_bias = std::span(down_bias).subspan(uint64_t{e} * n_embd, n_embd);
  }
  h.swiglu_oai = swiglu_oai;
  return h;
}

ops::ExpertLayer ExpertPool::layer() const {
  ops::ExpertLayer l{pages, gate_up_type, down_type, n_embd, n_ff};
  if (!gate_bias.empty()) {
    l.gate_bias = bias_buffers[0].view();
    l.up_bias = bias_buffers[1].view();
    l.down_bias = bias_buffers[2].view();
  }
  l.activation = swiglu_oai ? ops::ExpertActivation::SwigluOai : ops::ExpertActivation::Silu;
  return l;
}

void add_gpt_oss_biases(vk::GpuContext& g, ExpertPool& pool, uint64_t seed) {
  const auto experts = static_cast<uint32_t>(pool.where.size());
  pool.gate_bias = ref::random_floats(uint64_t{experts} * pool.n_ff, seed, -10.0f, 10.0f);
  pool.up_bias = ref::random_floats(uint64_t{experts} * pool.n_ff, seed + 1, -10.0f, 10.0f);
  pool.down_bias = ref::random_floats(uint64_t{experts} * pool.n_embd, seed + 2);
  pool.bias_buffers[0] = upload_floats(g, pool.gate_bias);
  pool.bias_buffers[1] = upload_floats(g, pool.up_bias);
  pool.bias_buffers[2] = upload_floats(g, pool.down_bias);
  pool.swiglu_oai = true;
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
    s.expert = e;
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
    if (!h.gate_bias.empty()) {  // the bias joins the product, its magnitude the product's
      g[r] += h.gate_bias[r];
      u[r] += h.up_bias[r];
      mg[r] += std::fabs(h.gate_bias[r]);
      mu[r] += std::fabs(h.up_bias[r]);
    }
    const double dg = gamma * mg[r], du = gamma * mu[r];
    if (h.swiglu_oai) {  // slope of x sigmoid(1.702 x) at most 1.4; (u + 1) times it
      const double xg = std::min(static_cast<double>(g[r]), 7.0);
      const double act = xg / (1.0 + std::exp(-1.702 * xg));
      tol[r] = static_cast<float>(1.4 * dg * (std::fabs(u[r]) + 1 + du) + std::fabs(act) * du +
                                  64 * kUnitRoundoff * std::fabs(want[r]) + 1e-30);
      continue;
    }
    const double silu = g[r] / (1.0 + std::exp(-static_cast<double>(g[r])));
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
  for (uint32_t r = 0; r < pool.n_embd; ++r) {
    const double m = mag[r] + (x.down_bias.empty() ? 0.0 : std::fabs(x.down_bias[r]));
    tol[r] = static_cast<float>(std::fabs(weight) * product_gamma(pool.n_ff) * m +
                                2 * kUnitRoundoff * std::fabs(want[r]) + 1e-30);
  }
}

size_t count_outside(std::span<const float> got, std::span<const float> want,
                     std::span<const float> tol) {
  size_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) bad += !(std::fabs(got[i] - want[i]) <= tol[i]);
  return bad;
}

}  // namespace rotary::test
