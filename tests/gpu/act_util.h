#pragma once
// Helpers for the activation-kernel GPU tests: the second device configuration (shared-memory
// reductions, "_nosg"), seeded random data, uint/byte transfers and tolerance checks.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tests/gpu/gpu_test.h"

namespace rotary::test {

// A process-wide context with subgroup arithmetic off: every op runs its "_nosg" variants there.
vk::GpuContext& gpu_nosg();

// A test case fixture: the main context's validation checks (GpuTest) plus the same for the
// "_nosg" context when the test used it.
struct ActTest : GpuTest {
  ~ActTest();
};

// One configuration an op test runs at: a context and a workgroup size for it.
struct OpConfig {
  vk::GpuContext* g;
  uint32_t workgroup_size;
  const char* name;
};
// Two configurations: subgroup reductions at workgroup `wg_a`, shared-memory reductions at `wg_b`.
std::vector<OpConfig> two_configs(vk::GpuContext& main, uint32_t wg_a, uint32_t wg_b);

std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

vk::Buffer upload_words(vk::GpuContext& g, const void* data, size_t bytes,
                        const char* what = "test input");
vk::Buffer upload_uints(vk::GpuContext& g, const std::vector<uint32_t>& data,
                        const char* what = "test input");
std::vector<uint32_t> download_uints(vk::GpuContext& g, const vk::BufferView& view, size_t count);
std::vector<std::byte> download_bytes(vk::GpuContext& g, const vk::BufferView& view, size_t bytes);

// |got - ref| <= abs + rel * |ref| for every element. Returns the number of elements outside,
// and reports the worst one.
struct ToleranceReport {
  size_t bad = 0;
  size_t worst = 0;
  double worst_excess = 0.0;  // |got - ref| / (abs + rel |ref|) at `worst`
  double max_abs_err = 0.0;
  std::string text() const;
};
ToleranceReport compare_within(std::span<const float> got, std::span<const float> ref, double abs,
                               double rel);

}  // namespace rotary::test
