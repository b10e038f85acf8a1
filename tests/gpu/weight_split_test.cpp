// Weights larger than maxStorageBufferRange are computed in row chunks (vk::split_rows), one
// dispatch per chunk. Cheaply for every type and op: a small max_range in the tuning forces many
// chunks, and every row must come out with the same bits as without splitting (a row's arithmetic
// does not depend on its chunk). Once for real: a Q6_K weight just over 128 MiB (lavapipe's limit)
// against the CPU reference around the chunk boundary.
#include <algorithm>

#include "loader/ggml_types.h"
#include "runtime/ops/get_rows.h"
#include "runtime/ops/matmul.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/random_weights.h"
#include "runtime/vk/binding.h"
#include "tests/gpu/weight_util.h"

namespace rotary::test {
namespace {

struct Outputs {
  std::vector<float> rows, mv, mm;
};

// get_rows, matvec and matmul (n = 3) of `w`, with weight bindings of at most `max_range` bytes.
Outputs run_ops(vk::GpuContext& g, const TestWeight& w, uint64_t max_range,
                const std::vector<uint32_t>& ids, const vk::Buffer& x, uint32_t n) {
  vk::Buffer dids = upload_u32(g, ids);
  vk::Buffer rows = device_buffer(g, ids.size() * w.view.cols * 4ull);
  vk::Buffer mv = device_buffer(g, w.view.rows * 4ull);
  vk::Buffer mm = device_buffer(g, uint64_t{n} * w.view.rows * 4);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::get_rows(rec, w.view, dids.view(), static_cast<uint32_t>(ids.size()), rows.view(),
                  {.max_range = max_range});
    ops::matvec(rec, w.view, x.view(), mv.view(), {.max_range = max_range});
    ops::matmul(rec, w.view, x.view(), mm.view(), n, {.max_range = max_range});
  });
  return {download_floats(g, rows.view(), ids.size() * w.view.cols),
          download_floats(g, mv.view(), w.view.rows),
          download_floats(g, mm.view(), uint64_t{n} * w.view.rows)};
}

TEST_CASE_FIXTURE(GpuTest, "every op splits a weight by rows with the same bits as one binding") {
  uint64_t seed = 900;
  for (GgmlType type : ops::weight_kernel_types()) {
    CAPTURE(ggml_type_name(type));
    const uint32_t block = ggml_type_info(type).block_size;
    const uint32_t cols = block == 1 ? 41 : block * 2;
    // A few rows per weight binding and 2 tokens per activation binding (matmul splits by tokens
    // too); enough rows for at least 3 bindings (Q2_K rows are short: 168 bytes).
    const uint64_t row_bytes = *ggml_row_bytes(type, cols);
    const uint64_t small = std::max<uint64_t>(row_bytes * 5, 2 * 4 * cols) + 64;
    const auto rows = static_cast<uint32_t>(std::max<uint64_t>(37, 3 * small / row_bytes + 1));
    TestWeight w = make_weight(ctx, type, rows, cols, ++seed, 6);
    const std::vector<uint32_t> ids = {36, 0, 17, 18, 5, 36};
    const uint32_t n = 3;
    vk::Buffer x = upload_floats(ctx, ref::random_floats(uint64_t{n} * cols, seed));
    REQUIRE(vk::split_rows(w.view.data, w.view.row_bytes(), rows, ctx.caps(), small).size() >= 3);
    const Outputs whole = run_ops(ctx, w, 0, ids, x, n);
    const Outputs split = run_ops(ctx, w, small, ids, x, n);
    CHECK(same_bits(split.rows, whole.rows));
    CHECK(same_bits(split.mv, whole.mv));
    CHECK(same_bits(split.mm, whole.mm));
  }
}

TEST_CASE_FIXTURE(GpuTest, "a Q6_K weight just over maxStorageBufferRange, against the reference") {
  // get_rows and matvec; matmul's row split is the same code path, checked cheaply above (its
  // tiles are slow on lavapipe at this size).
  const GgmlType type = GgmlType::Q6_K;
  const uint32_t cols = 512;
  const uint64_t row_bytes = *ggml_row_bytes(type, cols);
  const uint64_t range = ctx.caps().max_storage_buffer_range;
  const auto rows = static_cast<uint32_t>(range / row_bytes + 77);
  REQUIRE(rows * row_bytes > range);
  TestWeight w = make_weight(ctx, type, rows, cols, 4242, 2);
  const auto chunks = vk::split_rows(w.view.data, row_bytes, rows, ctx.caps());
  REQUIRE(chunks.size() == 2);
  const auto boundary = static_cast<uint32_t>(chunks[1].first_row);
  const std::vector<uint32_t> ids = {boundary - 1, boundary, rows - 1, 0};
  const std::vector<float> xs = ref::random_floats(cols, 4243);
  vk::Buffer x = upload_floats(ctx, xs);
  vk::Buffer dids = upload_u32(ctx, ids);
  vk::Buffer drows = device_buffer(ctx, ids.size() * cols * 4ull);
  vk::Buffer dy = device_buffer(ctx, rows * 4ull);
  ctx.compute().run_now([&](vk::Recorder& rec) {
    ops::get_rows(rec, w.view, dids.view(), static_cast<uint32_t>(ids.size()), drows.view());
    ops::matvec(rec, w.view, x.view(), dy.view());
  });
  std::vector<float> want_rows(ids.size() * cols);
  ref::get_rows(w.ref(), ids, want_rows);
  CHECK(same_bits(download_floats(ctx, drows.view(), want_rows.size()), want_rows));
  const std::vector<float> y = download_floats(ctx, dy.view(), rows);
  for (uint32_t r : {0u, boundary - 2, boundary - 1, boundary, boundary + 1, rows - 1}) {
    CAPTURE(r);
    const ref::HostWeight row{type, cols, 1, std::span(w.host).subspan(r * row_bytes, row_bytes)};
    float want = 0, mag = 0;
    ref::matvec(row, xs, {&want, 1});
    ref::matmul_magnitude(row, xs, 1, {&mag, 1});
    CHECK(compare({&y[r], 1}, {&want, 1}, {&mag, 1}, product_gamma(cols)).bad == 0);
  }
}

}  // namespace
}  // namespace rotary::test
