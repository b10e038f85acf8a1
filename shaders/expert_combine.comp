#version 450
// The weighted expert outputs of each token summed in fixed order: out[t][r] = residual[t][r] +
// (y[t][0][r] + y[t][1][r] + ... + y[t][k-1][r]) (the residual only when add_residual), so the
// result is the same bits however the y rows were computed. `out` may alias `residual`.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_MIN = 8;  // the family convention; no reduction here

layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer Residual { float res[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform PushBlock { CombinePush p; };

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i >= p.n_embd * p.n_tokens) return;
  const uint t = i / p.n_embd, r = i % p.n_embd;
  const uint base = p.y_offset + t * p.top_k * p.n_embd + r;
  float s = y[base];
  for (uint k = 1u; k < p.top_k; ++k) s += y[base + k * p.n_embd];
  if (p.add_residual != 0u) s = res[p.residual_offset + i] + s;
  o[p.out_offset + i] = s;
}
