// IQ4_XS: super-blocks of 256 elements in 136 bytes {d f16, scales_h u16, scales_l[4], qs[128]}: 8
// sub-blocks of 32; ls = 4 bits of scales_l | 2 bits of scales_h; value = d * (ls - 32) *
// kIQ4NL[nibble]. Sub-block ib: byte j of qs[16ib..] holds element j (low nibble) and j + 16
// (high). A unit is one sub-block (16 bytes). Blocks are 8-byte aligned whenever the row is.
#include "quant/iq4nl.glsl"

const uint QK = 256u;
const uint BLOCK_BYTES = 136u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK * 8u; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

// d * (ls - 32) for sub-block ib; the block's first word is {d, scales_h}.
float iq4_xs_scale(uint src, uint bb, uint ib) {
  const uint w0 = load_u32(src, bb);
  const uint sl = (load_u8(src, bb + 4u + (ib >> 1)) >> (4u * (ib & 1u))) & 0xFu;
  const uint ls = sl | (((w0 >> (16u + 2u * ib)) & 3u) << 4);
  precise const float dl = unpackHalf2x16(w0).x * float(int(ls) - 32);
  return dl;
}

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + (u >> 3) * BLOCK_BYTES, ib = u & 7u;
  return iq4_xs_scale(src, bb, ib) * iq4nl_dot32(load_u32x4(src, bb + 8u + 16u * ib), xb + 32u * u);
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint bb = row + (c >> 3) * BLOCK_BYTES, ib = c & 7u;
  iq4nl_decode32(src, bb + 8u + 16u * ib, iq4_xs_scale(src, bb, ib), v);
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }
