// MXFP4: blocks of 32 elements in 17 bytes {e E8M0, qs[16]}; nibble order as Q4_0; value =
// kFP4[nibble] * 2^(e - 128), where kFP4 holds the E2M1 values doubled (integers). A unit is one
// block. Blocks start at any byte.
const uint QK = 32u;
const uint BLOCK_BYTES = 17u;
const uint UNIT_ELEMS = 32u;

uint row_units(uint cols) { return cols / QK; }
uint unit_elem(uint u, uint i) { return 32u * u + i; }

// kFP4 = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, ...}: the magnitudes packed as nibbles of one word. The
// sign is applied to the integer so that nibble 8 gives +0, as the table does.
float fp4_value(uint nib) {
  const int m = int((0xC8643210u >> (4u * (nib & 7u))) & 0xFu);
  return float((nib & 8u) != 0u ? -m : m);
}

// 2^(e - 128); e < 2 gives a float subnormal (which a device may flush to zero).
float e8m0_half(uint e) { return uintBitsToFloat(e < 2u ? (0x00200000u << e) : ((e - 1u) << 23)); }

float unit_dot(uint src, uint row, uint u, uint xb, uint cols) {
  const uint bb = row + u * BLOCK_BYTES;
  const uint e0 = xb + 32u * u;
  const uvec4 q = load_u32x4(src, bb + 1u);
  float s = 0.0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = q[j];
    const vec4 lo = vec4(fp4_value(w & 0xFu), fp4_value((w >> 8) & 0xFu), fp4_value((w >> 16) & 0xFu),
                         fp4_value((w >> 24) & 0xFu));
    const vec4 hi = vec4(fp4_value((w >> 4) & 0xFu), fp4_value((w >> 12) & 0xFu), fp4_value((w >> 20) & 0xFu),
                         fp4_value(w >> 28));
    s += dot(lo, xload4(e0 + 4u * j)) + dot(hi, xload4(e0 + 16u + 4u * j));
  }
  return s * e8m0_half(load_u8(src, bb));
}

void chunk_decode(uint src, uint row, uint c, uint cols, out float v[32]) {
  const uint bb = row + c * BLOCK_BYTES;
  const float d = e8m0_half(load_u8(src, bb));
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, bb + 1u + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint b = byte_of(w, k);
      v[4u * j + k] = fp4_value(b & 0xFu) * d;
      v[16u + 4u * j + k] = fp4_value(b >> 4) * d;
    }
  }
}

void unit_decode(uint src, uint row, uint u, uint cols, out float v[UNIT_ELEMS]) { chunk_decode(src, row, u, cols, v); }
