// Quantising KV rows into llama.cpp's Q8_0 and Q4_0 blocks, byte for byte as its reference
// quantisers (quantize_row_q8_0_ref, quantize_row_q4_0_ref) write them:
//   Q8_0: d = amax / 127, id = 1 / d, q = roundf(x * id)              {f16 d, int8 q[32]}
//   Q4_0: d = max / -8 (max: the first element of the largest |x|, signed), id = 1 / d,
//         q = min(15, int(x * id + 8.5))                               {f16 d, u8 qs[16]}
// Vulkan rounds f32 multiply and add correctly but lets division be 2.5 ulp off, so the two
// divisions are done in integer arithmetic (rt_div_rn); `precise` keeps x * id + 8.5 from
// becoming an fma. A block is assembled, shifted to its byte position, in `blk` words.
#ifndef ROTARY_KV_QUANT_GLSL
#define ROTARY_KV_QUANT_GLSL
#include "f16.glsl"

// a / b rounded to nearest even, for normal a, b (either sign) whose quotient is normal; other
// operands (zero, subnormal, inf, NaN) get the hardware's division. The quantisers only see
// such operands when amax < 2^-119, where f16(d) is 0 and every value decodes to 0 anyway.
float rt_div_rn(float a, float b) {
  const uint ia = floatBitsToUint(a), ib = floatBitsToUint(b);
  const int ea = int((ia >> 23) & 0xFFu), eb = int((ib >> 23) & 0xFFu);
  if (ea == 0 || eb == 0 || ea == 255 || eb == 255) return a / b;
  uint ma = (ia & 0x7FFFFFu) | 0x800000u;
  const uint mb = (ib & 0x7FFFFFu) | 0x800000u;
  int e = ea - eb + 127;
  if (ma < mb) {  // make ma / mb lie in [1, 2)
    ma <<= 1;
    e -= 1;
  }
  // 25 quotient bits by long division: 24 of mantissa and a round bit; the remainder is sticky.
  uint q = 0u, r = ma;
  for (int i = 0; i < 25; ++i) {
    q <<= 1;
    if (r >= mb) {
      r -= mb;
      q |= 1u;
    }
    r <<= 1;
  }
  const uint round_bit = q & 1u;
  q >>= 1;
  if (round_bit == 1u && (r != 0u || (q & 1u) == 1u)) q += 1u;
  if (q == 0x1000000u) {
    q >>= 1;
    e += 1;
  }
  if (e <= 0 || e >= 255) return a / b;
  return uintBitsToFloat(((ia ^ ib) & 0x80000000u) | (uint(e) << 23) | (q & 0x7FFFFFu));
}

// C's roundf: halfway cases away from zero (GLSL's round() leaves them to the implementation).
// x - trunc(x) is exact.
float rt_roundf(float x) {
  const float t = trunc(x);
  return abs(x - t) >= 0.5 ? t + sign(x) : t;
}

// One block, placed `shift` bytes into blk[] (shift = the block's byte address mod 4).
uint blk[10];

void blk_clear() {
  [[unroll]] for (uint i = 0u; i < 10u; ++i) blk[i] = 0u;
}
void blk_put_u8(uint at, uint v) { blk[at >> 2] |= (v & 0xFFu) << ((at & 3u) << 3); }
void blk_put_u16(uint at, uint v) {
  blk_put_u8(at, v);
  blk_put_u8(at + 1u, v >> 8);
}

// x: the block's 32 values. Fills blk from byte `shift`.
void quantize_q8_0(const float x[32], uint shift) {
  float amax = 0.0;
  for (uint j = 0u; j < 32u; ++j) amax = max(amax, abs(x[j]));
  const float d = amax == 0.0 ? 0.0 : rt_div_rn(amax, 127.0);
  const float id = d != 0.0 ? rt_div_rn(1.0, d) : 0.0;
  blk_put_u16(shift, rt_f32_to_f16(d));
  for (uint j = 0u; j < 32u; ++j) {
    precise float x0 = x[j] * id;
    blk_put_u8(shift + 2u + j, uint(int(rt_roundf(x0))));
  }
}

void quantize_q4_0(const float x[32], uint shift) {
  float amax = 0.0, mx = 0.0;
  for (uint j = 0u; j < 32u; ++j)
    if (amax < abs(x[j])) {
      amax = abs(x[j]);
      mx = x[j];
    }
  const float d = mx * -0.125;  // exactly max / -8 (a power of two)
  const float id = d != 0.0 ? rt_div_rn(1.0, d) : 0.0;
  blk_put_u16(shift, rt_f32_to_f16(d));
  for (uint j = 0u; j < 16u; ++j) {
    precise float x0 = x[j] * id;
    precise float x1 = x[16u + j] * id;
    precise float y0 = x0 + 8.5;
    precise float y1 = x1 + 8.5;
    const uint q0 = uint(min(15, int(y0)));
    const uint q1 = uint(min(15, int(y1)));
    blk_put_u8(shift + 2u + j, q0 | (q1 << 4));
  }
}

#endif
