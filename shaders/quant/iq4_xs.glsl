// IQ4_XS: super-blocks of 256 elements in 136 bytes {d f16, scales_h u16, scales_l[4], qs[128]}: 8
// sub-blocks of 32; ls = 4 bits of scales_l | 2 bits of scales_h; value = d * (ls - 32) *
// kIQ4NL[nibble]. Sub-block ib: byte j of qs[16ib..] holds element j (low nibble) and j + 16
// (high). A unit is one sub-block (16 bytes). Blocks are 8-byte aligned whenever the row is.
const uint QK = 256u;
const uint BLOCK_BYTES = 136u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK * 8u; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

// The IQ4_NL codebook {-127, -104, ..., 113} as int8 bytes, selected without a table lookup.
float iq4nl_value(uint nib) {
  const uint w = nib < 8u ? (nib < 4u ? 0xBFAD9881u : 0xF6EADDCFu) : (nib < 12u ? 0x26190D01u : 0x71594535u);
  return float(sbyte_of(w, nib & 3u));
}

// d * (ls - 32) for sub-block ib; the block's first word is {d, scales_h}.
float iq4_xs_scale(uint src, uint bb, uint ib) {
  const uint w0 = load_u32(src, bb);
  const uint sl = (load_u8(src, bb + 4u + (ib >> 1)) >> (4u * (ib & 1u))) & 0xFu;
  const uint ls = sl | (((w0 >> (16u + 2u * ib)) & 3u) << 4);
  precise const float dl = unpackHalf2x16(w0).x * float(int(ls) - 32);
  return dl;
}

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + (u >> 3) * BLOCK_BYTES, ib = u & 7u;
  const uint q0 = bb + 8u + 16u * ib;
  const uint e0 = xb + 32u * u;
  const uvec4 q = load_u32x4(src, q0);
  float s = 0.0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = q[j];
    const vec4 lo = vec4(iq4nl_value(w & 0xFu), iq4nl_value((w >> 8) & 0xFu), iq4nl_value((w >> 16) & 0xFu),
                         iq4nl_value((w >> 24) & 0xFu));
    const vec4 hi = vec4(iq4nl_value((w >> 4) & 0xFu), iq4nl_value((w >> 12) & 0xFu),
                         iq4nl_value((w >> 20) & 0xFu), iq4nl_value(w >> 28));
    s += dot(lo, xload4(e0 + 4u * j)) + dot(hi, xload4(e0 + 16u + 4u * j));
  }
  return iq4_xs_scale(src, bb, ib) * s;
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint bb = row + (c >> 3) * BLOCK_BYTES, ib = c & 7u;
  const uint q0 = bb + 8u + 16u * ib;
  const float dl = iq4_xs_scale(src, bb, ib);
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, q0 + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint b = byte_of(w, k);
      v[4u * j + k] = dl * iq4nl_value(b & 0xFu);
      v[16u + 4u * j + k] = dl * iq4nl_value(b >> 4);
    }
  }
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }
