// IQ1_S: 256 elements in 50 bytes {d f16, qs[32], qh u16[8]}: group l of sub-block ib is entry
// qs[4ib + l] | ((qh[ib] >> 3l) & 7) << 8 of the signed grid, plus delta = +-1/8 (bit 15 of
// qh[ib]); scale d * (2 * ((qh[ib] >> 12) & 7) + 1). Blocks are 2-byte aligned.
const uint BLOCK_BYTES = 50u;
#include "quant/iq_grid.glsl"
#include "quant/iq1_grid.glsl"

void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc) {
  const uint lo = load_u32(src, bb + 2u + 4u * ib), qh = load_u16(src, bb + 34u + 2u * ib);
  precise const float dl = load_f16(src, bb) * float(2u * ((qh >> 12) & 7u) + 1u);
  sc = vec2(dl);
  const float delta = (qh & 0x8000u) != 0u ? -0.125 : 0.125;
  [[unroll]] for (uint l = 0u; l < 4u; ++l) iq1_put8(byte_of(lo, l) | (((qh >> (3u * l)) & 7u) << 8), delta, l, q);
}
