#version 450
// Activations to Q8_1 blocks for the dot path (quant/dot_q8.glsl): for each block of 32 floats,
// d = max|x| / 127, q = round(x / d) in [-127, 127] (0 when d is 0), s = d * sum(q); written as
// 10 words {d, s, q packed 4 per word} (q8_1_block.glsl). One invocation per block.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform PushBlock { QuantizeQ8Push p; };

#include "q8_1_block.glsl"

void main() {
  const uint b = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (b >= p.blocks) return;
  float v[32];
  for (uint i = 0u; i < 32u; ++i) v[i] = x[p.x_offset + 32u * b + i];
  q8_1_store_block(v, p.out_offset + 10u * b);
}
