// matmul for every weight type against the CPU reference and against matvec: awkward token
// counts (1, 7, 70: below, at and across a tile of tokens) and row counts (13, 127: partial
// tiles), K of one block and of many, two tile configurations and the _nosg variants.
//
// Tolerance: as matvec, |got - ref| <= (K + 8) u sum|w x| (weight_util.h); matmul and matvec sum
// in different orders (one fma chain over K vs per-invocation partial sums and a reduction), so
// they agree within the sum of their two bounds.
#include "runtime/ops/matmul.h"
#include "loader/ggml_types.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/random_weights.h"
#include "tests/gpu/weight_util.h"

namespace rotary::test {
namespace {

std::vector<uint32_t> test_cols(GgmlType type) {
  const uint32_t block = ggml_type_info(type).block_size;
  if (block == 1) return {7, 100};  // K not a multiple of the 32-wide k step
  if (block == 32) return {32, 32 * 11};
  return {256, 256 * 3};
}

void check_matmul(vk::GpuContext& g, GgmlType type, uint32_t rows, uint32_t cols, uint32_t n,
                  const ops::MatmulTuning& tuning, uint64_t seed) {
  CAPTURE(ggml_type_name(type));
  CAPTURE(rows);
  CAPTURE(cols);
  CAPTURE(n);
  TestWeight w = make_weight(g, type, rows, cols, seed, seed % 2 ? 3 : 6);
  const std::vector<float> x = ref::random_floats(uint64_t{n} * cols, seed + 1);
  std::vector<float> want(uint64_t{n} * rows), mag(want.size());
  ref::matmul(w.ref(), x, n, want);
  ref::matmul_magnitude(w.ref(), x, n, mag);
  vk::Buffer dx = upload_floats(g, x);
  vk::Buffer dy = device_buffer(g, want.size() * 4);
  vk::Buffer dv = device_buffer(g, rows * 4ull);  // matvec of token n - 1
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::matmul(rec, w.view, dx.view(), dy.view(), n, tuning);
    ops::matvec(rec, w.view, dx.view((n - 1ull) * cols * 4, cols * 4ull), dv.view());
  });
  const std::vector<float> got = download_floats(g, dy.view(), want.size());
  const CloseReport r = compare(got, want, mag, product_gamma(cols));
  CHECK_MESSAGE(r.bad == 0, r.first);
  const auto last = std::span(got).subspan((n - 1ull) * rows, rows);
  const CloseReport v =
      compare(download_floats(g, dv.view(), rows), last,
              std::span(mag).subspan((n - 1ull) * rows, rows), 2 * product_gamma(cols));
  const std::string what = "matvec vs matmul: " + v.first;
  CHECK_MESSAGE(v.bad == 0, what);
}

void check_all_types(vk::GpuContext& g, const ops::MatmulTuning& tuning,
                     std::initializer_list<uint32_t> ns) {
  uint64_t seed = 300;
  for (GgmlType type : ops::weight_kernel_types())
    for (uint32_t cols : test_cols(type))
      for (uint32_t rows : {13u, 127u})
        for (uint32_t n : ns) check_matmul(g, type, rows, cols, n, tuning, ++seed);
}

TEST_CASE_FIXTURE(GpuTest, "matmul: every type, awkward shapes, default tiles") {
  check_all_types(ctx, {}, {1, 7, 70});
}

TEST_CASE_FIXTURE(GpuTest, "matmul: every type, awkward shapes, 16 x 16 tiles of 2 x 2") {
  check_all_types(ctx, {.tile_rows = 16, .tile_tokens = 16, .thread_rows = 2, .thread_tokens = 2},
                  {1, 7, 70});
}

TEST_CASE_FIXTURE(GpuTest, "matmul: a batch over 512 tokens") {
  check_matmul(ctx, GgmlType::Q4_K, 13, 256, 523, {}, 77);
  check_matmul(ctx, GgmlType::Q6_K, 70, 256, 513, {}, 78);
}

TEST_CASE("matmul: every type, the no-subgroup variants") {
  auto g = make_gpu({.subgroup_arith = false});
  check_all_types(*g, {.tile_rows = 32, .tile_tokens = 32, .thread_rows = 2, .thread_tokens = 4},
                  {33});
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

TEST_CASE_FIXTURE(GpuTest, "matmul: tiles over the device's shared memory are refused") {
  const ops::MatmulTuning big{
      .tile_rows = 512, .tile_tokens = 256, .thread_rows = 32, .thread_tokens = 16};
  CHECK_THROWS_AS(ops::resolve(big, ctx.caps(), 64), Error);
}

}  // namespace
}  // namespace rotary::test
