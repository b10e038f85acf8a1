// The in-process shim over llama.cpp's libggml-base, and what it lets us check directly: rotary's
// type table and half/bfloat16 conversions against llama.cpp's.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "base/error.h"
#include "loader/ggml_types.h"
#include "loader/quant/half.h"
#include "tests/oracle/ggml_ref.h"

using namespace rotary;

TEST_CASE("ggml_ref: rotary's type table agrees with llama.cpp's on every type") {
  int checked = 0;
  for (uint32_t id = 0; id < ggml_ref::type_count(); ++id) {
    const ggml_ref::TypeTraits ref = ggml_ref::traits_by_id(id);
    const std::optional<GgmlTypeInfo> info = ggml_type_info(id);
    if (ref.block_size == 0) {  // an id llama.cpp retired
      CHECK_MESSAGE(!info.has_value(), "rotary knows type id ", id, " that llama.cpp no longer has");
      continue;
    }
    REQUIRE_MESSAGE(info.has_value(), "rotary does not know llama.cpp's type ", ref.name, " (id ", id, ")");
    CAPTURE(ref.name);
    CHECK(info->name == ref.name);
    CHECK(info->block_size == ref.block_size);
    CHECK(info->type_size == ref.type_size);
    ++checked;
  }
  CHECK(checked >= 35);
}

namespace {

// Floats across the whole range: random bit patterns (every exponent, subnormals, NaN payloads
// excluded), ties of the F16 and BF16 rounding, and the special values.
std::vector<float> awkward_floats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> v;
  for (size_t i = 0; i < n; ++i) {
    float f = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    if (std::isnan(f)) f = 0.0f;
    v.push_back(f);
  }
  const float specials[] = {0.0f, -0.0f, 1.0f, -1.0f, 65504.0f, 65520.0f, 6.1035156e-05f, 5.9604645e-08f,
                            2.9802322e-08f, 1.0009765625f, 1.00048828125f, 1.00146484375f,
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::min(), std::numeric_limits<float>::denorm_min(),
                            std::bit_cast<float>(0x3F808000u), std::bit_cast<float>(0x3F818000u)};
  v.insert(v.end(), std::begin(specials), std::end(specials));
  return v;
}

}  // namespace

TEST_CASE("ggml_ref: rotary's F16 and BF16 conversions are bit-identical with llama.cpp's") {
  const std::vector<float> x = awkward_floats(20000, 7);
  const auto n = static_cast<int64_t>(x.size());

  const std::vector<uint8_t> f16 = ggml_ref::quantize(GgmlType::F16, x.data(), 1, n);
  std::vector<float> back(x.size());
  ggml_ref::dequantize(GgmlType::F16, f16.data(), back.data(), n);
  for (size_t i = 0; i < x.size(); ++i) {
    uint16_t h;
    std::memcpy(&h, f16.data() + 2 * i, 2);
    CAPTURE(x[i]);
    REQUIRE(quant::f32_to_fp16(x[i]) == h);
    REQUIRE(std::bit_cast<uint32_t>(quant::fp16_to_f32(h)) == std::bit_cast<uint32_t>(back[i]));
  }

  const std::vector<uint8_t> bf16 = ggml_ref::quantize(GgmlType::BF16, x.data(), 1, n);
  ggml_ref::dequantize(GgmlType::BF16, bf16.data(), back.data(), n);
  for (size_t i = 0; i < x.size(); ++i) {
    uint16_t h;
    std::memcpy(&h, bf16.data() + 2 * i, 2);
    CAPTURE(x[i]);
    REQUIRE(quant::f32_to_bf16(x[i]) == h);
    REQUIRE(std::bit_cast<uint32_t>(quant::bf16_to_f32(h)) == std::bit_cast<uint32_t>(back[i]));
  }
}

TEST_CASE("ggml_ref: quantize sizes rows by blocks and refuses partial blocks") {
  std::vector<float> x(256 * 3, 0.25f);
  CHECK(ggml_ref::quantize(GgmlType::Q8_0, x.data(), 3, 256).size() == 3 * 8 * 34);
  CHECK(ggml_ref::quantize(GgmlType::Q4_K, x.data(), 3, 256).size() == 3 * 144);
  CHECK_THROWS_AS(ggml_ref::quantize(GgmlType::Q4_K, x.data(), 1, 255), Error);
  CHECK_THROWS_AS(ggml_ref::quantize(GgmlType::IQ2_XXS, x.data(), 1, 256), Error);  // needs an imatrix
  CHECK(ggml_ref::can_quantize(GgmlType::MXFP4));
  CHECK(!ggml_ref::can_quantize(GgmlType::IQ1_S));
}
