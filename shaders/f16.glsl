// IEEE half conversions for caches stored as packed halves (two per 32-bit word), without
// 16-bit storage or float16 arithmetic. The way down is integer code, round to nearest even,
// bit-identical with ggml's fp32 -> fp16 (and loader/quant/half.h): packHalf2x16's rounding is
// implementation-defined in Vulkan, so it cannot be used where the result must be exact.
#ifndef ROTARY_F16_GLSL
#define ROTARY_F16_GLSL

uint rt_f32_to_f16(float f) {
  const uint x = floatBitsToUint(f);
  const uint sign = (x >> 16) & 0x8000u;
  const uint a = x & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return sign | 0x7E00u;   // NaN
  if (a >= 0x477FF000u) return sign | 0x7C00u;  // rounds past 65504: infinity
  if (a < 0x38800000u) {                         // subnormal or zero in half
    if (a < 0x33000000u) return sign;
    const uint e = a >> 23;
    const uint m = (a & 0x7FFFFFu) | 0x800000u;
    const uint shift = 126u - e;
    uint h = m >> shift;
    const uint rem = m & ((1u << shift) - 1u);
    const uint mid = 1u << (shift - 1u);
    if (rem > mid || (rem == mid && (h & 1u) != 0u)) ++h;
    return sign | h;
  }
  uint h = (a >> 13) - (112u << 10);
  const uint rem = a & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u) != 0u)) ++h;  // may carry into the exponent
  return sign | h;
}

// Two floats as one word: `lo` in bits 0-15 (the lower address), `hi` in bits 16-31.
uint rt_pack_f16x2(float lo, float hi) { return rt_f32_to_f16(lo) | (rt_f32_to_f16(hi) << 16); }

// The way up is exact; unpackHalf2x16 is exact for every half value.
vec2 rt_unpack_f16x2(uint w) { return unpackHalf2x16(w); }

#endif
