#version 450
// Grouped expert matmul for a chunk of tokens (prefill): table entries [first, first + count),
// each with its list of routed (token, k) pairs; a workgroup computes a BM x BN tile (rows x the
// entry's pairs) with mm_tile.glsl.
//   EXPERT_GATE_UP: h[slot][r] = silu(gate_e . x[token])[r] * (up_e . x[token])[r]
//   EXPERT_DOWN:    y[slot][r] = route_w[slot] * (down_e . h[slot])[r]
// or gpt-oss's form (biases, clamped SwiGLU: expert_act.glsl) when the push constants ask.
// slot = token * top_k + k. Every output is its own fma chain over K, so results do not depend
// on which entries or tokens share a dispatch or a tile. Grid: x = row tiles, y = pair tiles (up
// to the largest pair count), z = entries.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "expert_slot.h"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_MIN = 8;
layout(constant_id = 6) const uint PAGES = 1;

layout(std430, binding = 0) readonly buffer Page { uint w[]; } pages[PAGES];
layout(std430, binding = 0) readonly buffer Page4 { uvec4 w4[]; } pages4[PAGES];
layout(std430, binding = 1) readonly buffer Table { ExpertSlot table[]; };
layout(std430, binding = 2) readonly buffer Pairs { uint pairs[]; };
layout(std430, binding = 3) readonly buffer X { float x[]; };
layout(std430, binding = 4) writeonly buffer Out { float o[]; };
#if EXPERT_DOWN
layout(std430, binding = 5) readonly buffer RouteWeights { float route_w[]; };
layout(std430, binding = 6) readonly buffer Bias { float bias[]; };
#else
layout(std430, binding = 5) readonly buffer Bias { float bias[]; };
layout(std430, binding = 6) readonly buffer Bias2 { float bias2[]; };
#endif
layout(push_constant) uniform PushBlock { ExpertPush p; };

uint wload(uint src, uint i) { return pages[src].w[i]; }
uvec4 wload4(uint src, uint i) { return pages4[src].w4[i]; }
float xload(uint i) { return x[i]; }  // unit_dot is not used here
vec4 xload4(uint i) { return vec4(0.0); }

#include "quant/type.glsl"

#if EXPERT_GATE_UP
#define NMAT 2u
#else
#define NMAT 1u
#endif

ExpertSlot g_e;
uint g_m0;
uint mm_src(uint mat);
uint mm_row(uint mat, uint m);
float mm_x(uint n, uint k);
#include "mm_tile.glsl"

shared uint mm_slot[BN];  // the slots of the tile's pairs

#if EXPERT_GATE_UP
uint mm_src(uint mat) { return mat == 0u ? g_e.gate_page : g_e.up_page; }
uint mm_row(uint mat, uint m) { return (mat == 0u ? g_e.gate_offset : g_e.up_offset) + (g_m0 + m) * p.row_bytes; }
float mm_x(uint n, uint k) { return x[p.x_offset + (mm_slot[n] / p.top_k) * p.cols + k]; }
#else
uint mm_src(uint mat) { return g_e.down_page; }
uint mm_row(uint mat, uint m) { return g_e.down_offset + (g_m0 + m) * p.row_bytes; }
float mm_x(uint n, uint k) { return x[p.x_offset + mm_slot[n] * p.cols + k]; }
#endif

#include "expert_act.glsl"

void main() {
  g_e = table[p.first + gl_WorkGroupID.z];
  g_m0 = gl_WorkGroupID.x * BM;
  const uint n0 = gl_WorkGroupID.y * BN;
  if (g_m0 >= p.rows || n0 >= g_e.pair_count) return;  // whole workgroup
  const uint n_valid = min(BN, g_e.pair_count - n0);
  for (uint n = gl_LocalInvocationID.x; n < BN; n += gl_WorkGroupSize.x)
    mm_slot[n] = n < n_valid ? pairs[p.pairs_offset + g_e.first_pair + n0 + n] : 0u;
  barrier();
  mm_run(min(BM, p.rows - g_m0), n_valid, p.cols);
  for (uint j = 0u; j < TN; ++j) {
    const uint n = mm_n(j);
    if (n >= n_valid) continue;
    const uint slot = mm_slot[n];
    for (uint i = 0u; i < TM; ++i) {
      const uint m = g_m0 + mm_m(i);
      if (m >= p.rows) continue;
#if EXPERT_GATE_UP
      o[p.out_offset + slot * p.rows + m] = expert_gate_up_out(g_e.expert, m, mm_acc[i * TN + j], mm_acc[(TM + i) * TN + j]);
#else
      o[p.out_offset + slot * p.rows + m] = route_w[p.weights_offset + slot] * expert_down_out(g_e.expert, m, mm_acc[i * TN + j]);
#endif
    }
  }
}
