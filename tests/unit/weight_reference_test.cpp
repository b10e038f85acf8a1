// The CPU references of the weight kernels (rotary::ref), the binding helper and the weight-type
// table, on values worked out by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "base/error.h"
#include "loader/quant/blocks.h"
#include "loader/quant/dequantize.h"
#include "loader/quant/half.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/experts.h"
#include "runtime/reference/random_weights.h"
#include "runtime/reference/weights.h"

namespace rotary {
namespace {

// W = [[1, 2, 3], [-4, 5, 0.5]] in F32.
const float kW[6] = {1, 2, 3, -4, 5, 0.5f};
ref::HostWeight small_f32() {
  return {GgmlType::F32, 3, 2, std::as_bytes(std::span(kW))};
}

TEST_CASE("ref::matvec, matmul and magnitude on a 2 x 3 matrix") {
  const float x[6] = {1, -1, 2, 0.5f, 0.25f, -2};
  float y[4], mag[4];
  ref::matvec(small_f32(), std::span(x, 3), std::span(y, 2));
  CHECK(y[0] == 1 - 2 + 6);
  CHECK(y[1] == -4 - 5 + 1);
  ref::matmul(small_f32(), x, 2, y);
  CHECK(y[2] == 0.5f + 0.5f - 6);  // token 1, row 0
  CHECK(y[3] == -2 + 1.25f - 1);   // token 1, row 1
  ref::matmul_magnitude(small_f32(), x, 2, mag);
  CHECK(mag[0] == 1 + 2 + 6);
  CHECK(mag[3] == 2 + 1.25f + 1);
}

TEST_CASE("ref::get_rows dequantises the chosen rows and rejects ids out of range") {
  quant::BlockQ8_0 blocks[2] = {};
  blocks[0].d = quant::f32_to_fp16(0.5f);
  blocks[1].d = quant::f32_to_fp16(-2.0f);
  for (int j = 0; j < 32; ++j) blocks[0].qs[j] = blocks[1].qs[j] = static_cast<int8_t>(j - 16);
  const ref::HostWeight w{GgmlType::Q8_0, 32, 2, std::as_bytes(std::span(blocks))};
  const uint32_t ids[3] = {1, 0, 1};
  std::vector<float> out(3 * 32);
  ref::get_rows(w, ids, out);
  for (int j = 0; j < 32; ++j) {
    CHECK(out[j] == -2.0f * static_cast<float>(j - 16));
    CHECK(out[32 + j] == 0.5f * static_cast<float>(j - 16));
    CHECK(out[64 + j] == out[j]);
  }
  const uint32_t bad[1] = {2};
  CHECK_THROWS_AS(ref::get_rows(w, bad, out), Error);
}

TEST_CASE("ref experts: silu(gate) * up, weighted down, combine in k order") {
  const float one[3] = {1, 1, 1};
  const ref::HostWeight gate = small_f32();  // gate . one = (6, 1.5)
  const ref::HostWeight up = small_f32();
  const float dw[4] = {1, 0, 0, 1};  // down: 2 x 2 identity
  const ref::HostExpert e{gate, up, {GgmlType::F32, 2, 2, std::as_bytes(std::span(dw))}};
  float h[2], y[2];
  ref::expert_gate_up(e, one, h);
  CHECK(h[0] == doctest::Approx(6.0 / (1 + std::exp(-6.0)) * 6.0).epsilon(1e-7));
  CHECK(h[1] == doctest::Approx(1.5 / (1 + std::exp(-1.5)) * 1.5).epsilon(1e-7));
  ref::expert_down(e, h, 0.25f, y);
  CHECK(y[0] == doctest::Approx(0.25 * h[0]).epsilon(1e-7));
  // Two tokens, top-2, width 2: out = residual + (y0 + y1).
  const float ys[8] = {1, 2, 10, 20, 3, 4, 30, 40}, res[4] = {0.5f, 0.5f, -1, -1};
  float out[4];
  ref::expert_combine(ys, 2, 2, 2, res, out);
  CHECK(out[0] == 11.5f);
  CHECK(out[3] == 43.0f);
  ref::expert_combine(ys, 2, 2, 2, {}, out);
  CHECK(out[2] == 33.0f);
}

TEST_CASE(
    "random_weight: deterministic, the right size, finite moderate values for every kernel type") {
  for (GgmlType t : ops::weight_kernel_types()) {
    CAPTURE(ggml_type_name(t));
    const uint32_t cols = ggml_type_info(t).block_size == 1 ? 40 : 512;
    const auto a = ref::random_weight(t, 3, cols, 9), b = ref::random_weight(t, 3, cols, 9);
    CHECK(a == b);
    CHECK(a.size() == *ggml_row_bytes(t, cols) * 3);
    CHECK(a != ref::random_weight(t, 3, cols, 10));
    const std::vector<float> v = quant::dequantize(t, a, 3 * cols);
    float worst = 0;
    for (float f : v) worst = std::isfinite(f) ? std::max(worst, std::fabs(f)) : INFINITY;
    CHECK(worst < 20.0f);
    CHECK(worst > 0.1f);
  }
}

TEST_CASE(
    "bind_elements binds at the aligned offset before the range and passes the rest in elements") {
  vk::DeviceCaps caps;
  caps.min_storage_offset_alignment = 64;
  caps.max_storage_buffer_range = 1024;
  const vk::BufferView buf{reinterpret_cast<VkBuffer>(uintptr_t{1}), 0, 4096, nullptr};
  const ops::BoundRange b = ops::bind_elements(caps, buf.sub(200, 400), 100, "x");
  CHECK(b.binding.offset == 192);
  CHECK(b.offset == 2);
  CHECK(b.binding.size == 8 + 400);
  CHECK_THROWS_AS(ops::bind_elements(caps, buf.sub(202, 400), 10, "x"),
                  Error);                                                     // not 4-byte aligned
  CHECK_THROWS_AS(ops::bind_elements(caps, buf.sub(0, 40), 11, "x"), Error);  // shorter than asked
  CHECK_THROWS_AS(ops::bind_elements(caps, buf.sub(0, 2048), 300, "x"), Error);  // over the range
}

TEST_CASE("weight kernel types: shader names, unit sizes and shape checks") {
  CHECK(ops::weight_kernel_types().size() == 23);
  for (uint32_t id = 0; id < 64; ++id) {  // the loader's flag agrees with the kernels
    const std::optional<GgmlTypeInfo> info = ggml_type_info(id);
    if (!info) continue;
    CAPTURE(info->name);
    CHECK(info->supported_by_rotary == ops::has_weight_kernels(info->type));
    if (info->supported_by_rotary) CHECK(quant::can_dequantize(info->type));
  }
  CHECK(ops::weight_shader("matvec", GgmlType::Q4_K) == "matvec_q4_k");
  CHECK(ops::weight_shader("get_rows", GgmlType::IQ4_XS) == "get_rows_iq4_xs");
  CHECK(ops::row_units(GgmlType::Q4_K, 768) == 24);
  CHECK(ops::row_units(GgmlType::Q8_0, 64) == 4);
  CHECK(ops::row_units(GgmlType::F32, 7) == 2);
  CHECK(ops::row_units(GgmlType::Q2_K, 512) == 16);
  CHECK(ops::row_units(GgmlType::Q5_1, 64) == 2);
  CHECK_FALSE(ops::has_weight_kernels(GgmlType::TQ1_0));
  CHECK_FALSE(ggml_type_info(GgmlType::TQ1_0).supported_by_rotary);
  CHECK_THROWS_AS(ops::check_weight_shape(GgmlType::TQ1_0, 256, 1, "t"), Error);
  CHECK_THROWS_AS(ops::check_weight_shape(GgmlType::Q4_K, 128, 1, "t"), Error);
  CHECK_NOTHROW(ops::check_weight_shape(GgmlType::F16, 7, 3, "t"));
}

}  // namespace
}  // namespace rotary
