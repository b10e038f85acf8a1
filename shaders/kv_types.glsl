// KV cache element types (runtime/ops/kv_view.h; the numbers are ops::KvType's) and reading four
// consecutive values of a cache bound as uint words. A kernel that reads a cache defines
//   uint kv_word(bool values, uint word);   // word `word` of the K (false) or V (true) binding
// before including this file with READ_KV defined.
#ifndef ROTARY_KV_TYPES_GLSL
#define ROTARY_KV_TYPES_GLSL

#define KV_F32 0
#define KV_F16 1
#define KV_Q8_0 2
#define KV_Q4_0 3

#ifdef KV_TYPE
#if KV_TYPE == KV_Q8_0
const uint KV_BLOCK_ELEMS = 32u;
const uint KV_BLOCK_BYTES = 34u;
#elif KV_TYPE == KV_Q4_0
const uint KV_BLOCK_ELEMS = 32u;
const uint KV_BLOCK_BYTES = 18u;
#endif
#endif

#ifdef READ_KV
// The 4 bytes at byte `at` (2-byte aligned at least), little-endian.
uint kv_u32(bool values, uint at) {
  const uint lo = kv_word(values, at >> 2);
  if ((at & 3u) == 0u) return lo;
  return (lo >> 16) | (kv_word(values, (at >> 2) + 1u) << 16);
}
float kv_f16(bool values, uint at) {
  const uint w = kv_word(values, at >> 2);
  return unpackHalf2x16((at & 2u) != 0u ? w >> 16 : w).x;
}

// Values e .. e+3 (e a multiple of 4) of a tensor of type `type` whose element 0 lies `base`
// bytes into the binding. Dequantised as ggml does: q * d, (q - 8) * d.
vec4 kv_load4(bool values, uint type, uint base, uint e) {
  if (type == KV_F32) {
    const uint w = base / 4u + e;
    return uintBitsToFloat(uvec4(kv_word(values, w), kv_word(values, w + 1u), kv_word(values, w + 2u),
                                 kv_word(values, w + 3u)));
  }
  if (type == KV_F16) {
    const uint w = base / 4u + e / 2u;
    return vec4(unpackHalf2x16(kv_word(values, w)), unpackHalf2x16(kv_word(values, w + 1u)));
  }
  const uint j = e & 31u;
  if (type == KV_Q8_0) {
    const uint bb = base + (e >> 5) * 34u;
    const uint w = kv_u32(values, bb + 2u + j);
    const vec4 q = vec4(ivec4(int(w << 24), int(w << 16), int(w << 8), int(w)) >> 24);
    return q * kv_f16(values, bb);
  }
  // Q4_0: element j < 16 is the low nibble of qs[j], 16 + j the high nibble.
  const uint bb = base + (e >> 5) * 18u;
  const uint w = kv_u32(values, bb + 2u + (j & 15u));
  const uvec4 n = (uvec4(w) >> (uvec4(0u, 8u, 16u, 24u) + (j >= 16u ? 4u : 0u))) & 0xFu;
  return (vec4(n) - 8.0) * kv_f16(values, bb);
}
#endif

#endif
