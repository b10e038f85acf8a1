// Byte-addressed reads from weights bound as uint arrays (no 8/16-bit storage needed). Quant
// blocks may start at any byte: Q6_K rows (210 bytes), Q4_0 and Q8_0 blocks (18, 34) are only
// 2-byte aligned, MXFP4 blocks (17) are byte aligned, and a bound range's first row may start
// skip_bytes into it.
//
// The kernel defines, before including this file:
//   uint  wload(uint src, uint word);   word `word` of weight source `src` (a buffer, or a page of
//                                       an expert slot pool: src must be workgroup-uniform)
//   uvec4 wload4(uint src, uint quad);  words 4 quad .. 4 quad + 3 in one 128-bit load (the same
//                                       binding declared as uvec4[])
// A read never touches a word past the last byte it returns, so reads stay inside a binding
// whose size is the data rounded up to 4 bytes.
#ifndef ROTARY_QUANT_LOAD_GLSL
#define ROTARY_QUANT_LOAD_GLSL

#if ROTARY_STORAGE16
// The u16 variants (8/16-bit storage): the kernel also defines
//   uint wload16(uint src, uint half);  16-bit unit `half` of the source (the same binding as uint16_t[])
//   uint wload8(uint src, uint byte);   byte `byte` (as uint8_t[])
// so that data on 2-byte boundaries (Q4_0, Q8_0, Q6_K blocks) is read with two 16-bit loads and
// odd bytes with 8-bit loads instead of two words and a funnel shift.
uint load_u32(uint src, uint byte) {
  if ((byte & 3u) == 0u) return wload(src, byte >> 2);
  if ((byte & 1u) == 0u) return wload16(src, byte >> 1) | (wload16(src, (byte >> 1) + 1u) << 16);
  return wload8(src, byte) | (wload16(src, (byte + 1u) >> 1) << 8) | (wload8(src, byte + 3u) << 24);
}

uint load_u16(uint src, uint byte) {
  if ((byte & 1u) == 0u) return wload16(src, byte >> 1);
  return wload8(src, byte) | (wload8(src, byte + 1u) << 8);
}

uint load_u8(uint src, uint byte) { return wload8(src, byte); }
#else
// The 4 bytes at `byte`, little-endian.
uint load_u32(uint src, uint byte) {
  const uint i = byte >> 2;
  const uint s = (byte & 3u) << 3;
  const uint lo = wload(src, i);
  if (s == 0u) return lo;
  return (lo >> s) | (wload(src, i + 1u) << (32u - s));
}

uint load_u16(uint src, uint byte) {
  const uint s = (byte & 3u) << 3;
  if (s <= 16u) return (wload(src, byte >> 2) >> s) & 0xFFFFu;
  return load_u32(src, byte) & 0xFFFFu;
}

uint load_u8(uint src, uint byte) { return (wload(src, byte >> 2) >> ((byte & 3u) << 3)) & 0xFFu; }
#endif

// 16 bytes at `byte`: one 128-bit load when they are 16-byte aligned (Q4_K, Q5_K and IQ4_XS
// rows of an aligned tensor), else four loads.
uvec4 load_u32x4(uint src, uint byte) {
  if ((byte & 15u) == 0u) return wload4(src, byte >> 4);
  return uvec4(load_u32(src, byte), load_u32(src, byte + 4u), load_u32(src, byte + 8u), load_u32(src, byte + 12u));
}

float load_f16(uint src, uint byte) { return unpackHalf2x16(load_u16(src, byte)).x; }

// Byte j (0..3) of a word as unsigned / sign-extended.
uint byte_of(uint w, uint j) { return (w >> (8u * j)) & 0xFFu; }
int sbyte_of(uint w, uint j) { return bitfieldExtract(int(w), int(8u * j), 8); }

// The four bytes of a word as floats (unsigned, signed), and its low and high nibbles.
vec4 bytes_u8(uint w) { return vec4((uvec4(w) >> uvec4(0u, 8u, 16u, 24u)) & 0xFFu); }
vec4 bytes_s8(uint w) { return vec4(ivec4(int(w << 24), int(w << 16), int(w << 8), int(w)) >> 24); }
vec4 nibbles_lo(uint w) { return vec4((uvec4(w) >> uvec4(0u, 8u, 16u, 24u)) & 0xFu); }
vec4 nibbles_hi(uint w) { return vec4((uvec4(w) >> uvec4(4u, 12u, 20u, 28u)) & 0xFu); }

#endif
