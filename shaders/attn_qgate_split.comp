#version 450
// Gated attention (qwen35moe / qwen3next full-attention layers): the attn_q projection of one
// token is laid out per head as [query head_dim | gate head_dim]; this splits it into
// q [T][H][D] and gate [T][H][D], both contiguous, for the per-head norm/RoPE and the sigmoid
// output gate.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_SIZE = 32;  // unused: nothing here reduces

layout(std430, binding = 0) readonly buffer QG { float qg[]; };      // [T][H][2D]
layout(std430, binding = 1) writeonly buffer Q { float q[]; };       // [T][H][D]
layout(std430, binding = 2) writeonly buffer Gate { float gate[]; }; // [T][H][D]
layout(push_constant) uniform PushBlock { QGateSplitPush p; };

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i >= p.n_tokens * p.heads * p.head_dim) return;
  const uint row = i / p.head_dim, d = i % p.head_dim;  // row = token * heads + head
  q[i] = qg[row * 2 * p.head_dim + d];
  gate[i] = qg[row * 2 * p.head_dim + p.head_dim + d];
}
