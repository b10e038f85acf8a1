// Grouped expert kernels for one token (decode): every weight type as gate/up and as down (each
// layer's pair of types differs, as in Q4_K_M files), experts in several pages (separate buffers)
// at unaligned offsets, the table in an order other than k. The results must not depend on how
// the table is split into dispatches: the same bits for one dispatch of all entries and for
// subsets submitted separately in a shuffled order.
#include <cstring>
#include <utility>

#include "loader/ggml_types.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/random_weights.h"
#include "tests/gpu/expert_util.h"

namespace rotary::test {
namespace {

constexpr uint32_t kTopK = 4;
// Entry i of the table computes expert kExperts[i] as choice kKIndex[i].
constexpr uint32_t kExperts[kTopK] = {3, 0, 4, 1};
constexpr uint32_t kKIndex[kTopK] = {2, 0, 3, 1};

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;  // (first, count) per dispatch

struct DecodeResult {
  std::vector<float> h, y, out;
};

struct DecodeCase {
  vk::GpuContext& g;
  const ExpertPool& pool;
  std::vector<float> x, weights, residual;
  vk::Buffer table, dx, dw, dres;

  DecodeCase(vk::GpuContext& gpu, const ExpertPool& p, uint64_t seed) : g(gpu), pool(p) {
    std::vector<ops::ExpertSlot> slots;
    for (uint32_t i = 0; i < kTopK; ++i) {
      ops::ExpertSlot s = pool.where[kExperts[i]];
      s.k_index = kKIndex[i];
      slots.push_back(s);
    }
    table = upload_bytes(g, std::as_bytes(std::span(slots)), 0, "test slot table");
    x = ref::random_floats(pool.n_embd, seed);
    weights = ref::random_floats(kTopK, seed + 1, 0.05f, 0.5f);
    residual = ref::random_floats(pool.n_embd, seed + 2);
    dx = upload_floats(g, x);
    dw = upload_floats(g, weights);
    dres = upload_floats(g, residual);
  }

  // Gate/up over `gate_up` ranges, then down over `down` ranges, each range its own submission
  // (as hits and misses are), then the combine with the residual.
  DecodeResult run(const Ranges& gate_up, const Ranges& down, const ops::ExpertTuning& tuning) {
    const uint64_t hn = uint64_t{kTopK} * pool.n_ff, yn = uint64_t{kTopK} * pool.n_embd;
    vk::Buffer h = device_buffer(g, hn * 4), y = device_buffer(g, yn * 4),
               out = device_buffer(g, pool.n_embd * 4ull);
    g.compute().run_now([&](vk::Recorder& rec) {  // NaN everywhere: a row left unwritten shows
      rec.fill(h.view(), 0x7FC00000u);
      rec.fill(y.view(), 0x7FC00000u);
      rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
    });
    const ops::ExpertLayer layer = pool.layer();
    for (auto [first, count] : gate_up)
      g.compute().run_now([&](vk::Recorder& rec) {
        ops::expert_gate_up(rec, layer, {table.view(), first, count}, dx.view(), h.view(), kTopK,
                            tuning);
      });
    for (auto [first, count] : down)
      g.compute().run_now([&](vk::Recorder& rec) {
        rec.compute_barrier();
        ops::expert_down(rec, layer, {table.view(), first, count}, h.view(), dw.view(), y.view(),
                         kTopK, tuning);
      });
    g.compute().run_now([&](vk::Recorder& rec) {
      rec.compute_barrier();
      ops::expert_combine(rec, y.view(), 1, kTopK, pool.n_embd, dres.view(), out.view());
    });
    return {download_floats(g, h.view(), hn), download_floats(g, y.view(), yn),
            download_floats(g, out.view(), pool.n_embd)};
  }

  void check_against_reference(const DecodeResult& r) {
    std::vector<float> want(std::max(pool.n_ff, pool.n_embd)), tol(want.size());
    for (uint32_t i = 0; i < kTopK; ++i) {
      const uint32_t e = kExperts[i], k = kKIndex[i];
      CAPTURE(i);
      const auto h = std::span(r.h).subspan(uint64_t{k} * pool.n_ff, pool.n_ff);
      gate_up_expectation(pool, e, x, std::span(want).first(pool.n_ff),
                          std::span(tol).first(pool.n_ff));
      CHECK(count_outside(h, std::span(want).first(pool.n_ff), std::span(tol).first(pool.n_ff)) ==
            0);
      // down from the kernel's own h, so each op is judged on its own.
      down_expectation(pool, e, h, weights[k], std::span(want).first(pool.n_embd),
                       std::span(tol).first(pool.n_embd));
      CHECK(count_outside(std::span(r.y).subspan(uint64_t{k} * pool.n_embd, pool.n_embd),
                          std::span(want).first(pool.n_embd),
                          std::span(tol).first(pool.n_embd)) == 0);
    }
    std::vector<float> out(pool.n_embd);
    ref::expert_combine(r.y, 1, kTopK, pool.n_embd, residual, out);
    CHECK(same_bits(r.out, out));  // the same additions in the same order
  }
};

const Ranges kAll = {{0, kTopK}};

// Every type appears once as gate/up and once as down: (t[i], t[i + 1]).
void check_every_type_pair(vk::GpuContext& g, const ops::ExpertTuning& tuning) {
  const auto types = ops::weight_kernel_types();
  for (size_t i = 0; i < types.size(); ++i) {
    const GgmlType gu = types[i], dn = types[(i + 1) % types.size()];
    CAPTURE(ggml_type_name(gu));
    CAPTURE(ggml_type_name(dn));
    const ExpertPool pool = make_pool(g, gu, dn, 512, 256, 5, 3, 1000 + 17 * i);
    DecodeCase c(g, pool, 2000 + i);
    c.check_against_reference(c.run(kAll, kAll, tuning));
  }
}

TEST_CASE_FIXTURE(GpuTest,
                  "experts (decode): every type as gate/up and as down, 32 invocations x 1 row") {
  check_every_type_pair(ctx, {.matvec = {.workgroup_size = 32, .rows_per_workgroup = 1}});
}

TEST_CASE_FIXTURE(GpuTest,
                  "experts (decode): every type as gate/up and as down, 64 invocations x 3 rows") {
  check_every_type_pair(ctx, {.matvec = {.workgroup_size = 64, .rows_per_workgroup = 3}});
}

// Several row groups per workgroup (16 rows of 2 lanes, 11 rows per workgroup) and 8/16-bit loads.
TEST_CASE_FIXTURE(GpuTest, "experts (decode): every type, the u16 path, row groups of 2 lanes") {
  check_every_type_pair(ctx, {.matvec = {.workgroup_size = 32,
                                         .rows_per_workgroup = 11,
                                         .lanes = 2,
                                         .path = vk::MatvecPath::u16}});
}

TEST_CASE("experts (decode): every type, the no-subgroup variants") {
  auto g = make_gpu({.subgroup_arith = false});
  check_every_type_pair(*g, {});
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

TEST_CASE_FIXTURE(GpuTest,
                  "experts (decode): the same bits whatever subsets of the table run when") {
  // Q4_K_M's layers: Q4_K gate/up with Q6_K down, and Q4_K throughout; an FFN width of 3 blocks.
  for (auto [gu, dn] :
       {std::pair{GgmlType::Q4_K, GgmlType::Q6_K}, std::pair{GgmlType::Q4_K, GgmlType::Q4_K}}) {
    CAPTURE(ggml_type_name(gu));
    CAPTURE(ggml_type_name(dn));
    const ExpertPool pool = make_pool(ctx, gu, dn, 256, 768, 5, 2, 77);
    DecodeCase c(ctx, pool, 78);
    const DecodeResult all = c.run(kAll, kAll, {});
    c.check_against_reference(all);
    const DecodeResult split = c.run({{2, 2}, {0, 1}, {1, 1}}, {{3, 1}, {1, 2}, {0, 1}}, {});
    CHECK(same_bits(split.h, all.h));
    CHECK(same_bits(split.y, all.y));
    CHECK(same_bits(split.out, all.out));
  }
}

TEST_CASE_FIXTURE(GpuTest, "experts (decode): gpt-oss's biases and clamped SwiGLU, split dispatches") {
  // gpt-oss's types (MXFP4 experts; F32 and Q8_0 test files), rows of 2880 / 32 = 90 blocks as
  // in gpt-oss-20b cut to 3 x 32 here, and biases that reach both clamps.
  for (auto [gu, dn] : {std::pair{GgmlType::MXFP4, GgmlType::MXFP4}, std::pair{GgmlType::F32, GgmlType::Q8_0}}) {
    CAPTURE(ggml_type_name(gu));
    ExpertPool pool = make_pool(ctx, gu, dn, 96, 160, 5, 2, 81);
    add_gpt_oss_biases(ctx, pool, 82);
    DecodeCase c(ctx, pool, 83);
    const DecodeResult all = c.run(kAll, kAll, {.matvec = {.workgroup_size = 32, .rows_per_workgroup = 3}});
    c.check_against_reference(all);
    const DecodeResult split = c.run({{2, 2}, {0, 2}}, {{3, 1}, {0, 3}}, {.matvec = {.workgroup_size = 32, .rows_per_workgroup = 3}});
    CHECK(same_bits(split.y, all.y));
  }
}

TEST_CASE_FIXTURE(GpuTest, "expert_combine adds into the residual in place, in k order") {
  const uint32_t tokens = 3, top_k = 8, n = 1000;  // n: not a multiple of the workgroup
  const std::vector<float> y = ref::random_floats(uint64_t{tokens} * top_k * n, 5, -100.0f, 100.0f);
  const std::vector<float> res = ref::random_floats(uint64_t{tokens} * n, 6);
  vk::Buffer dy = upload_floats(ctx, y), dres = upload_floats(ctx, res);
  ctx.compute().run_now([&](vk::Recorder& rec) {
    ops::expert_combine(rec, dy.view(), tokens, top_k, n, dres.view(), dres.view(), 64);
  });
  std::vector<float> want(res.size());
  ref::expert_combine(y, tokens, top_k, n, res, want);
  CHECK(same_bits(download_floats(ctx, dres.view(), want.size()), want));
}

}  // namespace
}  // namespace rotary::test

namespace rotary::test {
namespace {

// Q8_1 words (quant/dot_q8.glsl) back to floats: q * d.
std::vector<float> q8_1_values(vk::GpuContext& g, const vk::Buffer& b, uint32_t n) {
  const std::vector<float> words = download_floats(g, b.view(), n / 32 * 10);
  std::vector<float> v(n);
  for (uint32_t i = 0; i < n; ++i) {
    int8_t q;
    std::memcpy(&q, reinterpret_cast<const char*>(words.data() + 10 * (i / 32) + 2) + i % 32, 1);
    v[i] = static_cast<float>(q) * words[10 * (i / 32)];
  }
  return v;
}

// The dot path: x and h quantised on the GPU (quantize_q8_1), the products judged against the
// reference on the values as quantised, so each op is judged on its own as in the f32 path.
TEST_CASE_FIXTURE(GpuTest, "experts (decode): the dot path, Q8_1 activations, every dot type") {
  for (auto [gu, dn] : {std::pair{GgmlType::Q4_K, GgmlType::Q6_K}, std::pair{GgmlType::Q4_0, GgmlType::Q8_0}}) {
    CAPTURE(ggml_type_name(gu));
    CAPTURE(ggml_type_name(dn));
    const ExpertPool pool = make_pool(ctx, gu, dn, 512, 768, 5, 2, 55);
    DecodeCase c(ctx, pool, 56);
    const uint32_t hn = kTopK * pool.n_ff, yn = kTopK * pool.n_embd;
    vk::Buffer xq = device_buffer(ctx, ops::q8_1_bytes(pool.n_embd)), h = device_buffer(ctx, hn * 4ull),
               hq = device_buffer(ctx, ops::q8_1_bytes(hn)), y = device_buffer(ctx, yn * 4ull);
    const ops::ExpertTuning tuning{.matvec = {.workgroup_size = 32, .rows_per_workgroup = 7, .lanes = 8}};
    ctx.compute().run_now([&](vk::Recorder& rec) {
      ops::quantize_q8_1(rec, c.dx.view(), pool.n_embd, xq.view());
      rec.compute_barrier();
      ops::expert_gate_up_q8_1(rec, pool.layer(), {c.table.view(), 0, kTopK}, xq.view(), h.view(), kTopK, tuning);
      rec.compute_barrier();
      ops::quantize_q8_1(rec, h.view(), hn, hq.view());
      rec.compute_barrier();
      ops::expert_down_q8_1(rec, pool.layer(), {c.table.view(), 0, kTopK}, hq.view(), c.dw.view(), y.view(), kTopK,
                            tuning);
    });
    const std::vector<float> xv = q8_1_values(ctx, xq, pool.n_embd), hv = q8_1_values(ctx, hq, hn);
    const std::vector<float> got_h = download_floats(ctx, h.view(), hn), got_y = download_floats(ctx, y.view(), yn);
    std::vector<float> want(std::max(pool.n_ff, pool.n_embd)), tol(want.size());
    for (uint32_t i = 0; i < kTopK; ++i) {
      const uint32_t e = kExperts[i], k = kKIndex[i];
      CAPTURE(i);
      gate_up_expectation(pool, e, xv, std::span(want).first(pool.n_ff), std::span(tol).first(pool.n_ff));
      CHECK(count_outside(std::span(got_h).subspan(uint64_t{k} * pool.n_ff, pool.n_ff),
                          std::span(want).first(pool.n_ff), std::span(tol).first(pool.n_ff)) == 0);
      down_expectation(pool, e, std::span(hv).subspan(uint64_t{k} * pool.n_ff, pool.n_ff), c.weights[k],
                       std::span(want).first(pool.n_embd), std::span(tol).first(pool.n_embd));
      CHECK(count_outside(std::span(got_y).subspan(uint64_t{k} * pool.n_embd, pool.n_embd),
                          std::span(want).first(pool.n_embd), std::span(tol).first(pool.n_embd)) == 0);
    }
  }
}

}  // namespace
}  // namespace rotary::test
