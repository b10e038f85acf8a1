#include "loader/quant/dequantize.h"

#include <cstring>
#include <string>

#include "base/error.h"
#include "loader/quant/blocks.h"
#include "loader/quant/dequantize_iq.h"
#include "loader/quant/half.h"

namespace rotary::quant {

namespace {

// Blocks are read through memcpy: GGUF data is only 1-byte aligned in general.
template <typename Block>
Block load(const void* src, int64_t i) {
  Block b;
  std::memcpy(&b, static_cast<const uint8_t*>(src) + i * static_cast<int64_t>(sizeof(Block)), sizeof(Block));
  return b;
}

void row_q4_0(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += 32) {
    const auto b = load<BlockQ4_0>(src, i);
    const float d = fp16_to_f32(b.d);
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>((b.qs[j] & 0x0F) - 8) * d;
      y[j + 16] = static_cast<float>((b.qs[j] >> 4) - 8) * d;
    }
  }
}

void row_q4_1(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += 32) {
    const auto b = load<BlockQ4_1>(src, i);
    const float d = fp16_to_f32(b.d), m = fp16_to_f32(b.m);
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(b.qs[j] & 0x0F) * d + m;
      y[j + 16] = static_cast<float>(b.qs[j] >> 4) * d + m;
    }
  }
}

// Q5_0/Q5_1: the two 5-bit codes of byte j (elements j and j + 16).
int q5_low(const uint8_t qs[16], uint32_t qh, int j) { return (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1) << 4); }
int q5_high(const uint8_t qs[16], uint32_t qh, int j) { return (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4); }

void row_q5_0(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += 32) {
    const auto b = load<BlockQ5_0>(src, i);
    const float d = fp16_to_f32(b.d);
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(q5_low(b.qs, qh, j) - 16) * d;
      y[j + 16] = static_cast<float>(q5_high(b.qs, qh, j) - 16) * d;
    }
  }
}

void row_q5_1(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += 32) {
    const auto b = load<BlockQ5_1>(src, i);
    const float d = fp16_to_f32(b.d), m = fp16_to_f32(b.m);
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(q5_low(b.qs, qh, j)) * d + m;
      y[j + 16] = static_cast<float>(q5_high(b.qs, qh, j)) * d + m;
    }
  }
}

void row_iq4_nl(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += 32) {
    const auto b = load<BlockIQ4_NL>(src, i);
    const float d = fp16_to_f32(b.d);
    for (int j = 0; j < 16; ++j) {
      y[j] = d * static_cast<float>(kIQ4NL[b.qs[j] & 0xF]);
      y[j + 16] = d * static_cast<float>(kIQ4NL[b.qs[j] >> 4]);
    }
  }
}

void row_q8_0(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += 32) {
    const auto b = load<BlockQ8_0>(src, i);
    const float d = fp16_to_f32(b.d);
    for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(b.qs[j]) * d;
  }
}

void row_q2_k(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const auto b = load<BlockQ2_K>(src, i);
    const float d = fp16_to_f32(b.d);
    const float dmin = fp16_to_f32(b.dmin);
    int is = 0;
    for (int half = 0; half < 2; ++half) {  // 128 elements each, from 32 bytes of qs
      const uint8_t* q = b.qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2) {
        for (int part = 0; part < 2; ++part) {  // 16 elements from q[0..16) or q[16..32)
          const uint8_t sc = b.scales[is++];
          const float dl = d * static_cast<float>(sc & 0xF);
          const float ml = dmin * static_cast<float>(sc >> 4);
          for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>((q[l + 16 * part] >> shift) & 3) - ml;
        }
      }
    }
  }
}

// Q3_K's sixteen 6-bit scales: low 4 bits in scales[0..8) (two per byte), high 2 bits in
// scales[8..12) (four per byte).
void q3_k_scales(const uint8_t packed[12], int8_t out[16]) {
  for (int j = 0; j < 16; ++j) {
    const int low = (j < 8) ? (packed[j] & 0xF) : (packed[j - 8] >> 4);
    const int high = (packed[8 + (j % 4)] >> (2 * (j / 4))) & 3;
    out[j] = static_cast<int8_t>((low | (high << 4)) - 32);
  }
}

void row_q3_k(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const auto b = load<BlockQ3_K>(src, i);
    const float d = fp16_to_f32(b.d);
    int8_t scales[16];
    q3_k_scales(b.scales, scales);
    int is = 0;
    uint8_t m = 1;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* q = b.qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
        for (int part = 0; part < 2; ++part) {
          const float dl = d * static_cast<float>(scales[is++]);
          for (int l = 0; l < 16; ++l) {
            const int k = l + 16 * part;
            const int v = ((q[k] >> shift) & 3) - ((b.hmask[k] & m) ? 0 : 4);
            *y++ = dl * static_cast<float>(v);
          }
        }
      }
    }
  }
}

// Q4_K/Q5_K: sub-block j's 6-bit scale and min, packed in scales[12].
void k4_scale_min(int j, const uint8_t* s, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = s[j] & 63;
    *m = s[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

void row_q4_k(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const auto b = load<BlockQ4_K>(src, i);
    const float d = fp16_to_f32(b.d);
    const float dmin = fp16_to_f32(b.dmin);
    for (int pair = 0; pair < 4; ++pair) {  // sub-blocks 2*pair (low nibbles), 2*pair+1 (high)
      const uint8_t* q = b.qs + 32 * pair;
      uint8_t sc, m;
      k4_scale_min(2 * pair, b.scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      k4_scale_min(2 * pair + 1, b.scales, &sc, &m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

void row_q5_k(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const auto b = load<BlockQ5_K>(src, i);
    const float d = fp16_to_f32(b.d);
    const float dmin = fp16_to_f32(b.dmin);
    for (int pair = 0; pair < 4; ++pair) {
      const uint8_t* q = b.qs + 32 * pair;
      const uint8_t u1 = static_cast<uint8_t>(1u << (2 * pair)), u2 = static_cast<uint8_t>(2u << (2 * pair));
      uint8_t sc, m;
      k4_scale_min(2 * pair, b.scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      k4_scale_min(2 * pair + 1, b.scales, &sc, &m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>((q[l] & 0xF) + ((b.qh[l] & u1) ? 16 : 0)) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>((q[l] >> 4) + ((b.qh[l] & u2) ? 16 : 0)) - m2;
    }
  }
}

void row_q6_k(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const auto b = load<BlockQ6_K>(src, i);
    const float d = fp16_to_f32(b.d);
    for (int half = 0; half < 2; ++half, y += 128) {  // 128 elements from ql[64], qh[32], scales[8]
      const uint8_t* ql = b.ql + 64 * half;
      const uint8_t* qh = b.qh + 32 * half;
      const int8_t* sc = b.scales + 8 * half;
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l + 0] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
        y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
        y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
        y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
      }
    }
  }
}

void row_iq4_xs(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    const auto b = load<BlockIQ4_XS>(src, i);
    const float d = fp16_to_f32(b.d);
    for (int ib = 0; ib < 8; ++ib, y += 32) {
      const int ls = ((b.scales_l[ib / 2] >> (4 * (ib % 2))) & 0xF) | (((b.scales_h >> (2 * ib)) & 3) << 4);
      const float dl = d * static_cast<float>(ls - 32);
      const uint8_t* qs = b.qs + 16 * ib;
      for (int j = 0; j < 16; ++j) {
        y[j] = dl * static_cast<float>(kIQ4NL[qs[j] & 0xF]);
        y[j + 16] = dl * static_cast<float>(kIQ4NL[qs[j] >> 4]);
      }
    }
  }
}

// 2^(e - 128) (half the E8M0 value, because the FP4 table holds doubled values); e < 2 gives
// float subnormals.
float e8m0_half(uint8_t e) {
  const uint32_t bits = e < 2 ? (0x00200000u << e) : (static_cast<uint32_t>(e - 1) << 23);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

void row_mxfp4(const void* src, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += 32) {
    const auto b = load<BlockMXFP4>(src, i);
    const float d = e8m0_half(b.e);
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(kFP4[b.qs[j] & 0x0F]) * d;
      y[j + 16] = static_cast<float>(kFP4[b.qs[j] >> 4]) * d;
    }
  }
}

}  // namespace

bool can_dequantize(GgmlType type) {
  if (is_iq_grid_type(type)) return true;
  switch (type) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: case GgmlType::Q4_0:
    case GgmlType::Q4_1: case GgmlType::Q5_0: case GgmlType::Q5_1: case GgmlType::IQ4_NL:
    case GgmlType::Q8_0: case GgmlType::Q2_K: case GgmlType::Q3_K: case GgmlType::Q4_K:
    case GgmlType::Q5_K: case GgmlType::Q6_K: case GgmlType::IQ4_XS: case GgmlType::MXFP4:
      return true;
    default:
      return false;
  }
}

void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n) {
  const GgmlTypeInfo& info = ggml_type_info(type);
  if (!can_dequantize(type))
    throw Error(ErrorKind::Unsupported, "no dequantisation for type " + std::string(info.name));
  if (n < 0 || n % info.block_size != 0)
    throw Error(ErrorKind::InvalidArgument, std::to_string(n) + " elements is not a whole number of " +
                                                std::string(info.name) + " blocks");
  const int64_t nb = n / info.block_size;
  const auto* bytes = static_cast<const uint8_t*>(src);
  if (is_iq_grid_type(type)) return dequantize_iq_blocks(type, bytes, dst, nb);
  switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case GgmlType::F16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, bytes + 2 * i, 2);
        dst[i] = fp16_to_f32(h);
      }
      return;
    case GgmlType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, bytes + 2 * i, 2);
        dst[i] = bf16_to_f32(h);
      }
      return;
    case GgmlType::Q4_0: return row_q4_0(src, dst, nb);
    case GgmlType::Q4_1: return row_q4_1(src, dst, nb);
    case GgmlType::Q5_0: return row_q5_0(src, dst, nb);
    case GgmlType::Q5_1: return row_q5_1(src, dst, nb);
    case GgmlType::IQ4_NL: return row_iq4_nl(src, dst, nb);
    case GgmlType::Q8_0: return row_q8_0(src, dst, nb);
    case GgmlType::Q2_K: return row_q2_k(src, dst, nb);
    case GgmlType::Q3_K: return row_q3_k(src, dst, nb);
    case GgmlType::Q4_K: return row_q4_k(src, dst, nb);
    case GgmlType::Q5_K: return row_q5_k(src, dst, nb);
    case GgmlType::Q6_K: return row_q6_k(src, dst, nb);
    case GgmlType::IQ4_XS: return row_iq4_xs(src, dst, nb);
    case GgmlType::MXFP4: return row_mxfp4(src, dst, nb);
    default: break;
  }
  throw Error(ErrorKind::Internal, "dequantize_row: unhandled type");
}

std::vector<float> dequantize(GgmlType type, std::span<const std::byte> src, int64_t n) {
  const auto bytes = ggml_row_bytes(type, static_cast<uint64_t>(n));
  if (!bytes || src.size() < *bytes)
    throw Error(ErrorKind::InvalidArgument, "dequantize: source too small for " + std::to_string(n) + " elements");
  std::vector<float> out(static_cast<size_t>(n));
  dequantize_row(type, src.data(), out.data(), n);
  return out;
}

}  // namespace rotary::quant
