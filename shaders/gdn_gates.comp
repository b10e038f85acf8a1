#version 450
// Gated DeltaNet gates per token and value head h, from the projected b and a:
//   beta = sigmoid(b),  g = softplus(a + dt_bias[h]) * ssm_a[h]   (the step decay is exp(g))
// softplus as ggml computes it: x > 20 ? x : log(1 + exp(x)). ssm_a is already -exp(A_log).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_SIZE = 32;  // unused: nothing here reduces

layout(std430, binding = 0) readonly buffer B { float b[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(std430, binding = 2) readonly buffer DtBias { float dt_bias[]; };  // [H]
layout(std430, binding = 3) readonly buffer SsmA { float ssm_a[]; };      // [H]
layout(std430, binding = 4) writeonly buffer Beta { float beta[]; };      // [T][H]
layout(std430, binding = 5) writeonly buffer G { float g[]; };            // [T][H]
layout(push_constant) uniform PushBlock { GdnGatesPush p; };

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i >= p.n_heads * p.n_tokens) return;
  const uint t = i / p.n_heads, h = i % p.n_heads;
  const uint col = (h / p.group) * p.group_stride + h % p.group;
  const float bv = b[t * p.token_stride + p.b_offset + col];
  const float av = a[t * p.token_stride + p.a_offset + col] + dt_bias[h];
  beta[i] = 1.0 / (1.0 + exp(-bv));
  g[i] = (av > 20.0 ? av : log(1.0 + exp(av))) * ssm_a[h];
}
