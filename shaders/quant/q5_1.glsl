// Q5_1: blocks of 32 elements in 24 bytes {d f16, m f16, qh u32, qs[16]}; codes as Q5_0 but
// unsigned; value = q * d + m. A unit is one block. Blocks are 4-byte aligned whenever the row is.
const uint QK = 32u;
const uint BLOCK_BYTES = 24u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + u * BLOCK_BYTES;
  const uint e0 = xb + 32u * u;
  const vec2 dm = unpackHalf2x16(load_u32(src, bb));
  const uint qh = load_u32(src, bb + 4u);
  const uvec4 q = load_u32x4(src, bb + 8u);
  vec4 s = vec4(0.0), x = vec4(0.0);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uvec4 hl = (uvec4(qh >> (4u * j)) >> uvec4(0u, 1u, 2u, 3u)) & 1u;
    const uvec4 hh = (uvec4(qh >> (16u + 4u * j)) >> uvec4(0u, 1u, 2u, 3u)) & 1u;
    const vec4 a = xload4(e0 + 4u * j), b = xload4(e0 + 16u + 4u * j);
    s += (nibbles_lo(q[j]) + 16.0 * vec4(hl)) * a + (nibbles_hi(q[j]) + 16.0 * vec4(hh)) * b;
    x += a + b;
  }
  return dm.x * dot(s, vec4(1.0)) + dm.y * dot(x, vec4(1.0));
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint bb = row + c * BLOCK_BYTES;
  const vec2 dm = unpackHalf2x16(load_u32(src, bb));
  const uint qh = load_u32(src, bb + 4u);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, bb + 8u + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint e = 4u * j + k, b = byte_of(w, k);
      const uint lo = (b & 0xFu) | (((qh >> e) & 1u) << 4), hi = (b >> 4) | (((qh >> (e + 16u)) & 1u) << 4);
      precise const float a = float(lo) * dm.x + dm.y;
      precise const float c2 = float(hi) * dm.x + dm.y;
      v[e] = a;
      v[16u + e] = c2;
    }
  }
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }
