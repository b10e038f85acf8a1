#pragma once
// The memory plan under a VRAM budget: dense weights + KV cache + recurrent state + activations
// and scratch + the expert slot pool must fit the budget. The fixed parts are computed exactly
// (the same sizes the loaders allocate); the slot pool takes what is left, between one layer's
// top-k (the least that can run) and every expert of the model (the most that is useful).
#include <cstdint>
#include <string>

#include "base/json_fwd.h"
#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "runtime/ops/kv_view.h"
#include "runtime/vk/caps.h"

namespace rotary {

struct PlanRequest {
  uint64_t budget = 0;        // bytes of VRAM rotary may use
  uint32_t ctx = 4096;
  ops::KvTypes kv_type = ops::KvType::F16;
  uint32_t prefill_chunk = 256;
  uint32_t expert_slots = 0;  // 0: as many as fit
};

struct MemoryPlan {
  uint64_t budget = 0;
  uint64_t dense = 0;          // attention, norms, routers, shared experts, embeddings, head
  uint64_t kv = 0;             // KV cache of the attention layers at ctx
  uint64_t kv_per_token = 0;   // bytes of K and V per position, all attention layers
  uint64_t recurrent = 0;      // Gated DeltaNet state (qwen35moe)
  uint64_t scratch = 0;        // activations and per-step buffers
  uint64_t slot_bytes = 0;     // one expert slot
  uint32_t slots = 0;          // expert slots in the pool
  uint64_t pool = 0;           // bytes of the pool
  uint32_t min_slots = 0;      // one layer's top-k
  uint32_t all_experts = 0;    // layers x experts: with this many slots every expert is resident
  uint64_t staging = 0;        // host memory, not counted
  bool in_place = false;       // experts read where the file lies: no slot pool (set_in_place)
  uint32_t ctx = 0;
  uint32_t prefill_chunk = 0;
  ops::KvTypes kv_type = ops::KvType::F16;

  // Experts read in place from the file (--residency in-place): no slot pool, no staging.
  void set_in_place() {
    in_place = true;
    slots = 0;
    pool = 0;
    staging = 0;
  }
  uint64_t fixed() const { return dense + kv + recurrent + scratch; }
  uint64_t total() const { return fixed() + pool; }
  double resident_fraction() const { return all_experts ? static_cast<double>(slots) / all_experts : 0; }
  std::string describe() const;
  Json to_json() const;
};

// Throws Error(Budget) naming every part and what to change when the fixed part plus one layer's
// experts does not fit.
MemoryPlan plan_memory(const GgufFile& file, const ModelHparams& h, const vk::DeviceCaps& caps,
                       const PlanRequest& request);

}  // namespace rotary
