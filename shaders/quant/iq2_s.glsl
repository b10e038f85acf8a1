// IQ2_S: 256 elements in 82 bytes {d f16, qs[32], signs[32], qh[8], scales[8]}: group l of
// sub-block ib is entry qs[4ib + l] | ((qh[ib] >> 2l) & 3) << 8 of the 1024-entry grid with sign
// byte signs[4ib + l]; the halves scale as IQ2_XS. Blocks are 2-byte aligned.
const uint BLOCK_BYTES = 82u;
#include "quant/iq_grid.glsl"

void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc) {
  const uint lo = load_u32(src, bb + 2u + 4u * ib), signs = load_u32(src, bb + 34u + 4u * ib);
  const uint qh = load_u8(src, bb + 66u + ib), s = load_u8(src, bb + 74u + ib);
  const float d = load_f16(src, bb);
  precise const float d0 = d * (0.5 + float(s & 0xFu)) * 0.25, d1 = d * (0.5 + float(s >> 4)) * 0.25;
  sc = vec2(d0, d1);
  [[unroll]] for (uint l = 0u; l < 4u; ++l)
    iq_put8(IQ2S_GRID_AT, byte_of(lo, l) | (((qh >> (2u * l)) & 3u) << 8), byte_of(signs, l), l, q);
}
