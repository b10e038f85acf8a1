// rms_norm (rows and per-head, strided, in place) and NEOX RoPE (full and partial rotation, large
// positions) against the CPU references, at two device configurations.
#include <cmath>

#include "runtime/ops/norm.h"
#include "runtime/ops/rope.h"
#include "runtime/reference/activations.h"
#include "tests/gpu/act_util.h"

namespace rotary::test {
namespace {

// rms_norm tolerance: y = (x * scale) * w, so y's relative error is scale's plus two roundings.
// The GPU sums squares in float (a tree over the workgroup after per-invocation runs of up to
// dim / 64 terms): relative error <= (dim / 64 + log2 64) * 2^-24 = 2.3e-6 at dim 2048, halved
// by the square root; sqrt and the division add a few ulps. ggml sums in double.
constexpr double kNormAbs = 1e-7, kNormRel = 2e-6;

void check_rms_norm(const OpConfig& c, const ops::RmsNormShape& s, bool in_place, uint32_t seed) {
  CAPTURE(c.name);
  CAPTURE(s.rows);
  CAPTURE(s.dim);
  CAPTURE(in_place);
  vk::GpuContext& g = *c.g;
  const uint32_t xs = s.x_stride ? s.x_stride : s.dim;
  const uint32_t ys = in_place ? xs : (s.y_stride ? s.y_stride : s.dim);
  const size_t x_len = (s.rows - 1) * size_t{xs} + s.dim;
  const size_t y_len = (s.rows - 1) * size_t{ys} + s.dim;
  // Rows of very different scales: the norm must not care.
  std::vector<float> x = random_floats(x_len, seed, -1.0f, 1.0f);
  for (size_t r = 0; r < s.rows; ++r)
    for (size_t i = 0; i < s.dim; ++i)
      x[r * xs + i] *= std::pow(10.0f, static_cast<float>(r % 5) - 2.0f);
  const std::vector<float> w = random_floats(s.dim, seed + 1, 0.5f, 1.5f);
  std::vector<float> ref(in_place ? x : std::vector<float>(y_len, 0.0f));
  ops::RmsNormShape rs = s;
  rs.y_stride = ys;
  ref::rms_norm(x, w, ref, rs);

  vk::Buffer dx = upload_floats(g, x), dw = upload_floats(g, w);
  vk::Buffer dy = device_buffer(g, y_len * 4);
  const vk::BufferView out = in_place ? dx.view() : dy.view();
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::rms_norm(rec, dx.view(), dw.view(), out, rs, {c.workgroup_size});
  });
  const std::vector<float> got = download_floats(g, out, in_place ? x_len : y_len);
  const ToleranceReport rep = compare_within(got, ref, kNormAbs, kNormRel);
  INFO(rep.text());
  CHECK(rep.bad == 0);
}

TEST_CASE_FIXTURE(ActTest, "rms_norm: rows of awkward sizes, two configurations") {
  uint32_t seed = 100;
  for (const OpConfig& c : two_configs(ctx, 64, 256))
    for (uint32_t rows : {1u, 7u, 13u, 127u})
      for (uint32_t dim : {13u, 128u, 2048u, 4097u})
        check_rms_norm(c, {rows, dim, 1e-6f}, false, seed++);
}

TEST_CASE_FIXTURE(ActTest, "rms_norm: per-head, strided (query|gate interleave), in place") {
  uint32_t seed = 200;
  for (const OpConfig& c : two_configs(ctx, 128, 64)) {
    // Qwen3.5: 13 tokens x 16 heads of [q 256 | gate 256]; the norm reads q and writes it packed.
    check_rms_norm(c, {13 * 16, 256, 1e-6f, 512, 256}, false, seed++);
    // Qwen3 K norm in place: 7 tokens x 4 heads of 128.
    check_rms_norm(c, {7 * 4, 128, 1e-6f}, true, seed++);
  }
}

// RoPE tolerance: the angle is the same float as ggml's (same multiplications); sin and cos
// differ from glibc's by the polynomial and reduction error, ~1e-7 absolute; the rotation adds
// two roundings of values up to |x| = 1.
constexpr double kRopeAbs = 5e-7, kRopeRel = 5e-7;

void check_rope(const OpConfig& c, const ops::RopeShape& s, bool in_place,
                const std::vector<uint32_t>& pos, uint32_t seed) {
  CAPTURE(c.name);
  CAPTURE(s.n_tokens);
  CAPTURE(s.head_dim);
  CAPTURE(s.n_rot);
  CAPTURE(in_place);
  vk::GpuContext& g = *c.g;
  const uint32_t xh = s.x_head_stride ? s.x_head_stride : s.head_dim;
  const uint32_t xt = s.x_token_stride ? s.x_token_stride : s.n_heads * xh;
  const size_t x_len = (s.n_tokens - 1) * size_t{xt} + (s.n_heads - 1) * size_t{xh} + s.head_dim;
  ops::RopeShape rs = s;
  if (in_place) {
    rs.y_head_stride = xh;
    rs.y_token_stride = xt;
  }
  const uint32_t yh = rs.y_head_stride ? rs.y_head_stride : s.head_dim;
  const uint32_t yt = rs.y_token_stride ? rs.y_token_stride : s.n_heads * yh;
  const size_t y_len =
      in_place ? x_len : (s.n_tokens - 1) * size_t{yt} + (s.n_heads - 1) * size_t{yh} + s.head_dim;
  const std::vector<float> x = random_floats(x_len, seed);
  std::vector<float> ref(in_place ? x : std::vector<float>(y_len, 0.0f));
  ref::rope_neox(x, pos, ref, rs);

  vk::Buffer dx = upload_floats(g, x), dp = upload_uints(g, pos), dy = device_buffer(g, y_len * 4);
  const vk::BufferView out = in_place ? dx.view() : dy.view();
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::rope_neox(rec, dx.view(), dp.view(), out, rs, {c.workgroup_size});
  });
  std::vector<float> got = download_floats(g, out, y_len);
  if (!in_place) {  // compare only what the op writes
    for (size_t t = 0; t < s.n_tokens; ++t)
      for (size_t h = 0; h < s.n_heads; ++h)
        for (size_t d = s.head_dim; d < yh; ++d)
          got[t * yt + h * yh + d] = ref[t * yt + h * yh + d];
  }
  const ToleranceReport rep = compare_within(got, ref, kRopeAbs, kRopeRel);
  INFO(rep.text());
  CHECK(rep.bad == 0);
}

TEST_CASE_FIXTURE(ActTest,
                  "rope: full and partial rotation, in and out of place, large positions") {
  uint32_t seed = 300;
  for (const OpConfig& c : two_configs(ctx, 128, 32)) {
    // Qwen3-30B-A3B: head_dim 128, all rotated, base 1e6; queries (32 heads) in place.
    check_rope(c, {7, 32, 128, 128, 1e6f}, true, {0, 1, 2, 17, 300, 40959, 123456}, seed++);
    // Qwen3.5: 64 of 256 rotated, base 1e7, 13 tokens, q read strided from [q | gate] rows.
    std::vector<uint32_t> pos(13);
    for (uint32_t i = 0; i < 13; ++i) pos[i] = 20000 * i + 7 * i * i;
    check_rope(c, {13, 16, 256, 64, 1e7f, 16 * 512, 512, 0, 0}, false, pos, seed++);
    // One token (decode), 4 KV heads, partial rotation in place.
    check_rope(c, {1, 4, 128, 32, 10000.0f}, true, {262143}, seed++);
  }
}

TEST_CASE_FIXTURE(ActTest, "rope: sin and cos of the exact ggml angle at any position") {
  // x = (1, 0) in every pair: y = (cos theta, sin theta). Against double-precision cos/sin of
  // the same float angle: the kernel's sin/cos must be accurate to ~1e-7 up to 2^23.
  const uint32_t n_rot = 128, n_tokens = 127;
  std::vector<uint32_t> pos(n_tokens);
  for (uint32_t t = 0; t < n_tokens; ++t)
    pos[t] = t < 64 ? t * 997 : (1u << 23) - 1 - (t - 64) * 130003;
  std::vector<float> x(size_t{n_tokens} * n_rot, 0.0f);
  for (uint32_t t = 0; t < n_tokens; ++t)
    for (uint32_t i = 0; i < n_rot / 2; ++i) x[t * n_rot + i] = 1.0f;
  vk::Buffer dx = upload_floats(ctx, x), dp = upload_uints(ctx, pos);
  ctx.compute().run_now([&](vk::Recorder& rec) {
    ops::rope_neox(rec, dx.view(), dp.view(), dx.view(), {n_tokens, 1, n_rot, n_rot, 1e6f});
  });
  const std::vector<float> got = download_floats(ctx, dx.view(), x.size());
  const float ts = ops::rope_theta_scale(1e6f, n_rot);
  double worst = 0.0;
  for (uint32_t t = 0; t < n_tokens; ++t) {
    float theta = static_cast<float>(pos[t]);
    for (uint32_t i = 0; i < n_rot / 2; ++i, theta *= ts) {
      worst = std::max(worst, std::fabs(got[t * n_rot + i] - std::cos(static_cast<double>(theta))));
      worst = std::max(
          worst, std::fabs(got[t * n_rot + i + n_rot / 2] - std::sin(static_cast<double>(theta))));
    }
  }
  INFO("worst |error| " << worst);
  CHECK(worst < 2.5e-7);  // about 2 float ulps of values near 1
}

}  // namespace
}  // namespace rotary::test
