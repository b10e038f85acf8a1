// F16 rows: a unit is 8 consecutive elements (16 bytes). Rows of any length; a row may start at
// any even byte.
const uint UNIT_ELEMS = 8u;

uint row_units(uint cols) { return (cols + 7u) / 8u; }
uint unit_elem(uint u, uint i) { return 8u * u + i; }

vec4 halves4(uint a, uint b) { return vec4(unpackHalf2x16(a), unpackHalf2x16(b)); }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint e0 = 8u * u;
  if (e0 + 8u <= cols) {
    const uvec4 w = load_u32x4(src, row + 2u * e0);
    return dot(halves4(w.x, w.y), xload4(xb + e0)) + dot(halves4(w.z, w.w), xload4(xb + e0 + 4u));
  }
  float s = 0.0;
  for (uint e = e0; e < cols; ++e) s += load_f16(src, row + 2u * e) * xload(xb + e);
  return s;
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) {
  [[unroll]] for (uint i = 0u; i < 8u; ++i) v[i] = 8u * u + i < cols ? load_f16(src, row + 2u * (8u * u + i)) : 0.0;
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint e0 = 32u * c;
  if (e0 + 32u <= cols) {
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
      const uvec4 w = load_u32x4(src, row + 2u * e0 + 16u * j);
      const vec4 a = halves4(w.x, w.y), b = halves4(w.z, w.w);
      [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        v[8u * j + k] = a[k];
        v[8u * j + 4u + k] = b[k];
      }
    }
  } else {
    [[unroll]] for (uint i = 0u; i < 32u; ++i) v[i] = e0 + i < cols ? load_f16(src, row + 2u * (e0 + i)) : 0.0;
  }
}
