#pragma once
// Quantisation block layouts as they lie in GGUF files (ggml's block_* structs; fields in
// storage order, see shared/reference/models.md section 3). Half-precision fields are kept as
// raw uint16_t bits; convert with half.h.
#include <cstdint>

namespace rotary::quant {

inline constexpr int kQK = 256;  // elements of a K-quant super-block

struct BlockQ4_0 {  // 32 elements: (nibble - 8) * d; element j low nibble of qs[j], j+16 high
  uint16_t d;
  uint8_t qs[16];
};
struct BlockQ4_1 {  // 32 elements: nibble * d + m; nibble order as Q4_0
  uint16_t d;
  uint16_t m;
  uint8_t qs[16];
};
struct BlockQ5_0 {  // 32 elements: (q - 16) * d; q = nibble (as Q4_0) | bit j of qh << 4
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[16];
};
struct BlockQ5_1 {  // 32 elements: q * d + m; q as Q5_0
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[16];
};
struct BlockIQ4_NL {  // 32 elements: d * kIQ4NL[nibble]; nibble order as Q4_0
  uint16_t d;
  uint8_t qs[16];
};
struct BlockQ8_0 {  // 32 elements: qs[j] * d
  uint16_t d;
  int8_t qs[32];
};
struct BlockQ2_K {  // 16 sub-blocks of 16: d * (scales & 15) * q - dmin * (scales >> 4)
  uint8_t scales[16];
  uint8_t qs[64];
  uint16_t d;
  uint16_t dmin;
};
struct BlockQ3_K {  // 16 sub-blocks of 16, 6-bit signed scales packed in scales[12], high bit in hmask
  uint8_t hmask[32];
  uint8_t qs[64];
  uint8_t scales[12];
  uint16_t d;
};
struct BlockQ4_K {  // 8 sub-blocks of 32: d * sc * q - dmin * m, 6-bit sc and m packed in scales[12]
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qs[128];
};
struct BlockQ5_K {  // as Q4_K plus the fifth bit of each q in qh
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[32];
  uint8_t qs[128];
};
struct BlockQ6_K {  // 16 sub-blocks of 16: d * scales[i] * (q - 32); q = 4 bits of ql | 2 bits of qh
  uint8_t ql[128];
  uint8_t qh[64];
  int8_t scales[16];
  uint16_t d;
};
struct BlockIQ4_XS {  // 8 sub-blocks of 32: d * (ls - 32) * kIQ4NL[nibble], ls = 4 low + 2 high bits
  uint16_t d;
  uint16_t scales_h;
  uint8_t scales_l[4];
  uint8_t qs[128];
};
struct BlockMXFP4 {  // 32 elements: kFP4[nibble] * 2^(e - 128) (table values are doubled E2M1)
  uint8_t e;
  uint8_t qs[16];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockIQ4_NL) == 18);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockIQ4_XS) == 136);
static_assert(sizeof(BlockMXFP4) == 17);

// The non-linear 4-bit codebook of IQ4_NL / IQ4_XS.
inline constexpr int8_t kIQ4NL[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                      1,    13,   25,  38,  53,  69,  89,  113};
// E2M1 values doubled (so they are integers), as ggml's MXFP4 table holds them.
inline constexpr int8_t kFP4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

}  // namespace rotary::quant
