#version 450
// Grouped expert matvec for one token (decode): one dispatch computes table entries
// [first, first + count) of a layer's slot table (expert_slot.h), whose matrices live in the pages
// of the slot pool (a descriptor array indexed by the entry's page: workgroup-uniform).
//   EXPERT_GATE_UP: h[k][r] = silu(gate_e . x)[r] * (up_e . x)[r]   (gate and up in one pass over x)
//   EXPERT_DOWN:    y[k][r] = route_w[k] * (down_e . h[k])[r]        (routing weight read on the GPU)
// or gpt-oss's form (biases, clamped SwiGLU: expert_act.glsl) when the push constants ask.
// with k the entry's k_index. A workgroup computes ROWS rows of one entry exactly as matvec.comp
// does, so each entry's bits depend on nothing but its own weights and inputs: the hits and each
// miss may be computed by separate dispatches, in any order, with identical results.
// Grid: x = row groups, y = entries. Row groups of LANES invocations as in matvec.comp.
// Variants: ROTARY_STORAGE16 (8/16-bit loads, quant/load.glsl); MATVEC_DOT (x / h given as Q8_1
// blocks, integer dot products: quant/dot_q8.glsl; x_offset is then in words, and down's h row
// k starts cols / 32 * 10 words after row k - 1).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "expert_slot.h"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint SUBGROUP_MIN = 8;
layout(constant_id = 2) const uint ROWS = 1;
layout(constant_id = 3) const uint PAGES = 1;
layout(constant_id = 4) const uint LANES = 8;  // invocations per row group: a power of two dividing the workgroup
const uint GROUPS = gl_WorkGroupSize.x / LANES;

// The pages and x are declared twice on one binding: as 32-bit words and as 128-bit vectors.
layout(std430, binding = 0) readonly buffer Page { uint w[]; } pages[PAGES];
layout(std430, binding = 0) readonly buffer Page4 { uvec4 w4[]; } pages4[PAGES];
#if ROTARY_STORAGE16
layout(std430, binding = 0) readonly buffer Page16 { uint16_t w16[]; } pages16[PAGES];
layout(std430, binding = 0) readonly buffer Page8 { uint8_t w8[]; } pages8[PAGES];
uint wload16(uint src, uint i) { return uint(pages16[src].w16[i]); }
uint wload8(uint src, uint i) { return uint(pages8[src].w8[i]); }
#endif
layout(std430, binding = 1) readonly buffer Table { ExpertSlot table[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer X4 { vec4 x4[]; };
#if MATVEC_DOT
layout(std430, binding = 2) readonly buffer XQ { uint xw[]; };
uint xq_word(uint xb, uint b, uint j) { return xw[xb + 10u * b + 2u + j]; }
vec2 xq_ds(uint xb, uint b) { return uintBitsToFloat(uvec2(xw[xb + 10u * b], xw[xb + 10u * b + 1u])); }
#define UNIT_DOT(src, row, u, xb) unit_dot_q8(src, row, u, xb)
#else
#define UNIT_DOT(src, row, u, xb) unit_dot(src, row, u, xb, p.cols)
#endif
layout(std430, binding = 3) writeonly buffer Out { float o[]; };
#if EXPERT_DOWN
layout(std430, binding = 4) readonly buffer RouteWeights { float route_w[]; };
layout(std430, binding = 5) readonly buffer Bias { float bias[]; };
#else
layout(std430, binding = 4) readonly buffer Bias { float bias[]; };
layout(std430, binding = 5) readonly buffer Bias2 { float bias2[]; };
#endif
layout(push_constant) uniform PushBlock { ExpertPush p; };

uint wload(uint src, uint i) { return pages[src].w[i]; }
uvec4 wload4(uint src, uint i) { return pages4[src].w4[i]; }
float xload(uint i) { return x[i]; }
vec4 xload4(uint i) { return (i & 3u) == 0u ? x4[i >> 2] : vec4(x[i], x[i + 1u], x[i + 2u], x[i + 3u]); }

#include "quant/type.glsl"
#if EXPERT_GATE_UP
#define NMAT 2u
#else
#define NMAT 1u
#endif
const uint ACCUMULATORS = NMAT * ROWS;  // one name, so every array of this size has one type
#define RR_N ACCUMULATORS
#include "rows_reduce.glsl"

#include "expert_act.glsl"

void main() {
  const ExpertSlot e = table[p.first + gl_WorkGroupID.y];
  const uint row0 = gl_WorkGroupID.x * ROWS;
  if (row0 >= p.rows) return;  // whole workgroup
  const uint units = row_units(p.cols);
  const uint lane = gl_LocalInvocationID.x % LANES, group = gl_LocalInvocationID.x / LANES;
  float acc[RR_N];
  for (uint i = 0u; i < RR_N; ++i) acc[i] = 0.0;
#if EXPERT_GATE_UP
  const uint xb = p.x_offset;
  for (uint u = lane; u < units; u += LANES)
    for (uint r = 0u; r < ROWS; ++r)
      if (r % GROUPS == group && row0 + r < p.rows) {
        const uint rb = (row0 + r) * p.row_bytes;
        acc[r] += UNIT_DOT(e.gate_page, e.gate_offset + rb, u, xb);
        acc[ROWS + r] += UNIT_DOT(e.up_page, e.up_offset + rb, u, xb);
      }
#else
#if MATVEC_DOT
  const uint xb = p.x_offset + e.k_index * (p.cols / 32u * 10u);
#else
  const uint xb = p.x_offset + e.k_index * p.cols;
#endif
  for (uint u = lane; u < units; u += LANES)
    for (uint r = 0u; r < ROWS; ++r)
      if (r % GROUPS == group && row0 + r < p.rows) acc[r] += UNIT_DOT(e.down_page, e.down_offset + (row0 + r) * p.row_bytes, u, xb);
#endif
  rows_reduce(acc);
  const uint r = gl_LocalInvocationID.x;
  if (r >= ROWS || row0 + r >= p.rows) return;
#if EXPERT_GATE_UP
  o[p.out_offset + e.k_index * p.rows + row0 + r] = expert_gate_up_out(e.expert, row0 + r, acc[r], acc[ROWS + r]);
#else
  o[p.out_offset + e.k_index * p.rows + row0 + r] = route_w[p.weights_offset + e.k_index] * expert_down_out(e.expert, row0 + r, acc[r]);
#endif
}
