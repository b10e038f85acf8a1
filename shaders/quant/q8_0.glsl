// Q8_0: blocks of 32 elements in 34 bytes {d f16, qs[32] int8}; value = qs[j] * d. A unit is half
// a block (16 elements, 16 bytes of qs). Blocks are 2-byte aligned.
const uint QK = 32u;
const uint BLOCK_BYTES = 34u;
const uint UNIT_ELEMS = 16u;

uint row_units(uint cols) { return cols / QK * 2u; }
uint unit_elem(uint u, uint i) { return 16u * u + i; }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + (u >> 1) * BLOCK_BYTES;
  const uint q0 = bb + 2u + 16u * (u & 1u);
  const uint e0 = xb + 16u * u;
  const uvec4 q = load_u32x4(src, q0);
  float s = 0.0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) s += dot(bytes_s8(q[j]), xload4(e0 + 4u * j));
  return s * load_f16(src, bb);
}

void q8_0_values(uint src, uint bb, uint first, uint words, out float v[32]) {
  const float d = load_f16(src, bb);
  for (uint j = 0u; j < words; ++j) {
    const uint w = load_u32(src, bb + 2u + first + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) v[4u * j + k] = float(sbyte_of(w, k)) * d;
  }
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) {
  float t[32];
  q8_0_values(src, row + (u >> 1) * BLOCK_BYTES, 16u * (u & 1u), 4u, t);
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = t[i];
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  q8_0_values(src, row + c * BLOCK_BYTES, 0u, 8u, v);
}

#if MATVEC_DOT
// Unit u is half h = u & 1 of block u >> 1: x quant words 4h .. 4h + 3 of that block.
float unit_dot_q8(uint src, uint row, uint u, uint xb) {
  const uint b = u >> 1, h = u & 1u;
  const uint bb = row + b * BLOCK_BYTES;
  const uvec4 q = load_u32x4(src, bb + 2u + 16u * h);
  int s = 0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) s += dot4x8(q[j], xq_word(xb, b, 4u * h + j));
  return load_f16(src, bb) * xq_ds(xb, b).x * float(s);
}
#endif
