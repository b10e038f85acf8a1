#pragma once
// Each op that the models use, described for the checker (op_checker.h): which views its CPU
// reference reads, which it writes, and the tolerance it is held to. Arguments are the op's own
// (runtime/ops/*.h). Tolerances follow the kernels' GPU tests, where each is derived:
//   weight products (matvec, matmul, experts): (K + 8) 2^-24 sum|w x| per element (the f32
//     rounding of a K-term sum in any order, plus scale roundings; dequantisation is exact);
//   rms_norm 4e-6 relative; rope 2e-6 of the head's largest |x|; attention 1e-5 of the largest
//     |v| plus 1e-5 relative; router weights 5e-6 relative, ids exact up to ties (1e-6);
//   get_rows, kv_store, add, scale, expert_combine, expert_route, logits top-k: bit for bit (the same float
//     operations as the reference, or none); swiglu, mul_sigmoid(_row) 1e-9 + (10 + 2|v|) 2^-24
//     relative, v the gate's argument (tests/gpu/elementwise_test.cpp);
//   Gated DeltaNet (gdn_checks.cpp): gdn_conv, gdn_l2_norm, gdn_gates, gdn_gated_norm
//     2e-6 + 1e-5 relative (tests/gpu/gdn_ops_test.cpp; gdn_conv's 2e-6 times max(1, sum|w x|));
//     gdn_recurrent and gdn_chunked 5e-6 max(1, largest |S|, |qkv|) + 5e-5 relative on outputs
//     and state (tests/gpu/gdn_delta_rule_test.cpp); attn_qgate_split bit for bit (copies).
#include <cstdint>

#include "runtime/check/checked_op.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/elementwise.h"
#include "runtime/ops/experts.h"
#include "runtime/ops/gdn_gates.h"
#include "runtime/ops/gdn_shape.h"
#include "runtime/ops/kv_view.h"
#include "runtime/ops/norm.h"
#include "runtime/ops/rope.h"
#include "runtime/ops/router.h"
#include "runtime/ops/tensor.h"

namespace rotary::check {

// weight_checks.cpp
CheckedOp get_rows(const ops::WeightView& w, const vk::BufferView& ids, uint32_t count,
                   const vk::BufferView& out);
CheckedOp matvec(const ops::WeightView& w, const vk::BufferView& x, const vk::BufferView& y);
CheckedOp matmul(const ops::WeightView& w, const vk::BufferView& x, const vk::BufferView& y,
                 uint32_t n);

// activation_checks.cpp
CheckedOp rms_norm(const vk::BufferView& x, const vk::BufferView& w, const vk::BufferView& y,
                   const ops::RmsNormShape& shape);
CheckedOp rope_neox(const vk::BufferView& x, const vk::BufferView& positions,
                    const vk::BufferView& y, const ops::RopeShape& shape);
CheckedOp kv_store(const vk::BufferView& k_cur, const vk::BufferView& v_cur,
                   const ops::KvLayerView& kv, uint32_t p0, uint32_t n_tokens, uint32_t src_stride);
CheckedOp attention(const vk::BufferView& q, const ops::KvLayerView& kv, const vk::BufferView& out,
                    const ops::AttentionShape& shape, const vk::BufferView& sinks = {});
CheckedOp router_topk(const vk::BufferView& logits, const vk::BufferView& ids,
                      const vk::BufferView& weights, const ops::RouterShape& shape);
CheckedOp add(const vk::BufferView& a, const vk::BufferView& b, const vk::BufferView& y,
              uint32_t n);
CheckedOp logits_topk(const vk::BufferView& logits, uint32_t n_vocab, uint32_t k,
                      const vk::BufferView& out_ids, const vk::BufferView& out_values);

// expert_checks.cpp
CheckedOp expert_gate_up(const ops::ExpertLayer& layer, const ops::ExpertEntries& entries,
                         const vk::BufferView& x, const vk::BufferView& h, uint32_t top_k);
CheckedOp expert_down(const ops::ExpertLayer& layer, const ops::ExpertEntries& entries,
                      const vk::BufferView& h, const vk::BufferView& route_weights,
                      const vk::BufferView& y, uint32_t top_k);
CheckedOp expert_gate_up_batched(const ops::ExpertLayer& layer, const ops::ExpertEntries& entries,
                                 const ops::ExpertRouting& routing, const vk::BufferView& x,
                                 const vk::BufferView& h);
CheckedOp expert_down_batched(const ops::ExpertLayer& layer, const ops::ExpertEntries& entries,
                              const ops::ExpertRouting& routing, const vk::BufferView& h,
                              const vk::BufferView& route_weights, const vk::BufferView& y);
CheckedOp expert_combine(const vk::BufferView& y, uint32_t n_tokens, uint32_t top_k,
                         uint32_t n_embd, const vk::BufferView& residual,
                         const vk::BufferView& out);
CheckedOp expert_route(const vk::BufferView& ids, uint32_t k, const vk::BufferView& map,
                       uint32_t map_first, uint32_t n_experts, const vk::BufferView& table);

// elementwise_checks.cpp (only the elements an op writes are compared; the gates' tolerance
// grows with |argument| as exp's error does)
CheckedOp scale(const vk::BufferView& x, const vk::BufferView& y, uint32_t n, float s);
CheckedOp swiglu(const ops::Rows& gate, const ops::Rows& up, const ops::Rows& y, uint32_t n_cols,
                 uint32_t n_rows);
CheckedOp mul_sigmoid(const ops::Rows& x, const ops::Rows& gate, const ops::Rows& y,
                      uint32_t n_cols, uint32_t n_rows);
CheckedOp add_bias(const ops::Rows& x, const vk::BufferView& bias, const ops::Rows& y, uint32_t n_cols,
                   uint32_t n_rows);
CheckedOp mul_sigmoid_row(const ops::Rows& x, const vk::BufferView& s, const ops::Rows& y,
                          uint32_t n_cols, uint32_t n_rows);

// gdn_checks.cpp (views that the op reads and rewrites are inputs and outputs both)
CheckedOp gdn_conv(const ops::GdnShape& shape, const vk::BufferView& x,
                   const vk::BufferView& weight, const vk::BufferView& conv_state,
                   const vk::BufferView& y, uint32_t n_tokens);
CheckedOp gdn_l2_norm(const vk::BufferView& x, uint32_t n_tokens, uint32_t heads,
                      uint32_t head_dim, uint32_t token_stride, float eps);
CheckedOp gdn_gates(const ops::GdnShape& shape, const ops::GdnGateLayout& layout,
                    const vk::BufferView& b, const vk::BufferView& a,
                    const vk::BufferView& dt_bias, const vk::BufferView& ssm_a,
                    const vk::BufferView& beta, const vk::BufferView& g, uint32_t n_tokens);
CheckedOp gdn_recurrent(const ops::GdnShape& shape, const vk::BufferView& qkv,
                        const vk::BufferView& beta, const vk::BufferView& g,
                        const vk::BufferView& state, const vk::BufferView& out, uint32_t n_tokens);
CheckedOp gdn_chunked(const ops::GdnShape& shape, const vk::BufferView& qkv,
                      const vk::BufferView& beta, const vk::BufferView& g,
                      const vk::BufferView& state, const vk::BufferView& out, uint32_t n_tokens);
CheckedOp gdn_gated_norm(const vk::BufferView& o, const vk::BufferView& z,
                         const vk::BufferView& weight, const vk::BufferView& y, uint32_t rows,
                         uint32_t head_dim, float eps);
CheckedOp attn_qgate_split(const vk::BufferView& qg, const vk::BufferView& q,
                           const vk::BufferView& gate, uint32_t n_tokens, uint32_t heads,
                           uint32_t head_dim);

}  // namespace rotary::check
