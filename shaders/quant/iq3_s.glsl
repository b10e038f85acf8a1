// IQ3_S: 256 elements in 110 bytes {d f16, qs[64], qh[8], signs[32], scales[4]}: group l of
// sub-block ib is entries qs[8ib + 2l + h] | (bit 2l + h of qh[ib]) << 8 (h = 0, 1) of the
// 512-entry grid, 4 values each, with sign byte signs[4ib + l]; scale d * (1 + 2 * nibble ib of
// scales). Blocks are 2-byte aligned.
const uint BLOCK_BYTES = 110u;
#include "quant/iq_grid.glsl"

void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc) {
  const uvec2 idx = uvec2(load_u32(src, bb + 2u + 8u * ib), load_u32(src, bb + 6u + 8u * ib));
  const uint qh = load_u8(src, bb + 66u + ib), signs = load_u32(src, bb + 74u + 4u * ib);
  const uint nib = (load_u8(src, bb + 106u + (ib >> 1)) >> (4u * (ib & 1u))) & 0xFu;
  precise const float db = load_f16(src, bb) * float(1u + 2u * nib);
  sc = vec2(db);
  [[unroll]] for (uint l = 0u; l < 4u; ++l) {
    const uint sg = byte_of(signs, l), iw = idx[l >> 1];
    [[unroll]] for (uint h = 0u; h < 2u; ++h) {
      const uint k = 2u * l + h;
      const uint e = byte_of(iw, k & 3u) | (((qh >> k) & 1u) << 8);
      q[k] = iq_signed4(iq_tables[IQ3S_GRID_AT + e], sg >> (4u * h));
    }
  }
}
