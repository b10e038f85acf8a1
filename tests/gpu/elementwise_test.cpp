// swiglu (separate and merged rows), sigmoid gates (per element and per row), scale and add over
// awkward shapes, strided rows and views at unaligned offsets, against the CPU references.
#include <cmath>

#include "runtime/ops/elementwise.h"
#include "runtime/reference/activations.h"
#include "tests/gpu/act_util.h"

namespace rotary::test {
namespace {

// exp on [-8, 8] is within (3 + 2 * 8) ulps (Vulkan's bound); 1 + e, the division (2.5 ulps) and
// the product add ~4: about 23 ulps = 1.4e-6 relative. Allowed 2e-6 relative.
constexpr double kExpAbs = 1e-9, kExpRel = 2e-6;

struct Layout {
  uint32_t n_cols, n_rows;
  uint32_t a_stride, b_stride, y_stride;  // 0: packed
  uint32_t a_offset, b_offset, y_offset;  // floats before the first element
};

size_t span_of(const Layout& l, uint32_t stride, uint32_t offset) {
  return offset + (l.n_rows - 1) * size_t{stride ? stride : l.n_cols} + l.n_cols;
}

enum class Op { Swiglu, MulSigmoid, MulSigmoidRow };

void check_rows_op(const OpConfig& c, Op op, const Layout& l, uint32_t seed) {
  CAPTURE(c.name);
  CAPTURE(static_cast<int>(op));
  CAPTURE(l.n_cols);
  CAPTURE(l.n_rows);
  vk::GpuContext& g = *c.g;
  const std::vector<float> a = random_floats(span_of(l, l.a_stride, l.a_offset), seed, -8.0f, 8.0f);
  const size_t b_len =
      op == Op::MulSigmoidRow ? l.b_offset + l.n_rows : span_of(l, l.b_stride, l.b_offset);
  const std::vector<float> b = random_floats(b_len, seed + 1, -8.0f, 8.0f);
  const size_t y_len = span_of(l, l.y_stride, l.y_offset);
  std::vector<float> ref(y_len, 0.0f);
  const auto as = std::span<const float>(a).subspan(l.a_offset);
  const auto bs = std::span<const float>(b).subspan(l.b_offset);
  const auto ys = std::span<float>(ref).subspan(l.y_offset);
  if (op == Op::Swiglu)
    ref::swiglu(as, l.a_stride, bs, l.b_stride, ys, l.y_stride, l.n_cols, l.n_rows);
  if (op == Op::MulSigmoid)
    ref::mul_sigmoid(as, l.a_stride, bs, l.b_stride, ys, l.y_stride, l.n_cols, l.n_rows);
  if (op == Op::MulSigmoidRow)
    ref::mul_sigmoid_row(as, l.a_stride, bs, ys, l.y_stride, l.n_cols, l.n_rows);

  vk::Buffer da = upload_floats(g, a), db = upload_floats(g, b),
             dy = upload_floats(g, std::vector<float>(y_len, 0.0f));
  const auto view = [](const vk::Buffer& buf, uint32_t off) {
    return buf.view(off * 4ull, buf.size() - off * 4ull);
  };
  const ops::Rows ra{view(da, l.a_offset), l.a_stride}, rb{view(db, l.b_offset), l.b_stride},
      ry{view(dy, l.y_offset), l.y_stride};
  const ops::ElementwiseTuning t{c.workgroup_size};
  g.compute().run_now([&](vk::Recorder& rec) {
    if (op == Op::Swiglu) ops::swiglu(rec, ra, rb, ry, l.n_cols, l.n_rows, t);
    if (op == Op::MulSigmoid) ops::mul_sigmoid(rec, ra, rb, ry, l.n_cols, l.n_rows, t);
    if (op == Op::MulSigmoidRow) ops::mul_sigmoid_row(rec, ra, rb.view, ry, l.n_cols, l.n_rows, t);
  });
  const ToleranceReport rep =
      compare_within(download_floats(g, dy.view(), y_len), ref, kExpAbs, kExpRel);
  INFO(rep.text());
  CHECK(rep.bad == 0);
}

TEST_CASE_FIXTURE(ActTest,
                  "swiglu and sigmoid gates: awkward shapes, strided rows, unaligned views") {
  uint32_t seed = 9000;
  for (const OpConfig& c : two_configs(ctx, 256, 64))
    for (Op op : {Op::Swiglu, Op::MulSigmoid, Op::MulSigmoidRow}) {
      check_rows_op(c, op, {7, 1, 0, 0, 0, 0, 0, 0}, seed++);
      check_rows_op(c, op, {768, 13, 0, 0, 0, 3, 5, 1}, seed++);
      check_rows_op(c, op, {4097, 7, 4100, 4099, 4097, 1, 0, 7}, seed++);
      // Qwen3.5's gated attention: 127 rows (tokens x heads) of 256, the gate interleaved.
      check_rows_op(c, op, {256, 127, 256, 512, 256, 0, 256, 0}, seed++);
    }
}

TEST_CASE_FIXTURE(ActTest, "swiglu_merged: [gate | up] rows from a fused projection") {
  for (const OpConfig& c : two_configs(ctx, 128, 256)) {
    CAPTURE(c.name);
    const uint32_t n_ff = 768, rows = 13;
    const std::vector<float> gu = random_floats(size_t{rows} * 2 * n_ff, 9100, -8.0f, 8.0f);
    std::vector<float> ref(size_t{rows} * n_ff);
    ref::swiglu(gu, 2 * n_ff, std::span<const float>(gu).subspan(n_ff), 2 * n_ff, ref, n_ff, n_ff,
                rows);
    vk::Buffer d = upload_floats(*c.g, gu), y = device_buffer(*c.g, ref.size() * 4);
    c.g->compute().run_now([&](vk::Recorder& rec) {
      ops::swiglu_merged(rec, d.view(), y.view(), n_ff, rows, {c.workgroup_size});
    });
    const ToleranceReport rep =
        compare_within(download_floats(*c.g, y.view(), ref.size()), ref, kExpAbs, kExpRel);
    INFO(rep.text());
    CHECK(rep.bad == 0);
  }
}

TEST_CASE_FIXTURE(ActTest, "scale and add: one rounding each, exact, in place") {
  for (const OpConfig& c : two_configs(ctx, 64, 256))
    for (uint32_t n : {1u, 7u, 13u, 127u, 100003u}) {
      CAPTURE(c.name);
      CAPTURE(n);
      const std::vector<float> x = random_floats(n, 9200 + n), z = random_floats(n, 9300 + n);
      std::vector<float> want_scale(n), want_add(n);
      ref::scale(x, want_scale, 0.0883883f);
      ref::add(want_scale, z, want_add);
      vk::Buffer dx = upload_floats(*c.g, x), dz = upload_floats(*c.g, z);
      c.g->compute().run_now([&](vk::Recorder& rec) {
        ops::scale(rec, dx.view(), dx.view(), n, 0.0883883f, {c.workgroup_size});
        rec.compute_barrier();
        ops::add(rec, dx.view(), dz.view(), dz.view(), n, {c.workgroup_size});
      });
      // A single IEEE multiply and add each: bit-identical with the CPU.
      CHECK(download_floats(*c.g, dz.view(), n) == want_add);
    }
}

}  // namespace
}  // namespace rotary::test
