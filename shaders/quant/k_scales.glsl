// Q4_K and Q5_K: sub-block j's 6-bit scale (x) and min (y) from the 12 packed scale bytes, given
// as three little-endian words.
#ifndef ROTARY_QUANT_K_SCALES_GLSL
#define ROTARY_QUANT_K_SCALES_GLSL

uvec2 k_scale_min(uvec3 sw, uint j) {
  if (j < 4u) return uvec2(byte_of(sw.x, j) & 63u, byte_of(sw.y, j) & 63u);
  const uint i = j - 4u;
  return uvec2((byte_of(sw.z, i) & 0xFu) | ((byte_of(sw.x, i) >> 6) << 4),
               (byte_of(sw.z, i) >> 4) | ((byte_of(sw.y, i) >> 6) << 4));
}

#endif
