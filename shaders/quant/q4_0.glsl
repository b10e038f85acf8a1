// Q4_0: blocks of 32 elements in 18 bytes {d f16, qs[16]}; element j is the low nibble of qs[j],
// element j + 16 the high nibble; value = (q - 8) * d. A unit is one block. Blocks are 2-byte
// aligned.
const uint QK = 32u;
const uint BLOCK_BYTES = 18u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + u * BLOCK_BYTES;
  const uint e0 = xb + 32u * u;
  const uvec4 q = load_u32x4(src, bb + 2u);
  float s = 0.0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    s += dot(nibbles_lo(q[j]) - 8.0, xload4(e0 + 4u * j));
    s += dot(nibbles_hi(q[j]) - 8.0, xload4(e0 + 16u + 4u * j));
  }
  return s * load_f16(src, bb);
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint bb = row + c * BLOCK_BYTES;
  const float d = load_f16(src, bb);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, bb + 2u + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint b = byte_of(w, k);
      v[4u * j + k] = float(int(b & 0xFu) - 8) * d;
      v[16u + 4u * j + k] = float(int(b >> 4) - 8) * d;
    }
  }
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }

#if MATVEC_DOT
// x quants of block u: words j (low nibbles: elements 4j..) and 4 + j (high: 16 + 4j..).
float unit_dot_q8(uint src, uint row, uint u, uint xb) {
  const uint bb = row + u * BLOCK_BYTES;
  const uvec4 q = load_u32x4(src, bb + 2u);
  int s = 0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    s += dot4x8(q[j] & 0x0F0F0F0Fu, xq_word(xb, u, j));
    s += dot4x8((q[j] >> 4) & 0x0F0F0F0Fu, xq_word(xb, u, 4u + j));
  }
  const vec2 ds = xq_ds(xb, u);
  return load_f16(src, bb) * (ds.x * float(s) - 8.0 * ds.y);
}
#endif
