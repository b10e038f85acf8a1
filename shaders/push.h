// Push-constant structs, written once for both C++ and GLSL.
// Rules that keep the two layouts identical: members are uint, int or float only (4 bytes each,
// no vectors, no arrays), and every struct stays within the 128 bytes Vulkan guarantees.
// A shader uses one with: layout(push_constant) uniform PushBlock { AddPush p; };
#ifndef ROTARY_SHADERS_PUSH_H
#define ROTARY_SHADERS_PUSH_H

#ifdef __cplusplus
#include <cstdint>
namespace rotary::push {
using uint = uint32_t;
#define ROTARY_PUSH_CHECK(T) static_assert(sizeof(T) <= 128 && sizeof(T) % 4 == 0, #T);
#else
#define ROTARY_PUSH_CHECK(T)
#endif

// Offsets are in elements of the bound range, so that a tensor bound in ranges (row chunks
// smaller than maxStorageBufferRange) needs no other change.

// y[i] = a[i] + b[i], i < n (elementwise.comp, ADD)
struct BinaryPush {
  uint n;
  uint a_offset;
  uint b_offset;
  uint y_offset;
};
ROTARY_PUSH_CHECK(BinaryPush)

// ---- weight kernels: get_rows, matvec, matmul, grouped experts (add below) ----

// Weight rows are addressed in bytes from the start of the bound range (w_skip: where the
// dispatch's first row starts); activations in elements.

// matvec_<type>: y[y_offset + r] = sum_c W[r][c] * x[x_offset + c], r < rows
struct MatvecPush {
  uint cols;       // elements per row (ne0)
  uint rows;       // rows in this dispatch (one row chunk)
  uint row_bytes;
  uint w_skip;
  uint x_offset;
  uint y_offset;
};
ROTARY_PUSH_CHECK(MatvecPush)

// quantize_q8_1: blocks [0, blocks) of 32 floats from x[x_offset + 32 b] to Q8_1 blocks of 10
// words at out[out_offset + 10 b] (quant/dot_q8.glsl)
struct QuantizeQ8Push {
  uint blocks;
  uint x_offset;
  uint out_offset;
};
ROTARY_PUSH_CHECK(QuantizeQ8Push)

// matmul_<type>: y[y_offset + t * y_stride + r] = sum_c W[r][c] * x[x_offset + t * x_stride + c]
struct MatmulPush {
  uint cols;
  uint rows;
  uint row_bytes;
  uint w_skip;
  uint n;          // tokens in this dispatch
  uint x_offset;
  uint x_stride;
  uint y_offset;
  uint y_stride;
};
ROTARY_PUSH_CHECK(MatmulPush)

// get_rows_<type>: out[out_offset + i * cols + c] = W[ids[ids_offset + i]][c] for the ids in
// [first_row, first_row + rows), the row chunk bound
struct GetRowsPush {
  uint cols;
  uint rows;
  uint row_bytes;
  uint w_skip;
  uint first_row;
  uint count;
  uint ids_offset;
  uint out_offset;
};
ROTARY_PUSH_CHECK(GetRowsPush)

// expert_gate_up[_mm]_<type>, expert_down[_mm]_<type>: table entries [first, first + count);
// each matrix is rows x cols (gate/up: n_ff x n_embd, down: n_embd x n_ff).
struct ExpertPush {
  uint cols;
  uint rows;
  uint row_bytes;
  uint first;           // first table entry of this dispatch
  uint top_k;           // prefill: slot = token * top_k + k
  uint pairs_offset;    // prefill: uint index of pair 0 in the bound pairs range
  uint x_offset;        // gate/up: x (decode: one row; prefill: [token][cols]); down: h [slot][cols]
  uint out_offset;      // gate/up: h [slot][rows]; down: y [slot][rows]
  uint weights_offset;  // down: routing weights [slot]
  // gpt-oss: bit 0 adds the per-expert biases (gate/up: bias[bias_offset + expert * rows + r] and
  // bias2[bias2_offset + ...]; down: bias[...]) to the products; bit 1 makes gate/up's activation
  // the clamped SwiGLU, min(g, 7) sigmoid(1.702 min(g, 7)) (clamp(u, -7, 7) + 1).
  uint flags;
  uint bias_offset;
  uint bias2_offset;
};
ROTARY_PUSH_CHECK(ExpertPush)

// expert_combine: out[t][r] = (add_residual ? residual[t][r] : 0) + (y[t][0][r] + ... + y[t][k-1][r]),
// the expert terms summed in k order first
struct CombinePush {
  uint n_embd;
  uint n_tokens;
  uint top_k;
  uint y_offset;
  uint residual_offset;
  uint out_offset;
  uint add_residual;
};
ROTARY_PUSH_CHECK(CombinePush)

// expert_combine_norm: CombinePush's sum into out, then normed = rms_norm(out) * w per token
struct CombineNormPush {
  uint n_embd;
  uint n_tokens;
  uint top_k;
  uint y_offset;
  uint residual_offset;
  uint out_offset;
  uint add_residual;
  uint w_offset;
  uint normed_offset;
  float eps;
};
ROTARY_PUSH_CHECK(CombineNormPush)

// expert_route: table[table_first + j] = map[map_first + ids[ids_offset + j]] with k_index = j, j < k
// (expert_route.comp; offsets in elements: 4-byte ids, 36-byte ExpertSlot entries)
struct ExpertRoutePush {
  uint k;
  uint n_experts;
  uint ids_offset;
  uint map_first;
  uint table_first;
};
ROTARY_PUSH_CHECK(ExpertRoutePush)

// ---- activation kernels: norms, rope, attention, router, elementwise, logits (add below) ----

// y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w over `dim` floats per row (rms_norm.comp)
struct RmsNormPush {
  uint n_rows;
  uint dim;
  uint x_offset;
  uint x_stride;  // floats between rows
  uint w_offset;
  uint y_offset;
  uint y_stride;
  float eps;
};
ROTARY_PUSH_CHECK(RmsNormPush)

// NEOX rotary embedding of x[token][head][head_dim] (rope.comp)
struct RopePush {
  uint n_tokens;
  uint n_heads;
  uint head_dim;
  uint n_rot;          // rotated dims (even, <= head_dim); the rest pass through
  float theta_scale;   // base^(-2/n_rot), computed on the host as ggml does
  // YaRN as ggml's rope_yarn: theta = mix of freq_scale * theta and theta by a ramp over pairs
  // [corr_low, corr_high] times ext_factor; sin and cos times mscale. Plain RoPE: 1, 0, -, -, 1.
  float freq_scale;
  float ext_factor;
  float corr_low;
  float corr_high;
  float mscale;
  uint copy_rest;      // 1: copy dims >= n_rot (out of place); 0: in place
  uint pos_offset;
  uint x_offset;
  uint x_token_stride;
  uint x_head_stride;
  uint y_offset;
  uint y_token_stride;
  uint y_head_stride;
};
ROTARY_PUSH_CHECK(RopePush)

// Per-head RMSNorm then NEOX RoPE (norm_rope.comp): RopePush's layout plus the norm weight and eps
struct NormRopePush {
  uint n_tokens;
  uint n_heads;
  uint head_dim;
  uint n_rot;
  float theta_scale;
  float eps;
  uint pos_offset;
  uint w_offset;
  uint x_offset;
  uint x_token_stride;
  uint x_head_stride;
  uint y_offset;
  uint y_token_stride;
  uint y_head_stride;
};
ROTARY_PUSH_CHECK(NormRopePush)

// Row-structured elementwise ops (eltwise.comp): element c of row r reads
// a[a_offset + r * a_stride + c] and b[...] likewise; y is written the same way.
struct EltwisePush {
  uint n_cols;
  uint n_rows;
  uint a_offset;
  uint a_stride;
  uint b_offset;
  uint b_stride;  // MUL_SIGMOID_ROW: b[b_offset + r * b_stride] is row r's scalar
  uint y_offset;
  uint y_stride;
  float scalar;   // SCALE
};
ROTARY_PUSH_CHECK(EltwisePush)

// The current tokens' K or V rows (f32) into the cache at consecutive positions (kv_store.comp)
struct KvStorePush {
  uint n_tokens;
  uint row_elems;   // n_kv_heads * head_dim
  uint src_offset;
  uint src_stride;  // floats between tokens
  uint dst_skip_bytes;  // bytes from the binding's start to the first stored row
};
ROTARY_PUSH_CHECK(KvStorePush)

// Attention of queries at positions p0 .. p0+n_tokens-1 over cached keys (attention.comp).
// One dispatch covers keys [key_begin, key_end) of one bound KV range, cut into splits of
// split_len keys (workgroup z); with mode 1 each split writes a partial (m, l, O) combined later.
struct AttentionPush {
  uint n_tokens;
  uint n_heads;
  uint n_kv_heads;
  uint p0;
  uint kv_first;   // position of the bound range's first row
  uint k_skip_bytes;  // bytes from the K binding's start to that row
  uint v_skip_bytes;  // the same for V
  uint key_begin;
  uint key_end;
  uint split_len;
  uint split_base; // index of this dispatch's first split among all n_splits
  uint n_splits;
  float scale;
  uint q_offset;
  uint o_offset;
  uint ml_offset;
  uint mode;       // 0: normalised output; 1: partial (unnormalised O, running max m, sum l)
  uint window;     // 0: none; else a query at position i sees keys i - window + 1 .. i
  uint ring;       // 0: row = position - kv_first; else row = position % ring (a sliding window's ring)
  uint has_sinks;  // 1: sinks[sinks_offset + head] joins each row's softmax as a logit (mode 0)
  uint sinks_offset;
};
ROTARY_PUSH_CHECK(AttentionPush)

// Merges the per-split partials of each (token, head) row (attention_combine.comp)
struct AttentionCombinePush {
  uint n_rows;
  uint n_splits;
  uint head_dim;
  uint ml_offset;
  uint o_offset;
  uint out_offset;
  uint n_heads;    // rows are (token, head): head = row % n_heads
  uint has_sinks;  // 1: sinks[sinks_offset + head] joins the softmax as a logit
  uint sinks_offset;
};
ROTARY_PUSH_CHECK(AttentionCombinePush)

// Router: softmax over n_experts, top-k, renormalise (router.comp); one workgroup per token
// router.comp writes this id in every one of a token's k slots (and weight 0) when a router
// logit of the token is NaN or infinite: the host, which reads the ids anyway, reports where
// the activations stopped being finite instead of routing garbage.
#define ROUTER_NON_FINITE 0xFFFFFFFEu
struct RouterPush {
  uint n_tokens;
  uint n_experts;
  uint k;
  uint normalize;  // 1: chosen probabilities divided by their sum (clamped >= 6.103515625e-5)
  uint softmax_chosen;  // 1 (gpt-oss): the k largest logits, weights = softmax over those k
  uint logits_offset;
  uint ids_offset;
  uint weights_offset;
};
ROTARY_PUSH_CHECK(RouterPush)

// One pass of the logits top-k (topk.comp): each workgroup reduces `block` inputs to its best k
// (value descending, then index ascending), in order.
struct TopKPush {
  uint n;          // inputs
  uint k;
  uint block;      // inputs per workgroup
  uint has_ids;    // 0: an input's id is its index; 1: ids come from the ids binding
  uint in_offset;
  uint ids_offset;
  uint out_values_offset;  // workgroup b writes at out_*_offset + b * k
  uint out_ids_offset;
};
ROTARY_PUSH_CHECK(TopKPush)

// ---- Gated DeltaNet and qwen35moe kernels (add below) ----
// Shapes common to the Gated DeltaNet kernels: Hv value heads, Hk key heads, Dk key and Dv value
// head dims. The conv output row of one token is [q Hk*Dk | k Hk*Dk | v Hv*Dv]; value head h
// reads key/query head h % Hk (v_grouped = 0, qwen35moe's tiled order) or h / (Hv/Hk)
// (v_grouped = 1, qwen3next's grouped order).

// Tokens per chunk of the chunked (prompt) form of the delta rule.
#define ROTARY_GDN_CHUNK 64

// Causal depthwise conv + SiLU over [conv state | x] (gdn_conv.comp).
struct GdnConvPush {
  uint channels;
  uint n_tokens;
  uint state_only;  // 1: only roll the conv state forward (second pass after a multi-block conv)
};
ROTARY_PUSH_CHECK(GdnConvPush)

// x / sqrt(sum(x^2) + eps) per head of head_dim floats, in place (gdn_l2_norm.comp).
struct GdnL2NormPush {
  uint head_dim;
  uint heads;         // heads per token
  uint n_tokens;
  uint token_stride;  // floats between the first head of consecutive tokens
  float eps;
};
ROTARY_PUSH_CHECK(GdnL2NormPush)

// beta = sigmoid(b), g = softplus(a + dt_bias) * ssm_a per token and value head (gdn_gates.comp).
// Head h's raw b is at b[t * token_stride + b_offset + (h / group) * group_stride + h % group],
// likewise a with a_offset: separate projections (qwen35moe) or the fused ssm_ba (qwen3next).
struct GdnGatesPush {
  uint n_heads;
  uint n_tokens;
  uint token_stride;
  uint b_offset;
  uint a_offset;
  uint group;
  uint group_stride;
};
ROTARY_PUSH_CHECK(GdnGatesPush)

// The delta rule over the state of one sequence (gdn_recurrent.comp, gdn_chunk_*.comp).
struct GdnRecurrencePush {
  uint n_tokens;
  uint v_heads;
  uint k_heads;
  uint dim_k;
  uint dim_v;
  uint v_grouped;
  uint qkv_stride;   // floats per token row of the conv output
  float scale;       // 1/sqrt(dim_k), applied to every read
  uint chunk0;       // chunked form: first chunk of this pass
  uint pass_chunks;  // chunked form: chunks in this pass (scratch blocks)
};
ROTARY_PUSH_CHECK(GdnRecurrencePush)

// RMSNorm(o; w) * silu(z) per head of head_dim floats (gdn_gated_norm.comp).
struct GdnGatedNormPush {
  uint head_dim;
  uint rows;
  float eps;
};
ROTARY_PUSH_CHECK(GdnGatedNormPush)

// Gated attention: attn_q output [T][H][q D | gate D] -> q [T][H][D], gate [T][H][D]
// (attn_qgate_split.comp).
struct QGateSplitPush {
  uint head_dim;
  uint heads;
  uint n_tokens;
};
ROTARY_PUSH_CHECK(QGateSplitPush)

// ---- residency (add below) ----

#ifdef __cplusplus
}  // namespace rotary::push
#undef ROTARY_PUSH_CHECK
#endif
#endif  // ROTARY_SHADERS_PUSH_H
