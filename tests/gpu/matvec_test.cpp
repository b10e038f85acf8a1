// matvec for every weight type against the CPU reference (dequantise, then sum in double):
// awkward row counts, K of one block and of many, rows at unaligned byte offsets, two tunings
// and the shared-memory (_nosg) variants.
#include "runtime/ops/matvec.h"
#include "loader/ggml_types.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/random_weights.h"
#include "tests/gpu/weight_util.h"

namespace rotary::test {
namespace {

// K of one block and of several (plain types: awkward lengths that end mid-unit).
std::vector<uint32_t> test_cols(GgmlType type) {
  const uint32_t block = ggml_type_info(type).block_size;
  if (block == 1) return {7, 100, 1000};
  if (block == 32) return {32, 32 * 13};
  return {256, 256 * 5};
}

void check_matvec(vk::GpuContext& g, GgmlType type, uint32_t rows, uint32_t cols,
                  const ops::MatvecTuning& tuning, uint64_t seed, uint64_t offset) {
  CAPTURE(ggml_type_name(type));
  CAPTURE(rows);
  CAPTURE(cols);
  CAPTURE(offset);
  TestWeight w = make_weight(g, type, rows, cols, seed, offset);
  const std::vector<float> x = ref::random_floats(cols, seed + 1);
  std::vector<float> want(rows), mag(rows);
  ref::matvec(w.ref(), x, want);
  ref::matmul_magnitude(w.ref(), x, 1, mag);
  vk::Buffer dx = upload_floats(g, x);
  vk::Buffer dy = device_buffer(g, rows * 4ull);
  g.compute().run_now(
      [&](vk::Recorder& rec) { ops::matvec(rec, w.view, dx.view(), dy.view(), tuning); });
  const std::vector<float> got = download_floats(g, dy.view(), rows);
  const CloseReport r = compare(got, want, mag, product_gamma(cols));
  CHECK_MESSAGE(r.bad == 0, r.first);
}

void check_all_types(vk::GpuContext& g, const ops::MatvecTuning& tuning) {
  uint64_t seed = 100;
  for (GgmlType type : ops::weight_kernel_types())
    for (uint32_t cols : test_cols(type))
      for (uint32_t rows : {7u, 13u, 127u}) {
        ++seed;
        check_matvec(g, type, rows, cols, tuning, seed, seed % 3 == 0 ? 3 : 6);
      }
}

TEST_CASE_FIXTURE(GpuTest, "matvec: every type, awkward shapes, 32 invocations x 1 row") {
  check_all_types(ctx, {.workgroup_size = 32, .rows_per_workgroup = 1});
}

TEST_CASE_FIXTURE(GpuTest, "matvec: every type, awkward shapes, 64 invocations x 3 rows") {
  check_all_types(ctx, {.workgroup_size = 64, .rows_per_workgroup = 3});
}

TEST_CASE("matvec: every type, the shared-memory (no subgroup) variants") {
  auto g = make_gpu({.subgroup_arith = false});
  REQUIRE_FALSE(g->pipelines().subgroup_arith());
  check_all_types(*g, {.workgroup_size = 64, .rows_per_workgroup = 2});
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

}  // namespace
}  // namespace rotary::test
