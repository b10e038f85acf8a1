#pragma once
// The model shapes `rotary synth` can write: the full-size models of shared/reference/models.md
// and small test models of the same architectures, plus the overrides of the command line.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rotary::synth {

struct SynthPreset {
  std::string name;
  std::string description;
  std::string arch;      // "qwen3moe", "qwen35moe", "qwen3next" or "gpt-oss"
  uint32_t n_layer = 0;  // block_count
  uint32_t n_embd = 0;   // embedding_length (hidden size)
  uint32_t n_head = 0;   // attention heads (full-attention layers)
  uint32_t n_head_kv = 0;
  uint32_t head_dim = 0;                   // key_length = value_length
  uint32_t n_rot = 0;                      // rope.dimension_count (qwen35moe: partial rotary)
  std::array<int32_t, 4> rope_sections{};  // qwen35moe only (qwen3next: plain NEOX RoPE)
  uint32_t n_expert = 0;
  uint32_t n_expert_used = 0;
  uint32_t n_ff_exp = 0;    // expert FFN size
  uint32_t n_ff_shexp = 0;  // shared expert FFN size; 0: none
  uint32_t n_ff = 0;        // feed_forward_length as the real file carries it; 0: key absent
  uint32_t n_vocab = 0;
  uint32_t n_ctx_train = 0;
  float rope_freq_base = 0;
  float rms_eps = 0;
  // Gated DeltaNet (qwen35moe, qwen3next); zero for qwen3moe.
  uint32_t ssm_conv_kernel = 0;
  uint32_t ssm_state_size = 0;   // K and V head dim
  uint32_t ssm_group_count = 0;  // K (= Q) heads
  uint32_t ssm_v_heads = 0;      // time_step_rank
  uint32_t full_attention_interval = 0;
  std::string tokenizer_pre;  // tokenizer.ggml.pre
  // gpt-oss: the sliding window of its alternate layers and YaRN RoPE scaling.
  uint32_t sliding_window = 0;     // attention.sliding_window
  float rope_scaling_factor = 0;   // rope.scaling.factor (type yarn); 0: no rope.scaling keys
  uint32_t rope_orig_ctx = 0;      // rope.scaling.original_context_length

  bool is_qwen35moe() const { return arch == "qwen35moe"; }
  bool is_gpt_oss() const { return arch == "gpt-oss"; }
  // qwen35moe and qwen3next: Gated DeltaNet layers, gated attention, a shared expert.
  bool is_hybrid() const { return arch == "qwen35moe" || arch == "qwen3next"; }
  uint32_t ssm_inner_size() const { return ssm_state_size * ssm_v_heads; }
  // qwen35moe, qwen3next: layer i is Gated DeltaNet unless (i + 1) % full_attention_interval == 0.
  bool is_recurrent(uint32_t layer) const {
    return is_hybrid() && (layer + 1) % full_attention_interval != 0;
  }
};

// The command line's shape overrides; unset fields keep the preset's value.
struct SynthOverrides {
  std::optional<uint32_t> n_layer, n_embd, n_head, n_expert, n_expert_used, n_vocab;
};

const std::vector<SynthPreset>& synth_presets();
// Error(InvalidArgument) naming the known presets when `name` is not one of them.
const SynthPreset& find_synth_preset(std::string_view name);
// The preset with the overrides applied; Error(InvalidArgument) saying which value is impossible
// and why (heads not a multiple of the KV heads, more used experts than experts, ...).
SynthPreset apply_overrides(SynthPreset preset, const SynthOverrides& overrides);

// Tokens that every synth vocabulary holds besides the 256 byte tokens (vocab.h): the ChatML
// set, or gpt-oss's harmony set.
inline constexpr uint32_t kSynthSpecialTokens = 5;
inline constexpr uint32_t kSynthHarmonyTokens = 9;
inline uint32_t synth_special_tokens(const SynthPreset& p) {
  return p.is_gpt_oss() ? kSynthHarmonyTokens : kSynthSpecialTokens;
}

}  // namespace rotary::synth
