#include "tests/gpu/act_util.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <random>

namespace rotary::test {

namespace {
std::unique_ptr<vk::GpuContext> g_nosg;
}

vk::GpuContext& gpu_nosg() {
  if (!g_nosg) {
    g_nosg = make_gpu({.subgroup_arith = false});
    at_teardown([] { g_nosg.reset(); });
  }
  return *g_nosg;
}

ActTest::~ActTest() {
  if (g_nosg) {
    CHECK_MESSAGE(g_nosg->instance().validation_errors() == 0,
                  "the validation layer reported errors (_nosg)");
    CHECK_MESSAGE(g_nosg->instance().validation_warnings() == 0,
                  "the validation layer reported warnings (_nosg)");
  }
}

std::vector<OpConfig> two_configs(vk::GpuContext& main, uint32_t wg_a, uint32_t wg_b) {
  return {{&main, wg_a, "subgroup"}, {&gpu_nosg(), wg_b, "shared-memory"}};
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

vk::Buffer upload_words(vk::GpuContext& g, const void* data, size_t bytes, const char* what) {
  std::vector<float> f((bytes + 3) / 4);
  std::memcpy(f.data(), data, bytes);
  return upload_floats(g, f, what);
}

vk::Buffer upload_uints(vk::GpuContext& g, const std::vector<uint32_t>& data, const char* what) {
  return upload_words(g, data.data(), data.size() * 4, what);
}

std::vector<uint32_t> download_uints(vk::GpuContext& g, const vk::BufferView& view, size_t count) {
  const std::vector<float> f = download_floats(g, view, count);
  std::vector<uint32_t> out(count);
  std::memcpy(out.data(), f.data(), count * 4);
  return out;
}

std::vector<std::byte> download_bytes(vk::GpuContext& g, const vk::BufferView& view, size_t bytes) {
  const std::vector<float> f = download_floats(g, view, (bytes + 3) / 4);
  std::vector<std::byte> out(bytes);
  std::memcpy(out.data(), f.data(), bytes);
  return out;
}

std::string ToleranceReport::text() const {
  return std::to_string(bad) + " outside the tolerance; worst at " + std::to_string(worst) + " (" +
         std::to_string(worst_excess) + " x the allowance); max |error| " +
         std::to_string(max_abs_err);
}

ToleranceReport compare_within(std::span<const float> got, std::span<const float> ref, double abs,
                               double rel) {
  ToleranceReport r;
  if (got.size() != ref.size()) {
    r.bad = std::max(got.size(), ref.size());
    return r;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(static_cast<double>(got[i]) - ref[i]);
    const double allow = abs + rel * std::fabs(static_cast<double>(ref[i]));
    const double excess = std::isnan(err) ? 1e30 : err / allow;
    if (excess > 1.0) ++r.bad;
    if (excess > r.worst_excess) {
      r.worst_excess = excess;
      r.worst = i;
    }
    if (!std::isnan(err)) r.max_abs_err = std::max(r.max_abs_err, err);
  }
  return r;
}

}  // namespace rotary::test
