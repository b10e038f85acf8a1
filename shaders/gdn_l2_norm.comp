#version 450
// Gated DeltaNet: L2 normalisation of q and k per head, in place:
//   x <- x / sqrt(sum(x^2) + eps)
// which is what llama.cpp's qwen35moe graph computes (rms_norm with eps/n, scaled by 1/sqrt(n));
// it differs from x / max(||x||, eps) only when ||x||^2 is near eps.
// One workgroup per (head, token): x = head, y = token.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_SIZE = 32;  // reduce.glsl reads gl_SubgroupSize itself

#include "reduce.glsl"

layout(std430, binding = 0) buffer X { float x[]; };
layout(push_constant) uniform PushBlock { GdnL2NormPush p; };

void main() {
  const uint base = gl_WorkGroupID.y * p.token_stride + gl_WorkGroupID.x * p.head_dim;
  float ss = 0.0;
  for (uint i = gl_LocalInvocationID.x; i < p.head_dim; i += gl_WorkGroupSize.x) ss += x[base + i] * x[base + i];
  const float inv = inversesqrt(wg_reduce_sum(ss) + p.eps);
  for (uint i = gl_LocalInvocationID.x; i < p.head_dim; i += gl_WorkGroupSize.x) x[base + i] *= inv;
}
