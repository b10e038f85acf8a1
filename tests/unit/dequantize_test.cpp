// Hand-built blocks whose values follow from models.md's layout by hand. The bit-exact
// comparison with llama.cpp's own dequantiser is in the oracle suite.
#include <doctest/doctest.h>

#include <cstring>

#include "base/error.h"
#include "loader/quant/blocks.h"
#include "loader/quant/dequantize.h"
#include "loader/quant/half.h"

namespace rotary::quant {
namespace {

TEST_CASE("Q4_0: low nibbles first, then high nibbles, (q - 8) * d") {
  BlockQ4_0 b{};
  b.d = f32_to_fp16(0.5f);
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>((j & 0xF) | ((15 - j) << 4));
  float y[32];
  dequantize_row(GgmlType::Q4_0, &b, y, 32);
  for (int j = 0; j < 16; ++j) {
    CHECK(y[j] == 0.5f * static_cast<float>(j - 8));
    CHECK(y[j + 16] == 0.5f * static_cast<float>(15 - j - 8));
  }
}

TEST_CASE("Q8_0: q * d") {
  BlockQ8_0 b{};
  b.d = f32_to_fp16(0.25f);
  for (int j = 0; j < 32; ++j) b.qs[j] = static_cast<int8_t>(j * 8 - 128);
  float y[32];
  dequantize_row(GgmlType::Q8_0, &b, y, 32);
  for (int j = 0; j < 32; ++j) CHECK(y[j] == 0.25f * static_cast<float>(j * 8 - 128));
}

TEST_CASE("Q4_K: sub-block 2i from low nibbles of qs 32i..32i+31, 2i+1 from high nibbles") {
  BlockQ4_K b{};
  b.d = f32_to_fp16(1.0f);
  b.dmin = f32_to_fp16(0.5f);
  // Sub-blocks 0..3: scale in scales[j] & 63, min in scales[j+4] & 63.
  // Sub-blocks 4..7: scale = (scales[j+4] & 15) | (scales[j-4] >> 6) << 4, min = (scales[j+4] >> 4) | (scales[j] >> 6) << 4.
  const uint8_t sc[8] = {1, 2, 3, 4, 17, 33, 49, 63};
  const uint8_t mn[8] = {0, 1, 2, 3, 18, 34, 50, 62};
  for (int j = 0; j < 4; ++j) {
    b.scales[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
    b.scales[j + 4] = static_cast<uint8_t>(mn[j] | ((mn[j + 4] >> 4) << 6));
    b.scales[j + 8] = static_cast<uint8_t>((sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4));
  }
  for (int k = 0; k < 128; ++k) b.qs[k] = static_cast<uint8_t>((k % 16) | ((15 - k % 16) << 4));
  float y[256];
  dequantize_row(GgmlType::Q4_K, &b, y, 256);
  for (int s = 0; s < 8; ++s)
    for (int l = 0; l < 32; ++l) {
      const int q = (s % 2 == 0) ? (l % 16) : (15 - l % 16);
      CAPTURE(s);
      CAPTURE(l);
      CHECK(y[s * 32 + l] == static_cast<float>(sc[s]) * static_cast<float>(q) - 0.5f * static_cast<float>(mn[s]));
    }
}

TEST_CASE("Q6_K: d * scale * (q - 32), d stored last") {
  BlockQ6_K b{};
  b.d = f32_to_fp16(2.0f);
  for (int i = 0; i < 16; ++i) b.scales[i] = static_cast<int8_t>(i - 8);
  // All q = 33: low 4 bits 1 in every nibble of ql, high 2 bits 2 in every pair of qh.
  std::memset(b.ql, 0x11, sizeof b.ql);
  std::memset(b.qh, 0xAA, sizeof b.qh);
  float y[256];
  dequantize_row(GgmlType::Q6_K, &b, y, 256);
  for (int i = 0; i < 256; ++i) CHECK(y[i] == 2.0f * static_cast<float>(i / 16 - 8) * 1.0f);
}

TEST_CASE("MXFP4: E2M1 value times the E8M0 scale 2^(e - 127)") {
  BlockMXFP4 b{};
  b.e = 127;  // scale 2^0: the elements are the plain E2M1 values
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  float y[32];
  dequantize_row(GgmlType::MXFP4, &b, y, 32);
  const float e2m1[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, 0, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  for (int j = 0; j < 16; ++j) {
    CHECK(y[j] == e2m1[j]);
    CHECK(y[j + 16] == e2m1[15 - j]);
  }
  b.e = 130;  // scale 2^3
  dequantize_row(GgmlType::MXFP4, &b, y, 32);
  CHECK(y[7] == 48.0f);
}

TEST_CASE("IQ4_XS: 6-bit sub-block scale minus 32 times the IQ4_NL codebook") {
  BlockIQ4_XS b{};
  b.d = f32_to_fp16(1.0f);
  // Sub-block ib: ls = low 4 bits from scales_l[ib/2] (nibble ib%2) | 2 high bits from scales_h.
  const int ls[8] = {33, 31, 32, 40, 0, 63, 48, 16};
  for (int ib = 0; ib < 8; ++ib) {
    b.scales_l[ib / 2] = static_cast<uint8_t>(b.scales_l[ib / 2] | ((ls[ib] & 15) << (4 * (ib % 2))));
    b.scales_h = static_cast<uint16_t>(b.scales_h | ((ls[ib] >> 4) << (2 * ib)));
  }
  for (int k = 0; k < 128; ++k) b.qs[k] = 0xF0;  // low nibble 0 (-127), high nibble 15 (113)
  float y[256];
  dequantize_row(GgmlType::IQ4_XS, &b, y, 256);
  for (int ib = 0; ib < 8; ++ib) {
    CHECK(y[ib * 32] == static_cast<float>(ls[ib] - 32) * -127.0f);
    CHECK(y[ib * 32 + 16] == static_cast<float>(ls[ib] - 32) * 113.0f);
  }
}

TEST_CASE("dequantize_row rejects partial blocks and types without a reference") {
  BlockQ8_0 b{};
  float y[64];
  CHECK_THROWS_AS(dequantize_row(GgmlType::Q8_0, &b, y, 31), Error);
  CHECK_THROWS_AS(dequantize_row(GgmlType::TQ1_0, &b, y, 256), Error);
  CHECK_FALSE(can_dequantize(GgmlType::TQ1_0));
  CHECK(can_dequantize(GgmlType::Q4_1));
}

TEST_CASE("Q5_1: 5-bit codes from qs nibbles and qh bits, times d plus m") {
  BlockQ5_1 b{};
  b.d = f32_to_fp16(0.5f);
  b.m = f32_to_fp16(-2.0f);
  b.qs[3] = 0x7A;  // element 3: 10, element 19: 7
  b.qh[0] = 0x08;  // bit 3: element 3 gets +16
  b.qh[2] = 0x08;  // bit 19: element 19 gets +16
  float y[32];
  dequantize_row(GgmlType::Q5_1, &b, y, 32);
  CHECK(y[3] == 26 * 0.5f - 2.0f);
  CHECK(y[19] == 23 * 0.5f - 2.0f);
  CHECK(y[0] == -2.0f);
}

TEST_CASE("IQ2_XXS: grid entry 0 (all 8) with sign index 1 (elements 0 and 7 negative)") {
  uint8_t b[66] = {};
  const uint16_t one = f32_to_fp16(1.0f);
  std::memcpy(b, &one, 2);
  b[6] = 1;  // sub-block 0, group 0: sign index 1; scale nibble 0: d * 0.5 * 0.25
  float y[256];
  dequantize_row(GgmlType::IQ2_XXS, b, y, 256);
  CHECK(y[0] == -1.0f);
  CHECK(y[1] == 1.0f);
  CHECK(y[7] == -1.0f);
  CHECK(y[8] == 1.0f);
}

}  // namespace
}  // namespace rotary::quant
