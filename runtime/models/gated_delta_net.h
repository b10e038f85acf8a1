#pragma once
// The Gated DeltaNet mixer of qwen35moe and qwen3next (their linear-attention layers), for one
// sequence: projections, gates, causal conv over the conv state with SiLU, L2 norm of q and k,
// the delta rule over the recurrent state (the recurrent form for one token, the chunked form
// for several), the gated RMSNorm and the output projection. Op by op: docs/kernels.md, "Gated
// DeltaNet"; the math: shared/reference/models.md section 2.
#include <cstdint>
#include <optional>
#include <vector>

#include "loader/hparams.h"
#include "runtime/kv/gdn_state.h"
#include "runtime/models/dense_weights.h"
#include "runtime/ops/gdn_gates.h"
#include "runtime/ops/gdn_shape.h"
#include "runtime/vk/context.h"

namespace rotary {

class GatedDeltaNet {
 public:
  // Buffers for up to `max_tokens` tokens per call; the recurrent state of every recurrent layer
  // of `h` (none when the model has no such layer). The state starts zeroed (reset()).
  GatedDeltaNet(vk::GpuContext& gpu, const DenseWeights& weights, const ModelHparams& h,
                uint32_t max_tokens);

  // The layer shape as the GDN ops see it: qwen35moe stores value heads tiled, qwen3next grouped.
  static ops::GdnShape shape(const ModelHparams& h);
  static uint32_t recurrent_layers(const ModelHparams& h);
  // VRAM the per-call buffers take (the planner's figure; the state is planned on its own with
  // kv::GdnState::bytes_per_sequence).
  static uint64_t scratch_bytes(const ModelHparams& h, uint32_t max_tokens,
                                const vk::DeviceCaps& caps);

  // Records the zeroing of the whole state (conv and delta rule), with the barriers around it.
  void reset(vk::Recorder& rec) const;

  // out[n][n_embd] = GDN(xn) for the `n` next tokens of the sequence, `xn` the attn_norm output
  // [n][n_embd]; rolls the layer's state forward. Ends with a barrier: `out` is ready to read.
  void record(vk::Recorder& rec, uint32_t layer, const vk::BufferView& xn,
              const vk::BufferView& out, uint32_t n);

 private:
  // One recurrent layer's weights, resolved once at load (no name lookups per token).
  struct LayerWeights {
    ops::WeightView qkv, gate, beta, alpha, out;  // qwen3next: beta is ssm_ba, alpha unused
    vk::BufferView conv, dt_bias, a, norm;
  };

  const ModelHparams& h_;
  ops::GdnShape shape_;
  ops::GdnGateLayout gates_;
  bool fused_ba_ = false;  // qwen3next: one ssm_ba projection instead of ssm_beta + ssm_alpha
  uint32_t max_tokens_;
  std::vector<uint32_t> state_index_;  // model layer -> state layer (UINT32_MAX: not recurrent)
  std::vector<LayerWeights> layers_;   // per state layer
  std::optional<kv::GdnState> state_;
  vk::Buffer qkv_;       // [T][conv_channels] projection; then the delta-rule output [T][value_dim]
  vk::Buffer conv_;      // [T][conv_channels] silu(conv), q and k L2-normalised in place
  vk::Buffer z_;         // [T][value_dim] output gate
  vk::Buffer b_;         // [T][v_heads] raw beta projection (fused: [T][2 v_heads], beta and alpha)
  vk::Buffer a_;         // [T][v_heads] raw alpha projection
  vk::Buffer beta_, g_;  // [T][v_heads]
  vk::Buffer chunk_scratch_;  // gdn_chunked's, for ceil(T / 64) chunks (none when T == 1)
};

}  // namespace rotary
