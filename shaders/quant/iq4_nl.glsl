// IQ4_NL: blocks of 32 elements in 18 bytes {d f16, qs[16]}; nibble order as Q4_0; value =
// d * kIQ4NL[nibble] (the codebook of IQ4_XS, iq4nl.glsl). A unit is one block. Blocks are 2-byte
// aligned.
#include "quant/iq4nl.glsl"

const uint QK = 32u;
const uint BLOCK_BYTES = 18u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + u * BLOCK_BYTES;
  return load_f16(src, bb) * iq4nl_dot32(load_u32x4(src, bb + 2u), xb + 32u * u);
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint bb = row + c * BLOCK_BYTES;
  iq4nl_decode32(src, bb + 2u, load_f16(src, bb), v);
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }
