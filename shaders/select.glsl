// Workgroup-wide selection of the best (value, index) pair: larger value first, then smaller
// index (llama.cpp's greedy sampler keeps the first maximum). Every invocation must call it
// (uniform control flow); all get the result. The "none" candidate is (-inf, 0xFFFFFFFF), which
// ranks after every real one, including a real -inf. NaN values are not supported.
#ifndef ROTARY_SELECT_GLSL
#define ROTARY_SELECT_GLSL

const uint RT_NO_INDEX = 0xFFFFFFFFu;
#define RT_NEG_INF uintBitsToFloat(0xFF800000u)

bool rt_ranks_before(float va, uint ia, float vb, uint ib) { return va > vb || (va == vb && ia < ib); }

shared float rt_sel_v[gl_WorkGroupSize.x];
shared uint rt_sel_i[gl_WorkGroupSize.x];

void wg_select_best(inout float v, inout uint idx) {
#if ROTARY_SUBGROUP_ARITH
  const float m = subgroupMax(v);
  const uint mi = subgroupMin(v == m ? idx : RT_NO_INDEX);
  barrier();  // the arrays may still be read by a previous call
  if (subgroupElect()) {
    rt_sel_v[gl_SubgroupID] = m;
    rt_sel_i[gl_SubgroupID] = mi;
  }
  barrier();
  v = rt_sel_v[0];
  idx = rt_sel_i[0];
  for (uint s = 1; s < gl_NumSubgroups; ++s)
    if (rt_ranks_before(rt_sel_v[s], rt_sel_i[s], v, idx)) {
      v = rt_sel_v[s];
      idx = rt_sel_i[s];
    }
#else
  const uint t = gl_LocalInvocationID.x;
  barrier();
  rt_sel_v[t] = v;
  rt_sel_i[t] = idx;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (t < s && rt_ranks_before(rt_sel_v[t + s], rt_sel_i[t + s], rt_sel_v[t], rt_sel_i[t])) {
      rt_sel_v[t] = rt_sel_v[t + s];
      rt_sel_i[t] = rt_sel_i[t + s];
    }
    barrier();
  }
  v = rt_sel_v[0];
  idx = rt_sel_i[0];
#endif
}

#endif
