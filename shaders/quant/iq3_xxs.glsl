// IQ3_XXS: 256 elements in 98 bytes {d f16, qs[64] grid indices, 8 x u32 w}: group l of sub-block
// ib is entries qs[8ib + 2l], qs[8ib + 2l + 1] of the 256-entry grid (4 values each) with sign
// byte ksigns((w >> 7l) & 127); scale d * (0.5 + (w >> 28)) * 0.5. Blocks are 2-byte aligned.
const uint BLOCK_BYTES = 98u;
#include "quant/iq_grid.glsl"

void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc) {
  const uvec2 idx = uvec2(load_u32(src, bb + 2u + 8u * ib), load_u32(src, bb + 6u + 8u * ib));
  const uint w = load_u32(src, bb + 66u + 4u * ib);
  precise const float db = load_f16(src, bb) * (0.5 + float(w >> 28)) * 0.5;
  sc = vec2(db);
  [[unroll]] for (uint l = 0u; l < 4u; ++l) {
    const uint signs = iq_ksigns((w >> (7u * l)) & 127u), iw = idx[l >> 1], k = 2u * (l & 1u);
    q[2u * l] = iq_signed4(iq_tables[IQ3XXS_GRID_AT + byte_of(iw, k)], signs);
    q[2u * l + 1u] = iq_signed4(iq_tables[IQ3XXS_GRID_AT + byte_of(iw, k + 1u)], signs >> 4);
  }
}
