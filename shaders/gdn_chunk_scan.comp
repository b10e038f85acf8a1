#version 450
// Gated DeltaNet chunked form, step 2 of 2: walks the chunks of a pass in order, carrying the
// state. Column v of the state (row v of the stored [h][v][k] layout) evolves independently,
// so a workgroup owns NV of them for one value head, in shared memory, and per chunk computes
//   delta = U - W S                                  [CS][NV]
//   o     = scale * (exp(G) (Q S) + P delta)           (rows of the chunk's tokens)
//   S     = exp(G_last) S + K^T (exp(G_last - G) delta)
// Work items own four adjacent columns (a vec4), so each W, Q, K or P element read from global
// memory feeds four FMAs. (Staging W, Q and K through shared memory as well was slower on
// lavapipe, where barriers are costly, and needs twice the shared memory.)
// Grid: x = block of NV state columns, y = value head.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_SIZE = 32;  // unused: nothing here reduces
layout(constant_id = 2) const uint NV = 16;             // state columns per workgroup, multiple of 4
layout(constant_id = 3) const uint KMAX = 128;          // dim_k (sizes shared memory)

layout(std430, binding = 0) readonly buffer QKV { float qkv[]; };         // [T][q | k | v]
layout(std430, binding = 1) readonly buffer Scratch { float scratch[]; }; // [pass chunks][Hv][block]
layout(std430, binding = 2) buffer State { float state[]; };              // [Hv][dim_v][dim_k]
layout(std430, binding = 3) writeonly buffer O { float o[]; };            // [T][Hv][dim_v]
layout(push_constant) uniform PushBlock { GdnRecurrencePush p; };

#include "gdn_chunk.glsl"

const uint NQ = NV / 4;       // column quads per workgroup
shared vec4 s_sh[KMAX * NQ];  // s_sh[k * NQ + jq] = S[k][v0 + 4 jq .. + 3]
shared vec4 d_sh[CS * NQ];    // delta
shared vec4 qs_sh[CS * NQ];   // Q S
shared float g_sh[CS];        // G
shared float e_sh[CS];        // exp(G_last - G)

void chunk(uint h, uint kh, uint v0, uint pass_chunk) {
  const uint lid = gl_LocalInvocationID.x, wg = gl_WorkGroupSize.x;
  const uint t_begin = (p.chunk0 + pass_chunk) * CS;
  const uint len = min(CS, p.n_tokens - t_begin);
  const uint base = block_base(pass_chunk, h);
  for (uint t = lid; t < CS; t += wg) {
    g_sh[t] = scratch[base + g_at(t)];
    e_sh[t] = exp(scratch[base + g_at(len - 1)] - g_sh[t]);
  }
  for (uint e = lid; e < CS * NQ; e += wg) {
    const uint t = e / NQ, first = v0 + 4 * (e % NQ);
    vec4 d = vec4(0.0), qs = vec4(0.0);
    if (t < len) {
      const uint row = (t_begin + t) * p.qkv_stride + q_col(kh);
      vec4 ws = vec4(0.0);
      for (uint k = 0; k < p.dim_k; ++k) {
        const vec4 sk = s_sh[k * NQ + e % NQ];
        ws += scratch[base + w_at(t, k)] * sk;
        qs += qkv[row + k] * sk;
      }
      vec4 u = vec4(0.0);
      [[unroll]] for (uint i = 0; i < 4; ++i)
        if (first + i < p.dim_v) u[i] = scratch[base + u_at(t, first + i)];
      d = u - ws;  // columns past dim_v: S is 0 there, so 0
    }
    d_sh[e] = d;
    qs_sh[e] = qs;
  }
  barrier();
  for (uint e = lid; e < CS * NQ; e += wg) {
    const uint t = e / NQ, jq = e % NQ;
    if (t >= len) continue;
    vec4 acc = exp(g_sh[t]) * qs_sh[e];
    for (uint s = 0; s <= t; ++s) acc += scratch[base + p_at(t, s)] * d_sh[s * NQ + jq];
    const uint at = ((t_begin + t) * p.v_heads + h) * p.dim_v + v0 + 4 * jq;
    [[unroll]] for (uint i = 0; i < 4; ++i)
      if (v0 + 4 * jq + i < p.dim_v) o[at + i] = p.scale * acc[i];
  }
  const float decay_all = exp(g_sh[len - 1]);
  for (uint e = lid; e < p.dim_k * NQ; e += wg) {
    const uint k = e / NQ, jq = e % NQ;
    vec4 acc = decay_all * s_sh[e];
    for (uint t = 0; t < len; ++t)
      acc += (qkv[(t_begin + t) * p.qkv_stride + k_col(kh) + k] * e_sh[t]) * d_sh[t * NQ + jq];
    s_sh[e] = acc;
  }
  barrier();
}

void main() {
  const uint h = gl_WorkGroupID.y, kh = key_head(h), v0 = gl_WorkGroupID.x * NV;
  const uint lid = gl_LocalInvocationID.x, wg = gl_WorkGroupSize.x;
  for (uint e = lid; e < NV * p.dim_k; e += wg) {
    const uint j = e / p.dim_k, k = e % p.dim_k;
    s_sh[k * NQ + j / 4][j % 4] = v0 + j < p.dim_v ? state[(h * p.dim_v + v0 + j) * p.dim_k + k] : 0.0;
  }
  barrier();
  for (uint c = 0; c < p.pass_chunks; ++c) chunk(h, kh, v0, c);
  for (uint e = lid; e < NV * p.dim_k; e += wg) {
    const uint j = e / p.dim_k, k = e % p.dim_k;
    if (v0 + j < p.dim_v) state[(h * p.dim_v + v0 + j) * p.dim_k + k] = s_sh[k * NQ + j / 4][j % 4];
  }
}
