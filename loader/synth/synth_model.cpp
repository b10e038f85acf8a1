// plan_synth_model: the metadata and tensor list of a synth model (writing: synth_writer.cpp).
#include <string>
#include <vector>

#include "base/error.h"
#include "loader/model_catalog.h"
#include "loader/synth/synth_model.h"
#include "loader/synth/vocab.h"

namespace rotary::synth {

namespace {

class MetadataBuilder {
 public:
  explicit MetadataBuilder(std::string arch) : arch_(std::move(arch)) {}
  void set(const std::string& key, GgufValue value) {
    if (!metadata_.insert(key, std::move(value)))
      throw Error(ErrorKind::Internal, "synth metadata key '" + key + "' set twice");
  }
  void arch_u32(const std::string& key, uint32_t v) { set(arch_ + "." + key, GgufValue(v)); }
  void arch_f32(const std::string& key, float v) { set(arch_ + "." + key, GgufValue(v)); }
  GgufMetadata take() { return std::move(metadata_); }

 private:
  std::string arch_;
  GgufMetadata metadata_{"synth model"};
};

// As llama.cpp's converter writes gpt-oss (conversion/gpt_oss.py on TextModel's keys), in its order.
void add_gpt_oss_hparams(MetadataBuilder& m, const SynthPreset& p) {
  m.arch_u32("block_count", p.n_layer);
  m.arch_u32("context_length", p.n_ctx_train);
  m.arch_u32("embedding_length", p.n_embd);
  m.arch_u32("feed_forward_length", p.n_ff);
  m.arch_u32("attention.head_count", p.n_head);
  m.arch_u32("attention.head_count_kv", p.n_head_kv);
  m.set(p.arch + ".rope.scaling.type", GgufValue("yarn"));
  m.arch_f32("rope.scaling.factor", p.rope_scaling_factor);
  m.arch_u32("rope.scaling.original_context_length", p.rope_orig_ctx);
  m.arch_f32("rope.scaling.yarn_beta_fast", 32.0f);  // in the HF config; llama.cpp does not read them
  m.arch_f32("rope.scaling.yarn_beta_slow", 1.0f);
  m.arch_f32("rope.freq_base", p.rope_freq_base);
  m.arch_f32("attention.layer_norm_rms_epsilon", p.rms_eps);
  m.arch_u32("expert_count", p.n_expert);
  m.arch_u32("expert_used_count", p.n_expert_used);
  m.arch_u32("attention.key_length", p.head_dim);
  m.arch_u32("attention.value_length", p.head_dim);
  m.arch_u32("attention.sliding_window", p.sliding_window);
  m.arch_u32("expert_feed_forward_length", p.n_ff_exp);
}

void add_hparams(MetadataBuilder& m, const SynthPreset& p) {
  if (p.is_gpt_oss()) return add_gpt_oss_hparams(m, p);
  m.arch_u32("context_length", p.n_ctx_train);
  m.arch_u32("embedding_length", p.n_embd);
  if (p.n_ff) m.arch_u32("feed_forward_length", p.n_ff);
  m.arch_u32("block_count", p.n_layer);
  m.arch_u32("attention.head_count", p.n_head);
  m.arch_u32("attention.head_count_kv", p.n_head_kv);
  m.arch_u32("attention.key_length", p.head_dim);
  m.arch_u32("attention.value_length", p.head_dim);
  m.arch_f32("rope.freq_base", p.rope_freq_base);
  m.arch_f32("attention.layer_norm_rms_epsilon", p.rms_eps);
  m.arch_u32("expert_count", p.n_expert);
  m.arch_u32("expert_used_count", p.n_expert_used);
  m.arch_u32("expert_feed_forward_length", p.n_ff_exp);
  if (!p.is_hybrid()) return;
  m.arch_u32("rope.dimension_count", p.n_rot);
  if (p.is_qwen35moe())
    m.set(
        p.arch + ".rope.dimension_sections",
        GgufValue(GgufArray(std::vector<int32_t>(p.rope_sections.begin(), p.rope_sections.end()))));
  m.arch_u32("expert_shared_feed_forward_length", p.n_ff_shexp);
  m.arch_u32("ssm.conv_kernel", p.ssm_conv_kernel);
  m.arch_u32("ssm.state_size", p.ssm_state_size);
  m.arch_u32("ssm.group_count", p.ssm_group_count);
  m.arch_u32("ssm.time_step_rank", p.ssm_v_heads);
  m.arch_u32("ssm.inner_size", p.ssm_inner_size());
  m.arch_u32("full_attention_interval", p.full_attention_interval);
}

void add_tokenizer(MetadataBuilder& m, const SynthPreset& p, const std::string& chat_template) {
  SynthVocab v = make_synth_vocab(p.n_vocab, p.is_gpt_oss() ? SynthSpecials::Harmony : SynthSpecials::ChatMl);
  m.set("tokenizer.ggml.model", GgufValue("gpt2"));
  m.set("tokenizer.ggml.pre", GgufValue(p.tokenizer_pre));
  m.set("tokenizer.ggml.tokens", GgufValue(GgufArray(std::move(v.tokens))));
  m.set("tokenizer.ggml.token_type", GgufValue(GgufArray(std::move(v.token_types))));
  m.set("tokenizer.ggml.merges", GgufValue(GgufArray(std::move(v.merges))));
  m.set("tokenizer.ggml.eos_token_id", GgufValue(v.eos_id));
  m.set("tokenizer.ggml.padding_token_id", GgufValue(v.pad_id));
  m.set("tokenizer.ggml.bos_token_id", GgufValue(v.bos_id));
  m.set("tokenizer.ggml.add_bos_token", GgufValue(false));
  m.set("tokenizer.chat_template",
        GgufValue(!chat_template.empty() ? chat_template
                                         : std::string(p.is_gpt_oss() ? kSynthHarmonyTemplate : kSynthChatTemplate)));
}

GgufMetadata build_metadata(const SynthPreset& p, const SynthOptions& o) {
  MetadataBuilder m(p.arch);
  m.set("general.architecture", GgufValue(p.arch));
  m.set("general.type", GgufValue("model"));
  m.set("general.name", GgufValue("rotary synth " + p.name));
  m.set("general.file_type", GgufValue(synth_file_type(o.quant)));
  m.set("general.quantization_version", GgufValue(uint32_t{2}));
  add_hparams(m, p);
  add_tokenizer(m, p, o.chat_template);
  // Not read by anyone: how to make the same file again.
  m.set("rotary.synth.preset", GgufValue(p.name));
  m.set("rotary.synth.seed", GgufValue(o.seed));
  return m.take();
}

// What sets a tensor's row length, for the message when a type cannot hold it.
std::string row_origin(const SynthTensor& t, const SynthPreset& p) {
  const std::string_view n = t.name;
  if (n.ends_with("attn_output.weight"))
    return "heads x head_dim = " + std::to_string(p.n_head) + " x " + std::to_string(p.head_dim) +
           "; change --heads";
  if (n.ends_with("ffn_down_exps.weight"))
    return "the expert FFN size of preset " + p.name + ", which no flag changes";
  if (n.ends_with("ffn_down_shexp.weight"))
    return "the shared-expert FFN size of preset " + p.name + ", which no flag changes";
  if (n.ends_with("ssm_out.weight")) return "the Gated DeltaNet inner size of preset " + p.name;
  return "the hidden size; change --hidden";
}

void check_row_fits(const SynthTensor& t, const SynthPreset& p, SynthQuant q) {
  const auto& info = ggml_type_info(t.type);
  if (t.row_elements() % info.block_size == 0) return;
  throw Error(ErrorKind::InvalidArgument,
              "--quant " + std::string(synth_quant_name(q)) + " cannot hold tensor '" + t.name +
                  "': its rows of " + std::to_string(t.row_elements()) + " elements (" +
                  row_origin(t, p) + ") are not a multiple of " + std::string(info.name) + "'s " +
                  std::to_string(info.block_size) + "-element blocks. Make it a multiple of " +
                  std::to_string(info.block_size) +
                  ", or use a type with 32-element blocks (Q8_0, Q4_0, MXFP4) or F16, BF16, F32");
}

}  // namespace

uint64_t SynthTensor::n_rows() const {
  uint64_t rows = 1;
  for (size_t i = 1; i < shape.size(); ++i) rows *= shape[i];
  return rows;
}

SynthModel plan_synth_model(const SynthPreset& preset, const SynthOptions& options) {
  SynthModel m;
  m.preset = preset;
  m.options = options;
  m.metadata = build_metadata(preset, options);
  m.hparams = read_hparams(m.metadata);
  for (const TensorSpec& spec : model_tensors(m.hparams)) {
    // Optional tensors are left out, except output.weight (optional only because llama.cpp ties
    // it to token_embd when absent: real files carry it) and qwen3next's attn_qkv + attn_gate
    // (optional because older files hold one fused ssm_in instead: current converters write
    // the split form, which synth writes).
    const bool split_qkv =
        spec.name.ends_with(".attn_qkv.weight") || spec.name.ends_with(".attn_gate.weight");
    if (!spec.required && spec.name != "output.weight" && !split_qkv) continue;
    SynthTensor t;
    t.name = spec.name;
    t.shape = spec.shape;
    const uint32_t layer = spec.layer < 0 ? 0 : static_cast<uint32_t>(spec.layer);
    t.type = synth_tensor_type(options.quant, t.name, t.shape.size(), layer, preset.n_layer);
    t.init = synth_weight_init(t.name, t.shape, preset.n_layer);
    check_row_fits(t, preset, options.quant);
    t.n_bytes = *ggml_row_bytes(t.type, t.row_elements()) * t.n_rows();
    m.parameters += t.row_elements() * t.n_rows();
    m.tensor_bytes += t.n_bytes;
    m.tensors.push_back(std::move(t));
  }
  const bool blocks = options.weights == SynthWeights::Blocks ||
                      (options.weights == SynthWeights::Auto && m.parameters >= kAutoBlocksParams);
  for (auto& t : m.tensors) {
    const auto& info = ggml_type_info(t.type);
    t.random_blocks = blocks && info.block_size > 1;
    require(!t.random_blocks || (t.init.kind == WeightInit::Kind::Normal && t.init.a == 0),
            ErrorKind::Internal,
            "random blocks need a zero-mean distribution, which " + t.name + " does not have");
  }
  return m;
}

}  // namespace rotary::synth
