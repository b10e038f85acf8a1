// get_rows for every weight type: the rows must be bit-identical with the CPU reference
// dequantisation (same operations, same order, nothing fused).
#include "runtime/ops/get_rows.h"
#include "loader/ggml_types.h"
#include "runtime/ops/weight_types.h"
#include "tests/gpu/weight_util.h"

namespace rotary::test {
namespace {

void check_get_rows(vk::GpuContext& g, GgmlType type, uint32_t cols,
                    const ops::GetRowsTuning& tuning, uint64_t seed) {
  CAPTURE(ggml_type_name(type));
  CAPTURE(cols);
  const uint32_t rows = 13;
  TestWeight w = make_weight(g, type, rows, cols, seed, seed % 2 ? 3 : 6);
  const std::vector<uint32_t> ids = {12, 0, 5, 5, 12, 3, 7};  // repeats, the first and the last row
  std::vector<float> want(ids.size() * cols);
  ref::get_rows(w.ref(), ids, want);
  vk::Buffer dids = upload_u32(g, ids);
  vk::Buffer dout = device_buffer(g, want.size() * 4);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::get_rows(rec, w.view, dids.view(), static_cast<uint32_t>(ids.size()), dout.view(), tuning);
  });
  CHECK(same_bits(download_floats(g, dout.view(), want.size()), want));
}

void check_all_types(vk::GpuContext& g, const ops::GetRowsTuning& tuning) {
  uint64_t seed = 500;
  for (GgmlType type : ops::weight_kernel_types()) {
    const uint32_t block = ggml_type_info(type).block_size;
    const std::vector<uint32_t> cols =
        block == 1 ? std::vector<uint32_t>{7, 1000} : std::vector<uint32_t>{block, block * 9};
    for (uint32_t c : cols) check_get_rows(g, type, c, tuning, ++seed);
  }
}

TEST_CASE_FIXTURE(GpuTest,
                  "get_rows: every type is bit-identical with the reference, two workgroup sizes") {
  check_all_types(ctx, {.workgroup_size = 32});
  check_all_types(ctx, {.workgroup_size = 128});
}

TEST_CASE("get_rows: every type, the no-subgroup variants") {
  auto g = make_gpu({.subgroup_arith = false});
  check_all_types(*g, {});
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

}  // namespace
}  // namespace rotary::test
