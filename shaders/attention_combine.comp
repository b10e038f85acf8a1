#version 450
// Merges the partials of a split attention, one workgroup per (token, head) row:
// M = max_s m_s, w_s = exp(m_s - M), out = sum_s w_s O_s / sum_s w_s l_s. A split that saw no
// key (m = -inf, l = 0, O = 0) gets weight 0. A sink (gpt-oss) adds exp(sink - M) to the sum.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer ML { float ml[]; };
layout(std430, binding = 1) readonly buffer OP { float op[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };
layout(std430, binding = 3) readonly buffer Sinks { float sinks[]; };
layout(push_constant) uniform PushBlock { AttentionCombinePush p; };

#include "reduce.glsl"

const uint WG = gl_WorkGroupSize.x;
const uint MAX_DIMS_PER_INVOCATION = 4;  // head_dim <= 4 * WG (checked on the host)
#define NEG_INF uintBitsToFloat(0xFF800000u)
shared float weight[WG];

void main() {
  const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (row >= p.n_rows) return;  // uniform across the workgroup
  const uint tid = gl_LocalInvocationID.x;
  const uint base = row * p.n_splits;
  float mx = NEG_INF;
  for (uint s = tid; s < p.n_splits; s += WG) mx = max(mx, ml[p.ml_offset + (base + s) * 2]);
  mx = wg_reduce_max(mx);
  float acc[MAX_DIMS_PER_INVOCATION];
  for (uint i = 0; i < MAX_DIMS_PER_INVOCATION; ++i) acc[i] = 0.0;
  float lsum = 0.0;
  for (uint s0 = 0; s0 < p.n_splits; s0 += WG) {
    const uint s = s0 + tid;
    float w = 0.0;
    if (s < p.n_splits) {
      const float ms = ml[p.ml_offset + (base + s) * 2];
      w = ms == NEG_INF ? 0.0 : exp(ms - mx);
      lsum += w * ml[p.ml_offset + (base + s) * 2 + 1];
    }
    barrier();  // the previous chunk's weights are read
    weight[tid] = w;
    barrier();
    const uint n = min(WG, p.n_splits - s0);
    for (uint i = 0; i < MAX_DIMS_PER_INVOCATION; ++i) {
      const uint d = tid + WG * i;
      if (d < p.head_dim)
        for (uint k = 0; k < n; ++k) acc[i] += weight[k] * op[p.o_offset + (base + s0 + k) * p.head_dim + d];
    }
  }
  float total = wg_reduce_sum(lsum);
  if (p.has_sinks != 0u) total += exp(sinks[p.sinks_offset + row % p.n_heads] - mx);
  const float inv = 1.0 / total;
  for (uint i = 0; i < MAX_DIMS_PER_INVOCATION; ++i) {
    const uint d = tid + WG * i;
    if (d < p.head_dim) out_[p.out_offset + row * p.head_dim + d] = acc[i] * inv;
  }
}
