#include "bench/model/projection.h"

#include <algorithm>

#include "base/error.h"
#include "base/units.h"
#include "loader/model_catalog.h"
#include "runtime/residency/cache_sim.h"

namespace rotary::bench {

namespace {
constexpr uint64_t GiB = uint64_t{1} << 30;
constexpr uint64_t GB = 1000000000;
}  // namespace

const std::vector<TargetDevice>& known_targets() {
  // Bandwidths: shared/reference/performance.md ("Hardware of the first target"), theoretical
  // figures throughout (the kernel efficiency carries the gap to what is achieved). Budgets are
  // assumptions, stated in docs/benchmarks.md; --target-budget replaces them.
  static const std::vector<TargetDevice> targets = {
      {"rtx4060-laptop", "RTX 4060 Laptop (8 GB GDDR6, PCIe 4.0 x8)", 256.0, 15.75, false, 7 * GiB,
       32 * GB,
       "256 GB/s GDDR6; PCIe 4.0 x8 15.75 GB/s per direction (theory); assumed: 7 GiB of the 8 GB "
       "for "
       "rotary, 32 GB of system memory"},
      {"radeon-780m", "Radeon 780M (DDR5-5600 dual channel, unified)", 89.6, 44.8, true, 8 * GiB,
       32 * GB,
       "DDR5-5600 dual channel 89.6 GB/s (theory), unified; assumed: 8 GiB device-local, 32 GB in "
       "all"},
      {"steam-deck", "Steam Deck (16 GB LPDDR5, unified)", 88.0, 44.0, true, 8 * GiB, 16 * GB,
       "LPDDR5 88 GB/s, unified, 16 GB in all; assumed: 8 GiB device-local for rotary"},
      {"arc-140t", "Intel Arc 140T iGPU (LPDDR5x-8533, unified)", 136.0, 68.0, true, 8 * GiB,
       32 * GB, "LPDDR5x-8533 about 136 GB/s, unified; assumed: 8 GiB device-local, 32 GB in all"},
  };

  return targets;
}

std::vector<TargetDevice> find_targets(std::string_view keys) {
  if (keys == "all") return known_targets();
  std::vector<TargetDevice> out;
  size_t start = 0;
  while (start <= keys.size()) {
    const size_t comma = keys.find(',', start);
    const std::string_view key =
        keys.substr(start, comma == std::string_view::npos ? keys.npos : comma - start);
    const auto& all = known_targets();
    auto it =
        std::find_if(all.begin(), all.end(), [&](const TargetDevice& t) { return t.key == key; });
    if (it == all.end()) {
      std::string names;
      for (const auto& t : all) names += (names.empty() ? "" : ", ") + t.key;
      throw Error(ErrorKind::InvalidArgument, "unknown projection target '" + std::string(key) +
                                                  "' (known: " + names + ", or all)");
    }
    out.push_back(*it);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

ModelTraffic model_traffic(const std::vector<TensorBytes>& tensors, uint32_t layers,
                           uint32_t experts, uint32_t experts_used) {
  require(layers > 0 && experts > 0 && experts_used > 0 && experts_used <= experts,
          ErrorKind::InvalidArgument, "model_traffic: bad expert counts");
  ModelTraffic t;
  double routed = 0;
  const TensorBytes* embd = nullptr;
  bool has_output = false;
  for (const TensorBytes& tb : tensors) {
    const auto block = tensor_block_index(tb.name);
    if (block && *block >= layers) continue;  // MTP blocks: not run by plain generation
    if (is_routed_expert_tensor(tb.name)) {
      routed += static_cast<double>(tb.bytes);
    } else if (tb.name == "token_embd.weight") {
      embd = &tb;
    } else {
      if (tb.name == "output.weight") has_output = true;
      t.dense_bytes += static_cast<double>(tb.bytes);
    }
  }
  if (embd) {
    t.dense_bytes +=
        static_cast<double>(embd->bytes) / static_cast<double>(std::max<uint64_t>(embd->rows, 1));
    if (!has_output) t.dense_bytes += static_cast<double>(embd->bytes);  // tied head
  }
  t.all_experts = layers * experts;
  t.expert_bytes_avg = routed / t.all_experts;
  t.expert_bytes = t.expert_bytes_avg * layers * experts_used;
  return t;
}

Projection project(const TargetDevice& target, const ModelTraffic& traffic,
                   const ProjectionInputs& in) {
  require(in.kernel_efficiency > 0 && in.kernel_efficiency <= 1, ErrorKind::InvalidArgument,
          "kernel efficiency must be in (0, 1]");
  require(in.hit_rate >= 0 && in.hit_rate <= 1 && in.hidden_upload >= 0 && in.hidden_upload <= 1,
          ErrorKind::InvalidArgument, "hit rate and hidden upload fraction must be in [0, 1]");
  Projection p;
  p.target = target.key;
  p.target_name = target.name;
  p.budget = target.budget;
  p.inputs = in;
  const double memory = target.memory_gbps * 1e9 * in.kernel_efficiency;
  const double link = target.link_gbps * 1e9;
  const double compute_s = (traffic.dense_bytes + traffic.expert_bytes) / memory;
  const double upload_s =
      in.in_place ? 0 : (1 - in.hit_rate) * traffic.expert_bytes / link * (1 - in.hidden_upload);
  p.compute_ms = compute_s * 1e3;
  p.upload_ms = upload_s * 1e3;
  p.tps = 1 / (compute_s + upload_s);
  p.tps_all_resident = 1 / compute_s;
  return p;
}

double steady_hit_rate(const RoutingTrace& trace, uint32_t slots, PolicyKind policy,
                       uint64_t warmup) {
  if (slots >= trace.layers * trace.experts) return 1.0;
  require(warmup < trace.tokens(), ErrorKind::InvalidArgument,
          "the routing trace (" + std::to_string(trace.tokens()) +
              " tokens) is not longer than its warm-up");
  // LRU and LFU decide from the past only, so the first `warmup` tokens replay identically alone
  // and inside the whole trace: the difference of the two runs is the warm part.
  const CacheSimResult all = simulate_cache(trace, slots, policy);
  if (warmup == 0) return all.hit_rate();
  RoutingTrace head = trace;
  head.ids.resize(warmup * trace.layers * trace.k);
  const CacheSimResult cold = simulate_cache(head, slots, policy);
  return static_cast<double>(all.hits - cold.hits) /
         static_cast<double>(all.accesses - cold.accesses);
}

namespace {

Projection without_figure(const TargetDevice& target, const ProjectionInputs& in,
                          std::string note) {
  Projection p;
  p.target = target.key;
  p.target_name = target.name;
  p.budget = target.budget;
  p.inputs = in;
  p.note = std::move(note);
  return p;
}

}  // namespace

std::vector<Projection> make_projections(const ProjectionRequest& q) {
  require(q.trace != nullptr && q.plan_at != nullptr, ErrorKind::InvalidArgument,
          "projection without a trace");
  require(q.policy != PolicyKind::Belady, ErrorKind::InvalidArgument,
          "projections simulate LRU or LFU (Belady needs the future)");
  const uint64_t warmup = std::min<uint64_t>(64, q.trace->tokens() / 2);
  std::vector<Projection> out;
  for (const TargetDevice& target : q.targets) {
    ProjectionInputs in;
    in.kernel_efficiency = q.kernel_efficiency;
    in.efficiency_source = q.efficiency_source;
    in.hidden_upload = q.hidden_upload;
    in.in_place = target.unified && !q.copy_on_unified;
    in.hit_rate_source = std::string("simulated ") + to_string(q.policy) + " over " + q.trace_name +
                         ", " + std::to_string(q.trace->tokens()) +
                         " tokens, counted after the first " + std::to_string(warmup) +
                         ", at the slots rotary's planner gives each target's budget";
    PlannedSlots plan;
    try {
      plan = q.plan_at(target.budget);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Budget) throw;
      out.push_back(
          without_figure(target, in, "does not fit: the model's fixed part exceeds the budget"));
      continue;
    }
    // The file's pages must stay in memory (they are read or uploaded from there); on unified
    // memory rotary's VRAM comes out of the same memory.
    const uint64_t resident = q.file_bytes + (target.unified ? plan.fixed : 0);
    if (target.host_memory && resident > target.host_memory) {
      out.push_back(without_figure(target, in,
                                   "does not fit: the model file and rotary's VRAM need " +
                                       format_bytes(resident) + " of " +
                                       format_bytes(target.host_memory) +
                                       " of memory (experts would be read from storage)"));
      continue;
    }
    in.slots = plan.slots;
    if (in.in_place) {
      in.hit_rate = 1;
      in.hit_rate_source +=
          "; unified-memory targets read experts in place (rotary's default there): no uploads";
    } else {
      in.hit_rate = steady_hit_rate(*q.trace, in.slots, q.policy, warmup);
    }
    out.push_back(project(target, q.traffic, in));
  }
  return out;
}

}  // namespace rotary::bench
