#pragma once
// Model hyperparameters read from GGUF metadata, for the architectures rotary runs. Keys are
// "{arch}.<name>" (see shared/reference/models.md); optional keys take llama.cpp's defaults,
// written next to each field. Missing required keys or impossible values are InvalidModel; an
// architecture rotary does not run is Unsupported.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loader/gguf_metadata.h"

namespace rotary {

enum class Architecture { Qwen3Moe, Qwen35Moe, Qwen3Next, GptOss };

std::string_view architecture_name(Architecture arch);  // "qwen3moe", "qwen35moe", "qwen3next", "gpt-oss"
std::optional<Architecture> architecture_from_name(std::string_view name);
std::string supported_architectures();  // "qwen3moe, qwen35moe, qwen3next, gpt-oss"

// Gated DeltaNet (linear attention) dimensions: qwen35moe and qwen3next; zero for qwen3moe.
struct GatedDeltaNetHparams {
  uint32_t conv_kernel = 0;     // ssm.conv_kernel (4)
  uint32_t state_size = 0;      // ssm.state_size: K and V head dim (128)
  uint32_t group_count = 0;     // ssm.group_count: K (= Q) heads (16)
  uint32_t time_step_rank = 0;  // ssm.time_step_rank: V heads (32)
  uint32_t inner_size = 0;      // ssm.inner_size: V heads x head dim (4096)

  uint64_t key_dim() const { return uint64_t{state_size} * group_count; }       // 2048
  uint64_t value_dim() const { return uint64_t{state_size} * time_step_rank; }  // 4096
  uint64_t conv_channels() const { return 2 * key_dim() + value_dim(); }        // q, k, v: 8192
};

// RoPE frequency scaling as llama.cpp reads it (rope.scaling.*): the type, the factor and YaRN's
// original context. llama.cpp does not read the yarn_* keys a converter may write; it sets
// ext_factor 1 for YaRN (0 otherwise), beta_fast 32, beta_slow 1, and an attention factor that
// cancels YaRN's magnitude scaling (times rope.scaling.attn_factor).
enum class RopeScalingType { None, Linear, Yarn };

struct RopeScaling {
  RopeScalingType type = RopeScalingType::None;  // rope.scaling.type ("none", "linear", "yarn")
  float freq_scale = 1.0f;     // 1 / rope.scaling.factor (1 when absent or 0; 1 for type none)
  uint32_t n_ctx_orig = 0;     // rope.scaling.original_context_length (default context_length)
  float ext_factor = 0.0f;     // 1 for YaRN, else 0
  float attn_factor = 1.0f;    // see above
  float beta_fast = 32.0f, beta_slow = 1.0f;
};

struct ModelHparams {
  Architecture arch = Architecture::Qwen3Moe;
  uint32_t n_layer_all = 0;         // block_count: every block in the file, MTP blocks included
  uint32_t n_nextn = 0;             // nextn_predict_layers (default 0): the MTP blocks, at the end
  uint32_t n_layer = 0;             // n_layer_all - n_nextn: the blocks plain generation runs
  uint32_t n_embd = 0;              // embedding_length
  uint32_t n_ctx_train = 0;         // context_length
  uint32_t n_vocab = 0;             // length of tokenizer.ggml.tokens
  uint32_t n_head = 0;              // attention.head_count
  uint32_t n_head_kv = 0;           // attention.head_count_kv (default n_head)
  uint32_t head_dim_k = 0;          // attention.key_length (default n_embd / n_head)
  uint32_t head_dim_v = 0;          // attention.value_length (default n_embd / n_head)
  uint32_t n_rot = 0;               // rope.dimension_count (default head_dim_k)
  float rope_freq_base = 10000.0f;  // rope.freq_base (default 10000)
  std::vector<int32_t> rope_sections;  // rope.dimension_sections (qwen35moe, 4 entries)
  float rms_eps = 0.0f;                // attention.layer_norm_rms_epsilon
  uint32_t n_ff = 0;                   // feed_forward_length (default 0; only a fallback below)
  uint32_t n_expert = 0;               // expert_count
  uint32_t n_expert_used = 0;          // expert_used_count
  uint32_t n_ff_exp = 0;               // expert_feed_forward_length (default n_ff / n_expert_used)
  uint32_t n_ff_shexp = 0;             // expert_shared_feed_forward_length (default n_ff); 0 = none
  GatedDeltaNetHparams ssm;
  uint32_t full_attention_interval = 0;  // full_attention_interval (default 4); 0 for qwen3moe
  std::vector<bool> recurrent;  // per block (n_layer_all): Gated DeltaNet instead of attention
  RopeScaling rope_scaling;     // rope.scaling.* (every architecture reads it; gpt-oss uses YaRN)
  // gpt-oss: sliding-window attention on the blocks flagged in `swa` (attention.sliding_window_pattern:
  // a flag per block, or a period n: block i slides when i % n < n - 1; default 2: even blocks).
  uint32_t n_swa = 0;               // attention.sliding_window: a query sees its last n_swa positions
  std::vector<bool> swa;            // per block (n_layer_all)
  float rope_freq_base_swa = 0.0f;  // rope.freq_base_swa (default rope.freq_base)

  bool is_recurrent(uint32_t layer) const { return layer < recurrent.size() && recurrent[layer]; }
  bool is_mtp(uint32_t layer) const { return layer >= n_layer; }
  bool has_shared_expert() const { return n_ff_shexp > 0; }
  bool is_swa(uint32_t layer) const { return layer < swa.size() && swa[layer]; }
  bool has_gated_delta_net() const { return arch == Architecture::Qwen35Moe || arch == Architecture::Qwen3Next; }
};

// Reads general.architecture and the hyperparameters of that architecture.
ModelHparams read_hparams(const GgufMetadata& metadata);

}  // namespace rotary
