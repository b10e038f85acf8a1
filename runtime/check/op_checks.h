#pragma once
// Each op that the models use, described for the checker (op_checker.h): which views its CPU
// reference reads, which it writes, and the tolerance it is held to. Arguments are the op's own
// (runtime/ops/*.h). Tolerances follow the kernels' GPU tests, where each is derived:
//   weight products (matvec, matmul, experts): (K + 8) 2^-24 sum|w x| per element (the f32
//     rounding of a K-term sum in any order, plus scale roundings; dequantisation is exact);
//   rms_norm 4e-6 relative; rope 2e-6 of the head's largest |x|; attention 1e-5 of the largest
//     |v| plus 1e-5 relative; router weights 5e-6 relative, ids exact up to ties (1e-6);
//   get_rows, kv_store, add, expert_combine, logits top-k: bit for bit (the same float
//     operations as the reference, or none).
#include <cstdint>

#include "runtime/check/checked_op.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/experts.h"
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
                    const ops::AttentionShape& shape);
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

}  // namespace rotary::check
