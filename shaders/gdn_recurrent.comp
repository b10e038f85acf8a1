#version 450
// Gated DeltaNet delta rule, token by token (decode; also short prompts). Per value head h with
// state S (dim_k x dim_v, stored as [h][v][k]: row v holds column v of S, k contiguous):
//   S <- exp(g) S;  delta = beta (v - S^T k);  S <- S + k delta^T;  o = scale * S^T q
// Each row v of the stored state is independent, so a row is held in registers by LANES
// invocations (KPL elements each, k = lane + LANES * i), read once and written once for all
// n_tokens; an invocation holds ROWS such rows so that its k and q loads serve all of them.
// Both dot products use the state before the update:
//   a = S_old^T k, b = S_old^T q, c = k.q;  delta = beta (v - exp(g) a);
//   o = scale * (exp(g) b + delta c)
// which equals the update-then-read order in real arithmetic and needs one reduction per token
// instead of two dependent ones.
// Grid: x = blocks of ROWS * WG / LANES rows, y = value head.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
// Invocations per state row. When it equals the device's subgroup size the rows reduce with
// subgroupAdd; otherwise (other sizes, or the _nosg variant) through shared memory.
layout(constant_id = 1) const uint LANES = 32;
layout(constant_id = 2) const uint KPL = 4;   // ceil(dim_k / LANES)
layout(constant_id = 3) const uint ROWS = 1;  // state rows per invocation

layout(std430, binding = 0) readonly buffer QKV { float qkv[]; };  // [T][q | k | v]
layout(std430, binding = 1) readonly buffer Beta { float beta[]; }; // [T][Hv]
layout(std430, binding = 2) readonly buffer G { float g[]; };       // [T][Hv]
layout(std430, binding = 3) buffer State { float state[]; };        // [Hv][dim_v][dim_k]
layout(std430, binding = 4) writeonly buffer O { float o[]; };      // [T][Hv][dim_v]
layout(push_constant) uniform PushBlock { GdnRecurrencePush p; };

const uint GROUPS = gl_WorkGroupSize.x / LANES;  // row groups per workgroup
shared float red[3 * ROWS * gl_WorkGroupSize.x];

void main() {
  const uint h = gl_WorkGroupID.y;
  const uint kh = p.v_grouped != 0 ? h / (p.v_heads / p.k_heads) : h % p.k_heads;
  const uint lid = gl_LocalInvocationID.x;
  bool use_sg = false;
  uint lane = lid % LANES, group = lid / LANES;
#if ROTARY_SUBGROUP_ARITH
  if (gl_SubgroupSize == LANES) {
    use_sg = true;
    lane = gl_SubgroupInvocationID;
    group = gl_SubgroupID;
  }
#endif
  uint row[ROWS];
  bool live[ROWS];
  float s[ROWS][KPL];
  [[unroll]] for (uint r = 0; r < ROWS; ++r) {
    row[r] = (gl_WorkGroupID.x * ROWS + r) * GROUPS + group;
    live[r] = row[r] < p.dim_v;
    [[unroll]] for (uint i = 0; i < KPL; ++i) {
      const uint k = lane + i * LANES;
      s[r][i] = live[r] && k < p.dim_k ? state[(h * p.dim_v + row[r]) * p.dim_k + k] : 0.0;
    }
  }
  const uint q_col = kh * p.dim_k, k_col = (p.k_heads + kh) * p.dim_k;
  const uint v_col = 2 * p.k_heads * p.dim_k + h * p.dim_v;
  // Token t's inputs are loaded during token t-1 so that their latency overlaps the reductions.
#define LOAD_TOKEN(T, KK, QQ, VV, GT, BT)                                \
  {                                                                     \
    const uint rb_ = (T) * p.qkv_stride;                                \
    [[unroll]] for (uint i = 0; i < KPL; ++i) {                         \
      const uint k = lane + i * LANES;                                  \
      KK[i] = k < p.dim_k ? qkv[rb_ + k_col + k] : 0.0;                 \
      QQ[i] = k < p.dim_k ? qkv[rb_ + q_col + k] : 0.0;                 \
    }                                                                   \
    [[unroll]] for (uint r = 0; r < ROWS; ++r)                          \
      VV[r] = live[r] ? qkv[rb_ + v_col + row[r]] : 0.0;                \
    GT = g[(T) * p.v_heads + h];                                        \
    BT = beta[(T) * p.v_heads + h];                                     \
  }
  float kk[KPL], qq[KPL], vv[ROWS], gt, bt;
  LOAD_TOKEN(0, kk, qq, vv, gt, bt)
  for (uint t = 0; t < p.n_tokens; ++t) {
    float nk[KPL], nq[KPL], nv[ROWS], ng, nb;
    LOAD_TOKEN(min(t + 1, p.n_tokens - 1), nk, nq, nv, ng, nb)
    float pc = 0.0;
    [[unroll]] for (uint i = 0; i < KPL; ++i) pc += kk[i] * qq[i];
    float pa[ROWS], pb[ROWS];
    [[unroll]] for (uint r = 0; r < ROWS; ++r) {
      pa[r] = 0.0;
      pb[r] = 0.0;
      [[unroll]] for (uint i = 0; i < KPL; ++i) {
        pa[r] += s[r][i] * kk[i];
        pb[r] += s[r][i] * qq[i];
      }
    }
#if ROTARY_SUBGROUP_ARITH
    if (use_sg) {
      pc = subgroupAdd(pc);
      [[unroll]] for (uint r = 0; r < ROWS; ++r) {
        pa[r] = subgroupAdd(pa[r]);
        pb[r] = subgroupAdd(pb[r]);
      }
    }
#endif
    if (!use_sg) {
      // red[x * WG + lid], x = r for a, ROWS + r for b, 2 ROWS for c. Lane 0 of each row
      // group sums its group's partials into its own slots; then everyone reads them.
      const uint wg = gl_WorkGroupSize.x, first = group * LANES;
      barrier();  // the previous token's sums have been read
      [[unroll]] for (uint r = 0; r < ROWS; ++r) {
        red[r * wg + lid] = pa[r];
        red[(ROWS + r) * wg + lid] = pb[r];
      }
      red[2 * ROWS * wg + lid] = pc;
      barrier();
      if (lane == 0)
        for (uint x = 0; x <= 2 * ROWS; ++x) {
          float sum = 0.0;
          for (uint j = 0; j < LANES; ++j) sum += red[x * wg + first + j];
          red[x * wg + first] = sum;
        }
      barrier();
      [[unroll]] for (uint r = 0; r < ROWS; ++r) {
        pa[r] = red[r * wg + first];
        pb[r] = red[(ROWS + r) * wg + first];
      }
      pc = red[2 * ROWS * wg + first];
    }
    const float decay = exp(gt);
    [[unroll]] for (uint r = 0; r < ROWS; ++r) {
      const float delta = bt * (vv[r] - decay * pa[r]);
      [[unroll]] for (uint i = 0; i < KPL; ++i) s[r][i] = decay * s[r][i] + kk[i] * delta;
      if (live[r] && lane == 0) o[(t * p.v_heads + h) * p.dim_v + row[r]] = p.scale * (decay * pb[r] + delta * pc);
    }
    [[unroll]] for (uint i = 0; i < KPL; ++i) {
      kk[i] = nk[i];
      qq[i] = nq[i];
    }
    [[unroll]] for (uint r = 0; r < ROWS; ++r) vv[r] = nv[r];
    gt = ng;
    bt = nb;
  }
  [[unroll]] for (uint r = 0; r < ROWS; ++r)
    [[unroll]] for (uint i = 0; i < KPL; ++i) {
      const uint k = lane + i * LANES;
      if (live[r] && k < p.dim_k) state[(h * p.dim_v + row[r]) * p.dim_k + k] = s[r][i];
    }
}
