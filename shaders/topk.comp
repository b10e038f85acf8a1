#version 450
// One pass of top-k over a logits row: workgroup b reduces inputs [b*block, (b+1)*block) to its
// k best (value descending, then index ascending: llama.cpp's greedy sampler keeps the first
// maximum) and writes them in order at out[b*k ...]. A row of up to 256k logits takes two
// passes: many workgroups, then one over their candidates (whose ids come from a binding).
// Each invocation holds PER_INVOCATION inputs in registers; k rounds of a workgroup selection of
// "the best candidate ranking after the previous pick" need no marks. Missing candidates (a
// block smaller than k) are (-inf, 0xFFFFFFFF).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint PER_INVOCATION = 16;

layout(std430, binding = 0) readonly buffer Values { float values[]; };
layout(std430, binding = 1) readonly buffer InIds { uint in_ids[]; };
layout(std430, binding = 2) writeonly buffer OutValues { float out_values[]; };
layout(std430, binding = 3) writeonly buffer OutIds { uint out_ids[]; };
layout(push_constant) uniform PushBlock { TopKPush p; };

#include "select.glsl"

void main() {
  const uint tid = gl_LocalInvocationID.x;
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  const uint first = block * p.block;
  if (first >= p.n) return;  // uniform across the workgroup
  float v[PER_INVOCATION];
  uint id[PER_INVOCATION];
  [[unroll]] for (uint j = 0; j < PER_INVOCATION; ++j) {
    const uint e = first + tid + j * gl_WorkGroupSize.x;  // strided: loads are coalesced
    const bool ok = e < p.n && tid + j * gl_WorkGroupSize.x < p.block;
    v[j] = ok ? values[p.in_offset + e] : RT_NEG_INF;
    id[j] = ok ? (p.has_ids != 0u ? in_ids[p.ids_offset + e] : e) : RT_NO_INDEX;
  }
  float prev_v = 0.0;
  uint prev_i = RT_NO_INDEX;
  for (uint r = 0; r < p.k; ++r) {
    float bv = RT_NEG_INF;
    uint bi = RT_NO_INDEX;
    [[unroll]] for (uint j = 0; j < PER_INVOCATION; ++j) {
      if ((r == 0u || rt_ranks_before(prev_v, prev_i, v[j], id[j])) && rt_ranks_before(v[j], id[j], bv, bi)) {
        bv = v[j];
        bi = id[j];
      }
    }
    wg_select_best(bv, bi);
    prev_v = bv;
    prev_i = bi;
    if (tid == 0u) {
      out_values[p.out_values_offset + block * p.k + r] = bv;
      out_ids[p.out_ids_offset + block * p.k + r] = bi;
    }
  }
}
