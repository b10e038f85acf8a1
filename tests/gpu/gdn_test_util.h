#pragma once
// Helpers shared by the Gated DeltaNet GPU tests: seeded inputs, the abs + rel * |ref|
// comparison, and per-token buffers whose rows each start at the binding alignment (so one
// token's rows can be bound alone, as a decode step binds them).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "runtime/ops/gdn_shape.h"
#include "tests/gpu/gpu_test.h"

namespace rotary::test {

inline std::vector<float> uniform(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

struct Tolerance {
  double abs;
  double rel;
};

// Every element within abs + rel * |ref|; on failure the message names the worst element.
// ROTARY_REPORT_ERRORS=1 prints the largest absolute error of every comparison (how the
// tolerances in docs/kernels.md were measured).
inline void check_close(std::span<const float> got, std::span<const float> ref, Tolerance tol,
                        const std::string& what) {
  REQUIRE(got.size() == ref.size());
  size_t bad = 0, worst = 0;
  double worst_excess = -1;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::abs(double(got[i]) - double(ref[i]));
    const double allowed = tol.abs + tol.rel * std::abs(double(ref[i]));
    if (!(err <= allowed)) ++bad;  // NaN counts as bad
    const double excess = std::isnan(err) ? 1e30 : err / allowed;
    if (excess > worst_excess) {
      worst_excess = excess;
      worst = i;
    }
  }
  INFO(what << ": " << bad << " of " << got.size() << " outside " << tol.abs << " + " << tol.rel
            << " * |ref|; worst at " << worst << ": got " << got[worst] << ", ref " << ref[worst]
            << " (error / allowed = " << worst_excess << ")");
  CHECK(bad == 0);
  if (const char* r = std::getenv("ROTARY_REPORT_ERRORS"); r && std::string(r) == "1") {
    double max_abs = 0;
    for (size_t i = 0; i < got.size(); ++i)
      max_abs = std::max(max_abs, std::abs(double(got[i]) - double(ref[i])));
    std::printf("max |error| %-36s %.3g\n", what.c_str(), max_abs);
  }
}

// The largest |a - b| (for reporting agreement between two GPU paths).
inline double max_abs_diff(std::span<const float> a, std::span<const float> b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - double(b[i])));
  return m;
}

// rows x row_floats floats stored with each row at a multiple of the binding alignment.
struct AlignedRows {
  vk::Buffer buffer;
  uint64_t stride_bytes = 0;
  uint64_t row_floats = 0;
  vk::BufferView row(uint64_t r, uint64_t count = 1) const {
    return buffer.view(r * stride_bytes, (count - 1) * stride_bytes + row_floats * 4);
  }
};

inline AlignedRows upload_aligned_rows(vk::GpuContext& g, const std::vector<float>& data,
                                       uint64_t row_floats) {
  const uint64_t stride = vk::align_up(row_floats * 4, vk::binding_alignment(g.caps())) / 4;
  const uint64_t rows = data.size() / row_floats;
  std::vector<float> padded(rows * stride, 0.0f);
  for (uint64_t r = 0; r < rows; ++r)
    std::copy_n(data.begin() + r * row_floats, row_floats, padded.begin() + r * stride);
  return {upload_floats(g, padded), stride * 4, row_floats};
}

inline std::vector<float> download_aligned_rows(vk::GpuContext& g, const AlignedRows& rows,
                                                uint64_t count) {
  const uint64_t stride = rows.stride_bytes / 4;
  const auto padded = download_floats(g, rows.buffer.view(), count * stride);
  std::vector<float> out(count * rows.row_floats);
  for (uint64_t r = 0; r < count; ++r)
    std::copy_n(padded.begin() + r * stride, rows.row_floats, out.begin() + r * rows.row_floats);
  return out;
}

// Shapes the GDN tests run: Qwen3.5/3.6's, and small awkward ones (head dims that are not
// multiples of any workgroup, subgroup or staging width; both value-head orders).
inline ops::GdnShape qwen35_shape() {
  return {};
}
inline ops::GdnShape awkward_tiled_shape() {
  return {2, 6, 13, 7, 4, ops::VHeadOrder::Tiled};
}
inline ops::GdnShape awkward_grouped_shape() {
  return {3, 6, 40, 24, 3, ops::VHeadOrder::Grouped};
}

}  // namespace rotary::test
