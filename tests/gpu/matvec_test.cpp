// matvec for every weight type against the CPU reference (dequantise, then sum in double):
// awkward row counts, K of one block and of many, rows at unaligned byte offsets, tunings with
// one row group per workgroup and with several (lanes below the workgroup size), the u32 and u16
// paths, and the shared-memory (_nosg) variants.
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

// The paths and mappings added to the full sweeps above: every type at its longer K, 13 rows, rows
// at an odd-half offset (the u16 loads' awkward case), cheaper than a full sweep.
void check_all_types_light(vk::GpuContext& g, const ops::MatvecTuning& tuning) {
  uint64_t seed = 500;
  for (GgmlType type : ops::weight_kernel_types()) check_matvec(g, type, 13, test_cols(type).back(), tuning, ++seed, 6);
}

TEST_CASE_FIXTURE(GpuTest, "matvec: every type, awkward shapes, 32 invocations x 1 row") {
  check_all_types(ctx, {.workgroup_size = 32, .rows_per_workgroup = 1});
}

TEST_CASE_FIXTURE(GpuTest, "matvec: every type, awkward shapes, 64 invocations x 3 rows") {
  check_all_types(ctx, {.workgroup_size = 64, .rows_per_workgroup = 3, .path = vk::MatvecPath::u32});
}

// 8 row groups of 4 invocations, 11 rows (groups 0-2 take two rows): 8/16-bit loads at every
// offset parity (rows of Q4_0/Q8_0/Q6_K blocks start on odd halves, MXFP4 on odd bytes).
TEST_CASE_FIXTURE(GpuTest, "matvec: every type, the u16 path, 8 row groups of 4 lanes") {
  check_all_types_light(ctx, {.workgroup_size = 32, .rows_per_workgroup = 11, .lanes = 4,
                        .path = vk::MatvecPath::u16});
}

TEST_CASE("matvec: the device's forced path applies when the tuning says automatic") {
  auto g = make_gpu({.matvec_path = vk::MatvecPath::u16});
  REQUIRE(g->device().matvec_path() == vk::MatvecPath::u16);
  CHECK(ops::matvec_path(g->device(), vk::MatvecPath::automatic) == vk::MatvecPath::u16);
  CHECK(ops::matvec_path(g->device(), vk::MatvecPath::u32) == vk::MatvecPath::u32);
  check_matvec(*g, GgmlType::Q6_K, 13, 512, {.lanes = 2}, 9, 6);
  check_matvec(*g, GgmlType::MXFP4, 13, 96, {}, 10, 3);
  CHECK(g->instance().validation_errors() == 0);
}

// The default lane choice keeps invocations busy on the expert shapes (docs/kernels.md).
TEST_CASE("matvec: lanes per row group from the row length") {
  CHECK(ops::pick_lanes(64, 64) == 64);  // K = 2048 Q4_K
  CHECK(ops::pick_lanes(64, 24) == 8);   // K = 768 Q4_K / Q6_K: 3 units per lane
  CHECK(ops::pick_lanes(64, 16) == 16);  // K = 512 Q4_K
  CHECK(ops::pick_lanes(64, 48) == 16);  // K = 768 Q8_0
  CHECK(ops::pick_lanes(32, 13) == 16);  // 13 of 16 slots busy at 16, 8 and 4 lanes: the largest
  CHECK(ops::pick_lanes(8, 24) == 8);
  CHECK(ops::pick_lanes(2, 5) == 2);
}

TEST_CASE("matvec: every type, the shared-memory (no subgroup) variants") {
  auto g = make_gpu({.subgroup_arith = false});
  REQUIRE_FALSE(g->pipelines().subgroup_arith());
  check_all_types(*g, {.workgroup_size = 64, .rows_per_workgroup = 2});
  check_all_types_light(*g, {.workgroup_size = 16, .rows_per_workgroup = 5, .lanes = 4, .path = vk::MatvecPath::u16});
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

}  // namespace
}  // namespace rotary::test

namespace rotary::test {
namespace {

vk::DeviceCaps fake_caps(VkPhysicalDeviceType type, bool storage, bool dot, bool dot_fast) {
  vk::DeviceCaps c;
  c.type = type;
  c.storage8 = c.storage16 = storage;
  c.integer_dot_product = dot;
  c.integer_dot_accelerated = dot_fast;
  return c;
}

// The path choice from capabilities alone (no device): what each kind of device takes.
TEST_CASE("matvec paths: chosen from the capabilities, forced ones checked") {
  using vk::MatvecPath;
  const auto gpu = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, cpu = VK_PHYSICAL_DEVICE_TYPE_CPU;
  const vk::DeviceCaps modern = fake_caps(gpu, true, true, true);      // NVIDIA, AMD, Intel Arc
  const vk::DeviceCaps emulated = fake_caps(gpu, true, true, false);   // dot product not accelerated
  const vk::DeviceCaps old = fake_caps(gpu, false, false, false);      // no 8/16-bit storage
  const vk::DeviceCaps lavapipe = fake_caps(cpu, true, true, false);
  CHECK(vk::resolve_matvec_path(modern, MatvecPath::automatic, true) == MatvecPath::dot);
  CHECK(vk::resolve_matvec_path(modern, MatvecPath::automatic, false) == MatvecPath::u16);
  CHECK(vk::resolve_matvec_path(emulated, MatvecPath::automatic, true) == MatvecPath::u16);
  CHECK(vk::resolve_matvec_path(old, MatvecPath::automatic, true) == MatvecPath::u32);
  CHECK(vk::resolve_matvec_path(lavapipe, MatvecPath::automatic, true) == MatvecPath::u32);
  // Forced: as given; dot falls back for types without dot kernels.
  CHECK(vk::resolve_matvec_path(lavapipe, MatvecPath::u16, true) == MatvecPath::u16);
  CHECK(vk::resolve_matvec_path(lavapipe, MatvecPath::dot, true) == MatvecPath::dot);
  CHECK(vk::resolve_matvec_path(lavapipe, MatvecPath::dot, false) == MatvecPath::u16);
  CHECK(vk::resolve_matvec_path(modern, MatvecPath::u32, true) == MatvecPath::u32);
  CHECK_THROWS_AS(vk::resolve_matvec_path(old, MatvecPath::u16, false), Error);
  CHECK_THROWS_AS(vk::resolve_matvec_path(old, MatvecPath::dot, true), Error);
  CHECK(vk::parse_matvec_path("u16", "--matvec-path") == MatvecPath::u16);
  CHECK_THROWS_AS(vk::parse_matvec_path("U16", "--matvec-path"), Error);
}

}  // namespace
}  // namespace rotary::test
