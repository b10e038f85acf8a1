#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "loader/quant/half.h"

namespace rotary::quant {
namespace {

// The compiler's _Float16 conversion (IEEE round-to-nearest-even) is the independent reference.
uint16_t reference_fp16(float f) {
  const _Float16 h = static_cast<_Float16>(f);
  uint16_t bits;
  std::memcpy(&bits, &h, 2);
  return bits;
}

TEST_CASE("fp16: every half survives a round trip through float") {
  int wrong = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    wrong += f32_to_fp16(f) != h;
    _Float16 ref;
    const uint16_t bits = static_cast<uint16_t>(h);
    std::memcpy(&ref, &bits, 2);
    wrong += static_cast<float>(ref) != f;
  }
  CHECK(wrong == 0);
}

TEST_CASE("fp16: rounding of arbitrary floats matches IEEE round-to-nearest-even") {
  int wrong = 0;
  uint32_t x = 12345;
  for (int i = 0; i < 1000000; ++i) {
    x = x * 1664525u + 1013904223u;
    float f;
    std::memcpy(&f, &x, 4);
    if (std::isnan(f)) continue;
    wrong += f32_to_fp16(f) != reference_fp16(f);
  }
  CHECK(wrong == 0);
}

TEST_CASE("bf16: truncation with round-to-nearest-even") {
  CHECK(f32_to_bf16(1.0f) == 0x3F80);
  CHECK(bf16_to_f32(0x3F80) == 1.0f);
  // 1 + 2^-8 lies halfway between two bf16 values: rounds to the even one (1.0).
  CHECK(f32_to_bf16(1.00390625f) == 0x3F80);
  CHECK(f32_to_bf16(1.01171875f) == 0x3F82);  // 1 + 3*2^-8: halfway, rounds up to even
  CHECK(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
}

}  // namespace
}  // namespace rotary::quant
