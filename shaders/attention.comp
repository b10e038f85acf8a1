#version 450
// Causal attention over the KV cache, flash style, for decode (one token, the KV length split
// across workgroups) and prefill (tiles of queries) alike.
//
// A workgroup owns BQ query rows that share one KV head: rows are (token, head) pairs, GW heads
// of the same GQA group per token, BQ / GW tokens per tile (workgroup x). Workgroup y picks the
// KV head and the group of GW heads; z picks a split: a run of split_len keys. The keys are
// walked in tiles of BK: a K tile is loaded to shared memory (coalesced, f16 converted to f32),
// scores S = scale * Q K^T (masked: causal and out of range -> -inf), then online softmax
// (running max m and sum l per row) and O += P V with the V tile in the same shared memory.
// Each invocation owns one row and HD / TPR of its dimensions (TPR invocations per row).
//
// Mode 0 writes O / l. Mode 1 writes the split's partial (O unnormalised, m, l) for
// attention_combine.comp: used when the KV length is split across workgroups or bound in
// several ranges (a cache larger than maxStorageBufferRange).
//
// Shared memory: 4 * (BQ*HD + BK*(HD+1) + BQ*BK) bytes; the host keeps it within the device limit.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#if KV_F16
#include "f16.glsl"
#endif

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint HD = 128;  // head_dim
layout(constant_id = 2) const uint BQ = 16;   // query rows per workgroup
layout(constant_id = 3) const uint BK = 32;   // keys per tile
layout(constant_id = 4) const uint GW = 8;    // heads per token in a tile

layout(std430, binding = 0) readonly buffer Q { float q[]; };
#if KV_F16
layout(std430, binding = 1) readonly buffer K { uint kc[]; };
layout(std430, binding = 2) readonly buffer V { uint vc[]; };
#else
layout(std430, binding = 1) readonly buffer K { float kc[]; };
layout(std430, binding = 2) readonly buffer V { float vc[]; };
#endif
layout(std430, binding = 3) writeonly buffer O { float o[]; };
layout(std430, binding = 4) writeonly buffer ML { float ml[]; };
layout(push_constant) uniform PushBlock { AttentionPush p; };

const uint WG = gl_WorkGroupSize.x;
const uint TPR = WG / BQ;        // invocations per row
const uint NACC = HD / TPR;      // dimensions each invocation accumulates
const uint KSTRIDE = HD + 1;     // padded: a warp reading one column of K hits distinct banks
#define NEG_INF uintBitsToFloat(0xFF800000u)

shared float q_tile[BQ * HD];
shared float kv_tile[BK * KSTRIDE];
shared float s_tile[BQ * BK];

// Loads keys j0 .. j0+BK-1 (those below `end`) of KV head `kvh` into kv_tile.
void load_tile(bool values, uint j0, uint end, uint kvh) {
#if KV_F16
  const uint hw = HD / 2;
  for (uint e = gl_LocalInvocationID.x; e < BK * hw; e += WG) {
    const uint jj = e / hw;
    const uint dw = e - jj * hw;
    vec2 v = vec2(0.0);
    if (j0 + jj < end) {
      const uint at = ((j0 + jj - p.kv_first) * p.n_kv_heads + kvh) * hw + dw;
      v = rt_unpack_f16x2(values ? vc[p.v_skip + at] : kc[p.k_skip + at]);
    }
    kv_tile[jj * KSTRIDE + 2 * dw] = v.x;
    kv_tile[jj * KSTRIDE + 2 * dw + 1] = v.y;
  }
#else
  for (uint e = gl_LocalInvocationID.x; e < BK * HD; e += WG) {
    const uint jj = e / HD;
    const uint d = e - jj * HD;
    float v = 0.0;
    if (j0 + jj < end) {
      const uint at = ((j0 + jj - p.kv_first) * p.n_kv_heads + kvh) * HD + d;
      v = values ? vc[p.v_skip + at] : kc[p.k_skip + at];
    }
    kv_tile[jj * KSTRIDE + d] = v;
  }
#endif
}

void main() {
  const uint tid = gl_LocalInvocationID.x;
  const uint group_size = p.n_heads / p.n_kv_heads;  // query heads per KV head
  const uint groups = group_size / GW;
  const uint kvh = gl_WorkGroupID.y / groups;
  const uint head0 = kvh * group_size + (gl_WorkGroupID.y - kvh * groups) * GW;
  const uint tokens_per_tile = BQ / GW;
  const uint t0 = gl_WorkGroupID.x * tokens_per_tile;
  const uint rows = min(tokens_per_tile, p.n_tokens - t0) * GW;  // valid rows of this tile

  // Keys of this split, cut at the causal limit of the tile's last token.
  const uint split = gl_WorkGroupID.z;
  const uint kb = p.key_begin + split * p.split_len;
  const uint ke = min(min(kb + p.split_len, p.key_end), p.p0 + t0 + rows / GW);

  for (uint e = tid; e < BQ * HD; e += WG) {
    const uint r = e / HD;
    const uint d = e - r * HD;
    const uint t = t0 + r / GW;
    const uint h = head0 + r % GW;
    q_tile[e] = r < rows ? q[p.q_offset + (t * p.n_heads + h) * HD + d] : 0.0;
  }

  const uint row = tid / TPR;
  const uint part = tid - row * TPR;
  float m = NEG_INF;
  float l = 0.0;
  float acc[NACC];
  [[unroll]] for (uint i = 0; i < NACC; ++i) acc[i] = 0.0;

  for (uint j0 = kb; j0 < ke; j0 += BK) {
    barrier();  // the previous tile's reads of kv_tile and s_tile are done (and q_tile is loaded)
    load_tile(false, j0, ke, kvh);
    barrier();
    for (uint e = tid; e < BQ * BK; e += WG) {
      const uint r = e / BK;
      const uint jj = e - r * BK;
      const uint j = j0 + jj;
      float s = NEG_INF;
      if (r < rows && j < ke && j <= p.p0 + t0 + r / GW) {
        float dot = 0.0;
        for (uint d = 0; d < HD; ++d) dot += q_tile[r * HD + d] * kv_tile[jj * KSTRIDE + d];
        s = dot * p.scale;
      }
      s_tile[e] = s;
    }
    barrier();
    float tile_max = NEG_INF;
    for (uint jj = 0; jj < BK; ++jj) tile_max = max(tile_max, s_tile[row * BK + jj]);
    const float m_new = max(m, tile_max);
    if (m_new != NEG_INF) {
      const float alpha = m == NEG_INF ? 0.0 : exp(m - m_new);
      l *= alpha;
      [[unroll]] for (uint i = 0; i < NACC; ++i) acc[i] *= alpha;
      m = m_new;
    }
    load_tile(true, j0, ke, kvh);
    barrier();
    for (uint jj = 0; jj < BK; ++jj) {
      const float s = s_tile[row * BK + jj];
      const float pj = s == NEG_INF ? 0.0 : exp(s - m);
      l += pj;
      [[unroll]] for (uint i = 0; i < NACC; ++i) acc[i] += pj * kv_tile[jj * KSTRIDE + part + TPR * i];
    }
  }

  if (row >= rows) return;
  const uint t = t0 + row / GW;
  const uint q_row = t * p.n_heads + head0 + row % GW;
  if (p.mode == 0u) {
    const float inv = 1.0 / l;
    [[unroll]] for (uint i = 0; i < NACC; ++i) o[p.o_offset + q_row * HD + part + TPR * i] = acc[i] * inv;
  } else {
    const uint slot = q_row * p.n_splits + p.split_base + split;
    [[unroll]] for (uint i = 0; i < NACC; ++i) o[p.o_offset + slot * HD + part + TPR * i] = acc[i];
    if (part == 0u) {
      ml[p.ml_offset + slot * 2] = m;
      ml[p.ml_offset + slot * 2 + 1] = l;
    }
  }
}
