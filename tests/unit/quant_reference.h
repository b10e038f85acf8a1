#pragma once
// Test-side reading of quantised blocks, written from shared/reference/models.md section 3 by
// byte offsets (not through loader/quant/blocks.h), so that a packing mistake in the quantizers
// cannot hide behind a matching mistake in the structs. For every element it returns the code,
// the decoded value and the block's grid (every value the block could have stored there).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "loader/ggml_types.h"
#include "loader/quant/blocks.h"
#include "loader/quant/half.h"

namespace rotary::test {

// value(c) = scale * (table ? table[c] : c - zero) + offset, for codes c in [0, n_codes).
struct ElementGrid {
  float scale = 0;
  float offset = 0;
  int zero = 0;
  int n_codes = 0;
  const int8_t* table = nullptr;
  float value(int c) const {
    return scale * static_cast<float>(table ? table[c] : c - zero) + offset;
  }
};

struct DecodedRow {
  std::vector<float> value;
  std::vector<int> code;
  std::vector<ElementGrid> grid;
};

namespace detail {

inline float f16_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return quant::fp16_to_f32(h);
}

inline void push(DecodedRow& r, int code, const ElementGrid& g) {
  r.code.push_back(code);
  r.grid.push_back(g);
  r.value.push_back(g.value(code));
}

// Q4_K / Q5_K 6-bit scale and min of sub-block j (models.md: packed in scales[12]).
inline void k_scale_min(const uint8_t* s, int j, int& sc, int& m) {
  if (j < 4) {
    sc = s[j] & 63;
    m = s[j + 4] & 63;
  } else {
    sc = (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
    m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

inline void decode_block(GgmlType type, const uint8_t* b, DecodedRow& r) {
  switch (type) {
    case GgmlType::Q8_0: {  // d f16, qs[32] int8
      const ElementGrid g{f16_at(b), 0, 128, 256, nullptr};
      for (int j = 0; j < 32; ++j) push(r, static_cast<int8_t>(b[2 + j]) + 128, g);
      return;
    }
    case GgmlType::Q4_0: {  // d f16, qs[16]: j low nibble, j + 16 high nibble
      const ElementGrid g{f16_at(b), 0, 8, 16, nullptr};
      for (int j = 0; j < 32; ++j) push(r, j < 16 ? b[2 + j] & 15 : b[2 + j - 16] >> 4, g);
      return;
    }
    case GgmlType::MXFP4: {  // e, qs[16] in Q4_0's nibble order
      const ElementGrid g{std::ldexp(1.0f, b[0] - 128), 0, 0, 16, quant::kFP4};
      for (int j = 0; j < 32; ++j) push(r, j < 16 ? b[1 + j] & 15 : b[1 + j - 16] >> 4, g);
      return;
    }
    case GgmlType::Q4_K:
    case GgmlType::Q5_K: {  // d, dmin, scales[12], (qh[32],) qs[128]
      const bool five = type == GgmlType::Q5_K;
      const float d = f16_at(b), dmin = f16_at(b + 2);
      const uint8_t* qh = b + 16;
      const uint8_t* qs = b + (five ? 48 : 16);
      for (int e = 0; e < 256; ++e) {
        const int sub = e / 32, chunk = e / 64, l = e % 32;
        int sc, m;
        k_scale_min(b + 4, sub, sc, m);
        int q = sub % 2 == 0 ? qs[32 * chunk + l] & 15 : qs[32 * chunk + l] >> 4;
        if (five) q |= ((qh[l] >> sub) & 1) << 4;
        push(r, q,
             {d * static_cast<float>(sc), -(dmin * static_cast<float>(m)), 0, five ? 32 : 16,
              nullptr});
      }
      return;
    }
    case GgmlType::Q6_K: {  // ql[128], qh[64], scales[16] int8, d f16 last
      const float d = f16_at(b + 208);
      for (int e = 0; e < 256; ++e) {
        const int h = e / 128, g = (e % 128) / 32, l = e % 32;
        const uint8_t lo = b[64 * h + 32 * (g & 1) + l];
        const int q = (g < 2 ? lo & 15 : lo >> 4) | (((b[128 + 32 * h + l] >> (2 * g)) & 3) << 4);
        const int sc = static_cast<int8_t>(b[192 + e / 16]);
        push(r, q, {d * static_cast<float>(sc), 0, 32, 64, nullptr});
      }
      return;
    }
    case GgmlType::IQ4_XS: {  // d, scales_h u16, scales_l[4], qs[128]
      const float d = f16_at(b);
      const int scales_h = b[2] | (b[3] << 8);
      for (int e = 0; e < 256; ++e) {
        const int ib = e / 32, j = e % 32;
        const int ls =
            ((b[4 + ib / 2] >> (4 * (ib % 2))) & 15) | (((scales_h >> (2 * ib)) & 3) << 4);
        const uint8_t byte = b[8 + 16 * ib + j % 16];
        push(r, j < 16 ? byte & 15 : byte >> 4,
             {d * static_cast<float>(ls - 32), 0, 0, 16, quant::kIQ4NL});
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace detail

// Block types only (not F32/F16/BF16).
inline DecodedRow decode_reference(GgmlType type, const uint8_t* bytes, int64_t n) {
  const auto& info = ggml_type_info(type);
  DecodedRow r;
  for (int64_t i = 0; i < n / info.block_size; ++i)
    detail::decode_block(type, bytes + i * info.type_size, r);
  return r;
}

}  // namespace rotary::test
