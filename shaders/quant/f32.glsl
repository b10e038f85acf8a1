// F32 rows: a unit is 4 consecutive elements (16 bytes). Rows of any length.
const uint UNIT_ELEMS = 4u;

uint row_units(uint cols) { return (cols + 3u) / 4u; }
uint unit_elem(uint u, uint i) { return 4u * u + i; }

float f32_at(uint src, uint row, uint e) { return uintBitsToFloat(load_u32(src, row + 4u * e)); }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint e0 = 4u * u;
  if (e0 + 4u <= cols) return dot(uintBitsToFloat(load_u32x4(src, row + 16u * u)), xload4(xb + e0));
  float s = 0.0;
  for (uint e = e0; e < cols; ++e) s += f32_at(src, row, e) * xload(xb + e);
  return s;
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) {
  [[unroll]] for (uint i = 0u; i < 4u; ++i) v[i] = 4u * u + i < cols ? f32_at(src, row, 4u * u + i) : 0.0;
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint e0 = 32u * c;
  if (e0 + 32u <= cols) {
    [[unroll]] for (uint j = 0u; j < 8u; ++j) {
      const vec4 w = uintBitsToFloat(load_u32x4(src, row + 4u * e0 + 16u * j));
      [[unroll]] for (uint k = 0u; k < 4u; ++k) v[4u * j + k] = w[k];
    }
  } else {
    [[unroll]] for (uint i = 0u; i < 32u; ++i) v[i] = e0 + i < cols ? f32_at(src, row, e0 + i) : 0.0;
  }
}
