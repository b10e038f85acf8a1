#version 450
// RMSNorm fused with the weight multiply, one workgroup per row: y = x / sqrt(mean(x^2) + eps) * w.
// A per-head norm (Q/K norm) is the same op over n_tokens * n_heads rows of head_dim with one
// weight vector; row strides let it read heads interleaved with other data (Qwen3.5's query and
// gate halves) and write them packed. In place when y is x (each invocation rewrites only the
// elements it read).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) buffer Y { float y[]; };
layout(push_constant) uniform PushBlock { RmsNormPush p; };

#include "reduce.glsl"

void main() {
  const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (row >= p.n_rows) return;  // uniform across the workgroup
  const uint xb = p.x_offset + row * p.x_stride;
  float sum = 0.0;
  for (uint i = gl_LocalInvocationID.x; i < p.dim; i += gl_WorkGroupSize.x) sum += x[xb + i] * x[xb + i];
  sum = wg_reduce_sum(sum);
  // As ggml: the mean is a float, the scale 1/sqrt(mean + eps), then (x * scale) * w.
  const float mean = sum / float(p.dim);
  const float scale = 1.0 / sqrt(mean + p.eps);
  const uint yb = p.y_offset + row * p.y_stride;
  for (uint i = gl_LocalInvocationID.x; i < p.dim; i += gl_WorkGroupSize.x)
    y[yb + i] = (x[xb + i] * scale) * w[p.w_offset + i];
}
