// The grid-based IQ types: each group of 8 (IQ2, IQ1) or 4 (IQ3) elements is one entry of a
// lookup table (loader/quant/iq_grids.h) times a sub-block scale, with signs from a 7-bit index
// (the eighth sign is the parity) or an explicit sign byte. Layouts (bytes, little-endian):
//   IQ2_XXS 66: d f16, 8 x {4 grid indices, u32: 4 x 7 sign bits | 4-bit scale << 28}
//   IQ2_XS  74: d f16, qs u16[32] (9-bit index | 7-bit sign index << 9), scales[8] (two 4-bit)
//   IQ2_S   82: d f16, qs[32] (low index bits), signs[32], qh[8] (2 high bits per group), scales[8]
//   IQ3_XXS 98: d f16, qs[64] (indices), 8 x u32 (4 x 7 sign bits | 4-bit scale << 28)
//   IQ3_S  110: d f16, qs[64], qh[8] (ninth index bits), signs[32], scales[4] (two 4-bit)
//   IQ1_S   50: d f16, qs[32] (low index bits), qh u16[8] (3 x 3 high bits, 3-bit scale, delta sign)
//   IQ1_M   56: qs[32], qh[16] (3 high bits + delta sign per group), scales u16[4] (3-bit scales
//               and the four nibbles of the f16 d in their top bits)
// Arithmetic in ggml's order (the oracle test dequantize checks bit equality).
#include "loader/quant/dequantize_iq.h"

#include <cstring>

#include "loader/quant/half.h"
#include "loader/quant/iq_grids.h"

namespace rotary::quant {

namespace {

constexpr float kIQ1Delta = 0.125f;

uint16_t u16_at(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
uint32_t u32_at(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// 8 values db * grid[entry][j] with sign bit j of `signs`, into y.
void put8(std::span<const uint32_t> grid, uint32_t entry, uint32_t signs, float db, float* y) {
  for (uint32_t j = 0; j < 8; ++j)
    y[j] = db * static_cast<float>(grid_byte(grid, 2 * entry, j)) * ((signs >> j) & 1 ? -1.0f : 1.0f);
}

void iq2_xxs(const uint8_t* b, float* y) {
  const float d = fp16_to_f32(u16_at(b));
  for (int ib = 0; ib < 8; ++ib) {
    const uint8_t* g = b + 2 + 8 * ib;
    const uint32_t aux = u32_at(g + 4);
    const float db = d * (0.5f + static_cast<float>(aux >> 28)) * 0.25f;
    for (int l = 0; l < 4; ++l, y += 8) put8(kIQ2XXSGrid, g[l], ksigns((aux >> (7 * l)) & 127), db, y);
  }
}

void iq2_xs(const uint8_t* b, float* y) {
  const float d = fp16_to_f32(u16_at(b));
  for (int ib = 0; ib < 8; ++ib) {
    const uint8_t sc = b[66 + ib];
    const float db[2] = {d * (0.5f + static_cast<float>(sc & 0xF)) * 0.25f,
                         d * (0.5f + static_cast<float>(sc >> 4)) * 0.25f};
    for (int l = 0; l < 4; ++l, y += 8) {
      const uint16_t q = u16_at(b + 2 + 8 * ib + 2 * l);
      put8(kIQ2XSGrid, q & 511, ksigns(q >> 9), db[l / 2], y);
    }
  }
}

void iq2_s(const uint8_t* b, float* y) {
  const float d = fp16_to_f32(u16_at(b));
  for (int ib = 0; ib < 8; ++ib) {
    const uint8_t sc = b[74 + ib], qh = b[66 + ib];
    const float db[2] = {d * (0.5f + static_cast<float>(sc & 0xF)) * 0.25f,
                         d * (0.5f + static_cast<float>(sc >> 4)) * 0.25f};
    for (int l = 0; l < 4; ++l, y += 8) {
      const uint32_t entry = b[2 + 4 * ib + l] | ((uint32_t{qh} << (8 - 2 * l)) & 0x300);
      put8(kIQ2SGrid, entry, b[34 + 4 * ib + l], db[l / 2], y);
    }
  }
}

// 4 values db * grid[entry][j] with sign bits `first`.. of `signs`.
void put4(std::span<const uint32_t> grid, uint32_t entry, uint32_t signs, uint32_t first, float db, float* y) {
  for (uint32_t j = 0; j < 4; ++j)
    y[j] = db * static_cast<float>(grid_byte(grid, entry, j)) * ((signs >> (first + j)) & 1 ? -1.0f : 1.0f);
}

void iq3_xxs(const uint8_t* b, float* y) {
  const float d = fp16_to_f32(u16_at(b));
  for (int ib = 0; ib < 8; ++ib) {
    const uint8_t* q = b + 2 + 8 * ib;
    const uint32_t aux = u32_at(b + 66 + 4 * ib);
    const float db = d * (0.5f + static_cast<float>(aux >> 28)) * 0.5f;
    for (int l = 0; l < 4; ++l, y += 8) {
      const uint32_t signs = ksigns((aux >> (7 * l)) & 127);
      put4(kIQ3XXSGrid, q[2 * l], signs, 0, db, y);
      put4(kIQ3XXSGrid, q[2 * l + 1], signs, 4, db, y + 4);
    }
  }
}

void iq3_s(const uint8_t* b, float* y) {
  const float d = fp16_to_f32(u16_at(b));
  for (int ib = 0; ib < 8; ++ib) {
    const uint8_t* q = b + 2 + 8 * ib;
    const uint32_t qh = b[66 + ib];
    const uint8_t sc = b[106 + ib / 2];
    const float db = d * static_cast<float>(1 + 2 * ((ib % 2) ? (sc >> 4) : (sc & 0xF)));
    for (int l = 0; l < 4; ++l, y += 8) {
      const uint32_t signs = b[74 + 4 * ib + l];
      put4(kIQ3SGrid, q[2 * l] | ((qh << (8 - 2 * l)) & 256), signs, 0, db, y);
      put4(kIQ3SGrid, q[2 * l + 1] | ((qh << (7 - 2 * l)) & 256), signs, 4, db, y + 4);
    }
  }
}

// 8 values dl * (grid[entry][j] + delta) of the signed IQ1 grid.
void put8_iq1(uint32_t entry, float dl, float delta, float* y) {
  for (uint32_t j = 0; j < 8; ++j)
    y[j] = dl * (static_cast<float>(static_cast<int8_t>(grid_byte(kIQ1SGrid, 2 * entry, j))) + delta);
}

void iq1_s(const uint8_t* b, float* y) {
  const float d = fp16_to_f32(u16_at(b));
  for (int ib = 0; ib < 8; ++ib) {
    const uint16_t qh = u16_at(b + 34 + 2 * ib);
    const float dl = d * static_cast<float>(2 * ((qh >> 12) & 7) + 1);
    const float delta = (qh & 0x8000) ? -kIQ1Delta : kIQ1Delta;
    for (int l = 0; l < 4; ++l, y += 8) put8_iq1(b[2 + 4 * ib + l] | (((qh >> (3 * l)) & 7u) << 8), dl, delta, y);
  }
}

void iq1_m(const uint8_t* b, float* y) {
  uint16_t sc[4];
  for (int k = 0; k < 4; ++k) sc[k] = u16_at(b + 48 + 2 * k);
  const uint16_t dbits = static_cast<uint16_t>((sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) |
                                               (sc[3] & 0xF000));
  const float d = fp16_to_f32(dbits);
  for (int ib = 0; ib < 8; ++ib) {
    const uint32_t s = sc[ib / 2] >> (6 * (ib % 2));
    const float dl[2] = {d * static_cast<float>(2 * (s & 7) + 1), d * static_cast<float>(2 * ((s >> 3) & 7) + 1)};
    for (int l = 0; l < 4; ++l, y += 8) {
      const uint32_t h = b[32 + 2 * ib + l / 2] >> (4 * (l % 2));  // 3 index bits, then the delta sign
      put8_iq1(b[4 * ib + l] | ((h & 7u) << 8), dl[l / 2], (h & 8) ? -kIQ1Delta : kIQ1Delta, y);
    }
  }
}

}  // namespace

bool is_iq_grid_type(GgmlType type) {
  switch (type) {
    case GgmlType::IQ2_XXS: case GgmlType::IQ2_XS: case GgmlType::IQ2_S: case GgmlType::IQ3_XXS:
    case GgmlType::IQ3_S: case GgmlType::IQ1_S: case GgmlType::IQ1_M:
      return true;
    default:
      return false;
  }
}

void dequantize_iq_blocks(GgmlType type, const uint8_t* src, float* y, int64_t nb) {
  const uint32_t bytes = ggml_type_info(type).type_size;
  void (*block)(const uint8_t*, float*) = nullptr;
  switch (type) {
    case GgmlType::IQ2_XXS: block = iq2_xxs; break;
    case GgmlType::IQ2_XS: block = iq2_xs; break;
    case GgmlType::IQ2_S: block = iq2_s; break;
    case GgmlType::IQ3_XXS: block = iq3_xxs; break;
    case GgmlType::IQ3_S: block = iq3_s; break;
    case GgmlType::IQ1_S: block = iq1_s; break;
    case GgmlType::IQ1_M: block = iq1_m; break;
    default: return;
  }
  for (int64_t i = 0; i < nb; ++i) block(src + i * bytes, y + 256 * i);
}

}  // namespace rotary::quant
