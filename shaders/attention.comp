#version 450
// Causal attention over the KV cache, flash style, for decode (one token, the KV length split
// across workgroups) and prefill (tiles of queries) alike.
//
// A workgroup owns BQ query rows that share one KV head: rows are (token, head) pairs, GW heads
// of the same GQA group per token, BQ / GW tokens per tile (workgroup x). Workgroup y picks the
// KV head and the group of GW heads; z picks a split: a run of split_len keys. The keys are
// walked in tiles of BK: a K tile is loaded to shared memory (coalesced, converted to f32 from the
// cache's type: f32, f16, q8_0, q4_0),
// scores S = scale * Q K^T (masked: causal and out of range -> -inf), then online softmax
// (running max m and sum l per row; P computed once per score) and O += P V with the V tile in
// the same shared memory.
// Each invocation owns one row and HD / TPR of its dimensions (TPR invocations per row), as vec4
// columns; shared memory is read as vec4.
//
// Sliding windows (gpt-oss): keys more than `window` positions back are masked, and a ring cache
// holds position j at row j % ring. Sinks (gpt-oss): a logit per head that joins the softmax.
// Mode 0 writes O / (l + exp(sink - m)). Mode 1 writes the split's partial (O unnormalised, m, l) for
// attention_combine.comp: used when the KV length is split across workgroups or bound in
// several ranges (a cache larger than maxStorageBufferRange).
//
// Shared memory: 4 * (BQ*HD + BK*(HD+4) + BQ*BK + WG) bytes; the host keeps it within the device limit.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint HD = 128;  // head_dim
layout(constant_id = 2) const uint BQ = 16;   // query rows per workgroup
layout(constant_id = 3) const uint BK = 32;   // keys per tile
layout(constant_id = 4) const uint GW = 8;    // heads per token in a tile

layout(std430, binding = 0) readonly buffer Q { float q[]; };
// K and V as words whatever their types (K_TYPE, V_TYPE: kv_types.glsl).
layout(std430, binding = 1) readonly buffer K { uint kc[]; };
layout(std430, binding = 2) readonly buffer V { uint vc[]; };
layout(std430, binding = 3) writeonly buffer O { float o[]; };
layout(std430, binding = 4) writeonly buffer ML { float ml[]; };
layout(std430, binding = 5) readonly buffer Sinks { float sinks[]; };
layout(push_constant) uniform PushBlock { AttentionPush p; };

uint kv_word(bool values, uint word) { return values ? vc[word] : kc[word]; }
#define READ_KV 1
#include "kv_types.glsl"

#define NEG_INF uintBitsToFloat(0xFF800000u)
const uint WG = gl_WorkGroupSize.x;
const uint HD4 = HD / 4;         // shared memory is read as vec4: a quarter of the instructions
const uint TPR = WG / BQ;        // invocations per row
const uint NACC = HD4 / TPR;     // vec4 columns each invocation accumulates
const uint KSTRIDE = HD4 + 1;    // padded: a warp reading one column of K hits distinct banks

shared vec4 q_tile[BQ * HD4];
shared vec4 kv_tile[BK * KSTRIDE];
shared float s_tile[BQ * BK];
shared float l_part[WG];  // each invocation's part of its row's softmax sum

// Loads keys j0 .. j0+BK-1 (those below `end`) of KV head `kvh` into kv_tile.
void load_tile(bool values, uint j0, uint end, uint kvh) {
  for (uint e = gl_LocalInvocationID.x; e < BK * HD4; e += WG) {
    const uint jj = e / HD4;
    const uint d4 = e - jj * HD4;
    vec4 v = vec4(0.0);
    if (j0 + jj < end) {
      // Element 0 of the row's head: rows are whole blocks, so e = (row, head) elements + 4 d4.
      const uint row = p.ring != 0u ? (j0 + jj) % p.ring : j0 + jj - p.kv_first;
      const uint e = (row * p.n_kv_heads + kvh) * HD + 4u * d4;
      v = values ? kv_load4(true, V_TYPE, p.v_skip_bytes, e) : kv_load4(false, K_TYPE, p.k_skip_bytes, e);
    }
    kv_tile[jj * KSTRIDE + d4] = v;
  }
}

// The tile being worked on: which rows are valid, and where its queries sit.
struct Tile {
  uint t0;     // first token
  uint rows;   // valid rows (tokens in the tile x GW)
  uint head0;  // first query head
};

void load_queries(Tile tile) {
  for (uint e = gl_LocalInvocationID.x; e < BQ * HD4; e += WG) {
    const uint r = e / HD4;
    const uint d4 = e - r * HD4;
    const uint at = p.q_offset + ((tile.t0 + r / GW) * p.n_heads + tile.head0 + r % GW) * HD + 4 * d4;
    q_tile[e] = r < tile.rows ? vec4(q[at], q[at + 1], q[at + 2], q[at + 3]) : vec4(0.0);
  }
}

// s_tile = scale * Q K^T for keys j0 .. j0+BK-1, -inf where masked (causal, past `end`).
void score_tile(Tile tile, uint j0, uint end) {
  for (uint e = gl_LocalInvocationID.x; e < BQ * BK; e += WG) {
    const uint r = e / BK;
    const uint jj = e - r * BK;
    const uint j = j0 + jj;
    float s = NEG_INF;
    const uint query = p.p0 + tile.t0 + r / GW;
    if (r < tile.rows && j < end && j <= query && (p.window == 0u || j + p.window > query)) {
      float dot_qk = 0.0;
      for (uint d4 = 0; d4 < HD4; ++d4) dot_qk += dot(q_tile[r * HD4 + d4], kv_tile[jj * KSTRIDE + d4]);
      s = dot_qk * p.scale;
    }
    s_tile[e] = s;
  }
}

// This invocation's accumulators: row `row`, vec4 columns part + TPR * i.
vec4 acc[NACC];

void write_result(Tile tile, uint row, uint part, float m, float l) {
  const uint q_row = (tile.t0 + row / GW) * p.n_heads + tile.head0 + row % GW;
  const uint slot = q_row * p.n_splits + p.split_base + gl_WorkGroupID.z;
  // A sink is a logit of its head that joins the softmax and adds nothing to the output.
  const float sink = p.mode == 0u && p.has_sinks != 0u ? exp(sinks[p.sinks_offset + tile.head0 + row % GW] - m) : 0.0;
  const float scale = p.mode == 0u ? 1.0 / (l + sink) : 1.0;
  const uint base = p.o_offset + (p.mode == 0u ? q_row : slot) * HD;
  [[unroll]] for (uint i = 0; i < NACC; ++i) {
    const uint at = base + 4 * (part + TPR * i);
    const vec4 v = acc[i] * scale;
    o[at] = v.x;
    o[at + 1] = v.y;
    o[at + 2] = v.z;
    o[at + 3] = v.w;
  }
  if (p.mode != 0u && part == 0u) {
    ml[p.ml_offset + slot * 2] = m;
    ml[p.ml_offset + slot * 2 + 1] = l;
  }
}

void main() {
  const uint tid = gl_LocalInvocationID.x;
  const uint group_size = p.n_heads / p.n_kv_heads;  // query heads per KV head
  const uint groups = group_size / GW;
  const uint kvh = gl_WorkGroupID.y / groups;
  const uint tokens_per_tile = BQ / GW;
  Tile tile;
  tile.t0 = gl_WorkGroupID.x * tokens_per_tile;
  tile.rows = min(tokens_per_tile, p.n_tokens - tile.t0) * GW;
  tile.head0 = kvh * group_size + (gl_WorkGroupID.y - kvh * groups) * GW;

  // Keys of this split, cut at the causal limit of the tile's last token.
  const uint kb = p.key_begin + gl_WorkGroupID.z * p.split_len;
  const uint ke = min(min(kb + p.split_len, p.key_end), p.p0 + tile.t0 + tile.rows / GW);

  load_queries(tile);
  const uint row = tid / TPR;
  const uint part = tid - row * TPR;
  const bool own_row = row < tile.rows;
  float m = NEG_INF;
  float l = 0.0;  // this invocation's part of the row's sum
  [[unroll]] for (uint i = 0; i < NACC; ++i) acc[i] = vec4(0.0);

  for (uint j0 = kb; j0 < ke; j0 += BK) {
    barrier();  // the previous tile's reads of kv_tile and s_tile are done (and q_tile is loaded)
    load_tile(false, j0, ke, kvh);
    barrier();
    score_tile(tile, j0, ke);
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
    // Probabilities once per (row, key): each of the row's TPR invocations takes every TPR-th key.
    for (uint jj = part; jj < BK; jj += TPR) {
      const float s = s_tile[row * BK + jj];
      const float pj = s == NEG_INF ? 0.0 : exp(s - m);
      s_tile[row * BK + jj] = pj;
      l += pj;
    }
    barrier();
    for (uint jj = 0; own_row && jj < BK; ++jj) {
      const float pj = s_tile[row * BK + jj];
      [[unroll]] for (uint i = 0; i < NACC; ++i) acc[i] += pj * kv_tile[jj * KSTRIDE + part + TPR * i];
    }
  }
  l_part[tid] = l;
  barrier();
  l = 0.0;
  for (uint k = 0; k < TPR; ++k) l += l_part[row * TPR + k];
  if (own_row) write_result(tile, row, part, m, l);
}
