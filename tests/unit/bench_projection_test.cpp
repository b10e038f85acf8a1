// `rotary bench` projections against the hand arithmetic of shared/reference/performance.md ("The
// physical limit, step by step", Qwen3-30B-A3B Q4_K_M on an RTX 4060 Laptop).
#include <doctest/doctest.h>

#include <cmath>

#include "bench/model/projection.h"
#include "loader/synth/synth_model.h"
#include "tests/support/check_error.h"

namespace rotary::bench {

namespace {

// performance.md steps 2 and 3: 1.10 GB of routed experts and 0.82 GB of dense weights per token.
ModelTraffic performance_md_traffic() {
  ModelTraffic t;
  t.dense_bytes = 0.82e9;
  t.expert_bytes = 1.10e9;
  return t;
}

}  // namespace

TEST_CASE(
    "bench projection: performance.md step 7, t = 7.5 ms + (1 - h) x 70 ms on the RTX 4060 "
    "Laptop") {
  const TargetDevice rtx = find_targets("rtx4060-laptop").front();
  CHECK(rtx.memory_gbps == 256.0);
  CHECK(rtx.link_gbps == 15.75);
  // performance.md prints whole tok/s: |got - doc| <= 0.5 is its rounding.
  const std::pair<double, double> table[] = {
      {0.5, 24}, {0.7, 35}, {0.8, 47}, {0.9, 69}, {0.95, 91}};
  for (auto [h, doc] : table) {
    ProjectionInputs in;
    in.hit_rate = h;
    const Projection p = project(rtx, performance_md_traffic(), in);
    CAPTURE(h);
    CHECK(std::fabs(p.tps - doc) <= 0.5);
    // Exact parts: 1.92 GB / 256 GB/s = 7.5 ms; (1 - h) x 1.10 GB / 15.75 GB/s.
    CHECK(std::fabs(p.compute_ms - 7.5) <= 1e-9);
    CHECK(std::fabs(p.upload_ms - (1 - h) * 1.10 / 15.75 * 1e3) <= 1e-9);
  }
  // Step 4: everything in VRAM, 256 / 1.92 = 133 tok/s.
  ProjectionInputs all;
  all.hit_rate = 1;
  const Projection p = project(rtx, performance_md_traffic(), all);
  CHECK(std::fabs(p.tps - 133) <= 0.5);
  CHECK(std::fabs(p.tps_all_resident - 256.0 / 1.92) <= 1e-9);
}

TEST_CASE("bench projection: kernel efficiency, hidden uploads and unified memory") {
  const TargetDevice deck = find_targets("steam-deck").front();
  CHECK(deck.unified);
  CHECK(deck.link_gbps == deck.memory_gbps / 2);  // a copy within one memory reads and writes it
  ProjectionInputs in;
  in.hit_rate = 0.9;
  in.hidden_upload = 0.5;
  in.kernel_efficiency = 0.5;
  const Projection p = project(deck, performance_md_traffic(), in);
  // compute: 1.92 GB / (88 GB/s x 0.5) = 43.636 ms; upload: 0.1 x 1.10 GB / 44 GB/s x 0.5 = 1.25 ms
  CHECK(std::fabs(p.compute_ms - 1.92 / 44.0 * 1e3) <= 1e-9);
  CHECK(std::fabs(p.upload_ms - 1.25) <= 1e-9);
  CHECK(std::fabs(p.tps - 1e3 / (1.92 / 44.0 * 1e3 + 1.25)) <= 1e-9);

  // In place (rotary's default on unified memory): no upload term, whatever the hit rate.
  in.in_place = true;
  const Projection q = project(deck, performance_md_traffic(), in);
  CHECK(q.upload_ms == 0);
  CHECK(std::fabs(q.tps - 1e3 / (1.92 / 44.0 * 1e3)) <= 1e-9);
  in.in_place = false;

  in.kernel_efficiency = 0;
  CHECK_ROTARY_ERROR(project(deck, performance_md_traffic(), in), ErrorKind::InvalidArgument,
                     "efficiency");
  in.kernel_efficiency = 1;
  in.hit_rate = 1.5;
  CHECK_ROTARY_ERROR(project(deck, performance_md_traffic(), in), ErrorKind::InvalidArgument,
                     "hit rate");
}

TEST_CASE("bench projection: targets by key") {
  CHECK(find_targets("all").size() == 4);
  const auto two = find_targets("radeon-780m,arc-140t");
  REQUIRE(two.size() == 2);
  CHECK(two[0].key == "radeon-780m");
  CHECK(two[1].memory_gbps == 136.0);
  CHECK_ROTARY_ERROR(find_targets("rtx5090"), ErrorKind::InvalidArgument, "steam-deck");
}

TEST_CASE("bench projection: bytes per token from a tensor list") {
  // 2 blocks run, block 2 is an MTP block; 8 experts, 2 used. token_embd: 1000 rows of 10 bytes.
  std::vector<TensorBytes> t = {{"token_embd.weight", 10000, 1000},
                                {"output.weight", 5000, 1000},
                                {"output_norm.weight", 40, 1},
                                {"blk.0.attn_q.weight", 300, 7},
                                {"blk.0.ffn_gate_exps.weight", 800, 13},
                                {"blk.0.ffn_up_exps.weight", 800, 13},
                                {"blk.0.ffn_down_exps.weight", 1600, 13},
                                {"blk.1.attn_q.weight", 300, 7},
                                {"blk.1.ffn_gate_exps.weight", 800, 13},
                                {"blk.1.ffn_up_exps.weight", 800, 13},
                                {"blk.1.ffn_down_exps.weight", 1600, 13},
                                {"blk.2.attn_q.weight", 999, 1},
                                {"blk.2.ffn_down_exps.weight", 99999, 13}};
  ModelTraffic m = model_traffic(t, 2, 8, 2);
  CHECK(m.dense_bytes == 10 + 5000 + 40 + 300 + 300);  // one embedding row, the head, the blocks
  CHECK(m.expert_bytes_avg == 6400.0 / 16);            // 2 blocks x 3200 bytes over 2 x 8 experts
  CHECK(m.expert_bytes == 400.0 * 2 * 2);              // 2 layers x 2 experts used
  CHECK(m.all_experts == 16);
  t.erase(t.begin() + 1);  // tied head: the whole embedding is read as the output matrix
  m = model_traffic(t, 2, 8, 2);
  CHECK(m.dense_bytes == 10 + 10000 + 40 + 300 + 300);
}

TEST_CASE(
    "bench projection: the synth qwen3-30b-a3b Q4_K_M file reads performance.md's bytes per "
    "token") {
  synth::SynthOptions o;
  o.quant = synth::SynthQuant::Q4_K_M;
  const synth::SynthModel model =
      synth::plan_synth_model(synth::find_synth_preset("qwen3-30b-a3b"), o);
  std::vector<TensorBytes> tensors;
  for (const auto& s : model.tensors) tensors.push_back({s.name, s.n_bytes, s.n_rows()});
  const ModelTraffic m = model_traffic(tensors, 48, 128, 8);
  // performance.md gives 2.86 MB per expert on average, 1.10 GB of experts and 0.82 GB of dense
  // weights per token; tolerances are half a unit of its last printed digit.
  CHECK(std::fabs(m.expert_bytes_avg / 1e6 - 2.86) <= 0.005);
  CHECK(std::fabs(m.expert_bytes / 1e9 - 1.10) <= 0.005);
  CHECK(std::fabs(m.dense_bytes / 1e9 - 0.82) <= 0.005);
}

TEST_CASE("bench projection: steady-state hit rates of a trace with hand-counted reuse") {
  // One layer, 4 experts, k = 1: tokens alternate experts 0 and 1, then 2 at every 4th token.
  RoutingTrace t{1, 4, 1, {}};
  for (int i = 0; i < 40; ++i) t.ids.push_back(static_cast<uint16_t>(i % 4 == 3 ? 2 : i % 2));
  // Two slots, LRU, counted by hand over one period (0 1 0 2) once warm: after a "2" the cache
  // holds {0, 2}; 0 hits, 1 misses (evicts 2), 0 hits, 2 misses (evicts 1): 2 hits of 4.
  CHECK(steady_hit_rate(t, 2, PolicyKind::LRU, 8) == 0.5);  // 16 of 32: exact
  // Three slots hold every expert used: all hits once warm.
  CHECK(steady_hit_rate(t, 3, PolicyKind::LRU, 8) == 1.0);
  CHECK(steady_hit_rate(t, 4, PolicyKind::LRU, 8) == 1.0);  // slots >= layers x experts
  CHECK_ROTARY_ERROR(steady_hit_rate(t, 2, PolicyKind::LRU, 40), ErrorKind::InvalidArgument,
                     "warm-up");
}

}  // namespace rotary::bench

namespace rotary::bench {

TEST_CASE(
    "bench projection: per target, simulated hits, in-place unified memory, and what does not "
    "fit") {
  SyntheticTraceParams tp;
  tp.layers = 4;
  tp.experts = 16;
  tp.k = 2;
  tp.tokens = 200;
  const RoutingTrace trace = synthetic_trace(tp);
  ProjectionRequest q;
  q.targets = find_targets("rtx4060-laptop,steam-deck");
  q.traffic = performance_md_traffic();
  q.trace = &trace;
  q.trace_name = "a test trace";
  q.plan_at = [](uint64_t) { return PlannedSlots{20, uint64_t{1} << 30}; };
  q.file_bytes = 10'000'000'000;
  auto p = make_projections(q);
  REQUIRE(p.size() == 2);
  CHECK(p[0].note.empty());
  CHECK(p[0].inputs.slots == 20);
  CHECK(p[0].inputs.hit_rate == steady_hit_rate(trace, 20, PolicyKind::LRU, 64));
  CHECK(p[0].inputs.hit_rate > 0);
  CHECK(p[0].inputs.hit_rate < 1);  // 20 of 64 experts
  CHECK(!p[0].inputs.in_place);
  CHECK(p[1].inputs.in_place);  // the Steam Deck reads experts where the file lies
  CHECK(p[1].upload_ms == 0);
  CHECK(p[1].inputs.hit_rate_source.find("a test trace") != std::string::npos);

  // 17.3 GB of file and 1 GiB of VRAM do not fit the Deck's 16 GB; the laptop's 32 GB hold the
  // file.
  q.file_bytes = 17'300'000'000;
  p = make_projections(q);
  CHECK(p[0].note.empty());
  CHECK(p[1].note.find("does not fit") == 0);
  CHECK(p[1].tps == 0);

  q.plan_at = [](uint64_t) -> PlannedSlots { throw Error(ErrorKind::Budget, "too small"); };
  p = make_projections(q);
  CHECK(p[0].note == "does not fit: the model's fixed part exceeds the budget");

  q.copy_on_unified = true;  // --residency copy
  q.plan_at = [](uint64_t) { return PlannedSlots{20, uint64_t{1} << 30}; };
  q.file_bytes = 1'000'000'000;
  p = make_projections(q);
  CHECK(!p[1].inputs.in_place);
  CHECK(p[1].upload_ms > 0);
}

}  // namespace rotary::bench
