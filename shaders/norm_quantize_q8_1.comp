#version 450
// RMSNorm fused into the dot path's activation quantisation, one workgroup per row:
// n = (x * scale) * w with scale = 1 / sqrt(mean(x^2) + eps), the sum of squares taken exactly as
// rms_norm.comp takes it (invocation i sums elements i, i + W, ..., then wg_reduce_sum), then n
// in Q8_1 blocks as quantize_q8_1.comp writes them (q8_1_block.glsl): the bits of rms_norm then
// quantize_q8_1 at the same workgroup size, without writing n. Push: RmsNormPush with y_offset and
// y_stride in words of the Q8_1 output (10 per block).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform PushBlock { RmsNormPush p; };

#include "reduce.glsl"
#include "q8_1_block.glsl"

void main() {
  const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (row >= p.n_rows) return;  // uniform across the workgroup
  const uint xb = p.x_offset + row * p.x_stride;
  float sum = 0.0;
  for (uint i = gl_LocalInvocationID.x; i < p.dim; i += gl_WorkGroupSize.x) sum += x[xb + i] * x[xb + i];
  sum = wg_reduce_sum(sum);
  const float mean = sum / float(p.dim);
  const float scale = 1.0 / sqrt(mean + p.eps);
  for (uint b = gl_LocalInvocationID.x; b < p.dim / 32u; b += gl_WorkGroupSize.x) {
    float v[32];
    for (uint i = 0u; i < 32u; ++i) v[i] = (x[xb + 32u * b + i] * scale) * w[p.w_offset + 32u * b + i];
    q8_1_store_block(v, p.y_offset + row * p.y_stride + 10u * b);
  }
}
