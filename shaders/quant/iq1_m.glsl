// IQ1_M: 256 elements in 56 bytes {qs[32], qh[16], scales u16[4]}: group l of sub-block ib is
// entry qs[4ib + l] | (3 bits of nibble l of qh[2ib..]) << 8 of the signed grid, plus delta =
// +-1/8 (the nibble's fourth bit); the halves scale by d * (2 * s + 1), s the 3-bit fields
// 6(ib % 2) and 6(ib % 2) + 3 of scales[ib / 2]; the f16 d is the top nibbles of the four scale
// words. Blocks are 4-byte aligned whenever the row is.
const uint BLOCK_BYTES = 56u;
#include "quant/iq_grid.glsl"
#include "quant/iq1_grid.glsl"

void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc) {
  const uint lo = load_u32(src, bb + 4u * ib), qh = load_u16(src, bb + 32u + 2u * ib);
  const uint s01 = load_u32(src, bb + 48u), s23 = load_u32(src, bb + 52u);
  const uint dbits = ((s01 >> 12) & 0xFu) | ((s01 >> 24) & 0xF0u) | ((s23 >> 4) & 0xF00u) | ((s23 >> 16) & 0xF000u);
  const float d = unpackHalf2x16(dbits).x;
  const uint s = ((ib < 4u ? s01 : s23) >> (16u * ((ib >> 1) & 1u) + 6u * (ib & 1u))) & 63u;
  precise const float d0 = d * float(2u * (s & 7u) + 1u), d1 = d * float(2u * (s >> 3) + 1u);
  sc = vec2(d0, d1);
  [[unroll]] for (uint l = 0u; l < 4u; ++l) {
    const uint h = qh >> (4u * l);
    iq1_put8(byte_of(lo, l) | ((h & 7u) << 8), (h & 8u) != 0u ? -0.125 : 0.125, l, q);
  }
}
