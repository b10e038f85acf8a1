#version 450
// Gated DeltaNet output norm per head: y = RMSNorm(o; w) * silu(z), with
// RMSNorm(o; w) = o / sqrt(mean(o^2) + eps) * w over head_dim floats. y may alias o (each
// invocation rewrites only the elements it read). One workgroup per row (token, value head).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_SIZE = 32;  // reduce.glsl reads gl_SubgroupSize itself

#include "reduce.glsl"

layout(std430, binding = 0) readonly buffer O { float o[]; };   // [rows][head_dim]
layout(std430, binding = 1) readonly buffer Z { float z[]; };   // [rows][head_dim]
layout(std430, binding = 2) readonly buffer Wt { float w[]; };  // [head_dim] (ssm_norm)
layout(std430, binding = 3) writeonly buffer Y { float y[]; };  // [rows][head_dim]
layout(push_constant) uniform PushBlock { GdnGatedNormPush p; };

void main() {
  const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (row >= p.rows) return;  // uniform per workgroup
  const uint base = row * p.head_dim;
  float ss = 0.0;
  for (uint i = gl_LocalInvocationID.x; i < p.head_dim; i += gl_WorkGroupSize.x) ss += o[base + i] * o[base + i];
  const float inv = inversesqrt(wg_reduce_sum(ss) / float(p.head_dim) + p.eps);
  for (uint i = gl_LocalInvocationID.x; i < p.head_dim; i += gl_WorkGroupSize.x) {
    const float zi = z[base + i];
    y[base + i] = o[base + i] * inv * w[i] * (zi / (1.0 + exp(-zi)));
  }
}
