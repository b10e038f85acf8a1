#include "runtime/ops/fused.h"

#include <string>

#include "base/error.h"
#include "runtime/ops/bind.h"
#include "runtime/ops/grid.h"
#include "runtime/ops/tuning.h"
#include "shaders/push.h"

namespace rotary::ops {

void expert_combine_norm(vk::Recorder& rec, const vk::BufferView& y, uint32_t n_tokens, uint32_t top_k,
                         uint32_t n_embd, const vk::BufferView& residual, const vk::BufferView& out,
                         const vk::BufferView& norm_w, float eps, const vk::BufferView& normed,
                         uint32_t workgroup_size) {
  if (n_tokens == 0) return;
  require(top_k > 0 && n_embd > 0, ErrorKind::InvalidArgument, "expert_combine_norm: top_k or n_embd is 0");
  const vk::DeviceCaps& caps = rec.caps();
  // rms_norm's default for rows of n_embd, so that the bits match it (norm.cpp).
  const uint32_t wg = resolve_workgroup_size(caps, workgroup_size, n_embd <= 512 ? 64 : 256, "expert_combine_norm");
  const uint64_t n = uint64_t{n_tokens} * n_embd;
  const BoundRange yb = bind_elements(caps, y, n * top_k, "expert_combine_norm y");
  const BoundRange ob = bind_elements(caps, out, n, "expert_combine_norm out");
  const bool add = static_cast<bool>(residual);
  const BoundRange rb = add ? bind_elements(caps, residual, n, "expert_combine_norm residual") : yb;
  const BoundRange wb = bind_elements(caps, norm_w, n_embd, "expert_combine_norm norm weight");
  const BoundRange nb = bind_elements(caps, normed, n, "expert_combine_norm normed");
  const vk::Pipeline& p = rec.pipeline({"expert_combine_norm", {wg}, 5, sizeof(push::CombineNormPush)});
  const push::CombineNormPush pc{n_embd,    n_tokens,  top_k,     yb.offset, rb.offset,
                                 ob.offset, add ? 1u : 0u, wb.offset, nb.offset, eps};
  const Grid g = grid_for(caps, n_tokens, 1);
  rec.dispatch(p, {yb.binding, rb.binding, ob.binding, wb.binding, nb.binding}, pc, g.x, g.y);
}

void norm_rope(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& w, float eps,
               const vk::BufferView& positions, const vk::BufferView& y, const RopeShape& s,
               uint32_t workgroup_size) {
  require(s.n_rot > 0 && s.n_rot % 2 == 0 && s.n_rot <= s.head_dim && s.n_rot <= 512, ErrorKind::InvalidArgument,
          "norm_rope: n_rot must be even, positive, <= head_dim and <= 512");
  require(s.base > 0.0f, ErrorKind::InvalidArgument, "norm_rope: the base must be positive");
  if (s.n_tokens == 0 || s.n_heads == 0) return;
  const uint32_t xh = s.x_head_stride ? s.x_head_stride : s.head_dim;
  const uint32_t xt = s.x_token_stride ? s.x_token_stride : s.n_heads * xh;
  const uint32_t yh = s.y_head_stride ? s.y_head_stride : s.head_dim;
  const uint32_t yt = s.y_token_stride ? s.y_token_stride : s.n_heads * yh;
  require(xh >= s.head_dim && yh >= s.head_dim, ErrorKind::InvalidArgument, "norm_rope: a head stride is shorter than a head");
  const auto extent = [&](uint32_t ts, uint32_t hs) {  // floats spanned
    return (s.n_tokens - 1) * uint64_t{ts} + (s.n_heads - 1) * uint64_t{hs} + s.head_dim;
  };
  const vk::DeviceCaps& caps = rec.caps();
  // rms_norm's default for rows of head_dim, so that the bits match it (norm.cpp).
  const uint32_t wg = resolve_workgroup_size(caps, workgroup_size, s.head_dim <= 512 ? 64 : 256, "norm_rope");
  const BoundRange bx = bind_elements(caps, x, extent(xt, xh), "norm_rope x");
  const BoundRange bw = bind_elements(caps, w, s.head_dim, "norm_rope weight");
  const BoundRange bp = bind_elements(caps, positions, s.n_tokens, "norm_rope positions");
  const BoundRange by = bind_elements(caps, y, extent(yt, yh), "norm_rope y");
  const push::NormRopePush pc{s.n_tokens, s.n_heads, s.head_dim, s.n_rot,     rope_theta_scale(s.base, s.n_rot),
                              eps,        bp.offset, bw.offset,  bx.offset,   xt,
                              xh,         by.offset, yt,         yh};
  const vk::Pipeline& p = rec.pipeline({"norm_rope", {wg}, 4, sizeof(push::NormRopePush)});
  const Grid g = grid_for(caps, s.n_tokens, 1);
  rec.dispatch(p, {bx.binding, bw.binding, bp.binding, by.binding}, pc, g.x, g.y);
}

void norm_quantize_q8_1(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& w, float eps,
                        uint32_t rows, uint32_t dim, const vk::BufferView& xq, uint32_t workgroup_size) {
  require(dim > 0 && dim % 32 == 0, ErrorKind::InvalidArgument,
          "norm_quantize_q8_1: rows of " + std::to_string(dim) + " (needs a positive multiple of 32)");
  if (rows == 0) return;
  const vk::DeviceCaps& caps = rec.caps();
  const uint32_t wg = resolve_workgroup_size(caps, workgroup_size, dim <= 512 ? 64 : 256, "norm_quantize_q8_1");
  const uint32_t row_words = dim / 32 * 10;
  const BoundRange bx = bind_elements(caps, x, uint64_t{rows} * dim, "norm_quantize_q8_1 x");
  const BoundRange bw = bind_elements(caps, w, dim, "norm_quantize_q8_1 weight");
  const BoundRange bo = bind_elements(caps, xq, uint64_t{rows} * row_words, "norm_quantize_q8_1 out");
  const vk::Pipeline& p = rec.pipeline({"norm_quantize_q8_1", {wg}, 3, sizeof(push::RmsNormPush)});
  const push::RmsNormPush pc{rows, dim, bx.offset, dim, bw.offset, bo.offset, row_words, eps};
  const Grid g = grid_for(caps, rows, 1);
  rec.dispatch(p, {bx.binding, bw.binding, bo.binding}, pc, g.x, g.y);
}

}  // namespace rotary::ops
