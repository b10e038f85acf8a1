#include "runtime/models/plan.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "base/json.h"
#include "base/units.h"
#include "runtime/kv/kv_cache.h"
#include "runtime/models/dense_weights.h"
#include "runtime/models/gpt_oss.h"
#include "runtime/models/moe_model.h"
#include "runtime/models/qwen35moe.h"
#include "runtime/models/qwen3moe.h"
#include "runtime/residency/slot_pool.h"

namespace rotary {

namespace {

struct GrowingParts {
  uint64_t kv = 0, kv_per_token = 0, recurrent = 0, scratch = 0;
};

// The parts that grow with the context and the chunk, exactly as the models allocate them.
GrowingParts growing_parts(const ModelHparams& h, const vk::DeviceCaps& caps, uint32_t ctx, uint32_t chunk,
                           ops::KvTypes kv_type) {
  GrowingParts g;
  switch (h.arch) {
    case Architecture::Qwen3Moe: {
      const ops::KvGeometry geo = Qwen3Moe::kv_geometry(h, ctx, kv_type);
      g.kv = kv::KvCache::planned_bytes(h.n_layer, geo);
      g.kv_per_token = uint64_t{h.n_layer} * (geo.k_row_bytes() + geo.v_row_bytes());
      g.scratch = MoeModel::scratch_bytes(h, chunk, caps) + Qwen3Moe::scratch_bytes(h, chunk, geo, caps);
      break;
    }
    case Architecture::Qwen35Moe:
    case Architecture::Qwen3Next: {
      // KV cache for the full-attention layers only; the Gated DeltaNet layers keep a fixed
      // recurrent state per sequence instead.
      const ops::KvGeometry geo = Qwen35Moe::kv_geometry(h, ctx, kv_type);
      g.kv = kv::KvCache::planned_bytes(Qwen35Moe::attention_layers(h), geo);
      g.kv_per_token = uint64_t{Qwen35Moe::attention_layers(h)} * (geo.k_row_bytes() + geo.v_row_bytes());
      g.recurrent = Qwen35Moe::recurrent_bytes(h, caps);
      g.scratch = MoeModel::scratch_bytes(h, chunk, caps) + Qwen35Moe::scratch_bytes(h, chunk, geo, caps);
      break;
    }
    case Architecture::GptOss: {
      // The full layers' cache grows with the context; the sliding-window layers' ring does not.
      const ops::KvGeometry full = GptOss::full_geometry(h, ctx, kv_type);
      g.kv = GptOss::kv_bytes(h, ctx, chunk, kv_type);
      g.kv_per_token = uint64_t{h.n_layer - GptOss::swa_layers(h)} * (full.k_row_bytes() + full.v_row_bytes());
      if (!GptOss::uses_ring(h, ctx, chunk))
        g.kv_per_token = uint64_t{h.n_layer} * (full.k_row_bytes() + full.v_row_bytes());
      g.scratch = MoeModel::scratch_bytes(h, chunk, caps) + GptOss::scratch_bytes(h, ctx, chunk, kv_type, caps);
      break;
    }
  }
  return g;
}

// Before any size is computed at the requested context and chunk: the KV cache grows linearly
// with --ctx and the activations at most linearly with the chunk, so the parts at one token
// times the counts bound them from above. A request past 2^60 bytes (1 EiB) is refused here,
// from that closed form in floating point, so that no 64-bit size product below can wrap.
void refuse_absurd_sizes(const ModelHparams& h, const vk::DeviceCaps& caps, const PlanRequest& req, uint32_t chunk) {
  const GrowingParts one = growing_parts(h, caps, 1, 1, req.kv_type);
  const long double kv = static_cast<long double>(one.kv) * req.ctx;
  const long double act = static_cast<long double>(one.scratch) * chunk;
  constexpr long double kLimit = 1152921504606846976.0L;  // 2^60
  if (kv + act <= kLimit) return;
  std::ostringstream o;
  o << "the KV cache for --ctx " << req.ctx << " (" << format_bytes(one.kv) << " per token) and the activations of a "
    << chunk << "-token prefill chunk (up to " << format_bytes(one.scratch) << " per token) need more than "
    << "1 EiB: lower --ctx and --prefill-chunk";
  throw Error(ErrorKind::Budget, o.str());
}

}  // namespace

MemoryPlan plan_memory(const GgufFile& file, const ModelHparams& h, const vk::DeviceCaps& caps,
                       const PlanRequest& req) {
  require(req.ctx >= 1, ErrorKind::InvalidArgument, "--ctx must be at least 1");
  require(req.prefill_chunk >= 1, ErrorKind::InvalidArgument, "the prefill chunk must be at least 1 token");
  MemoryPlan p;
  p.budget = req.budget;
  p.ctx = req.ctx;
  p.prefill_chunk = std::min(req.prefill_chunk, req.ctx);
  p.kv_type = req.kv_type;
  refuse_absurd_sizes(h, caps, req, p.prefill_chunk);
  p.dense = DenseWeights::planned_bytes(file, h, caps) + DenseWeights::lookup_table_bytes(file);
  const GrowingParts g = growing_parts(h, caps, p.ctx, p.prefill_chunk, p.kv_type);
  p.kv = g.kv;
  p.kv_per_token = g.kv_per_token;
  p.recurrent = g.recurrent;
  p.scratch = g.scratch;
  const ExpertSource source(file, h);
  const SlotLayout layout = SlotLayout::for_source(source);
  p.slot_bytes = layout.slot_bytes;
  p.min_slots = h.n_expert_used;
  p.all_experts = h.n_layer * h.n_expert;
  p.staging = 2 * (64ull << 20);

  const uint64_t need_min = p.fixed() + ExpertSlotPool::planned_bytes(caps, layout, p.min_slots);
  if (need_min > p.budget) {
    std::ostringstream o;
    o << "the VRAM budget of " << format_bytes(p.budget) << " cannot hold what rotary needs at least: dense weights "
      << format_bytes(p.dense) << ", KV cache " << format_bytes(p.kv) << " (--ctx " << p.ctx << ", "
      << ops::to_string(p.kv_type) << ")";
    if (p.recurrent) o << ", recurrent state " << format_bytes(p.recurrent);
    o << ", activations " << format_bytes(p.scratch) << " (prefill chunk " << p.prefill_chunk
      << "), and one layer's experts " << format_bytes(need_min - p.fixed()) << " (" << p.min_slots << " slots of "
      << format_bytes(p.slot_bytes) << "): " << format_bytes(need_min) << " in all. Raise --vram-budget to at least "
      << format_bytes(need_min) << ", or lower --ctx, or use a smaller quantisation of the model";
    throw Error(ErrorKind::Budget, o.str());
  }
  const uint32_t fit = static_cast<uint32_t>(std::min<uint64_t>((p.budget - p.fixed()) / p.slot_bytes, UINT32_MAX));
  const uint32_t bindable = ExpertSlotPool::max_slots(caps, layout);
  if (req.expert_slots) {
    require(req.expert_slots >= p.min_slots, ErrorKind::InvalidArgument,
            "--expert-slots must be at least one layer's top-k (" + std::to_string(p.min_slots) + ")");
    require(req.expert_slots <= fit, ErrorKind::Budget,
            std::to_string(req.expert_slots) + " expert slots do not fit the VRAM budget (at most " +
                std::to_string(fit) + ")");
    p.slots = std::min({req.expert_slots, bindable, p.all_experts});
  } else {
    p.slots = std::min({fit, bindable, p.all_experts});
  }
  p.pool = ExpertSlotPool::planned_bytes(caps, layout, p.slots);
  return p;
}

std::string MemoryPlan::describe() const {
  std::ostringstream o;
  char line[160];
  auto row = [&](const char* name, uint64_t bytes, const std::string& note) {
    std::snprintf(line, sizeof line, "  %-18s %12s  %s\n", name, format_bytes(bytes).c_str(), note.c_str());
    o << line;
  };
  o << "VRAM plan for a budget of " << format_bytes(budget) << ":\n";
  row("dense weights", dense, "attention, norms, routers, shared experts, embeddings, head");
  row("KV cache", kv, "--ctx " + std::to_string(ctx) + ", " + ops::to_string(kv_type) + ", " +
                         format_bytes(kv_per_token) + " per token");
  if (recurrent) row("recurrent state", recurrent, "Gated DeltaNet conv + delta-rule state");
  row("activations", scratch, "prefill chunk " + std::to_string(prefill_chunk) + " tokens");
  char pct[64];
  std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * resident_fraction());
  if (in_place)
    row("expert slots", 0, "none: the " + std::to_string(all_experts) +
                               " experts are read in place from the model file (--residency in-place)");
  else
    row("expert slots", pool, std::to_string(slots) + " slots of " + format_bytes(slot_bytes) + " = " + pct +
                                  " of " + std::to_string(all_experts) + " experts (at least " +
                                  std::to_string(min_slots) + ")");
  row("total", total(), "of " + format_bytes(budget));
  row("staging (host)", staging, "host memory, not counted");
  return o.str();
}

Json MemoryPlan::to_json() const {
  return {{"budget", budget},
          {"dense", dense},
          {"kv_cache", kv},
          {"recurrent", recurrent},
          {"activations", scratch},
          {"slot_bytes", slot_bytes},
          {"slots", slots},
          {"pool", pool},
          {"min_slots", min_slots},
          {"all_experts", all_experts},
          {"resident_fraction", resident_fraction()},
          {"total", total()},
          {"staging_host", staging},
          {"ctx", ctx},
          {"prefill_chunk", prefill_chunk},
          {"kv_type", ops::to_string(kv_type)},
          {"kv_type_k", ops::to_string(kv_type.k)},
          {"kv_type_v", ops::to_string(kv_type.v)},
          {"kv_bytes_per_token", kv_per_token},
          {"residency", in_place ? "in-place" : "copy"}};
}

}  // namespace rotary
