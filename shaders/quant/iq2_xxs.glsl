// IQ2_XXS: 256 elements in 66 bytes {d f16, 8 x (4 grid indices, u32 w)}: group l of sub-block ib
// is entry idx[l] of the 256-entry grid with sign byte ksigns((w >> 7l) & 127); scale
// d * (0.5 + (w >> 28)) * 0.25 (loader/quant/dequantize_iq.cpp). Blocks are 2-byte aligned.
const uint BLOCK_BYTES = 66u;
#include "quant/iq_grid.glsl"

void iq_values(uint src, uint bb, uint ib, out vec4 q[8], out vec2 sc) {
  const uint idx = load_u32(src, bb + 2u + 8u * ib), w = load_u32(src, bb + 6u + 8u * ib);
  precise const float db = load_f16(src, bb) * (0.5 + float(w >> 28)) * 0.25;
  sc = vec2(db);
  [[unroll]] for (uint l = 0u; l < 4u; ++l)
    iq_put8(IQ2XXS_GRID_AT, byte_of(idx, l), iq_ksigns((w >> (7u * l)) & 127u), l, q);
}
