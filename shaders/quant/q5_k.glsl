// Q5_K: super-blocks of 256 elements in 176 bytes {d f16, dmin f16, scales[12], qh[32], qs[128]}:
// as Q4_K, plus a fifth bit per element: bit 2p of qh[l] for element 64p + l, bit 2p + 1 for
// element 64p + 32 + l. A unit is 16 bytes of a qs run with the matching 16 bytes of qh.
#include "quant/k_scales.glsl"

const uint QK = 256u;
const uint BLOCK_BYTES = 176u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK * 8u; }
uint unit_elem(uint u, uint i) {
  return 256u * (u >> 3) + 64u * ((u >> 1) & 3u) + 16u * (u & 1u) + (i & 15u) + (i >= 16u ? 32u : 0u);
}

// The two 5-bit values of byte k of a qs word and its qh word (bits 2p, 2p + 1).
uvec2 q5_pair(uint w, uint h, uint k, uint p) {
  const uint b = byte_of(w, k), hb = byte_of(h, k) >> (2u * p);
  return uvec2((b & 0xFu) | ((hb & 1u) << 4), (b >> 4) | ((hb & 2u) << 3));
}

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint p = (u >> 1) & 3u, half_ = u & 1u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uvec4 head = load_u32x4(src, bb);  // d, dmin | scales[12]
  const vec2 dm = unpackHalf2x16(head.x);
  const uvec2 lo = k_scale_min(head.yzw, 2u * p), hi = k_scale_min(head.yzw, 2u * p + 1u);
  const uvec4 q = load_u32x4(src, bb + 48u + 32u * p + 16u * half_);
  const uvec4 qh = load_u32x4(src, bb + 16u + 16u * half_) >> (2u * p);  // bit 0: low nibble's, bit 1: high's
  const uint e0 = xb + unit_elem(u, 0u);
  vec4 s_lo = vec4(0.0), s_hi = vec4(0.0), x_lo = vec4(0.0), x_hi = vec4(0.0);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const vec4 a = xload4(e0 + 4u * j), b = xload4(e0 + 32u + 4u * j);
    const uvec4 hb = (uvec4(qh[j]) >> uvec4(0u, 8u, 16u, 24u)) & 3u;
    s_lo += (nibbles_lo(q[j]) + vec4((hb & 1u) << 4)) * a;
    s_hi += (nibbles_hi(q[j]) + vec4((hb & 2u) << 3)) * b;
    x_lo += a;
    x_hi += b;
  }
  const vec4 one = vec4(1.0);
  return dm.x * (float(lo.x) * dot(s_lo, one) + float(hi.x) * dot(s_hi, one)) -
         dm.y * (float(lo.y) * dot(x_lo, one) + float(hi.y) * dot(x_hi, one));
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) {
  const uint p = (u >> 1) & 3u, half_ = u & 1u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const vec2 dm = unpackHalf2x16(load_u32(src, bb));
  const uvec3 sw = uvec3(load_u32(src, bb + 4u), load_u32(src, bb + 8u), load_u32(src, bb + 12u));
  const uvec2 lo = k_scale_min(sw, 2u * p), hi = k_scale_min(sw, 2u * p + 1u);
  precise const float d1 = dm.x * float(lo.x), m1 = dm.y * float(lo.y);
  precise const float d2 = dm.x * float(hi.x), m2 = dm.y * float(hi.y);
  const uint q0 = bb + 48u + 32u * p + 16u * half_, h0 = bb + 16u + 16u * half_;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, q0 + 4u * j), h = load_u32(src, h0 + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uvec2 q = q5_pair(w, h, k, p);
      precise const float a = d1 * float(q.x) - m1;
      precise const float b = d2 * float(q.y) - m2;
      v[4u * j + k] = a;
      v[16u + 4u * j + k] = b;
    }
  }
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint sub = c & 7u;
  const uint bb = row + (c >> 3) * BLOCK_BYTES;
  const vec2 dm = unpackHalf2x16(load_u32(src, bb));
  const uvec3 sw = uvec3(load_u32(src, bb + 4u), load_u32(src, bb + 8u), load_u32(src, bb + 12u));
  const uvec2 sm = k_scale_min(sw, sub);
  precise const float d1 = dm.x * float(sm.x), m1 = dm.y * float(sm.y);
  const uint q0 = bb + 48u + 32u * (sub >> 1), h0 = bb + 16u;
  const uint shift = 4u * (sub & 1u);
  [[unroll]] for (uint j = 0u; j < 8u; ++j) {
    const uint w = load_u32(src, q0 + 4u * j), h = load_u32(src, h0 + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint q = ((w >> (8u * k + shift)) & 0xFu) | (((h >> (8u * k + sub)) & 1u) << 4);
      precise const float a = d1 * float(q) - m1;
      v[4u * j + k] = a;
    }
  }
}

#if MATVEC_DOT
// As Q4_K's unit_dot_q8 with the fifth bits: bit 0 of each qh byte (shifted by 2p) tops the low
// nibble, bit 1 the high one; values 0..31 as signed bytes.
float unit_dot_q8(uint src, uint row, uint u, uint xb) {
  const uint p = (u >> 1) & 3u, h = u & 1u;
  const uint bb = row + (u >> 3) * BLOCK_BYTES;
  const uvec4 head = load_u32x4(src, bb);
  const vec2 dm = unpackHalf2x16(head.x);
  const uvec2 lo = k_scale_min(head.yzw, 2u * p), hi = k_scale_min(head.yzw, 2u * p + 1u);
  const uvec4 q = load_u32x4(src, bb + 48u + 32u * p + 16u * h);
  const uvec4 qh = load_u32x4(src, bb + 16u + 16u * h) >> (2u * p);
  const uint blo = 8u * (u >> 3) + 2u * p, bhi = blo + 1u;
  int s_lo = 0, s_hi = 0, x_lo = 0, x_hi = 0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint a = xq_word(xb, blo, 4u * h + j), b = xq_word(xb, bhi, 4u * h + j);
    s_lo += dot4x8((q[j] & 0x0F0F0F0Fu) | ((qh[j] & 0x01010101u) << 4), a);
    s_hi += dot4x8(((q[j] >> 4) & 0x0F0F0F0Fu) | ((qh[j] & 0x02020202u) << 3), b);
    x_lo += sum4x8(a);
    x_hi += sum4x8(b);
  }
  const float d_lo = xq_ds(xb, blo).x, d_hi = xq_ds(xb, bhi).x;
  return dm.x * (float(lo.x) * d_lo * float(s_lo) + float(hi.x) * d_hi * float(s_hi)) -
         dm.y * (float(lo.y) * d_lo * float(x_lo) + float(hi.y) * d_hi * float(x_hi));
}
#endif
