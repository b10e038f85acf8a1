#version 450
// Activations to Q8_1 blocks for the dot path (quant/dot_q8.glsl): for each block of 32 floats,
// d = max|x| / 127, q = round(x / d) in [-127, 127] (0 when d is 0), s = d * sum(q); written as
// 10 words {d, s, q packed 4 per word}. One invocation per block.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform PushBlock { QuantizeQ8Push p; };

void main() {
  const uint b = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (b >= p.blocks) return;
  const uint x0 = p.x_offset + 32u * b;
  float amax = 0.0;
  for (uint i = 0u; i < 32u; ++i) amax = max(amax, abs(x[x0 + i]));
  const float d = amax / 127.0;
  const float id = d != 0.0 ? 1.0 / d : 0.0;
  const uint o0 = p.out_offset + 10u * b;
  int sum = 0;
  for (uint j = 0u; j < 8u; ++j) {
    uint word = 0u;
    for (uint k = 0u; k < 4u; ++k) {
      const int q = clamp(int(round(x[x0 + 4u * j + k] * id)), -127, 127);
      sum += q;
      word |= uint(q & 0xFF) << (8u * k);
    }
    o[o0 + 2u + j] = word;
  }
  o[o0] = floatBitsToUint(d);
  o[o0 + 1u] = floatBitsToUint(d * float(sum));
}
