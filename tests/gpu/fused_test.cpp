// Fused kernels (runtime/ops/fused.h) against the ops they fuse, run on the GPU one after the
// other (the same bits), and against the CPU references (tolerances of the separate ops).
#include <algorithm>
#include <cmath>

#include "runtime/ops/experts.h"
#include "runtime/ops/fused.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/norm.h"
#include "runtime/ops/rope.h"
#include "runtime/reference/activations.h"
#include "runtime/reference/experts.h"
#include "runtime/reference/random_weights.h"
#include "tests/gpu/weight_util.h"

namespace rotary::test {
namespace {

// tokens x top_k x n_embd outputs, n_embd not a multiple of the workgroup; with the residual in
// place (out aliases it) or without one.
void check_combine_norm(vk::GpuContext& g, uint32_t tokens, uint32_t top_k, uint32_t n, bool residual,
                        uint32_t wg) {
  CAPTURE(tokens);
  CAPTURE(top_k);
  CAPTURE(n);
  CAPTURE(residual);
  const float eps = 1e-6f;
  const std::vector<float> y = ref::random_floats(uint64_t{tokens} * top_k * n, 5, -3.0f, 3.0f);
  const std::vector<float> res = ref::random_floats(uint64_t{tokens} * n, 6);
  const std::vector<float> w = ref::random_floats(n, 7, 0.5f, 1.5f);
  vk::Buffer dy = upload_floats(g, y), dw = upload_floats(g, w);
  vk::Buffer fused_out = upload_floats(g, res), sep_out = upload_floats(g, res);
  vk::Buffer fused_norm = device_buffer(g, res.size() * 4), sep_norm = device_buffer(g, res.size() * 4);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::expert_combine_norm(rec, dy.view(), tokens, top_k, n, residual ? fused_out.view() : vk::BufferView{},
                             fused_out.view(), dw.view(), eps, fused_norm.view(), wg);
    ops::expert_combine(rec, dy.view(), tokens, top_k, n, residual ? sep_out.view() : vk::BufferView{},
                        sep_out.view());
    rec.compute_barrier();
    ops::rms_norm(rec, sep_out.view(), dw.view(), sep_norm.view(), {.rows = tokens, .dim = n, .eps = eps},
                  {.workgroup_size = wg});
  });
  const std::vector<float> out = download_floats(g, fused_out.view(), res.size());
  const std::vector<float> normed = download_floats(g, fused_norm.view(), res.size());
  CHECK(same_bits(out, download_floats(g, sep_out.view(), res.size())));
  CHECK(same_bits(normed, download_floats(g, sep_norm.view(), res.size())));
  std::vector<float> want_out(res.size()), want_norm(res.size());
  ref::expert_combine(y, tokens, top_k, n, residual ? std::span<const float>(res) : std::span<const float>(),
                      want_out);
  CHECK(same_bits(out, want_out));
  ref::rms_norm(want_out, w, want_norm, {.rows = tokens, .dim = n, .eps = eps});
  size_t bad = 0;
  for (size_t i = 0; i < normed.size(); ++i)  // rms_norm's tolerance (docs/kernels.md)
    bad += !(std::fabs(normed[i] - want_norm[i]) <= 1e-7 + 2e-6 * std::fabs(want_norm[i]));
  CHECK(bad == 0);
}

TEST_CASE_FIXTURE(GpuTest, "expert_combine_norm: the bits of expert_combine then rms_norm") {
  check_combine_norm(ctx, 3, 8, 1000, true, 64);
  check_combine_norm(ctx, 2, 1, 2048, false, 0);
  check_combine_norm(ctx, 1, 3, 37, true, 8);
}

TEST_CASE("expert_combine_norm: the shared-memory (no subgroup) variant") {
  auto g = make_gpu({.subgroup_arith = false});
  check_combine_norm(*g, 3, 4, 700, true, 32);
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

}  // namespace
}  // namespace rotary::test

namespace rotary::test {
namespace {

// Qwen3's Q (16 heads of 128, all rotated) and Qwen3.5's query halves (interleaved with the gate:
// head stride 2 x head_dim, 64 of 256 rotated), positions up to 100000, in place and not.
void check_norm_rope(vk::GpuContext& g, const ops::RopeShape& shape, bool in_place) {
  CAPTURE(shape.head_dim);
  CAPTURE(shape.n_rot);
  CAPTURE(in_place);
  const float eps = 1e-6f;
  const uint32_t xh = shape.x_head_stride ? shape.x_head_stride : shape.head_dim;
  const uint64_t floats = uint64_t{shape.n_tokens} * shape.n_heads * xh;
  const std::vector<float> x = ref::random_floats(floats, 21, -4.0f, 4.0f);
  const std::vector<float> w = ref::random_floats(shape.head_dim, 22, 0.5f, 1.5f);
  std::vector<uint32_t> pos(shape.n_tokens);
  for (uint32_t t = 0; t < shape.n_tokens; ++t) pos[t] = t * 33331u % 100000u;
  vk::Buffer dx = upload_floats(g, x), dw = upload_floats(g, w), dp = upload_u32(g, pos);
  vk::Buffer fused = in_place ? upload_floats(g, x) : device_buffer(g, floats * 4);
  vk::Buffer normed = device_buffer(g, floats * 4), sep = device_buffer(g, floats * 4);
  ops::RopeShape out_shape = shape;  // the fused output: same strides when in place, else packed
  if (!in_place) out_shape.y_token_stride = out_shape.y_head_stride = 0;
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::norm_rope(rec, in_place ? fused.view() : dx.view(), dw.view(), eps, dp.view(), fused.view(),
                   out_shape, 64);
    // The separate ops: rms_norm over every head (rows of head_dim, xh apart), then rope.
    ops::rms_norm(rec, dx.view(), dw.view(), normed.view(),
                  {.rows = shape.n_tokens * shape.n_heads, .dim = shape.head_dim, .eps = eps,
                   .x_stride = xh, .y_stride = xh},
                  {.workgroup_size = 64});
    rec.compute_barrier();
    ops::RopeShape r = out_shape;
    r.x_token_stride = shape.n_heads * xh;
    r.x_head_stride = xh;
    ops::rope_neox(rec, normed.view(), dp.view(), sep.view(), r);
  });
  const uint64_t out_floats = in_place ? floats : uint64_t{shape.n_tokens} * shape.n_heads * shape.head_dim;
  const std::vector<float> got = download_floats(g, fused.view(), out_floats);
  const std::vector<float> want = download_floats(g, sep.view(), out_floats);
  if (in_place) {  // only the heads' own elements: the gaps between them are the input, untouched
    for (uint64_t i = 0; i < floats; ++i) {
      const bool head = i % xh < shape.head_dim;
      if (!head) CHECK(got[i] == x[i]);
      if (head && got[i] != want[i]) {
        FAIL_CHECK("element " << i << ": fused " << got[i] << ", separate " << want[i]);
        break;
      }
    }
  } else {
    CHECK(same_bits(got, want));
  }
  // And against the CPU references (rms_norm then rope), rope's tolerance on top of rms_norm's.
  std::vector<float> ref_normed(floats), ref_out(out_floats);
  ref::rms_norm(x, w, ref_normed, {.rows = shape.n_tokens * shape.n_heads, .dim = shape.head_dim, .eps = eps,
                                   .x_stride = xh, .y_stride = xh});
  ops::RopeShape r = out_shape;
  r.x_token_stride = shape.n_heads * xh;
  r.x_head_stride = xh;
  ref::rope_neox(ref_normed, pos, ref_out, r);
  // rms_norm errs by 1e-7 + 2e-6 |n| per value; a rotation mixes two values of the head, and
  // rope adds 5e-7 + 5e-7 |y|: within 1e-6 + 5e-6 max|n| over the head.
  const uint32_t oh = in_place ? xh : shape.head_dim;  // floats between output heads
  size_t bad = 0;
  for (uint64_t h = 0; h < uint64_t{shape.n_tokens} * shape.n_heads; ++h) {
    double nmax = 0;
    for (uint32_t d = 0; d < shape.head_dim; ++d) nmax = std::max(nmax, std::fabs(double(ref_normed[h * xh + d])));
    for (uint32_t d = 0; d < shape.head_dim; ++d)
      bad += !(std::fabs(got[h * oh + d] - ref_out[h * oh + d]) <= 1e-6 + 5e-6 * nmax);
  }
  CHECK(bad == 0);
}

TEST_CASE_FIXTURE(GpuTest, "norm_rope: the bits of rms_norm then rope_neox") {
  check_norm_rope(ctx, {.n_tokens = 5, .n_heads = 4, .head_dim = 128, .n_rot = 128, .base = 1000000.0f}, false);
  check_norm_rope(ctx,
                  {.n_tokens = 3, .n_heads = 3, .head_dim = 256, .n_rot = 64, .base = 10000000.0f,
                   .x_token_stride = 3 * 512, .x_head_stride = 512, .y_token_stride = 3 * 512,
                   .y_head_stride = 512},
                  true);
  check_norm_rope(ctx, {.n_tokens = 2, .n_heads = 2, .head_dim = 40, .n_rot = 22, .base = 10000.0f}, true);
}

}  // namespace
}  // namespace rotary::test

namespace rotary::test {
namespace {

// The dot path's input with the norm folded in: the bytes of rms_norm then quantize_q8_1.
void check_norm_quantize(vk::GpuContext& g, uint32_t rows, uint32_t dim, uint32_t wg) {
  CAPTURE(rows);
  CAPTURE(dim);
  const float eps = 1e-6f;
  const std::vector<float> x = ref::random_floats(uint64_t{rows} * dim, 31, -5.0f, 5.0f);
  const std::vector<float> w = ref::random_floats(dim, 32, 0.5f, 1.5f);
  const uint64_t qbytes = rows * ops::q8_1_bytes(dim);
  vk::Buffer dx = upload_floats(g, x), dw = upload_floats(g, w), normed = device_buffer(g, x.size() * 4);
  vk::Buffer fused = device_buffer(g, qbytes), sep = device_buffer(g, qbytes);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::norm_quantize_q8_1(rec, dx.view(), dw.view(), eps, rows, dim, fused.view(), wg);
    ops::rms_norm(rec, dx.view(), dw.view(), normed.view(), {.rows = rows, .dim = dim, .eps = eps},
                  {.workgroup_size = wg});
    rec.compute_barrier();
    ops::quantize_q8_1(rec, normed.view(), rows * dim, sep.view());
  });
  CHECK(same_bits(download_floats(g, fused.view(), qbytes / 4), download_floats(g, sep.view(), qbytes / 4)));
}

TEST_CASE_FIXTURE(GpuTest, "norm_quantize_q8_1: the bytes of rms_norm then quantize_q8_1") {
  check_norm_quantize(ctx, 3, 2048, 0);
  check_norm_quantize(ctx, 2, 96, 8);
}

}  // namespace
}  // namespace rotary::test
