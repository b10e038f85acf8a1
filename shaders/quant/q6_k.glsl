// Q6_K: super-blocks of 256 elements in 210 bytes {ql[128], qh[64], scales[16] int8, d f16}: 16
// sub-blocks of 16, value = d * sc * (q - 32), q = 4 bits of ql | 2 bits of qh. In half hf
// (128 elements), byte l < 32 of ql run 64hf, of ql run 64hf + 32 and of qh run 32hf give the
// elements 128hf + l (+0, +32, +64, +96). A unit is 8 consecutive l: 2 words of each of the three
// runs, 32 elements with 4 scales. Blocks are 2-byte aligned.
const uint QK = 256u;
const uint BLOCK_BYTES = 210u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK * 8u; }
// Value i = 8g + k of unit u is group g (the +32g offset) at l = 8 * (u & 3) + k.
uint unit_elem(uint u, uint i) {
  return 256u * (u >> 3) + 128u * ((u >> 2) & 1u) + 32u * (i >> 3) + 8u * (u & 3u) + (i & 7u);
}

// The 6-bit value of group g (0..3) from byte k of a ql word of run +0 (a) or +32 (b) and a qh word.
int q6_value(uint a, uint b, uint h, uint k, uint g) {
  const uint l4 = (((g & 1u) != 0u ? b : a) >> (8u * k + 4u * (g >> 1))) & 0xFu;
  const uint h2 = (h >> (8u * k + 2u * g)) & 3u;
  return int(l4 | (h2 << 4)) - 32;
}

// Scale of group g for a unit at l = 8 * lr in half hf: scales[8hf + lr / 2 + 2g], from the two
// words holding scales[8hf .. 8hf + 8).
int q6_scale(uvec2 sw, uint lr, uint g) { return sbyte_of(g < 2u ? sw.x : sw.y, (lr >> 1) + 2u * (g & 1u)); }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint hf = (u >> 2) & 1u, lr = u & 3u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uint la = bb + 64u * hf + 8u * lr, hq = bb + 128u + 32u * hf + 8u * lr;
  const uvec2 sw = uvec2(load_u32(src, bb + 192u + 8u * hf), load_u32(src, bb + 196u + 8u * hf));
  const uint e0 = xb + unit_elem(u, 0u);
  const uvec2 qa = uvec2(load_u32(src, la), load_u32(src, la + 4u));
  const uvec2 qb = uvec2(load_u32(src, la + 32u), load_u32(src, la + 36u));
  const uvec2 qh = uvec2(load_u32(src, hq), load_u32(src, hq + 4u));
  float s = 0.0;
  [[unroll]] for (uint g = 0u; g < 4u; ++g) {
    vec4 sg = vec4(0.0);
    [[unroll]] for (uint j = 0u; j < 2u; ++j) {
      const uint l4 = ((g & 1u) != 0u ? qb[j] : qa[j]) >> (4u * (g >> 1));
      const uvec4 q = ((uvec4(l4) >> uvec4(0u, 8u, 16u, 24u)) & 0xFu) |
                      (((uvec4(qh[j] >> (2u * g)) >> uvec4(0u, 8u, 16u, 24u)) & 3u) << 4);
      sg += (vec4(q) - 32.0) * xload4(e0 + 32u * g + 4u * j);
    }
    s += float(q6_scale(sw, lr, g)) * dot(sg, vec4(1.0));
  }
  return load_f16(src, bb + 208u) * s;
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) {
  const uint hf = (u >> 2) & 1u, lr = u & 3u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uint la = bb + 64u * hf + 8u * lr, hq = bb + 128u + 32u * hf + 8u * lr;
  const uvec2 sw = uvec2(load_u32(src, bb + 192u + 8u * hf), load_u32(src, bb + 196u + 8u * hf));
  const float d = load_f16(src, bb + 208u);
  [[unroll]] for (uint j = 0u; j < 2u; ++j) {
    const uint a = load_u32(src, la + 4u * j), b = load_u32(src, la + 32u + 4u * j), h = load_u32(src, hq + 4u * j);
    [[unroll]] for (uint g = 0u; g < 4u; ++g) {
      precise const float ds = d * float(q6_scale(sw, lr, g));
      [[unroll]] for (uint k = 0u; k < 4u; ++k) {
        precise const float t = ds * float(q6_value(a, b, h, k, g));
        v[8u * g + 4u * j + k] = t;
      }
    }
  }
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint sub = c & 7u, hf = sub >> 2, g = sub & 3u;
  const uint bb = row + (c >> 3) * BLOCK_BYTES;
  const uint la = bb + 64u * hf, hq = bb + 128u + 32u * hf;
  const uint sc = load_u16(src, bb + 192u + 8u * hf + 2u * g);  // scales for l < 16 and l >= 16
  const float d = load_f16(src, bb + 208u);
  precise const float ds0 = d * float(sbyte_of(sc, 0u)), ds1 = d * float(sbyte_of(sc, 1u));
  [[unroll]] for (uint j = 0u; j < 8u; ++j) {
    const uint a = load_u32(src, la + 4u * j), b = load_u32(src, la + 32u + 4u * j), h = load_u32(src, hq + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      precise const float t = (j < 4u ? ds0 : ds1) * float(q6_value(a, b, h, k, g));
      v[4u * j + k] = t;
    }
  }
}

#if MATVEC_DOT
// Unit u (half hf, l = 8 lr .. 8 lr + 7): group g is elements 128 hf + 32 g + 8 lr + (0..7) of
// its super-block, i.e. x block 8 sb + 4 hf + g, quant words 2 lr and 2 lr + 1. The 6-bit values
// are packed as bytes 0..63 and the offset 32 applied through the sum of the x quants.
float unit_dot_q8(uint src, uint row, uint u, uint xb) {
  const uint hf = (u >> 2) & 1u, lr = u & 3u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uint la = bb + 64u * hf + 8u * lr, hq = bb + 128u + 32u * hf + 8u * lr;
  const uvec2 sw = uvec2(load_u32(src, bb + 192u + 8u * hf), load_u32(src, bb + 196u + 8u * hf));
  const uvec2 qa = uvec2(load_u32(src, la), load_u32(src, la + 4u));
  const uvec2 qb = uvec2(load_u32(src, la + 32u), load_u32(src, la + 36u));
  const uvec2 qh = uvec2(load_u32(src, hq), load_u32(src, hq + 4u));
  const uint b0 = 8u * (u >> 3) + 4u * hf;
  float s = 0.0;
  [[unroll]] for (uint g = 0u; g < 4u; ++g) {
    int si = 0;
    [[unroll]] for (uint j = 0u; j < 2u; ++j) {
      const uint l4 = (((g & 1u) != 0u ? qb[j] : qa[j]) >> (4u * (g >> 1))) & 0x0F0F0F0Fu;
      const uint h2 = ((qh[j] >> (2u * g)) & 0x03030303u) << 4;
      const uint xw = xq_word(xb, b0 + g, 2u * lr + j);
      si += dot4x8(l4 | h2, xw) - 32 * sum4x8(xw);
    }
    s += float(q6_scale(sw, lr, g)) * xq_ds(xb, b0 + g).x * float(si);
  }
  return load_f16(src, bb + 208u) * s;
}
#endif
