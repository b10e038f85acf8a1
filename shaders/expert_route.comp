#version 450
// The GPU routes: the router's top-k expert ids become the layer's slot table, read from a
// device-resident map of every (layer, expert)'s slot entry. table[j] = map[map_first + ids[j]]
// with k_index = j, for j < k, so the grouped expert kernels that follow read the experts the
// router chose without the host in between. An id outside the layer (the router's
// ROUTER_NON_FINITE mark) reads the layer's expert 0 instead, so the kernels still read valid
// memory; the host reports the mark when it reads the ids back after the step.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "expert_slot.h"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_MIN = 8;  // the family convention; no reduction here

layout(std430, binding = 0) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 1) readonly buffer Map { ExpertSlot map[]; };
layout(std430, binding = 2) writeonly buffer Table { ExpertSlot table[]; };
layout(push_constant) uniform PushBlock { ExpertRoutePush p; };

void main() {
  const uint j = gl_GlobalInvocationID.x;
  if (j >= p.k) return;
  const uint e = ids[p.ids_offset + j];
  ExpertSlot s = map[p.map_first + (e < p.n_experts ? e : 0u)];
  s.k_index = j;
  table[p.table_first + j] = s;
}
