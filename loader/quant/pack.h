#pragma once
// Bit packing of quantised codes into ggml's block layouts (models.md section 3), shared by the
// quantizers (codes found by a search) and by synth's block generator (codes drawn at random).
// A "code" is the unsigned integer a block stores for one element: 0..15 for 4-bit types,
// 0..31 for Q5_K, 0..63 for Q6_K.
#include <cstdint>

#include "loader/quant/blocks.h"
#include "loader/quant/half.h"

namespace rotary::quant {

// The smallest fp16 value >= v (v >= 0), saturating at the largest finite half. Super-block
// scales are rounded up so that the codes they were computed for never overflow their range.
inline uint16_t fp16_ceil(float v) {
  if (!(v > 0.0f)) return 0;
  uint16_t h = f32_to_fp16(v);
  if (h >= 0x7C00u) return 0x7BFFu;  // inf: saturate to 65504
  if (fp16_to_f32(h) < v && h < 0x7BFFu) ++h;
  return h;
}

// Elements j and j + 16 of a 32-element block share byte j (Q4_0, MXFP4, IQ4_XS sub-blocks).
inline void pack_nibbles_32(const uint8_t* codes, uint8_t* qs) {
  for (int j = 0; j < 16; ++j)
    qs[j] = static_cast<uint8_t>((codes[j] & 15) | ((codes[j + 16] & 15) << 4));
}

// The 6-bit scales and mins of Q4_K / Q5_K: the inverse of ggml's get_scale_min_k4.
// Sub-blocks 0-3 keep their 6 bits in bytes 0-3 (scale) and 4-7 (min); sub-blocks 4-7 keep their
// low 4 bits in bytes 8-11 and their top 2 bits in the top bits of bytes 0-3 (scale) and 4-7 (min).
inline void pack_k_scales(const uint8_t sc[8], const uint8_t m[8], uint8_t out[12]) {
  for (int j = 0; j < 4; ++j) {
    out[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    out[j + 4] = static_cast<uint8_t>((m[j] & 63) | ((m[j + 4] >> 4) << 6));
    out[j + 8] = static_cast<uint8_t>((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
  }
}

// Q4_K / Q5_K low nibbles: 64-element chunk c keeps its first 32 elements (sub-block 2c) in the
// low nibbles of qs[32c .. 32c+31] and the next 32 (sub-block 2c+1) in their high nibbles.
inline void pack_k_low_nibbles(const uint8_t codes[256], uint8_t qs[128]) {
  for (int c = 0; c < 4; ++c)
    for (int l = 0; l < 32; ++l)
      qs[32 * c + l] =
          static_cast<uint8_t>((codes[64 * c + l] & 15) | ((codes[64 * c + 32 + l] & 15) << 4));
}

// Q5_K fifth bits: element 64c + l sets bit 2c of qh[l], element 64c + 32 + l sets bit 2c + 1.
inline void pack_q5_k_high_bits(const uint8_t codes[256], uint8_t qh[32]) {
  for (int l = 0; l < 32; ++l) {
    uint8_t bits = 0;
    for (int c = 0; c < 4; ++c) {
      bits = static_cast<uint8_t>(bits | (((codes[64 * c + l] >> 4) & 1) << (2 * c)));
      bits = static_cast<uint8_t>(bits | (((codes[64 * c + 32 + l] >> 4) & 1) << (2 * c + 1)));
    }
    qh[l] = bits;
  }
}

// Q6_K: each half h of 128 elements has 64 bytes of ql and 32 of qh. Quarter g (32 elements) of
// the half keeps its low 4 bits in ql[64h + 32*(g&1) + l], low nibble for g < 2, high for g >= 2,
// and its top 2 bits in bits 2g..2g+1 of qh[32h + l].
inline void pack_q6_k_codes(const uint8_t codes[256], uint8_t ql[128], uint8_t qh[64]) {
  for (int h = 0; h < 2; ++h) {
    const uint8_t* q = codes + 128 * h;
    for (int l = 0; l < 32; ++l) {
      ql[64 * h + l] = static_cast<uint8_t>((q[l] & 15) | ((q[l + 64] & 15) << 4));
      ql[64 * h + 32 + l] = static_cast<uint8_t>((q[l + 32] & 15) | ((q[l + 96] & 15) << 4));
      qh[32 * h + l] =
          static_cast<uint8_t>(((q[l] >> 4) & 3) | (((q[l + 32] >> 4) & 3) << 2) |
                               (((q[l + 64] >> 4) & 3) << 4) | (((q[l + 96] >> 4) & 3) << 6));
    }
  }
}

// IQ4_XS sub-block scales ls (6 bits, stored offset by 32): low 4 bits in nibble ib%2 of
// scales_l[ib/2], top 2 bits in bits 2ib..2ib+1 of scales_h.
inline void pack_iq4_xs_scales(const uint8_t ls[8], BlockIQ4_XS& b) {
  uint16_t high = 0;
  for (int ib = 0; ib < 8; ++ib)
    high = static_cast<uint16_t>(high | ((ls[ib] >> 4) & 3) << (2 * ib));
  b.scales_h = high;
  for (int i = 0; i < 4; ++i)
    b.scales_l[i] = static_cast<uint8_t>((ls[2 * i] & 15) | ((ls[2 * i + 1] & 15) << 4));
}

}  // namespace rotary::quant
