// Q2_K: super-blocks of 256 elements in 84 bytes {scales[16], qs[64], d f16, dmin f16}: 16
// sub-blocks of 16, value = d * (sc & 15) * q - dmin * (sc >> 4), 2-bit q. In half hf (128
// elements), bits 2s of byte l < 32 of qs run 32hf give element 128hf + 32s + l, with scale
// 8hf + 2s + l / 16. A unit is 8 consecutive l (2 words of qs) at all four shifts: 32 elements
// with 4 scales, as Q6_K. Blocks are 4-byte aligned whenever the row is.
const uint QK = 256u;
const uint BLOCK_BYTES = 84u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK * 8u; }
// Value i = 8s + k of unit u is shift s at l = 8 * (u & 3) + k.
uint unit_elem(uint u, uint i) {
  return 256u * (u >> 3) + 128u * ((u >> 2) & 1u) + 32u * (i >> 3) + 8u * (u & 3u) + (i & 7u);
}

// The scale byte of shift s for a unit at l = 8 * lr, from the two words holding scales[8hf ..).
uint q2_scale(uvec2 sw, uint lr, uint s) { return byte_of(s < 2u ? sw.x : sw.y, 2u * (s & 1u) + (lr >> 1)); }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint hf = (u >> 2) & 1u, lr = u & 3u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uvec2 sw = uvec2(load_u32(src, bb + 8u * hf), load_u32(src, bb + 8u * hf + 4u));
  const uint qa = bb + 16u + 32u * hf + 8u * lr;
  const uvec2 q = uvec2(load_u32(src, qa), load_u32(src, qa + 4u));
  const vec2 dm = unpackHalf2x16(load_u32(src, bb + 80u));
  const uint e0 = xb + unit_elem(u, 0u);
  float sq = 0.0, sx = 0.0;
  [[unroll]] for (uint s = 0u; s < 4u; ++s) {
    vec4 a = vec4(0.0), b = vec4(0.0);
    [[unroll]] for (uint j = 0u; j < 2u; ++j) {
      const vec4 x = xload4(e0 + 32u * s + 4u * j);
      a += vec4((uvec4(q[j] >> (2u * s)) >> uvec4(0u, 8u, 16u, 24u)) & 3u) * x;
      b += x;
    }
    const uint sc = q2_scale(sw, lr, s);
    sq += float(sc & 0xFu) * dot(a, vec4(1.0));
    sx += float(sc >> 4) * dot(b, vec4(1.0));
  }
  return dm.x * sq - dm.y * sx;
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) {
  const uint hf = (u >> 2) & 1u, lr = u & 3u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uvec2 sw = uvec2(load_u32(src, bb + 8u * hf), load_u32(src, bb + 8u * hf + 4u));
  const uint qa = bb + 16u + 32u * hf + 8u * lr;
  const vec2 dm = unpackHalf2x16(load_u32(src, bb + 80u));
  [[unroll]] for (uint s = 0u; s < 4u; ++s) {
    const uint sc = q2_scale(sw, lr, s);
    precise const float dl = dm.x * float(sc & 0xFu), ml = dm.y * float(sc >> 4);
    [[unroll]] for (uint j = 0u; j < 2u; ++j) {
      const uint w = load_u32(src, qa + 4u * j);
      [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        precise const float t = dl * float((w >> (8u * k + 2u * s)) & 3u) - ml;
        v[8u * s + 4u * j + k] = t;
      }
    }
  }
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint sub = c & 7u, hf = sub >> 2, s = sub & 3u;
  const uint bb = row + (c >> 3) * BLOCK_BYTES;
  const uint sc2 = load_u16(src, bb + 8u * hf + 2u * s);  // scales for l < 16 and l >= 16
  const vec2 dm = unpackHalf2x16(load_u32(src, bb + 80u));
  precise const float dl0 = dm.x * float(sc2 & 0xFu), ml0 = dm.y * float((sc2 >> 4) & 0xFu);
  precise const float dl1 = dm.x * float((sc2 >> 8) & 0xFu), ml1 = dm.y * float(sc2 >> 12);
  const uint qa = bb + 16u + 32u * hf;
  [[unroll]] for (uint j = 0u; j < 8u; ++j) {
    const uint w = load_u32(src, qa + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      precise const float t = (j < 4u ? dl0 : dl1) * float((w >> (8u * k + 2u * s)) & 3u) - (j < 4u ? ml0 : ml1);
      v[4u * j + k] = t;
    }
  }
}
