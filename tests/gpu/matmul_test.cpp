// matmul for every weight type against the CPU reference and against matvec: awkward token
// counts (1, 7, 70: below, at and across a tile of tokens) and row counts (13, 127: partial
// tiles), K of one block and of many, two tile configurations and the _nosg variants.
//
// Tolerance: as matvec, |got - ref| <= (K + 8) u sum|w x| (weight_util.h); matmul and matvec sum
// in different orders (one fma chain over K vs per-invocation partial sums and a reduction), so
// they agree within the sum of their two bounds.
#include "runtime/ops/matmul.h"

#include <string>
#include <utility>

#include "loader/ggml_types.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/random_weights.h"
#include "shaders/registry.h"
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

namespace rotary::test {
namespace {

// The coopmat path's selection from capabilities (it cannot run on lavapipe: the shader is only
// checked to be in the build, vk_core_test.cpp). A device that has everything:
vk::DeviceCaps coopmat_caps() {
  vk::DeviceCaps c;
  c.type = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
  c.cooperative_matrix = c.coopmat_f16_16x16x16 = c.float16 = c.vulkan_memory_model = true;
  c.required_subgroup_size_compute = c.subgroup_size_control = true;
  c.subgroup_size = 32;
  c.max_compute_workgroup_subgroups = 32;
  c.max_workgroup_invocations = c.max_workgroup_size_x = 1024;
  c.max_shared_memory = 48 * 1024;
  return c;
}

TEST_CASE("matmul paths: coopmat only when forced, and only where the device and build have it") {
  using vk::MatmulPath;
  const vk::DeviceCaps full = coopmat_caps();
  CHECK(vk::coopmat_unsupported(full).empty());
  CHECK(vk::resolve_matmul_path(full, MatmulPath::automatic, true) == MatmulPath::scalar);
  CHECK(vk::resolve_matmul_path(full, MatmulPath::scalar, true) == MatmulPath::scalar);
  CHECK(vk::resolve_matmul_path(full, MatmulPath::coopmat, true) == MatmulPath::coopmat);
  CHECK_THROWS_AS(vk::resolve_matmul_path(full, MatmulPath::coopmat, false), Error);  // not built
  // Each missing capability refuses it, naming what is missing.
  const std::pair<bool vk::DeviceCaps::*, const char*> needs[] = {
      {&vk::DeviceCaps::cooperative_matrix, "VK_KHR_cooperative_matrix"},
      {&vk::DeviceCaps::coopmat_f16_16x16x16, "16 x 16 x 16"},
      {&vk::DeviceCaps::float16, "shaderFloat16"},
      {&vk::DeviceCaps::vulkan_memory_model, "memory model"},
      {&vk::DeviceCaps::required_subgroup_size_compute, "subgroup size"}};
  for (const auto& [field, words] : needs) {
    vk::DeviceCaps c = full;
    c.*field = false;
    CAPTURE(words);
    CHECK(vk::coopmat_unsupported(c).find(words) != std::string::npos);
    CHECK_THROWS_AS(vk::resolve_matmul_path(c, MatmulPath::coopmat, true), Error);
    CHECK(vk::resolve_matmul_path(c, MatmulPath::automatic, true) == MatmulPath::scalar);
  }
  vk::DeviceCaps small = full;
  small.max_shared_memory = 16 * 1024;
  CHECK_FALSE(vk::coopmat_unsupported(small).empty());
  vk::DeviceCaps wide = full;
  wide.subgroup_size = 512;  // 4 subgroups exceed the workgroup
  CHECK_FALSE(vk::coopmat_unsupported(wide).empty());
  CHECK(vk::parse_matmul_path("coopmat", "--matmul-path") == MatmulPath::coopmat);
  CHECK_THROWS_AS(vk::parse_matmul_path("tensor", "--matmul-path"), Error);
}

TEST_CASE("matmul paths: every weight type has its coopmat variant in the build") {
  for (GgmlType t : ops::weight_kernel_types()) {
    CAPTURE(ggml_type_name(t));
    CHECK(shaders::find(ops::matmul_coopmat_shader(t)) != nullptr);
  }
}

// On a device with cooperative matrices (none here: lavapipe has none), every type against the
// reference with f16 tiles: weights and activations each rounded to f16 (2^-11 relative) add
// 2^-10 sum|w x| to the product tolerance.
TEST_CASE_FIXTURE(GpuTest, "matmul (coopmat): every type against the reference where the device has it") {
  if (!vk::coopmat_unsupported(ctx.caps()).empty()) {
    MESSAGE("not run: " << vk::coopmat_unsupported(ctx.caps()));
    return;
  }
  uint64_t seed = 900;
  for (GgmlType type : ops::weight_kernel_types())
    for (uint32_t n : {7u, 70u}) {
      CAPTURE(ggml_type_name(type));
      CAPTURE(n);
      const uint32_t rows = 127, cols = test_cols(type).back();
      TestWeight w = make_weight(ctx, type, rows, cols, ++seed);
      const std::vector<float> x = ref::random_floats(uint64_t{n} * cols, seed);
      std::vector<float> want(uint64_t{n} * rows), mag(want.size());
      ref::matmul(w.ref(), x, n, want);
      ref::matmul_magnitude(w.ref(), x, n, mag);
      vk::Buffer dx = upload_floats(ctx, x), dy = device_buffer(ctx, want.size() * 4);
      ctx.compute().run_now([&](vk::Recorder& rec) {
        ops::matmul(rec, w.view, dx.view(), dy.view(), n, {.path = vk::MatmulPath::coopmat});
      });
      const CloseReport r = compare(download_floats(ctx, dy.view(), want.size()), want, mag,
                                    product_gamma(cols) + 0x1p-10);
      CHECK_MESSAGE(r.bad == 0, r.first);
    }
}

TEST_CASE("matmul paths: a forced coopmat on a device without it is refused at creation") {
  const auto make = [] { return make_gpu({.matmul_path = vk::MatmulPath::coopmat}); };
  if (vk::coopmat_unsupported(gpu().caps()).empty()) return;  // a device that has it: nothing to refuse
  CHECK_THROWS_WITH_AS(make(), doctest::Contains("matmul path coopmat"), Error);
}

}  // namespace
}  // namespace rotary::test
