#version 450
// Copies the current tokens' K or V rows (f32, [n_tokens][n_kv_heads * head_dim]) into the
// cache at consecutive positions; the binding starts at the first position's row. KV_F16 stores
// halves, two per word, rounded to nearest even exactly as ggml's fp32 -> fp16 (f16.glsl).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "f16.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Src { float src[]; };
#if KV_F16
layout(std430, binding = 1) writeonly buffer Dst { uint dst[]; };
#else
layout(std430, binding = 1) writeonly buffer Dst { float dst[]; };
#endif
layout(push_constant) uniform PushBlock { KvStorePush p; };

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
#if KV_F16
  const uint words = p.row_elems / 2;  // row_elems is even (head_dim is)
  if (i >= p.n_tokens * words) return;
  const uint t = i / words;
  const uint w = i - t * words;
  const uint s = p.src_offset + t * p.src_stride + 2 * w;
  dst[p.dst_skip + i] = rt_pack_f16x2(src[s], src[s + 1]);
#else
  if (i >= p.n_tokens * p.row_elems) return;
  const uint t = i / p.row_elems;
  const uint e = i - t * p.row_elems;
  dst[p.dst_skip + i] = src[p.src_offset + t * p.src_stride + e];
#endif
}
