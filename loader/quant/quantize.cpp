#include "loader/quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "base/error.h"
#include "loader/quant/blocks.h"
#include "loader/quant/half.h"
#include "loader/quant/pack.h"
#include "loader/quant/scale_search.h"

namespace rotary::quant {

namespace {

// fp16 of s, rounded away from zero so that codes chosen for |s| never overflow their range.
uint16_t fp16_away(float s) {
  const uint16_t h = fp16_ceil(std::fabs(s));
  return static_cast<uint16_t>(s < 0 ? (h | 0x8000u) : h);
}

template <typename Block>
void store(void* dst, int64_t index, const Block& b) {
  std::memcpy(static_cast<uint8_t*>(dst) + index * static_cast<int64_t>(sizeof(Block)), &b,
              sizeof(Block));
}

// Codes (0..15) of a Q4_0 block for the stored scale d_bits, and their squared error.
float q4_0_codes(const float* x, uint16_t d_bits, uint8_t codes[32]) {
  const float d = fp16_to_f32(d_bits);
  float err = 0;
  for (int j = 0; j < 32; ++j) {
    const int c = nearest_code(x[j], d, {-8, 7});
    codes[j] = static_cast<uint8_t>(c + 8);
    const float e = d * static_cast<float>(c) - x[j];
    err += e * e;
  }
  return err;
}

// MXFP4: the element nearest x / s among the 16 doubled E2M1 values.
uint8_t nearest_fp4_code(float x, float s) {
  const float t = std::fabs(x) / s;
  int best = 0;
  for (int k = 1; k < 8; ++k)
    if (std::fabs(t - kFP4[k]) < std::fabs(t - kFP4[best])) best = k;
  return static_cast<uint8_t>(x < 0 && best != 0 ? best + 8 : best);
}

float mxfp4_sse(const float* x, int e) {
  const float s = std::ldexp(1.0f, e - 128);
  float err = 0;
  for (int j = 0; j < 32; ++j) {
    const float d = s * static_cast<float>(kFP4[nearest_fp4_code(x[j], s)]) - x[j];
    err += d * d;
  }
  return err;
}

}  // namespace

bool can_quantize(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::IQ4_XS:
    case GgmlType::MXFP4:
      return true;
    default:
      return false;
  }
}

void quantize_row(GgmlType type, const float* src, void* dst, int64_t n) {
  require(can_quantize(type), ErrorKind::Unsupported,
          "rotary cannot quantize to " + std::string(ggml_type_name(type)) +
              "; it writes f32, f16, bf16, q8_0, q4_0, q4_K, q5_K, q6_K, iq4_xs and mxfp4");
  const auto& info = ggml_type_info(type);
  require(n >= 0 && n % info.block_size == 0, ErrorKind::InvalidArgument,
          "cannot quantize a row of " + std::to_string(n) + " elements to " +
              std::string(info.name) + ": rows must be a multiple of " +
              std::to_string(info.block_size) + " elements");
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(src[i]))
      throw Error(ErrorKind::InvalidArgument,
                  "cannot quantize a non-finite value (element " + std::to_string(i) + ")");
  auto* out = static_cast<uint8_t*>(dst);
  switch (type) {
    case GgmlType::F32:
      std::memcpy(dst, src, static_cast<size_t>(n) * 4);
      return;
    case GgmlType::F16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = f32_to_fp16(src[i]);
        std::memcpy(out + 2 * i, &h, 2);
      }
      return;
    case GgmlType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = f32_to_bf16(src[i]);
        std::memcpy(out + 2 * i, &h, 2);
      }
      return;
    case GgmlType::Q8_0:
      quantize_row_q8_0(src, dst, n);
      return;
    case GgmlType::Q4_0:
      quantize_row_q4_0(src, dst, n);
      return;
    case GgmlType::MXFP4:
      quantize_row_mxfp4(src, dst, n);
      return;
    case GgmlType::Q4_K:
      quantize_row_q4_k(src, dst, n);
      return;
    case GgmlType::Q5_K:
      quantize_row_q5_k(src, dst, n);
      return;
    case GgmlType::Q6_K:
      quantize_row_q6_k(src, dst, n);
      return;
    case GgmlType::IQ4_XS:
      quantize_row_iq4_xs(src, dst, n);
      return;
    default:
      return;  // excluded by can_quantize above
  }
}

// Q8_0 keeps the min/max scale: with 255 levels a search gains little, and this choice gives the
// exact bound |error| <= d / 2 for every element.
void quantize_row_q8_0(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / 32; ++i) {
    const float* xb = x + 32 * i;
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    BlockQ8_0 b{};
    b.d = fp16_ceil(amax / 127.0f);
    const float d = fp16_to_f32(b.d);
    for (int j = 0; j < 32; ++j) b.qs[j] = static_cast<int8_t>(nearest_code(xb[j], d, {-127, 127}));
    store(dst, i, b);
  }
}

void quantize_row_q4_0(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / 32; ++i) {
    const float* xb = x + 32 * i;
    uint8_t codes[32], cover_codes[32];
    const uint16_t searched = f32_to_fp16(search_symmetric_scale(xb, 32, {-8, 7}));
    const uint16_t cover = fp16_away(signed_absmax(xb, 32) / 7.0f);
    const float err = q4_0_codes(xb, searched, codes);
    const bool use_cover = q4_0_codes(xb, cover, cover_codes) < err;
    BlockQ4_0 b{};
    b.d = use_cover ? cover : searched;
    pack_nibbles_32(use_cover ? cover_codes : codes, b.qs);
    store(dst, i, b);
  }
}

// MXFP4 scales are powers of two: try the smallest exponent at which the largest element fits
// (12 * 2^(e-128) >= max) and the one below it, which halves the step and clamps the largest.
void quantize_row_mxfp4(const float* x, void* dst, int64_t n) {
  for (int64_t i = 0; i < n / 32; ++i) {
    const float* xb = x + 32 * i;
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    int e = 0;
    if (amax > 0) {
      int k = 0;
      std::frexp(amax / 12.0f, &k);  // amax / 12 < 2^k
      e = std::clamp(k + 128, 0, 254);
      while (e < 254 && std::ldexp(12.0f, e - 128) < amax) ++e;
      while (e > 0 && std::ldexp(12.0f, e - 129) >= amax) --e;
    }
    if (e > 0 && mxfp4_sse(xb, e - 1) < mxfp4_sse(xb, e)) --e;
    BlockMXFP4 b{};
    b.e = static_cast<uint8_t>(e);
    const float s = std::ldexp(1.0f, e - 128);
    uint8_t codes[32];
    for (int j = 0; j < 32; ++j) codes[j] = nearest_fp4_code(xb[j], s);
    pack_nibbles_32(codes, b.qs);
    store(dst, i, b);
  }
}

}  // namespace rotary::quant
