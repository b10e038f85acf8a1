#version 450
// The per-head Q/K RMSNorm and NEOX RoPE in one kernel, one workgroup per token: for each head,
// scale = 1 / sqrt(mean(x^2) + eps) (the sum of squares reduced as rms_norm.comp does), n = (x *
// scale) * w, then dimension i < n_rot/2 of n pairs with i + n_rot/2 and turns by the angle
// rope.comp computes (sincos.glsl); dimensions >= n_rot are n. The same operations in the same
// order as rms_norm then rope_neox, so the same bits at the same workgroup size as rms_norm. In
// place when y is x (every element is read before it is written, by the invocation writing it).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "sincos.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) readonly buffer Pos { uint pos[]; };
layout(std430, binding = 3) buffer Y { float y[]; };
layout(push_constant) uniform PushBlock { NormRopePush p; };

#include "reduce.glsl"

const uint MAX_PAIRS = 256;  // n_rot <= 512
shared float rt_cos[MAX_PAIRS];
shared float rt_sin[MAX_PAIRS];

void main() {
  const uint token = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (token >= p.n_tokens) return;  // uniform across the workgroup
  const uint half_rot = p.n_rot / 2;
  const float position = float(pos[p.pos_offset + token]);
  for (uint i = gl_LocalInvocationID.x; i < half_rot; i += gl_WorkGroupSize.x) {
    precise float theta = position;
    for (uint j = 0; j < i; ++j) theta *= p.theta_scale;
    float s, c;
    rt_sincos(theta, s, c);
    rt_sin[i] = s;
    rt_cos[i] = c;
  }
  barrier();
  const uint per_head = half_rot + (p.head_dim - p.n_rot);
  for (uint h = 0u; h < p.n_heads; ++h) {
    const uint xb = p.x_offset + token * p.x_token_stride + h * p.x_head_stride;
    const uint yb = p.y_offset + token * p.y_token_stride + h * p.y_head_stride;
    float sum = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.head_dim; i += gl_WorkGroupSize.x) sum += x[xb + i] * x[xb + i];
    sum = wg_reduce_sum(sum);  // its barriers also order this head's reads before its writes
    const float mean = sum / float(p.head_dim);
    const float scale = 1.0 / sqrt(mean + p.eps);
    for (uint i = gl_LocalInvocationID.x; i < per_head; i += gl_WorkGroupSize.x) {
      if (i < half_rot) {
        const float x0 = (x[xb + i] * scale) * w[p.w_offset + i];
        const float x1 = (x[xb + i + half_rot] * scale) * w[p.w_offset + i + half_rot];
        y[yb + i] = x0 * rt_cos[i] - x1 * rt_sin[i];
        y[yb + i + half_rot] = x0 * rt_sin[i] + x1 * rt_cos[i];
      } else {
        const uint d = p.n_rot + (i - half_rot);
        y[yb + d] = (x[xb + d] * scale) * w[p.w_offset + d];
      }
    }
  }
}
