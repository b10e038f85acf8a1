#pragma once
// Qwen3.5/3.6-MoE (qwen35moe: Qwen3.5-35B-A3B, Qwen3.6-35B-A3B) and Qwen3-Next (qwen3next), the
// hybrid MoE models: most layers mix tokens with Gated DeltaNet (gated_delta_net.h), every
// full_attention_interval-th layer with gated attention (the attn_q projection carries a
// sigmoid output gate per head, RoPE on the first n_rot dims of each head). The FFN side is the
// routed experts plus a dense, resident shared expert scaled by the sigmoid of its scalar gate:
//   out = h + MoE(y) + sigmoid(w_shg . y) * down(silu(gate y) (.) up y),  y = RMSNorm(h).
// The KV cache holds only the attention layers; the recurrent state (conv + delta rule) is
// per sequence. An MTP block (nextn) in the file is not run and takes no VRAM.
#include <optional>

#include "runtime/kv/kv_cache.h"
#include "runtime/models/gated_delta_net.h"
#include "runtime/models/moe_model.h"

namespace rotary {

// Made as Drained<Qwen35Moe> (moe_model.h).
class Qwen35Moe : public MoeModel {
 public:
  Qwen35Moe(DrainKey key, vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h,
            const ModelOptions& options, const MemoryPlan& plan);

  // A recurrent state cannot rewind: `pos` must continue the sequence, or be 0 to start a new one
  // (the state is then zeroed first). Anything else is Error(InvalidArgument).
  StepResult eval(std::span<const int32_t> tokens, uint32_t pos,
                  const LogitsRequest& request) override;
  // Zeroes the recurrent state (the KV cache is overwritten by position).
  void reset() override;

  static uint32_t attention_layers(const ModelHparams& h);
  static ops::KvGeometry kv_geometry(const ModelHparams& h, uint32_t ctx, ops::KvTypes types);
  // The buffers of a chunk of this architecture: attention, Gated DeltaNet and shared expert
  // (the planner adds MoeModel::scratch_bytes and the recurrent state).
  static uint64_t scratch_bytes(const ModelHparams& h, uint32_t chunk, const ops::KvGeometry& geo,
                                const vk::DeviceCaps& caps);
  // Bytes of the recurrent state of one sequence.
  static uint64_t recurrent_bytes(const ModelHparams& h, const vk::DeviceCaps& caps);

 protected:
  void record_mixer(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n) override;
  void record_ffn_extra(vk::Recorder& rec, uint32_t layer, uint32_t n) override;

 private:
  void record_attention(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n);

  // Each layer's dense weights, resolved once at load (no name lookups per token).
  struct LayerWeights {
    vk::BufferView attn_norm;
    vk::BufferView q_norm, k_norm;  // gated attention (attention layers only)
    ops::WeightView q, k, v, o;
    ops::WeightView sh_gate_inp, sh_gate, sh_up, sh_down;  // shared expert
  };
  std::vector<LayerWeights> layers_;

  std::vector<uint32_t> kv_index_;  // model layer -> KV cache layer (UINT32_MAX: recurrent)
  kv::KvCache kv_;
  GatedDeltaNet gdn_;
  uint32_t next_pos_ = 0;  // where the sequence continues; UINT32_MAX after a failed eval
  vk::Buffer qg_;          // [T][heads][query | gate] attn_q projection
  vk::Buffer q_, k_, v_, attn_, attn_scratch_;
  vk::Buffer mix_;  // [T][n_embd] mixer output (attention or Gated DeltaNet)
  vk::Buffer sh_gate_, sh_up_, sh_out_,
      sh_scale_;  // shared expert: [T][n_ff_shexp] x 2, [T][n_embd], [T]
};

}  // namespace rotary
