#include "loader/hparams.h"

#include "base/printable.h"
#include <cmath>
#include <cstdio>
#include <limits>

#include "base/error.h"

namespace rotary {

namespace {

constexpr Architecture kArchitectures[] = {Architecture::Qwen3Moe, Architecture::Qwen35Moe,
                                           Architecture::Qwen3Next, Architecture::GptOss};
// llama.cpp's LLAMA_MAX_LAYERS and LLAMA_MAX_EXPERTS: beyond these no real file exists, and the
// bounds keep a hostile file from making the tensor catalogue enormous.
constexpr uint32_t kMaxLayers = 512;
constexpr uint32_t kMaxExperts = 1024;

class HparamReader {
 public:
  HparamReader(const GgufMetadata& m, std::string_view arch)
      : m_(m), prefix_(std::string(arch) + ".") {}

  std::string key(std::string_view name) const { return prefix_ + std::string(name); }
  std::optional<uint32_t> u32(std::string_view name) const { return m_.get_u32(key(name)); }
  uint32_t require_u32(std::string_view name) const { return m_.require_u32(key(name)); }
  float require_float(std::string_view name) const { return to_f32(m_.require_float(key(name))); }
  std::optional<float> get_float(std::string_view name) const {
    const auto v = m_.get_float(key(name));
    return v ? std::optional<float>(to_f32(*v)) : std::nullopt;
  }
  // An f64 past f32's range becomes an infinity (a plain cast of it is undefined behaviour).
  static float to_f32(double v) {
    if (std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max())
      return std::copysign(std::numeric_limits<float>::infinity(), static_cast<float>(v > 0 ? 1 : -1));
    return static_cast<float>(v);
  }

  // A key that may be a scalar or a per-block array (llama.cpp's get_key_or_arr). rotary runs one
  // value for every block, so the non-zero entries of an array must agree; all-zero gives 0.
  std::optional<uint32_t> uniform_u32(std::string_view name, uint32_t n_layer_all) const {
    const std::string k = key(name);
    const auto* v = m_.find(k);
    if (!v || !v->as_array()) return m_.get_u32(k);
    const auto entries = integer_array(k, n_layer_all);
    uint32_t value = 0;
    for (int64_t e : entries) {
      if (e < 0 || e > UINT32_MAX) m_.fail(k, "entry " + std::to_string(e) + " is out of range");
      const auto u = static_cast<uint32_t>(e);
      if (u != 0 && value != 0 && u != value)
        throw Error(ErrorKind::Unsupported,
                    m_.source() + ": metadata key '" + printable(k) +
                        "' differs between blocks; rotary runs models whose "
                        "blocks share one value");
      if (u != 0) value = u;
    }
    return value;
  }

  // An integer (or bool) array of exactly `n` entries.
  std::vector<int64_t> integer_array(const std::string& k, uint32_t n) const {
    const auto* a = m_.get_array(k);
    std::vector<int64_t> out;
    std::visit(
        [&](const auto& vec) {
          using E = typename std::decay_t<decltype(vec)>::value_type;
          if constexpr (std::is_integral_v<E>) {  // bool included
            for (size_t i = 0; i < vec.size(); ++i) {
              const E e = vec[i];
              if constexpr (std::is_same_v<E, uint64_t>) {
                if (e > static_cast<uint64_t>(INT64_MAX)) m_.fail(k, "entry out of range");
              }
              out.push_back(static_cast<int64_t>(e));
            }
          } else {
            m_.fail(k, "is an array of " + std::string(gguf_type_name(a->element_type())) +
                           ", expected integers");
          }
        },
        a->elements());
    if (out.size() != n)
      m_.fail(k, "has " + std::to_string(out.size()) + " entries, expected " + std::to_string(n));
    return out;
  }

  void check(bool ok, std::string_view name, const std::string& problem) const {
    if (!ok) m_.fail(key(name), problem);
  }

  const GgufMetadata& m_;

 private:
  std::string prefix_;
};

// As a float prints in a message: "inf", "nan", "1e-06" (the value as read, after f64 -> f32).
std::string float_text(float f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(f));
  return buf;
}

Architecture read_architecture(const GgufMetadata& m) {
  const std::string& name = m.require_string("general.architecture");
  const auto arch = architecture_from_name(name);
  if (!arch)
    throw Error(ErrorKind::Unsupported, m.source() + ": model architecture '" + printable(name) +
                                            "' is not supported; rotary runs " +
                                            supported_architectures());
  return *arch;
}

uint32_t read_vocab_size(const GgufMetadata& m) {
  const auto* tokens = m.get_array("tokenizer.ggml.tokens");
  if (!tokens) m.fail("tokenizer.ggml.tokens", "is missing (the vocabulary)");
  if (!tokens->get_if<std::string>()) m.fail("tokenizer.ggml.tokens", "is not an array of strings");
  if (tokens->empty() || tokens->size() > UINT32_MAX)
    m.fail("tokenizer.ggml.tokens", "has no tokens");
  return static_cast<uint32_t>(tokens->size());
}

void read_common(const HparamReader& r, ModelHparams& h) {
  h.n_layer_all = r.require_u32("block_count");
  r.check(h.n_layer_all >= 1 && h.n_layer_all <= kMaxLayers, "block_count",
          std::to_string(h.n_layer_all) + " blocks, expected 1.." + std::to_string(kMaxLayers));
  h.n_nextn = r.u32("nextn_predict_layers").value_or(0);
  r.check(
      h.n_nextn < h.n_layer_all, "nextn_predict_layers",
      std::to_string(h.n_nextn) + " MTP blocks of " + std::to_string(h.n_layer_all) + " in all");
  h.n_layer = h.n_layer_all - h.n_nextn;
  h.n_ctx_train = r.require_u32("context_length");
  h.n_embd = r.require_u32("embedding_length");
  r.check(h.n_embd > 0, "embedding_length", "is 0");

  h.n_head = r.uniform_u32("attention.head_count", h.n_layer_all).value_or(0);
  r.check(h.n_head > 0, "attention.head_count", "is missing or 0");
  h.n_head_kv = r.uniform_u32("attention.head_count_kv", h.n_layer_all).value_or(h.n_head);
  r.check(h.n_head_kv > 0 && h.n_head % h.n_head_kv == 0, "attention.head_count_kv",
          std::to_string(h.n_head_kv) + " does not divide head_count " + std::to_string(h.n_head));
  h.head_dim_k = r.u32("attention.key_length").value_or(h.n_embd / h.n_head);
  h.head_dim_v = r.u32("attention.value_length").value_or(h.n_embd / h.n_head);
  r.check(h.head_dim_k > 0, "attention.key_length", "head dimension is 0");
  r.check(h.head_dim_v > 0, "attention.value_length", "head dimension is 0");
  h.n_rot = r.u32("rope.dimension_count").value_or(h.head_dim_k);
  r.check(h.n_rot > 0 && h.n_rot <= h.head_dim_k && h.n_rot % 2 == 0, "rope.dimension_count",
          "is " + std::to_string(h.n_rot) + "; it must be even, at least 2 and at most the head dimension " +
              std::to_string(h.head_dim_k));
  h.rope_freq_base = r.get_float("rope.freq_base").value_or(10000.0f);
  r.check(std::isfinite(h.rope_freq_base) && h.rope_freq_base > 0, "rope.freq_base",
          "is " + float_text(h.rope_freq_base) + "; it must be a positive finite number");
  h.rms_eps = r.require_float("attention.layer_norm_rms_epsilon");
  r.check(std::isfinite(h.rms_eps) && h.rms_eps > 0, "attention.layer_norm_rms_epsilon",
          "is " + float_text(h.rms_eps) + "; it must be a positive finite number");

  h.n_ff = r.uniform_u32("feed_forward_length", h.n_layer_all).value_or(0);
  h.n_expert = r.u32("expert_count").value_or(0);
  r.check(h.n_expert >= 1 && h.n_expert <= kMaxExperts, "expert_count",
          "is missing or out of range (1.." + std::to_string(kMaxExperts) + ")");
  h.n_expert_used = r.uniform_u32("expert_used_count", h.n_layer_all).value_or(0);
  r.check(h.n_expert_used >= 1 && h.n_expert_used <= h.n_expert, "expert_used_count",
          "is missing or not in 1..expert_count");
  h.n_ff_exp = r.uniform_u32("expert_feed_forward_length", h.n_layer_all).value_or(0);
  if (h.n_ff_exp == 0) h.n_ff_exp = h.n_ff / h.n_expert_used;
  r.check(h.n_ff_exp > 0, "expert_feed_forward_length", "is missing (and feed_forward_length too)");
}

void read_gated_delta_net(const HparamReader& r, ModelHparams& h) {
  h.n_ff_shexp = r.u32("expert_shared_feed_forward_length").value_or(h.n_ff);
  r.check(h.n_ff_shexp > 0, "expert_shared_feed_forward_length",
          "is missing (and feed_forward_length too)");
  h.ssm.conv_kernel = r.require_u32("ssm.conv_kernel");
  h.ssm.inner_size = r.require_u32("ssm.inner_size");
  h.ssm.state_size = r.require_u32("ssm.state_size");
  h.ssm.time_step_rank = r.require_u32("ssm.time_step_rank");
  h.ssm.group_count = r.require_u32("ssm.group_count");
  // Bounded: real models use 4..128; the bound keeps the catalogue's products small.
  for (auto [name, v] : {std::pair{"ssm.conv_kernel", h.ssm.conv_kernel},
                         {"ssm.state_size", h.ssm.state_size},
                         {"ssm.time_step_rank", h.ssm.time_step_rank},
                         {"ssm.group_count", h.ssm.group_count}})
    r.check(v > 0 && v <= 65536, name, "is " + std::to_string(v) + ", expected 1..65536");
  r.check(h.ssm.time_step_rank % h.ssm.group_count == 0, "ssm.time_step_rank",
          "V heads " + std::to_string(h.ssm.time_step_rank) +
              " are not a multiple of the K heads " + std::to_string(h.ssm.group_count));
  r.check(h.ssm.inner_size == h.ssm.value_dim(), "ssm.inner_size",
          "is " + std::to_string(h.ssm.inner_size) + "; it must be ssm.time_step_rank x ssm.state_size = " +
              std::to_string(h.ssm.time_step_rank) + " x " + std::to_string(h.ssm.state_size) + " = " +
              std::to_string(h.ssm.value_dim()));

  // attention.recurrent_layers (one flag per block) takes priority over the interval rule.
  h.recurrent.assign(h.n_layer_all, false);
  h.full_attention_interval = r.u32("full_attention_interval").value_or(4);
  const std::string layers_key = r.key("attention.recurrent_layers");
  if (r.m_.contains(layers_key)) {
    const auto flags = r.integer_array(layers_key, h.n_layer_all);
    for (uint32_t i = 0; i < h.n_layer_all; ++i) h.recurrent[i] = flags[i] != 0;
  } else {
    r.check(h.full_attention_interval > 0, "full_attention_interval", "is 0");
    for (uint32_t i = 0; i < h.n_layer; ++i)
      h.recurrent[i] = (i + 1) % h.full_attention_interval != 0;
  }
}

// rope.dimension_sections: 4 entries, or one value for all 4 (llama.cpp's get_key_or_arr).
std::vector<int32_t> read_rope_sections(const HparamReader& r) {
  const std::string k = r.key("rope.dimension_sections");
  const auto* v = r.m_.find(k);
  if (!v) r.m_.fail(k, "is missing (the M-RoPE sections, 4 entries)");
  std::vector<int64_t> raw;
  if (v->as_array()) {
    raw = r.integer_array(k, 4);
  } else {
    raw.assign(4, r.m_.require_u32(k));
  }
  std::vector<int32_t> out;
  for (int64_t s : raw) {
    if (s < 0 || s > 65536) r.m_.fail(k, "entry " + std::to_string(s) + " is out of range");
    out.push_back(static_cast<int32_t>(s));
  }
  return out;
}

std::string sections_text(const std::vector<int32_t>& s) {
  std::string out;
  for (int32_t v : s) out += (out.empty() ? "[" : ", ") + std::to_string(v);
  return out + "]";
}

// The sections split the rotary pairs (rope.dimension_count / 2) between positions: fewer pairs
// in the sections than the head rotates would wrap pairs around to the first section, which no
// model was trained with.
void check_rope_sections(const HparamReader& r, const ModelHparams& h) {
  int64_t pairs = 0;
  for (int32_t v : h.rope_sections) pairs += v;
  r.check(2 * pairs >= h.n_rot, "rope.dimension_sections",
          "is " + sections_text(h.rope_sections) + ": " + std::to_string(pairs) +
              " rotary pairs, but " + r.key("rope.dimension_count") + " = " + std::to_string(h.n_rot) +
              " rotates " + std::to_string(h.n_rot / 2) + "; the sections must cover every pair");
}

// rope.scaling.*, as llama.cpp's loader and context read them (see RopeScaling).
void read_rope_scaling(const HparamReader& r, ModelHparams& h) {
  RopeScaling& s = h.rope_scaling;
  const std::string type_key = r.key("rope.scaling.type");
  const std::string* type = r.m_.get_string(type_key);
  if (r.m_.contains(type_key) && !type) r.m_.fail(type_key, "is not a string");
  const std::string name = type ? *type : "linear";
  if (name == "none") {
    s.type = RopeScalingType::None;
  } else if (name == "linear") {
    s.type = RopeScalingType::Linear;
  } else if (name == "yarn") {
    s.type = RopeScalingType::Yarn;
  } else {
    r.m_.fail(type_key, "is '" + printable(name) + "'; rotary runs none, linear and yarn");
  }
  const float factor = r.get_float("rope.scaling.factor").value_or(0.0f);
  r.check(std::isfinite(factor) && factor >= 0, "rope.scaling.factor",
          "is " + float_text(factor) + "; it must be 0 (none) or a positive finite number");
  s.freq_scale = factor == 0.0f || s.type == RopeScalingType::None ? 1.0f : 1.0f / factor;
  s.n_ctx_orig = r.u32("rope.scaling.original_context_length").value_or(h.n_ctx_train);
  if (s.n_ctx_orig == 0) s.n_ctx_orig = h.n_ctx_train;
  const float attn = r.get_float("rope.scaling.attn_factor").value_or(1.0f);
  r.check(std::isfinite(attn) && attn > 0, "rope.scaling.attn_factor", "is " + float_text(attn) + "; it must be positive");
  s.ext_factor = s.type == RopeScalingType::Yarn ? 1.0f : 0.0f;
  s.attn_factor = 1.0f;
  if (s.ext_factor != 0.0f) {
    // llama.cpp's mscale for YaRN, then cancelled by the factor the rope kernel multiplies in.
    const float f = 1.0f / s.freq_scale;
    const float mscale = f <= 1.0f ? 1.0f : 0.1f * std::log(f) + 1.0f;
    s.attn_factor = mscale * (1.0f / (1.0f + 0.1f * std::log(f)));
  }
  s.attn_factor *= attn;
  r.check(s.type != RopeScalingType::Yarn || s.n_ctx_orig > 0, "rope.scaling.original_context_length", "is 0");
}

// gpt-oss: the sliding window, which blocks slide, the biases' architecture (no extra keys).
void read_gpt_oss(const HparamReader& r, ModelHparams& h) {
  h.n_swa = r.require_u32("attention.sliding_window");
  r.check(h.n_swa > 0, "attention.sliding_window", "is 0");
  h.swa.assign(h.n_layer_all, false);
  const std::string k = r.key("attention.sliding_window_pattern");
  const auto* v = r.m_.find(k);
  if (v && v->as_array()) {
    const auto flags = r.integer_array(k, h.n_layer_all);
    for (uint32_t i = 0; i < h.n_layer_all; ++i) h.swa[i] = flags[i] != 0;
  } else {
    const uint32_t n = v ? r.m_.require_u32(k) : 2;
    for (uint32_t i = 0; i < h.n_layer; ++i) h.swa[i] = n == 0 || i % n < n - 1;
  }
  h.rope_freq_base_swa = r.get_float("rope.freq_base_swa").value_or(h.rope_freq_base);
  r.check(std::isfinite(h.rope_freq_base_swa) && h.rope_freq_base_swa > 0, "rope.freq_base_swa",
          "is " + float_text(h.rope_freq_base_swa) + "; it must be a positive finite number");
  h.recurrent.assign(h.n_layer_all, false);
}

}  // namespace

std::string_view architecture_name(Architecture arch) {
  switch (arch) {
    case Architecture::Qwen3Moe:
      return "qwen3moe";
    case Architecture::Qwen35Moe:
      return "qwen35moe";
    case Architecture::Qwen3Next:
      return "qwen3next";
    case Architecture::GptOss:
      return "gpt-oss";
  }
  return "?";
}

std::optional<Architecture> architecture_from_name(std::string_view name) {
  for (Architecture a : kArchitectures)
    if (architecture_name(a) == name) return a;
  return std::nullopt;
}

std::string supported_architectures() {
  std::string out;
  for (Architecture a : kArchitectures)
    out += (out.empty() ? "" : ", ") + std::string(architecture_name(a));
  return out;
}

ModelHparams read_hparams(const GgufMetadata& metadata) {
  ModelHparams h;
  h.arch = read_architecture(metadata);
  const HparamReader r(metadata, architecture_name(h.arch));
  read_common(r, h);
  read_rope_scaling(r, h);
  h.n_vocab = read_vocab_size(metadata);
  switch (h.arch) {
    case Architecture::Qwen3Moe:
      h.recurrent.assign(h.n_layer_all, false);
      break;
    case Architecture::Qwen35Moe:
      h.rope_sections = read_rope_sections(r);
      check_rope_sections(r, h);
      read_gated_delta_net(r, h);
      break;
    case Architecture::Qwen3Next:
      read_gated_delta_net(r, h);
      break;
    case Architecture::GptOss:
      read_gpt_oss(r, h);
      break;
  }
  return h;
}

}  // namespace rotary
