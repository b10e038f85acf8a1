// Q3_K: super-blocks of 256 elements in 110 bytes {hmask[32], qs[64], scales[12], d f16}: 16
// sub-blocks of 16, value = d * (sc - 32) * (q - (hmask bit ? 0 : 4)), 2-bit q laid out as Q2_K's
// (bits 2s of byte l of qs run 32hf: element 128hf + 32s + l) and its high bit in bit 4hf + s of
// hmask[l]; sixteen 6-bit scales, low 4 bits in scales[0..8) (two per byte), high 2 bits in
// scales[8..12). A unit is 8 consecutive l at all four shifts, as Q2_K. Blocks are 2-byte aligned.
const uint QK = 256u;
const uint BLOCK_BYTES = 110u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK * 8u; }
uint unit_elem(uint u, uint i) {
  return 256u * (u >> 3) + 128u * ((u >> 2) & 1u) + 32u * (i >> 3) + 8u * (u & 3u) + (i & 7u);
}

// Scale j (0..15) minus 32, from the 12 scale bytes as three words.
int q3_scale(uvec3 sw, uint j) {
  const uint lo = (((j & 7u) < 4u ? sw.x : sw.y) >> (8u * (j & 3u) + 4u * (j >> 3))) & 0xFu;
  const uint hi = (sw.z >> (8u * (j & 3u) + 2u * (j >> 2))) & 3u;
  return int(lo | (hi << 4)) - 32;
}

uvec3 q3_scale_words(uint src, uint bb) {
  return uvec3(load_u32(src, bb + 96u), load_u32(src, bb + 100u), load_u32(src, bb + 104u));
}

// The four signed 3-bit codes of shift s in word w of qs and word m of hmask (bit 4hf + s).
vec4 q3_codes(uint w, uint m, uint s, uint hbit) {
  const uvec4 lo = (uvec4(w >> (2u * s)) >> uvec4(0u, 8u, 16u, 24u)) & 3u;
  const uvec4 hi = (uvec4(m >> hbit) >> uvec4(0u, 8u, 16u, 24u)) & 1u;
  return vec4(ivec4(lo) - 4 * ivec4(1u - hi));
}

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint hf = (u >> 2) & 1u, lr = u & 3u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uvec3 sw = q3_scale_words(src, bb);
  const uint qa = bb + 32u + 32u * hf + 8u * lr, ha = bb + 8u * lr;
  const uvec2 q = uvec2(load_u32(src, qa), load_u32(src, qa + 4u));
  const uvec2 m = uvec2(load_u32(src, ha), load_u32(src, ha + 4u));
  const uint e0 = xb + unit_elem(u, 0u);
  float s = 0.0;
  [[unroll]] for (uint g = 0u; g < 4u; ++g) {
    vec4 a = vec4(0.0);
    [[unroll]] for (uint j = 0u; j < 2u; ++j) a += q3_codes(q[j], m[j], g, 4u * hf + g) * xload4(e0 + 32u * g + 4u * j);
    s += float(q3_scale(sw, 8u * hf + 2u * g + (lr >> 1))) * dot(a, vec4(1.0));
  }
  return load_f16(src, bb + 108u) * s;
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) {
  const uint hf = (u >> 2) & 1u, lr = u & 3u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uvec3 sw = q3_scale_words(src, bb);
  const uint qa = bb + 32u + 32u * hf + 8u * lr, ha = bb + 8u * lr;
  const float d = load_f16(src, bb + 108u);
  [[unroll]] for (uint g = 0u; g < 4u; ++g) {
    precise const float dl = d * float(q3_scale(sw, 8u * hf + 2u * g + (lr >> 1)));
    [[unroll]] for (uint j = 0u; j < 2u; ++j) {
      const vec4 c = q3_codes(load_u32(src, qa + 4u * j), load_u32(src, ha + 4u * j), g, 4u * hf + g);
      [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        precise const float t = dl * c[k];
        v[8u * g + 4u * j + k] = t;
      }
    }
  }
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint sub = c & 7u, hf = sub >> 2, g = sub & 3u;
  const uint bb = row + (c >> 3) * BLOCK_BYTES;
  const uvec3 sw = q3_scale_words(src, bb);
  const float d = load_f16(src, bb + 108u);
  precise const float dl0 = d * float(q3_scale(sw, 8u * hf + 2u * g));
  precise const float dl1 = d * float(q3_scale(sw, 8u * hf + 2u * g + 1u));
  const uint qa = bb + 32u + 32u * hf;
  [[unroll]] for (uint j = 0u; j < 8u; ++j) {
    const vec4 cd = q3_codes(load_u32(src, qa + 4u * j), load_u32(src, bb + 4u * j), g, 4u * hf + g);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      precise const float t = (j < 4u ? dl0 : dl1) * cd[k];
      v[4u * j + k] = t;
    }
  }
}
