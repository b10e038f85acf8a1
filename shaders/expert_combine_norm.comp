#version 450
// expert_combine and the next RMSNorm in one kernel, one workgroup per token:
//   out[t][r]    = residual[t][r] + (y[t][0][r] + ... + y[t][k-1][r])   (as expert_combine.comp)
//   normed[t][r] = (out[t][r] * scale) * w[r], scale = 1 / sqrt(mean(out[t]^2) + eps)
//                                                                     (as rms_norm.comp)
// Each invocation handles the same elements in both passes and rereads only what it wrote, so out
// has expert_combine's bits and normed has rms_norm's bits at the same workgroup size. `out` may
// alias `residual`.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer Residual { float res[]; };
layout(std430, binding = 2) buffer Out { float o[]; };
layout(std430, binding = 3) readonly buffer W { float w[]; };
layout(std430, binding = 4) writeonly buffer Normed { float normed[]; };
layout(push_constant) uniform PushBlock { CombineNormPush p; };

#include "reduce.glsl"

void main() {
  const uint t = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (t >= p.n_tokens) return;  // uniform across the workgroup
  float sum = 0.0;
  for (uint r = gl_LocalInvocationID.x; r < p.n_embd; r += gl_WorkGroupSize.x) {
    const uint base = p.y_offset + t * p.top_k * p.n_embd + r;
    float s = y[base];
    for (uint k = 1u; k < p.top_k; ++k) s += y[base + k * p.n_embd];
    if (p.add_residual != 0u) s = res[p.residual_offset + t * p.n_embd + r] + s;
    o[p.out_offset + t * p.n_embd + r] = s;
    sum += s * s;
  }
  sum = wg_reduce_sum(sum);
  const float mean = sum / float(p.n_embd);
  const float scale = 1.0 / sqrt(mean + p.eps);
  for (uint r = gl_LocalInvocationID.x; r < p.n_embd; r += gl_WorkGroupSize.x)
    normed[p.normed_offset + t * p.n_embd + r] = (o[p.out_offset + t * p.n_embd + r] * scale) * w[p.w_offset + r];
}
