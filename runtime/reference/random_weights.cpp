#include "runtime/reference/random_weights.h"

#include <cstring>

#include "base/error.h"
#include "loader/quant/half.h"

namespace rotary::ref {

namespace {

struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(next() >> 40) * 0x1p-24f;
  }
};

void put_u16(std::byte* p, uint16_t v) {
  std::memcpy(p, &v, 2);
}
// A half-precision scale of magnitude in [lo, hi) and random sign.
void put_scale(std::byte* p, SplitMix& rng, float lo, float hi) {
  const float v = rng.uniform(lo, hi);
  put_u16(p, quant::f32_to_fp16((rng.next() & 1) ? -v : v));
}

// IQ1_M keeps its f16 scale in bits 12..15 of the four u16 words at byte 48.
void put_iq1m_scale(std::byte* b, SplitMix& rng) {
  std::byte d[2];
  put_scale(d, rng, 0.02f, 0.5f);
  uint16_t bits;
  std::memcpy(&bits, d, 2);
  for (int k = 0; k < 4; ++k) {
    uint16_t w;
    std::memcpy(&w, b + 48 + 2 * k, 2);
    put_u16(b + 48 + 2 * k, static_cast<uint16_t>((w & 0x0FFFu) | (((bits >> (4 * k)) & 0xFu) << 12)));
  }
}

// Overwrites the scale fields of one block (random bytes elsewhere are valid quants).
void fix_block(GgmlType type, std::byte* b, SplitMix& rng) {
  switch (type) {
    case GgmlType::Q8_0:
      put_scale(b, rng, 0.005f, 0.08f);
      break;
    case GgmlType::Q4_0:
      put_scale(b, rng, 0.05f, 1.2f);
      break;
    case GgmlType::Q4_1:  // q d + m, q < 16
    case GgmlType::Q5_1:  // q < 32
      put_scale(b, rng, 0.02f, type == GgmlType::Q4_1 ? 0.6f : 0.3f);
      put_scale(b + 2, rng, 0.5f, 4.0f);
      break;
    case GgmlType::Q5_0:
      put_scale(b, rng, 0.02f, 0.6f);
      break;
    case GgmlType::IQ4_NL:  // codes up to 127
      put_scale(b, rng, 0.005f, 0.08f);
      break;
    case GgmlType::Q2_K:  // d * 15 * 3 - dmin * 15
      put_scale(b + 80, rng, 0.01f, 0.2f);
      put_scale(b + 82, rng, 0.01f, 0.2f);
      break;
    case GgmlType::Q3_K:  // d * (sc - 32) * q, |sc - 32| <= 32, |q| <= 4
      put_scale(b + 108, rng, 0.001f, 0.05f);
      break;
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
      put_scale(b, rng, 0.0005f, 0.01f);
      put_scale(b + 2, rng, 0.0005f, 0.01f);
      break;
    case GgmlType::Q6_K:
      put_scale(b + 208, rng, 0.0002f, 0.004f);
      break;
    case GgmlType::IQ4_XS:
      put_scale(b, rng, 0.0005f, 0.003f);
      break;
    case GgmlType::IQ2_XXS:  // d * 3.875 * 43 at most (the largest grid value)
    case GgmlType::IQ2_XS:
    case GgmlType::IQ2_S:
      put_scale(b, rng, 0.002f, 0.05f);
      break;
    case GgmlType::IQ3_XXS:  // d * 7.75 * 62
    case GgmlType::IQ3_S:    // d * 31 * 15
      put_scale(b, rng, 0.001f, 0.02f);
      break;
    case GgmlType::IQ1_S:  // d * 15 * 1.125
      put_scale(b, rng, 0.02f, 0.5f);
      break;
    case GgmlType::IQ1_M:  // the f16 d lies in the top nibbles of the four scale words
      put_iq1m_scale(b, rng);
      break;
    case GgmlType::MXFP4:
      b[0] = static_cast<std::byte>(120 + rng.next() % 9);
      break;  // 2^-8 .. 2^0
    default:
      break;
  }
}

}  // namespace

std::vector<std::byte> random_weight(GgmlType type, uint32_t rows, uint32_t cols, uint64_t seed) {
  const auto row_bytes = ggml_row_bytes(type, cols);
  require(row_bytes.has_value(), ErrorKind::InvalidArgument,
          "random_weight: cols is not whole blocks");
  const uint64_t n = uint64_t{rows} * cols;
  std::vector<std::byte> out(*row_bytes * rows);
  SplitMix rng{seed * 0x2545F4914F6CDD1Dull + 1};
  if (type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16) {
    for (uint64_t i = 0; i < n; ++i) {
      const float v = rng.uniform(-1.0f, 1.0f);
      if (type == GgmlType::F32) std::memcpy(out.data() + 4 * i, &v, 4);
      if (type == GgmlType::F16) put_u16(out.data() + 2 * i, quant::f32_to_fp16(v));
      if (type == GgmlType::BF16) put_u16(out.data() + 2 * i, quant::f32_to_bf16(v));
    }
    return out;
  }
  for (size_t i = 0; i + 8 <= out.size(); i += 8) {
    const uint64_t r = rng.next();
    std::memcpy(out.data() + i, &r, 8);
  }
  for (size_t i = out.size() / 8 * 8; i < out.size(); ++i)
    out[i] = static_cast<std::byte>(rng.next());
  const GgmlTypeInfo& info = ggml_type_info(type);
  for (uint64_t b = 0; b < n / info.block_size; ++b)
    fix_block(type, out.data() + b * info.type_size, rng);
  return out;
}

std::vector<float> random_floats(size_t n, uint64_t seed, float lo, float hi) {
  SplitMix rng{seed * 0x9E3779B97F4A7C15ull + 7};
  std::vector<float> v(n);
  for (float& f : v) f = rng.uniform(lo, hi);
  return v;
}

}  // namespace rotary::ref
