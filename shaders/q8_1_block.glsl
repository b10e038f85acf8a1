// One Q8_1 block (quant/dot_q8.glsl) from 32 floats: d = max|v| / 127, q = round(v / d) clamped
// to [-127, 127] (0 when d is 0), s = d * sum(q), written as 10 words at o[o0 ..]. Shared by
// quantize_q8_1.comp and norm_quantize_q8_1.comp so that both write the same bits. The kernel
// declares `uint o[]` before including this file.
#ifndef ROTARY_Q8_1_BLOCK_GLSL
#define ROTARY_Q8_1_BLOCK_GLSL

void q8_1_store_block(float v[32], uint o0) {
  float amax = 0.0;
  for (uint i = 0u; i < 32u; ++i) amax = max(amax, abs(v[i]));
  const float d = amax / 127.0;
  const float id = d != 0.0 ? 1.0 / d : 0.0;
  int sum = 0;
  for (uint j = 0u; j < 8u; ++j) {
    uint word = 0u;
    for (uint k = 0u; k < 4u; ++k) {
      const int q = clamp(int(round(v[4u * j + k] * id)), -127, 127);
      sum += q;
      word |= uint(q & 0xFF) << (8u * k);
    }
    o[o0 + 2u + j] = word;
  }
  o[o0] = floatBitsToUint(d);
  o[o0 + 1u] = floatBitsToUint(d * float(sum));
}

#endif
