// Q4_1: blocks of 32 elements in 20 bytes {d f16, m f16, qs[16]}; nibble order as Q4_0; value =
// q * d + m. A unit is one block. Blocks are 4-byte aligned whenever the row is.
const uint QK = 32u;
const uint BLOCK_BYTES = 20u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + u * BLOCK_BYTES;
  const uint e0 = xb + 32u * u;
  const vec2 dm = unpackHalf2x16(load_u32(src, bb));
  const uvec4 q = load_u32x4(src, bb + 4u);
  vec4 s = vec4(0.0), x = vec4(0.0);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const vec4 a = xload4(e0 + 4u * j), b = xload4(e0 + 16u + 4u * j);
    s += nibbles_lo(q[j]) * a + nibbles_hi(q[j]) * b;
    x += a + b;
  }
  return dm.x * dot(s, vec4(1.0)) + dm.y * dot(x, vec4(1.0));
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint bb = row + c * BLOCK_BYTES;
  const vec2 dm = unpackHalf2x16(load_u32(src, bb));
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, bb + 4u + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint b = byte_of(w, k);
      precise const float lo = float(b & 0xFu) * dm.x + dm.y;
      precise const float hi = float(b >> 4) * dm.x + dm.y;
      v[4u * j + k] = lo;
      v[16u + 4u * j + k] = hi;
    }
  }
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }
