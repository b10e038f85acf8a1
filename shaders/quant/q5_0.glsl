// Q5_0: blocks of 32 elements in 22 bytes {d f16, qh u32, qs[16]}; nibble order as Q4_0, the fifth
// bit of element j is bit j of qh; value = (q - 16) * d. A unit is one block. Blocks are 2-byte
// aligned.
const uint QK = 32u;
const uint BLOCK_BYTES = 22u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

// Byte k of word j of qs (elements 4j + k and 16 + 4j + k) as the two 5-bit codes.
uvec2 q5_codes(uint w, uint qh, uint j, uint k) {
  const uint e = 4u * j + k;
  const uint b = byte_of(w, k);
  return uvec2((b & 0xFu) | (((qh >> e) & 1u) << 4), (b >> 4) | (((qh >> (e + 16u)) & 1u) << 4));
}

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + u * BLOCK_BYTES;
  const uint e0 = xb + 32u * u;
  const uint qh = load_u32(src, bb + 2u);
  float s = 0.0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, bb + 6u + 4u * j);
    const uvec4 hl = (uvec4(qh >> (4u * j)) >> uvec4(0u, 1u, 2u, 3u)) & 1u;
    const uvec4 hh = (uvec4(qh >> (16u + 4u * j)) >> uvec4(0u, 1u, 2u, 3u)) & 1u;
    s += dot(nibbles_lo(w) + 16.0 * vec4(hl) - 16.0, xload4(e0 + 4u * j));
    s += dot(nibbles_hi(w) + 16.0 * vec4(hh) - 16.0, xload4(e0 + 16u + 4u * j));
  }
  return s * load_f16(src, bb);
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint bb = row + c * BLOCK_BYTES;
  const float d = load_f16(src, bb);
  const uint qh = load_u32(src, bb + 2u);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, bb + 6u + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uvec2 q = q5_codes(w, qh, j, k);
      v[4u * j + k] = float(int(q.x) - 16) * d;
      v[16u + 4u * j + k] = float(int(q.y) - 16) * d;
    }
  }
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }
