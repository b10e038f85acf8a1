#include "loader/synth/preset.h"

#include "base/error.h"

namespace rotary::synth {

namespace {

// Values from shared/reference/models.md (Qwen3-30B-A3B as first released: 40960 context,
// rope base 1e6; Qwen3.6-35B-A3B without its MTP block).
SynthPreset qwen3_30b_a3b() {
  SynthPreset p;
  p.name = "qwen3-30b-a3b";
  p.description = "Qwen3-30B-A3B (qwen3moe): 48 layers, hidden 2048, 128 experts / 8 used";
  p.arch = "qwen3moe";
  p.n_layer = 48;
  p.n_embd = 2048;
  p.n_head = 32;
  p.n_head_kv = 4;
  p.head_dim = 128;
  p.n_rot = 128;
  p.n_expert = 128;
  p.n_expert_used = 8;
  p.n_ff_exp = 768;
  p.n_ff = 6144;
  p.n_vocab = 151936;
  p.n_ctx_train = 40960;
  p.rope_freq_base = 1e6f;
  p.rms_eps = 1e-6f;
  p.tokenizer_pre = "qwen2";
  return p;
}

SynthPreset qwen36_35b_a3b() {
  SynthPreset p;
  p.name = "qwen3.6-35b-a3b";
  p.description =
      "Qwen3.6-35B-A3B (qwen35moe): 40 layers (30 Gated DeltaNet + 10 attention), "
      "hidden 2048, 256 experts / 8 used + shared expert";
  p.arch = "qwen35moe";
  p.n_layer = 40;
  p.n_embd = 2048;
  p.n_head = 16;
  p.n_head_kv = 2;
  p.head_dim = 256;
  p.n_rot = 64;
  p.rope_sections = {11, 11, 10, 0};
  p.n_expert = 256;
  p.n_expert_used = 8;
  p.n_ff_exp = 512;
  p.n_ff_shexp = 512;
  p.n_vocab = 248320;
  p.n_ctx_train = 262144;
  p.rope_freq_base = 1e7f;
  p.rms_eps = 1e-6f;
  p.ssm_conv_kernel = 4;
  p.ssm_state_size = 128;
  p.ssm_group_count = 16;
  p.ssm_v_heads = 32;
  p.full_attention_interval = 4;
  p.tokenizer_pre = "qwen35";
  return p;
}

// Test models: every dimension that a weight's rows run along is a multiple of 256 so that
// every type (K-quants and IQ4_XS included) can hold them; the query width (heads x head_dim)
// differs from the hidden size as in the real models, and four layers reach both the normal and
// the "more bits" layers of Q4_K_M (layers 2 and 3 of 4).
SynthPreset tiny_qwen3moe() {
  SynthPreset p = qwen3_30b_a3b();
  p.name = "tiny-qwen3moe";
  p.description = "test model (qwen3moe): 4 layers, hidden 256, 8 heads x 64, 8 experts / 2 used";
  p.n_layer = 4;
  p.n_embd = 256;
  p.n_head = 8;
  p.n_head_kv = 2;
  p.head_dim = 64;
  p.n_rot = 64;
  p.n_expert = 8;
  p.n_expert_used = 2;
  p.n_ff_exp = 256;
  p.n_ff = 768;
  p.n_vocab = 1000;
  p.n_ctx_train = 4096;
  return p;
}

SynthPreset tiny_qwen35moe() {
  SynthPreset p = qwen36_35b_a3b();
  p.name = "tiny-qwen35moe";
  p.description =
      "test model (qwen35moe): 4 layers (3 Gated DeltaNet + 1 attention), hidden 256, "
      "8 experts / 2 used + shared expert";
  p.n_layer = 4;
  p.n_embd = 256;
  p.n_head = 8;
  p.n_head_kv = 2;
  p.head_dim = 64;
  p.n_rot = 16;  // a quarter of the head, as 64 of 256 in the real model
  p.rope_sections = {3, 3, 2, 0};
  p.n_expert = 8;
  p.n_expert_used = 2;
  p.n_ff_exp = 256;
  p.n_ff_shexp = 256;
  p.n_vocab = 1200;
  p.n_ctx_train = 4096;
  p.ssm_state_size = 64;
  p.ssm_group_count = 4;  // key dim 256 = hidden, value dim 512 = 2 x hidden, as in the real model
  p.ssm_v_heads = 8;
  return p;
}

// Qwen3-Next's layout (qwen3next) at tiny-qwen35moe's size: fused ssm_ba projection, value
// heads in grouped order, plain NEOX RoPE on a quarter of the head (no M-RoPE sections), the
// qwen2 pre-tokenizer.
SynthPreset tiny_qwen3next() {
  SynthPreset p = tiny_qwen35moe();
  p.name = "tiny-qwen3next";
  p.description =
      "test model (qwen3next): 4 layers (3 Gated DeltaNet + 1 attention), hidden 256, "
      "8 experts / 2 used + shared expert";
  p.arch = "qwen3next";
  p.rope_sections = {};
  p.tokenizer_pre = "qwen2";
  return p;
}

// gpt-oss-20b as llama.cpp's converter writes it (openai/gpt-oss-20b config.json): 24 layers
// alternating sliding-window (128, even layers) and full attention, 64 heads x 64 with 8 KV
// heads, YaRN x32 over an original context of 4096, 32 experts / 4 used, o200k vocabulary.
SynthPreset gpt_oss_20b() {
  SynthPreset p;
  p.name = "gpt-oss-20b";
  p.description = "gpt-oss-20b (gpt-oss): 24 layers (sliding window 128 / full alternating), hidden 2880, "
                  "32 experts / 4 used";
  p.arch = "gpt-oss";
  p.n_layer = 24;
  p.n_embd = 2880;
  p.n_head = 64;
  p.n_head_kv = 8;
  p.head_dim = 64;
  p.n_rot = 64;
  p.n_expert = 32;
  p.n_expert_used = 4;
  p.n_ff_exp = 2880;
  p.n_ff = 2880;
  p.n_vocab = 201088;
  p.n_ctx_train = 131072;
  p.rope_freq_base = 150000.0f;
  p.rms_eps = 1e-5f;
  p.tokenizer_pre = "gpt-4o";
  p.sliding_window = 128;
  p.rope_scaling_factor = 32.0f;
  p.rope_orig_ctx = 4096;
  return p;
}

// Rows that are multiples of 256 (every type can hold them), a query width (8 x 64) that differs
// from the hidden size, and a window of 16 that the tests' few dozen positions pass.
SynthPreset tiny_gpt_oss() {
  SynthPreset p = gpt_oss_20b();
  p.name = "tiny-gpt-oss";
  p.description = "test model (gpt-oss): 4 layers (sliding window 16 / full alternating), hidden 256, "
                  "8 heads x 64, 8 experts / 2 used";
  p.n_layer = 4;
  p.n_embd = 256;
  p.n_head = 8;
  p.n_head_kv = 2;
  p.n_expert = 8;
  p.n_expert_used = 2;
  p.n_ff_exp = 256;
  p.n_ff = 256;
  p.n_vocab = 1000;
  p.n_ctx_train = 4096;
  p.sliding_window = 16;
  return p;
}

std::string preset_names() {
  std::string s;
  for (const auto& p : synth_presets()) s += (s.empty() ? "" : ", ") + p.name;
  return s;
}

void require_positive(uint32_t v, const char* what) {
  require(v > 0, ErrorKind::InvalidArgument, std::string(what) + " must be at least 1");
}

}  // namespace

const std::vector<SynthPreset>& synth_presets() {
  static const std::vector<SynthPreset> presets = {
      qwen3_30b_a3b(), qwen36_35b_a3b(), gpt_oss_20b(), tiny_qwen3moe(), tiny_qwen35moe(), tiny_qwen3next(),
      tiny_gpt_oss()};
  return presets;
}

const SynthPreset& find_synth_preset(std::string_view name) {
  for (const auto& p : synth_presets())
    if (p.name == name) return p;
  throw Error(ErrorKind::InvalidArgument, "unknown preset '" + std::string(name) +
                                              "'; the presets are " + preset_names() +
                                              " (rotary synth --list-presets describes them)");
}

SynthPreset apply_overrides(SynthPreset p, const SynthOverrides& o) {
  if (o.n_layer) p.n_layer = *o.n_layer;
  if (o.n_embd) p.n_embd = *o.n_embd;
  if (o.n_head) p.n_head = *o.n_head;
  if (o.n_expert) p.n_expert = *o.n_expert;
  if (o.n_expert_used) p.n_expert_used = *o.n_expert_used;
  if (o.n_vocab) p.n_vocab = *o.n_vocab;
  require_positive(p.n_layer, "--layers");
  require_positive(p.n_embd, "--hidden");
  require_positive(p.n_head, "--heads");
  require_positive(p.n_expert, "--experts");
  require_positive(p.n_expert_used, "--experts-used");
  require(p.n_head % p.n_head_kv == 0, ErrorKind::InvalidArgument,
          "--heads " + std::to_string(p.n_head) + " is not a multiple of the preset's " +
              std::to_string(p.n_head_kv) +
              " KV heads (grouped-query attention shares each KV head "
              "between the same number of query heads)");
  require(p.n_expert_used <= p.n_expert, ErrorKind::InvalidArgument,
          "--experts-used " + std::to_string(p.n_expert_used) + " is more than the " +
              std::to_string(p.n_expert) + " experts");
  const uint32_t min_vocab = 256 + synth_special_tokens(p);
  require(p.n_vocab >= min_vocab && p.n_vocab <= (1u << 30), ErrorKind::InvalidArgument,
          "--vocab " + std::to_string(p.n_vocab) +
              " is out of range: the vocabulary holds the 256 byte "
              "tokens and " +
              std::to_string(synth_special_tokens(p)) + " special tokens, so at least " +
              std::to_string(min_vocab) + " (and at most 2^30)");
  require(uint64_t{p.n_embd} * p.n_vocab < (uint64_t{1} << 40) &&
              uint64_t{p.n_embd} * p.n_ff_exp * p.n_expert < (uint64_t{1} << 40),
          ErrorKind::InvalidArgument, "the overrides make a tensor of more than 2^40 elements");
  return p;
}

}  // namespace rotary::synth
