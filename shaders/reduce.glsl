// Workgroup-wide reductions for a 1-D workgroup whose size is specialization constant 0.
// Every invocation must call them (uniform control flow). With subgroup arithmetic they reduce
// per subgroup first; the "_nosg" variants use a shared-memory tree (workgroup size must then
// be a power of two). The order of additions is fixed for a given device and pipeline, so
// results are bitwise repeatable run to run.
#ifndef ROTARY_REDUCE_GLSL
#define ROTARY_REDUCE_GLSL

shared float rt_red[gl_WorkGroupSize.x];

float wg_reduce_sum(float v) {
#if ROTARY_SUBGROUP_ARITH
  v = subgroupAdd(v);
  barrier();  // rt_red may still be read by a previous reduction
  if (subgroupElect()) rt_red[gl_SubgroupID] = v;
  barrier();
  float total = 0.0;
  for (uint i = 0; i < gl_NumSubgroups; ++i) total += rt_red[i];
  return total;
#else
  barrier();
  rt_red[gl_LocalInvocationID.x] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (gl_LocalInvocationID.x < s) rt_red[gl_LocalInvocationID.x] += rt_red[gl_LocalInvocationID.x + s];
    barrier();
  }
  return rt_red[0];
#endif
}

float wg_reduce_max(float v) {
#if ROTARY_SUBGROUP_ARITH
  v = subgroupMax(v);
  barrier();
  if (subgroupElect()) rt_red[gl_SubgroupID] = v;
  barrier();
  float m = rt_red[0];
  for (uint i = 1; i < gl_NumSubgroups; ++i) m = max(m, rt_red[i]);
  return m;
#else
  barrier();
  rt_red[gl_LocalInvocationID.x] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (gl_LocalInvocationID.x < s)
      rt_red[gl_LocalInvocationID.x] = max(rt_red[gl_LocalInvocationID.x], rt_red[gl_LocalInvocationID.x + s]);
    barrier();
  }
  return rt_red[0];
#endif
}

#endif
