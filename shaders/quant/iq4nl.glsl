// The IQ4_NL codebook shared by IQ4_NL and IQ4_XS, and the 32-element pieces both formats are made
// of: 16 bytes, byte j holding element j (low nibble) and j + 16 (high nibble).
#ifndef ROTARY_QUANT_IQ4NL_GLSL
#define ROTARY_QUANT_IQ4NL_GLSL

// The codebook {-127, -104, ..., 113} as int8 bytes, selected without a table lookup.
float iq4nl_value(uint nib) {
  const uint w = nib < 8u ? (nib < 4u ? 0xBFAD9881u : 0xF6EADDCFu) : (nib < 12u ? 0x26190D01u : 0x71594535u);
  return float(sbyte_of(w, nib & 3u));
}

// sum_i kIQ4NL[code_i] * x[e0 + i] over the 32 elements packed in q.
float iq4nl_dot32(uvec4 q, uint e0) {
  float s = 0.0;
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = q[j];
    const vec4 lo = vec4(iq4nl_value(w & 0xFu), iq4nl_value((w >> 8) & 0xFu), iq4nl_value((w >> 16) & 0xFu),
                         iq4nl_value((w >> 24) & 0xFu));
    const vec4 hi = vec4(iq4nl_value((w >> 4) & 0xFu), iq4nl_value((w >> 12) & 0xFu),
                         iq4nl_value((w >> 20) & 0xFu), iq4nl_value(w >> 28));
    s += dot(lo, xload4(e0 + 4u * j)) + dot(hi, xload4(e0 + 16u + 4u * j));
  }
  return s;
}

// The 32 values dl * kIQ4NL[code] of the 16 bytes at `q0`.
void iq4nl_decode32(uint src, uint q0, float dl, out float v[32]) {
  [[unroll]] for (uint j = 0u; j < 4u; ++j) {
    const uint w = load_u32(src, q0 + 4u * j);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint b = byte_of(w, k);
      v[4u * j + k] = dl * iq4nl_value(b & 0xFu);
      v[16u + 4u * j + k] = dl * iq4nl_value(b >> 4);
    }
  }
}

#endif
