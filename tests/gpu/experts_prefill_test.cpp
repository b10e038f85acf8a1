// Grouped expert kernels for a chunk of tokens (prefill): a table of the experts the chunk uses,
// each with its (token, k) slots; tiled matmuls over each expert's tokens. Checked against the
// per-token reference, with experts that get more tokens than a tile; and the results must be
// the same bits when the experts are computed in waves (subsets of the table, shuffled).
#include <algorithm>
#include <random>
#include <utility>

#include "loader/ggml_types.h"
#include "runtime/ops/weight_types.h"
#include "runtime/reference/random_weights.h"
#include "tests/gpu/expert_util.h"

namespace rotary::test {
namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

struct PrefillResult {
  std::vector<float> h, y, out;
};

struct PrefillCase {
  vk::GpuContext& g;
  const ExpertPool& pool;
  uint32_t n_tokens, top_k;
  std::vector<uint32_t> choice;         // [token * top_k + k] -> expert
  std::vector<uint32_t> table_experts;  // entry -> expert
  uint32_t max_pairs = 0;
  std::vector<float> x, weights, residual;
  vk::Buffer table, pairs, dx, dw, dres;

  // Routes every token to top_k distinct experts at random; the table lists the used experts in
  // a shuffled order, each with its slots in token order.
  PrefillCase(vk::GpuContext& gpu, const ExpertPool& p, uint32_t tokens, uint32_t k, uint64_t seed)
      : g(gpu), pool(p), n_tokens(tokens), top_k(k) {
    std::mt19937 rng(static_cast<uint32_t>(seed));
    const auto experts = static_cast<uint32_t>(pool.where.size());
    for (uint32_t t = 0; t < n_tokens; ++t) {
      std::vector<uint32_t> all(experts);
      for (uint32_t e = 0; e < experts; ++e) all[e] = e;
      std::shuffle(all.begin(), all.end(), rng);
      choice.insert(choice.end(), all.begin(), all.begin() + top_k);
    }
    std::vector<uint32_t> order(experts);
    for (uint32_t e = 0; e < experts; ++e) order[e] = e;
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<ops::ExpertSlot> slots;
    std::vector<uint32_t> pair_list;
    for (uint32_t e : order) {
      ops::ExpertSlot s = pool.where[e];
      s.first_pair = static_cast<uint32_t>(pair_list.size());
      for (uint32_t slot = 0; slot < n_tokens * top_k; ++slot)
        if (choice[slot] == e) pair_list.push_back(slot);
      s.pair_count = static_cast<uint32_t>(pair_list.size()) - s.first_pair;
      if (s.pair_count == 0) continue;
      max_pairs = std::max(max_pairs, s.pair_count);
      slots.push_back(s);
      table_experts.push_back(e);
    }
    table = upload_bytes(g, std::as_bytes(std::span(slots)), 0, "test slot table");
    pairs = upload_u32(g, pair_list, "test pairs");
    x = ref::random_floats(uint64_t{n_tokens} * pool.n_embd, seed + 1);
    weights = ref::random_floats(uint64_t{n_tokens} * top_k, seed + 2, 0.05f, 0.5f);
    residual = ref::random_floats(uint64_t{n_tokens} * pool.n_embd, seed + 3);
    dx = upload_floats(g, x);
    dw = upload_floats(g, weights);
    dres = upload_floats(g, residual);
  }

  uint32_t entries() const { return static_cast<uint32_t>(table_experts.size()); }

  PrefillResult run(const Ranges& gate_up, const Ranges& down, const ops::ExpertTuning& tuning) {
    const uint64_t slots = uint64_t{n_tokens} * top_k;
    vk::Buffer h = device_buffer(g, slots * pool.n_ff * 4),
               y = device_buffer(g, slots * pool.n_embd * 4);
    vk::Buffer out = device_buffer(g, uint64_t{n_tokens} * pool.n_embd * 4);
    g.compute().run_now([&](vk::Recorder& rec) {
      rec.fill(h.view(), 0x7FC00000u);
      rec.fill(y.view(), 0x7FC00000u);
      rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
    });
    const ops::ExpertLayer layer = pool.layer();
    const ops::ExpertRouting routing{pairs.view(), n_tokens, top_k, max_pairs};
    for (auto [first, count] : gate_up)
      g.compute().run_now([&](vk::Recorder& rec) {
        ops::expert_gate_up_batched(rec, layer, {table.view(), first, count}, routing, dx.view(),
                                    h.view(), tuning);
      });
    for (auto [first, count] : down)
      g.compute().run_now([&](vk::Recorder& rec) {
        rec.compute_barrier();
        ops::expert_down_batched(rec, layer, {table.view(), first, count}, routing, h.view(),
                                 dw.view(), y.view(), tuning);
      });
    g.compute().run_now([&](vk::Recorder& rec) {
      rec.compute_barrier();
      ops::expert_combine(rec, y.view(), n_tokens, top_k, pool.n_embd, dres.view(), out.view());
    });
    return {download_floats(g, h.view(), slots * pool.n_ff),
            download_floats(g, y.view(), slots * pool.n_embd),
            download_floats(g, out.view(), uint64_t{n_tokens} * pool.n_embd)};
  }

  void check_against_reference(const PrefillResult& r) {
    std::vector<float> want(std::max(pool.n_ff, pool.n_embd)), tol(want.size());
    size_t bad_h = 0, bad_y = 0;
    for (uint32_t slot = 0; slot < n_tokens * top_k; ++slot) {
      const uint32_t e = choice[slot], t = slot / top_k;
      const auto h = std::span(r.h).subspan(uint64_t{slot} * pool.n_ff, pool.n_ff);
      const auto xt = std::span(x).subspan(uint64_t{t} * pool.n_embd, pool.n_embd);
      gate_up_expectation(pool, e, xt, std::span(want).first(pool.n_ff),
                          std::span(tol).first(pool.n_ff));
      bad_h += count_outside(h, std::span(want).first(pool.n_ff), std::span(tol).first(pool.n_ff));
      down_expectation(pool, e, h, weights[slot], std::span(want).first(pool.n_embd),
                       std::span(tol).first(pool.n_embd));
      bad_y += count_outside(std::span(r.y).subspan(uint64_t{slot} * pool.n_embd, pool.n_embd),
                             std::span(want).first(pool.n_embd), std::span(tol).first(pool.n_embd));
    }
    CHECK(bad_h == 0);
    CHECK(bad_y == 0);
    std::vector<float> out(uint64_t{n_tokens} * pool.n_embd);
    ref::expert_combine(r.y, n_tokens, top_k, pool.n_embd, residual, out);
    CHECK(same_bits(r.out, out));
  }
};

void check_every_type_pair(vk::GpuContext& g, const ops::ExpertTuning& tuning) {
  const auto types = ops::weight_kernel_types();
  for (size_t i = 0; i < types.size(); ++i) {
    const GgmlType gu = types[i], dn = types[(i + 1) % types.size()];
    CAPTURE(ggml_type_name(gu));
    CAPTURE(ggml_type_name(dn));
    const ExpertPool pool = make_pool(g, gu, dn, 256, 256, 4, 2, 3000 + 13 * i);
    PrefillCase c(g, pool, 7, 2, 4000 + i);
    const Ranges all = {{0, c.entries()}};
    c.check_against_reference(c.run(all, all, tuning));
  }
}

TEST_CASE_FIXTURE(GpuTest, "experts (prefill): every type as gate/up and as down, default tiles") {
  check_every_type_pair(ctx, {});
}

TEST_CASE_FIXTURE(GpuTest, "experts (prefill): every type, 16 x 16 tiles of 2 x 2") {
  check_every_type_pair(
      ctx, {.matmul = {.tile_rows = 16, .tile_tokens = 16, .thread_rows = 2, .thread_tokens = 2}});
}

TEST_CASE("experts (prefill): every type, the no-subgroup variants") {
  auto g = make_gpu({.subgroup_arith = false});
  check_every_type_pair(
      *g, {.matmul = {.tile_rows = 32, .tile_tokens = 32, .thread_rows = 4, .thread_tokens = 2}});
  CHECK(g->instance().validation_errors() == 0);
  CHECK(g->instance().validation_warnings() == 0);
}

TEST_CASE_FIXTURE(GpuTest,
                  "experts (prefill): more tokens than a tile, the same bits computed in waves") {
  // 75 tokens, top-2 of 3 experts: about 50 tokens per expert, over tiles of 16 tokens.
  const ExpertPool pool = make_pool(ctx, GgmlType::Q4_K, GgmlType::Q6_K, 256, 256, 3, 2, 91);
  PrefillCase c(ctx, pool, 75, 2, 92);
  REQUIRE(c.entries() == 3);
  const ops::ExpertTuning small{
      .matmul = {.tile_rows = 32, .tile_tokens = 16, .thread_rows = 2, .thread_tokens = 2}};
  const PrefillResult all = c.run({{0, 3}}, {{0, 3}}, small);
  c.check_against_reference(all);
  const PrefillResult waves = c.run({{2, 1}, {0, 2}}, {{1, 2}, {0, 1}}, small);
  CHECK(same_bits(waves.h, all.h));
  CHECK(same_bits(waves.y, all.y));
  CHECK(same_bits(waves.out, all.out));
}

TEST_CASE_FIXTURE(GpuTest, "experts (prefill): gpt-oss's biases and clamped SwiGLU, in waves") {
  for (auto [gu, dn] : {std::pair{GgmlType::MXFP4, GgmlType::MXFP4}, std::pair{GgmlType::F32, GgmlType::Q8_0}}) {
    CAPTURE(ggml_type_name(gu));
    ExpertPool pool = make_pool(ctx, gu, dn, 96, 160, 4, 2, 95);
    add_gpt_oss_biases(ctx, pool, 96);
    PrefillCase c(ctx, pool, 13, 3, 97);
    const ops::ExpertTuning small{
        .matmul = {.tile_rows = 32, .tile_tokens = 16, .thread_rows = 2, .thread_tokens = 2}};
    const Ranges all_entries = {{0, c.entries()}};
    const PrefillResult all = c.run(all_entries, all_entries, small);
    c.check_against_reference(all);
    const PrefillResult waves = c.run({{1, c.entries() - 1}, {0, 1}}, {{0, 1}, {1, c.entries() - 1}}, small);
    CHECK(same_bits(waves.y, all.y));
  }
}

}  // namespace
}  // namespace rotary::test
