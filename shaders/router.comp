#version 450
// MoE routing, one workgroup per token (gpt-oss, softmax_chosen: the k largest logits, their
// weights a softmax over those k alone; otherwise:) softmax over all experts (as ggml_soft_max: subtract the
// max, exp, scale by 1/sum), the k most probable in descending order (ties: lower expert id
// first), and their probabilities renormalised to sum 1 (the sum clamped to >= 6.103515625e-5,
// the smallest normal half, as llama.cpp's build_moe_ffn does). A token with a NaN or infinite
// logit gets ROUTER_NON_FINITE in all k ids and weight 0 (push.h): one more reduction, no branch
// on the normal path.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
layout(std430, binding = 1) writeonly buffer Ids { uint ids[]; };
layout(std430, binding = 2) writeonly buffer Weights { float weights[]; };
layout(push_constant) uniform PushBlock { RouterPush p; };

#include "reduce.glsl"
#include "select.glsl"

const uint MAX_EXPERTS = 512;
const uint MAX_K = 16;
shared float prob[MAX_EXPERTS];
shared float chosen[MAX_K];

void main() {
  const uint token = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (token >= p.n_tokens) return;  // uniform across the workgroup
  const uint tid = gl_LocalInvocationID.x;
  const uint lb = p.logits_offset + token * p.n_experts;
  float mx = RT_NEG_INF;
  float bad = 0.0;
  for (uint e = tid; e < p.n_experts; e += gl_WorkGroupSize.x) {
    const float v = logits[lb + e];
    mx = max(mx, v);
    // Exponent all ones: infinity or NaN (bits, not isnan, which a driver may assume away).
    bad = (floatBitsToUint(v) & 0x7F800000u) == 0x7F800000u ? 1.0 : bad;
  }
  mx = wg_reduce_max(mx);
  if (wg_reduce_max(bad) > 0.0) {  // the same value in every invocation: a uniform branch
    if (tid == 0u)
      for (uint r = 0; r < p.k; ++r) {
        ids[p.ids_offset + token * p.k + r] = ROUTER_NON_FINITE;
        weights[p.weights_offset + token * p.k + r] = 0.0;
      }
    return;
  }
  float sum = 0.0;
  for (uint e = tid; e < p.n_experts; e += gl_WorkGroupSize.x) {
    const float v = p.softmax_chosen != 0u ? logits[lb + e] : exp(logits[lb + e] - mx);
    prob[e] = v;
    sum += v;
  }
  const float inv = 1.0 / wg_reduce_sum(sum);  // uniform: every invocation reduces
  if (p.softmax_chosen == 0u)
    for (uint e = tid; e < p.n_experts; e += gl_WorkGroupSize.x) prob[e] *= inv;  // each reads its own

  // k rounds of "the best candidate ranking after the previous pick": no marks to clear.
  float prev_v = 0.0;
  uint prev_i = RT_NO_INDEX;
  const uint ob = token * p.k;
  for (uint r = 0; r < p.k; ++r) {
    float bv = RT_NEG_INF;
    uint bi = RT_NO_INDEX;
    for (uint e = tid; e < p.n_experts; e += gl_WorkGroupSize.x) {
      const float v = prob[e];
      if ((r == 0u || rt_ranks_before(prev_v, prev_i, v, e)) && rt_ranks_before(v, e, bv, bi)) {
        bv = v;
        bi = e;
      }
    }
    wg_select_best(bv, bi);
    prev_v = bv;
    prev_i = bi;
    if (tid == 0u) {
      ids[p.ids_offset + ob + r] = bi;
      chosen[r] = bv;
    }
  }
  if (tid == 0u && p.softmax_chosen != 0u) {
    // ggml_soft_max over the chosen logits: the first is the largest.
    float total = 0.0;
    for (uint r = 0; r < p.k; ++r) total += exp(chosen[r] - chosen[0]);
    const float inv_total = 1.0 / total;
    for (uint r = 0; r < p.k; ++r) weights[p.weights_offset + ob + r] = exp(chosen[r] - chosen[0]) * inv_total;
  } else if (tid == 0u) {
    float total = 0.0;
    for (uint r = 0; r < p.k; ++r) total += chosen[r];
    const float div = p.normalize != 0u ? max(total, 6.103515625e-5) : 1.0;
    for (uint r = 0; r < p.k; ++r) weights[p.weights_offset + ob + r] = chosen[r] / div;
  }
}
