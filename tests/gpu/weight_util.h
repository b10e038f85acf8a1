#pragma once
// Test helpers for the weight kernels: random weights uploaded at awkward byte offsets, with
// their CPU reference view, and the tolerance check every kernel test uses.
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "runtime/ops/tensor.h"
#include "runtime/reference/weights.h"
#include "tests/gpu/gpu_test.h"

namespace rotary::test {

// A weight in device memory and on the host. `view` starts `offset` bytes into its buffer, so a
// nonzero offset that is not a multiple of minStorageBufferOffsetAlignment makes the ops bind at
// an aligned offset before it and pass the remaining skip_bytes in push constants.
struct TestWeight {
  std::vector<std::byte> host;
  vk::Buffer buffer;
  ops::WeightView view;
  ref::HostWeight ref() const { return {view.type, view.cols, view.rows, host}; }
};
TestWeight make_weight(vk::GpuContext& g, GgmlType type, uint32_t rows, uint32_t cols,
                       uint64_t seed, uint64_t offset = 6);

vk::Buffer upload_bytes(vk::GpuContext& g, std::span<const std::byte> bytes, uint64_t offset = 0,
                        const char* what = "test bytes");
vk::Buffer upload_u32(vk::GpuContext& g, const std::vector<uint32_t>& v,
                      const char* what = "test ids");

// Counts the elements outside |got - ref| <= gamma * mag + floor (mag: the sum of |products| of
// each element, ref::matmul_magnitude) and reports the worst ratio error / (gamma * mag).
struct CloseReport {
  size_t bad = 0;
  double worst = 0;   // max |got - ref| / (gamma * mag + floor)
  std::string first;  // the first bad element, for the failure message
};
CloseReport compare(std::span<const float> got, std::span<const float> ref,
                    std::span<const float> mag, double gamma, double floor = 1e-30);

// u = 2^-24, the unit roundoff of f32.
inline constexpr double kUnitRoundoff = 0x1p-24;

// The tolerance of every weight product (matvec, matmul, experts) against the double reference,
// for every weight type: |got - ref| <= (K + 8) u sum_c |W[r][c] x[c]|. The kernels' dequantised
// values are exact (bit-identical with the reference), so the error is f32 rounding of a sum of K
// products in some order: at most (K - 1) u sum|products| for any order (Higham, Accuracy and
// Stability, 3.1), plus a few roundings where block scales are applied to partial sums.
inline double product_gamma(uint32_t k) {
  return (k + 8.0) * kUnitRoundoff;
}

// Bytes equal (NaN-safe, -0 != +0): for results that must be bitwise identical.
inline bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace rotary::test
