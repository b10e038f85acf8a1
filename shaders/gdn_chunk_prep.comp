#version 450
// Gated DeltaNet chunked form, step 1 of 2: everything about a chunk that does not depend on
// the state (see gdn_chunk.glsl for the block it writes). Chunks are independent here, so the
// grid is x = chunk of the pass, y = value head.
//  1. G = cumsum(g) over the chunk.
//  2. Gram products K K^T and Q K^T, 4x4 register tiles over 16-wide slices of K and Q staged
//     in shared memory, masked and decayed into A (shared) and P (scratch).
//  3. Forward substitution (I + A) X = [beta V | beta exp(G) K], one column per invocation,
//     giving U and W.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_SIZE = 32;  // unused: nothing here reduces

layout(std430, binding = 0) readonly buffer QKV { float qkv[]; };  // [T][q | k | v]
layout(std430, binding = 1) readonly buffer Beta { float beta[]; }; // [T][Hv]
layout(std430, binding = 2) readonly buffer G { float g[]; };       // [T][Hv]
layout(std430, binding = 3) buffer Scratch { float scratch[]; };    // [pass chunks][Hv][block]
layout(push_constant) uniform PushBlock { GdnRecurrencePush p; };

#include "gdn_chunk.glsl"

const uint DT = 16;          // K/Q slice width staged per step
const uint TILES = (CS / 4) * (CS / 4);
shared float a_sh[CS * CS];  // 16 KiB
shared float k_sh[CS * DT];
shared float q_sh[CS * DT];
shared float g_sh[CS];
shared float b_sh[CS];

void gram(uint h, uint kh, uint t_begin, uint len, uint base) {
  const uint lid = gl_LocalInvocationID.x;
  const uint rounds = (TILES + gl_WorkGroupSize.x - 1) / gl_WorkGroupSize.x;
  for (uint r = 0; r < rounds; ++r) {
    const uint tile = lid + r * gl_WorkGroupSize.x;
    const bool live = tile < TILES;
    const uint t4 = (tile / (CS / 4)) * 4, s4 = (tile % (CS / 4)) * 4;
    float kk[16], qk[16];
    [[unroll]] for (uint i = 0; i < 16; ++i) {
      kk[i] = 0.0;
      qk[i] = 0.0;
    }
    for (uint d0 = 0; d0 < p.dim_k; d0 += DT) {
      barrier();
      for (uint e = lid; e < CS * DT; e += gl_WorkGroupSize.x) {
        const uint row = e / DT, d = d0 + e % DT;
        const bool ok = row < len && d < p.dim_k;
        const uint at = (t_begin + row) * p.qkv_stride + d;
        k_sh[e] = ok ? qkv[at + k_col(kh)] : 0.0;
        q_sh[e] = ok ? qkv[at + q_col(kh)] : 0.0;
      }
      barrier();
      if (live) {
        for (uint c = 0; c < DT; ++c) {
          float kt[4], qt[4], ks[4];
          [[unroll]] for (uint i = 0; i < 4; ++i) {
            kt[i] = k_sh[(t4 + i) * DT + c];
            qt[i] = q_sh[(t4 + i) * DT + c];
            ks[i] = k_sh[(s4 + i) * DT + c];
          }
          [[unroll]] for (uint i = 0; i < 4; ++i)
            [[unroll]] for (uint j = 0; j < 4; ++j) {
              kk[i * 4 + j] += kt[i] * ks[j];
              qk[i * 4 + j] += qt[i] * ks[j];
            }
        }
      }
    }
    if (live) {
      [[unroll]] for (uint i = 0; i < 4; ++i)
        [[unroll]] for (uint j = 0; j < 4; ++j) {
          const uint t = t4 + i, s = s4 + j;
          const float decay = s <= t ? exp(g_sh[t] - g_sh[s]) : 0.0;
          a_sh[t * CS + s] = s < t ? b_sh[t] * decay * kk[i * 4 + j] : 0.0;
          scratch[base + p_at(t, s)] = decay * qk[i * 4 + j];
        }
    }
  }
}

void main() {
  const uint h = gl_WorkGroupID.y, kh = key_head(h);
  const uint t_begin = (p.chunk0 + gl_WorkGroupID.x) * CS;
  const uint len = min(CS, p.n_tokens - t_begin);
  const uint base = block_base(gl_WorkGroupID.x, h);
  const uint lid = gl_LocalInvocationID.x;

  for (uint t = lid; t < CS; t += gl_WorkGroupSize.x) {
    b_sh[t] = t < len ? beta[(t_begin + t) * p.v_heads + h] : 0.0;
    g_sh[t] = t < len ? g[(t_begin + t) * p.v_heads + h] : 0.0;
  }
  barrier();
  if (lid == 0) {
    float acc = 0.0;
    for (uint t = 0; t < CS; ++t) {
      acc += g_sh[t];
      g_sh[t] = acc;
    }
  }
  barrier();
  for (uint t = lid; t < CS; t += gl_WorkGroupSize.x) scratch[base + g_at(t)] = g_sh[t];

  gram(h, kh, t_begin, len, base);
  barrier();

  for (uint j = lid; j < p.dim_v + p.dim_k; j += gl_WorkGroupSize.x) {
    const bool is_v = j < p.dim_v;
    float x[CS];
    [[unroll]] for (uint t = 0; t < CS; ++t) {
      float acc = 0.0;
      if (t < len) {
        const uint row = (t_begin + t) * p.qkv_stride;
        acc = is_v ? b_sh[t] * qkv[row + v_col(h) + j] : b_sh[t] * exp(g_sh[t]) * qkv[row + k_col(kh) + j - p.dim_v];
      }
      [[unroll]] for (uint s = 0; s < t; ++s) acc -= a_sh[t * CS + s] * x[s];
      x[t] = acc;
      scratch[base + (is_v ? u_at(t, j) : w_at(t, j - p.dim_v))] = acc;
    }
  }
}
