// The dot matvec path: activations quantised to Q8_1 (quantize_q8_1) and integer dot products
// (matvec_q8_1) for every type with dot kernels. quantize_q8_1 is checked on its own by the
// properties of Q8_1 (d = max|x| / 127, |q d - x| <= d / 2, s = d sum q); matvec_q8_1 against
// the CPU reference on the activations the GPU quantised (q d, summed in double), so each op is
// judged on its own and the product tolerance applies unchanged.
#include <cmath>
#include <cstring>

#include "loader/ggml_types.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/random_weights.h"
#include "tests/gpu/weight_util.h"

namespace rotary::test {
namespace {

struct Q8Block {
  float d = 0, s = 0;
  int8_t q[32] = {};
};

std::vector<Q8Block> quantize_on_gpu(vk::GpuContext& g, const std::vector<float>& x) {
  const uint32_t n = static_cast<uint32_t>(x.size());
  // x at a 3-float offset and the output 10 words in: both bound with push-constant offsets.
  std::vector<float> padded(3, 0.0f);
  padded.insert(padded.end(), x.begin(), x.end());
  vk::Buffer dx = upload_floats(g, padded);
  vk::Buffer dq = device_buffer(g, 40 + ops::q8_1_bytes(n));
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::quantize_q8_1(rec, dx.view().sub(12, uint64_t{n} * 4), n, dq.view().sub(40, ops::q8_1_bytes(n)));
  });
  const std::vector<float> words = download_floats(g, dq.view(), 10 + n / 32 * 10);
  std::vector<Q8Block> blocks(n / 32);
  for (uint32_t b = 0; b < n / 32; ++b) {
    const float* w = words.data() + 10 + 10 * b;
    blocks[b].d = w[0];
    blocks[b].s = w[1];
    std::memcpy(blocks[b].q, w + 2, 32);
  }
  return blocks;
}

std::vector<float> dequantize(const std::vector<Q8Block>& blocks) {
  std::vector<float> v;
  for (const Q8Block& b : blocks)
    for (int8_t q : b.q) v.push_back(static_cast<float>(q) * b.d);
  return v;
}

TEST_CASE_FIXTURE(GpuTest, "quantize_q8_1: d = max|x| / 127, every value within d / 2, s = d sum q") {
  std::vector<float> x = ref::random_floats(32 * 9, 41, -3.0f, 3.0f);
  for (int i = 0; i < 32; ++i) x[64 + i] = 0.0f;              // a zero block: d = 0, q = 0
  for (int i = 0; i < 32; ++i) x[96 + i] *= 1e-20f;           // tiny values
  for (int i = 0; i < 32; ++i) x[128 + i] = i % 2 ? 1e6f : -1e6f;  // every value at max|x|
  const std::vector<Q8Block> blocks = quantize_on_gpu(ctx, x);
  for (size_t b = 0; b < blocks.size(); ++b) {
    CAPTURE(b);
    float amax = 0;
    for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[32 * b + i]));
    CHECK(blocks[b].d == doctest::Approx(amax / 127.0f).epsilon(1e-6));
    int sum = 0;
    for (int i = 0; i < 32; ++i) {
      const float xi = x[32 * b + i], q = blocks[b].q[i];
      CHECK(std::fabs(q) <= 127);
      CHECK(std::fabs(q * blocks[b].d - xi) <= 0.5f * blocks[b].d * (1 + 1e-5f));
      sum += blocks[b].q[i];
    }
    CHECK(blocks[b].s == doctest::Approx(blocks[b].d * static_cast<float>(sum)).epsilon(1e-6));
  }
  vk::Recorder rec = ctx.compute().begin();  // refused before anything is recorded
  CHECK_THROWS_AS(ops::quantize_q8_1(rec, vk::BufferView{}, 33, vk::BufferView{}), Error);
  ctx.compute().queue().wait(ctx.compute().submit(rec));
}

void check_dot(vk::GpuContext& g, GgmlType type, uint32_t rows, uint32_t cols,
               const ops::MatvecTuning& tuning, uint64_t seed) {
  CAPTURE(ggml_type_name(type));
  CAPTURE(rows);
  CAPTURE(cols);
  TestWeight w = make_weight(g, type, rows, cols, seed, seed % 2 ? 6 : 2);
  const std::vector<float> x = ref::random_floats(cols, seed + 1);
  vk::Buffer dx = upload_floats(g, x);
  vk::Buffer dq = device_buffer(g, ops::q8_1_bytes(cols)), dy = device_buffer(g, rows * 4ull);
  g.compute().run_now([&](vk::Recorder& rec) {
    ops::quantize_q8_1(rec, dx.view(), cols, dq.view());
    rec.compute_barrier();
    ops::matvec_q8_1(rec, w.view, dq.view(), dy.view(), tuning);
  });
  // The reference on the activations as quantised (the GPU's own Q8_1 bytes).
  std::vector<float> blocks_words = download_floats(g, dq.view(), cols / 32 * 10);
  std::vector<Q8Block> blocks(cols / 32);
  for (uint32_t b = 0; b < cols / 32; ++b) {
    blocks[b].d = blocks_words[10 * b];
    std::memcpy(blocks[b].q, blocks_words.data() + 10 * b + 2, 32);
  }
  const std::vector<float> xq = dequantize(blocks);
  std::vector<float> want(rows), mag(rows);
  ref::matvec(w.ref(), xq, want);
  ref::matmul_magnitude(w.ref(), xq, 1, mag);
  const CloseReport r = compare(download_floats(g, dy.view(), rows), want, mag, product_gamma(cols));
  CHECK_MESSAGE(r.bad == 0, r.first);
}

std::vector<GgmlType> dot_types() {
  std::vector<GgmlType> v;
  for (GgmlType t : ops::weight_kernel_types())
    if (ops::has_dot_kernels(t)) v.push_back(t);
  return v;
}

TEST_CASE_FIXTURE(GpuTest, "matvec_q8_1: every dot type, awkward shapes, two tunings") {
  REQUIRE(dot_types().size() == 5);
  uint64_t seed = 300;
  for (GgmlType type : dot_types()) {
    const uint32_t block = ggml_type_info(type).block_size;
    for (uint32_t cols : {block, block * 3})
      for (uint32_t rows : {7u, 29u}) {
        check_dot(ctx, type, rows, cols, {}, ++seed);
        check_dot(ctx, type, rows, cols, {.workgroup_size = 32, .rows_per_workgroup = 9, .lanes = 4}, ++seed);
      }
  }
}

TEST_CASE("matvec_q8_1: the shared-memory (no subgroup) variants") {
  auto g = make_gpu({.subgroup_arith = false});
  for (GgmlType type : dot_types())
    check_dot(*g, type, 13, 2 * ggml_type_info(type).block_size, {.workgroup_size = 16, .lanes = 4}, 77);
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

TEST_CASE_FIXTURE(GpuTest, "matvec_q8_1: types without dot kernels are refused") {
  TestWeight w = make_weight(ctx, GgmlType::Q3_K, 4, 256, 5);
  vk::Buffer dq = device_buffer(ctx, ops::q8_1_bytes(256)), dy = device_buffer(ctx, 16);
  vk::Recorder rec = ctx.compute().begin();
  CHECK_THROWS_AS(ops::matvec_q8_1(rec, w.view, dq.view(), dy.view()), Error);
  ctx.compute().queue().wait(ctx.compute().submit(rec));
}

}  // namespace
}  // namespace rotary::test
