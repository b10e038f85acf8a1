#pragma once
// gpt-oss (OpenAI's gpt-oss-20b and -120b, llama.cpp's LLM_ARCH_OPENAI_MOE). Every layer:
// grouped-query attention with biases on Q, K, V and the output, YaRN RoPE (NEOX), a learned sink
// logit per head in the softmax, and on alternate layers (even ones by default) a sliding window
// of n_swa positions; then the routed experts: a router with a bias whose top-k logits are
// weighted by a softmax over those k, experts with per-expert biases and the clamped SwiGLU
// (routed_moe.h). The norm in front of the experts is post_attention_norm.
//
// The sliding-window layers keep a ring of n_swa + prefill_chunk - 1 positions instead of the
// whole context (when that is smaller than the context): their KV cache does not grow with --ctx.
// A ring forgets what the window has passed, so a sequence cannot be rewound (chat and serve
// evaluate a rewritten conversation again from the start, as for a recurrent model).
#include <vector>

#include "runtime/kv/kv_cache.h"
#include "runtime/models/moe_model.h"

namespace rotary {

// Made as Drained<GptOss> (moe_model.h).
class GptOss : public MoeModel {
 public:
  GptOss(DrainKey key, vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h, const ModelOptions& options,
         const MemoryPlan& plan);

  // With a ring, `pos` must continue the sequence or be 0 (a new one); else Error(InvalidArgument).
  StepResult eval(std::span<const int32_t> tokens, uint32_t pos, const LogitsRequest& request) override;
  void reset() override { next_pos_ = 0; }  // the caches are overwritten by position
  bool can_rewind() const override { return !ring_; }

  static uint32_t swa_layers(const ModelHparams& h);
  // The full layers' cache (every position of the context) and the sliding-window layers' one
  // (a ring of n_swa + chunk - 1 positions, or the context when that is not smaller).
  static ops::KvGeometry full_geometry(const ModelHparams& h, uint32_t ctx, ops::KvTypes types);
  static ops::KvGeometry swa_geometry(const ModelHparams& h, uint32_t ctx, uint32_t chunk, ops::KvTypes types);
  static bool uses_ring(const ModelHparams& h, uint32_t ctx, uint32_t chunk);
  static uint64_t kv_bytes(const ModelHparams& h, uint32_t ctx, uint32_t chunk, ops::KvTypes types);
  // The attention buffers of a chunk (the planner adds MoeModel::scratch_bytes).
  static uint64_t scratch_bytes(const ModelHparams& h, uint32_t ctx, uint32_t chunk, ops::KvTypes types,
                                const vk::DeviceCaps& caps);

 protected:
  void record_mixer(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n) override;

 private:
  // Each layer's attention weights, resolved once at load (no name lookups per token).
  struct AttentionWeights {
    vk::BufferView norm, q_bias, k_bias, v_bias, o_bias, sinks;
    ops::WeightView q, k, v, o;
    bool swa = false;
    uint32_t cache_layer = 0;  // its layer in full_ or swa_
  };
  void store_kv(vk::Recorder& rec, const AttentionWeights& w, const vk::BufferView& k, const vk::BufferView& v,
                uint32_t pos, uint32_t n);

  std::vector<AttentionWeights> layers_;
  bool ring_ = false;
  kv::KvCache full_, swa_;
  uint32_t next_pos_ = 0;  // where the sequence continues; UINT32_MAX after a failed eval
  vk::Buffer q_, k_, v_, attn_, o_, attn_scratch_;
};

}  // namespace rotary
