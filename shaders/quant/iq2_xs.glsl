// IQ2_XS: 256 elements in 74 bytes {d f16, qs u16[32], scales[8]}: group l of sub-block ib is
// entry qs & 511 of the 512-entry grid with sign byte ksigns(qs >> 9); the two halves scale by
// d * (0.5 + nibble) * 0.25 (low nibble of scales[ib] first). Blocks are 2-byte aligned.
const uint BLOCK_BYTES = 74u;
#include "quant/iq_grid.glsl"

void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc) {
  const uvec2 qs = uvec2(load_u32(src, bb + 2u + 8u * ib), load_u32(src, bb + 6u + 8u * ib));
  const uint s = load_u8(src, bb + 66u + ib);
  const float d = load_f16(src, bb);
  precise const float d0 = d * (0.5 + float(s & 0xFu)) * 0.25, d1 = d * (0.5 + float(s >> 4)) * 0.25;
  sc = vec2(d0, d1);
  [[unroll]] for (uint l = 0u; l < 4u; ++l) {
    const uint v = (qs[l >> 1] >> (16u * (l & 1u))) & 0xFFFFu;
    iq_put8(IQ2XS_GRID_AT, v & 511u, iq_ksigns(v >> 9), l, q);
  }
}
