#pragma once
// Qwen3-MoE (qwen3moe: Qwen3-30B-A3B and its family). Every layer: grouped-query attention with
// per-head RMSNorm of Q and K before NEOX RoPE, then the routed experts (no shared expert).
#include <vector>

#include "runtime/kv/kv_cache.h"
#include "runtime/models/moe_model.h"

namespace rotary {

// Made as Drained<Qwen3Moe> (moe_model.h).
class Qwen3Moe : public MoeModel {
 public:
  Qwen3Moe(DrainKey key, vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h,
           const ModelOptions& options, const MemoryPlan& plan);
  void reset() override {}  // the KV cache is overwritten position by position

  static ops::KvGeometry kv_geometry(const ModelHparams& h, uint32_t ctx, ops::KvTypes types);
  // The attention buffers of a chunk (the planner adds MoeModel::scratch_bytes).
  static uint64_t scratch_bytes(const ModelHparams& h, uint32_t chunk, const ops::KvGeometry& geo,
                                const vk::DeviceCaps& caps);

 protected:
  void record_mixer(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n) override;

 private:
  // Each layer's attention weights, resolved once at load (no name lookups per token).
  struct AttentionWeights {
    vk::BufferView norm, q_norm, k_norm;
    ops::WeightView q, k, v, o;
  };
  std::vector<AttentionWeights> layers_;
  kv::KvCache kv_;
  vk::Buffer q_, k_, v_, attn_, o_, attn_scratch_;
};

}  // namespace rotary
