// Sums RR_N per-invocation accumulators (RR_N is a spec-constant expression the kernel defines,
// e.g. ROWS or 2u * ROWS) over a 1-D workgroup. Afterwards every invocation holds the same totals.
// Call once per kernel, from uniform control flow.
//
// With subgroup arithmetic, a workgroup that is one subgroup reduces with subgroupAdd alone (no
// shared memory, no barrier); otherwise each subgroup reduces its values and one invocation per
// subgroup stores the partial; the partials are then added in subgroup order. The shared array holds one
// partial per subgroup for subgroups of at least SUBGROUP_MIN invocations (spec constant 1: the
// device's minimum subgroup size). Without (_nosg), a shared-memory tree over a power-of-two
// workgroup. Either way the order of additions is fixed for a given pipeline, so a result never
// depends on what other workgroups compute.
#ifndef ROTARY_ROWS_REDUCE_GLSL
#define ROTARY_ROWS_REDUCE_GLSL

#if ROTARY_SUBGROUP_ARITH
const uint RR_SLOTS = (gl_WorkGroupSize.x + SUBGROUP_MIN - 1u) / SUBGROUP_MIN;
shared float rr_part[RR_N * RR_SLOTS];

void rows_reduce(inout float acc[RR_N]) {
  if (gl_NumSubgroups == 1u) {  // uniform: the branch and the barrier below stay in uniform flow
    for (uint r = 0u; r < RR_N; ++r) acc[r] = subgroupAdd(acc[r]);
    return;
  }
  for (uint r = 0u; r < RR_N; ++r) {
    const float s = subgroupAdd(acc[r]);
    if (subgroupElect()) rr_part[r * RR_SLOTS + gl_SubgroupID] = s;
  }
  barrier();
  for (uint r = 0u; r < RR_N; ++r) {
    float t = 0.0;
    for (uint i = 0u; i < gl_NumSubgroups; ++i) t += rr_part[r * RR_SLOTS + i];
    acc[r] = t;
  }
}
#else
shared float rr_part[RR_N * gl_WorkGroupSize.x];

void rows_reduce(inout float acc[RR_N]) {
  const uint tid = gl_LocalInvocationID.x;
  for (uint r = 0u; r < RR_N; ++r) rr_part[r * gl_WorkGroupSize.x + tid] = acc[r];
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1) {
    if (tid < s)
      for (uint r = 0u; r < RR_N; ++r)
        rr_part[r * gl_WorkGroupSize.x + tid] += rr_part[r * gl_WorkGroupSize.x + tid + s];
    barrier();
  }
  for (uint r = 0u; r < RR_N; ++r) acc[r] = rr_part[r * gl_WorkGroupSize.x];
}
#endif

#endif
