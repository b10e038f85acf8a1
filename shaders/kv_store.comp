#version 450
// Stores the current tokens' K or V rows (f32, [n_tokens][n_kv_heads * head_dim]) into the
// cache at consecutive positions; the binding starts at or before the first position's row, which
// lies dst_skip_bytes into it. KV_TYPE (kv_types.glsl): F32 copies; F16 stores halves rounded to
// nearest even exactly as ggml's fp32 -> fp16 (f16.glsl); Q8_0 and Q4_0 quantise one block per
// invocation exactly as llama.cpp's reference quantisers (kv_quant.glsl).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "kv_types.glsl"
#include "f16.glsl"
#if KV_TYPE == KV_Q8_0 || KV_TYPE == KV_Q4_0
#include "kv_quant.glsl"
#endif

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Src { float src[]; };
#if KV_TYPE == KV_F32
layout(std430, binding = 1) writeonly buffer Dst { float dst[]; };
#elif KV_TYPE == KV_F16
layout(std430, binding = 1) writeonly buffer Dst { uint dst[]; };
#else
// Blocks are 34 or 18 bytes: two blocks may share a word, whose bytes each invocation then
// sets with atomics (its own bytes only); the words inside a block are plain stores.
layout(std430, binding = 1) buffer Dst { uint dst[]; };
#endif
layout(push_constant) uniform PushBlock { KvStorePush p; };

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
#if KV_TYPE == KV_F32
  if (i >= p.n_tokens * p.row_elems) return;
  const uint t = i / p.row_elems;
  const uint e = i - t * p.row_elems;
  dst[p.dst_skip_bytes / 4u + i] = src[p.src_offset + t * p.src_stride + e];
#elif KV_TYPE == KV_F16
  const uint words = p.row_elems / 2;  // row_elems is even (head_dim is)
  if (i >= p.n_tokens * words) return;
  const uint t = i / words;
  const uint w = i - t * words;
  const uint s = p.src_offset + t * p.src_stride + 2 * w;
  dst[p.dst_skip_bytes / 4u + i] = rt_pack_f16x2(src[s], src[s + 1]);
#else
  const uint row_blocks = p.row_elems / KV_BLOCK_ELEMS;
  if (i >= p.n_tokens * row_blocks) return;
  const uint t = i / row_blocks;
  const uint b = i - t * row_blocks;
  float x[32];
  const uint s = p.src_offset + t * p.src_stride + b * KV_BLOCK_ELEMS;
  for (uint j = 0u; j < 32u; ++j) x[j] = src[s + j];
  const uint byte0 = p.dst_skip_bytes + i * KV_BLOCK_BYTES;  // positions are contiguous rows
  const uint shift = byte0 & 3u;
  blk_clear();
#if KV_TYPE == KV_Q8_0
  quantize_q8_0(x, shift);
#else
  quantize_q4_0(x, shift);
#endif
  const uint end = shift + KV_BLOCK_BYTES;  // bytes of blk[] in use
  const uint w0 = byte0 >> 2;
  for (uint k = 0u; k * 4u < end; ++k) {
    const uint lo = k == 0u ? shift : 0u;          // first byte of the word that is ours
    const uint hi = min(end - 4u * k, 4u);         // one past the last
    if (lo == 0u && hi == 4u) {
      dst[w0 + k] = blk[k];
    } else {
      const uint mask = (hi == 4u ? 0xFFFFFFFFu : ((1u << (8u * hi)) - 1u)) & ~((1u << (8u * lo)) - 1u);
      atomicAnd(dst[w0 + k], ~mask);
      atomicOr(dst[w0 + k], blk[k] & mask);
    }
  }
#endif
}
