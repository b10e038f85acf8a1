#include "tests/support/tiny_models.h"

#include <algorithm>
#include <cstring>

#include "loader/quant/half.h"

namespace rotary::test {

std::vector<std::byte> pattern_bytes(uint64_t n, uint64_t seed) {
  std::vector<std::byte> out(n);
  uint64_t z = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (i % 8 == 0) {  // splitmix64 of (seed, word index)
      z = seed + (i / 8 + 1) * 0x9e3779b97f4a7c15ull;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
    }
    out[i] = static_cast<std::byte>(z >> (8 * (i % 8)));
  }
  return out;
}

namespace {

bool recurrent_block(const TinyModel& m, uint32_t i) {
  return m.arch != Architecture::Qwen3Moe && i < m.n_layer &&
         (i + 1) % m.full_attention_interval != 0;
}

// Float tensors hold values in [-0.5, 0.5) so that llama.cpp can run and quantise the models
// (random bits would include infinities and NaNs); the pattern still decides every value.
void finite_values(GgmlType type, std::vector<std::byte>& data) {
  const size_t width = type == GgmlType::F32 ? 4 : 2;
  for (size_t i = 0; i + width <= data.size(); i += width) {
    uint32_t bits = 0;
    std::memcpy(&bits, data.data() + i, width);
    const float v = static_cast<float>(bits % 65536) / 65536.0f - 0.5f;
    if (type == GgmlType::F32) {
      std::memcpy(data.data() + i, &v, 4);
    } else {
      const uint16_t h = type == GgmlType::F16 ? quant::f32_to_fp16(v) : quant::f32_to_bf16(v);
      std::memcpy(data.data() + i, &h, 2);
    }
  }
}

class TensorAdder {
 public:
  TensorAdder(GgufWriter& w, const TinyModel& m) : w_(w), m_(m) {}
  void add(const std::string& name, std::vector<uint64_t> shape, GgmlType type) {
    uint64_t n = 1;
    for (uint64_t d : shape) n *= d;
    const auto& info = ggml_type_info(type);
    const uint64_t bytes = n / info.block_size * info.type_size;
    auto data = pattern_bytes(bytes, m_.seed * 1000003 + counter_++);
    if (type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16)
      finite_values(type, data);
    w_.add_tensor(name, type, std::move(shape), data);
  }
  void weight(const std::string& name, std::vector<uint64_t> shape) {
    add(name, std::move(shape), m_.weight_type);
  }
  void f32(const std::string& name, std::vector<uint64_t> shape) {
    add(name, std::move(shape), GgmlType::F32);
  }

 private:
  GgufWriter& w_;
  const TinyModel& m_;
  uint64_t counter_ = 0;
};

void add_attention(TensorAdder& t, const TinyModel& m, const std::string& b, bool gated) {
  const uint64_t e = m.n_embd, q = uint64_t{m.n_head} * m.head_dim,
                 kv = uint64_t{m.n_head_kv} * m.head_dim;
  t.weight(b + "attn_q.weight", {e, gated ? 2 * q : q});
  t.weight(b + "attn_k.weight", {e, kv});
  t.weight(b + "attn_v.weight", {e, kv});
  t.weight(b + "attn_output.weight", {q, e});
  t.f32(b + "attn_q_norm.weight", {m.head_dim});
  t.f32(b + "attn_k_norm.weight", {m.head_dim});
}

void add_gdn(TensorAdder& t, const TinyModel& m, const std::string& b) {
  const uint64_t e = m.n_embd, key = uint64_t{m.ssm_state} * m.ssm_groups,
                 val = uint64_t{m.ssm_state} * m.ssm_v_heads;
  t.weight(b + "attn_qkv.weight", {e, 2 * key + val});
  t.weight(b + "attn_gate.weight", {e, val});
  t.f32(b + "ssm_conv1d.weight", {m.ssm_conv, 2 * key + val});
  t.f32(b + "ssm_dt.bias", {m.ssm_v_heads});
  t.f32(b + "ssm_a", {m.ssm_v_heads});
  if (m.arch == Architecture::Qwen3Next) {
    t.weight(b + "ssm_ba.weight", {e, 2 * uint64_t{m.ssm_v_heads}});
  } else {
    t.weight(b + "ssm_beta.weight", {e, m.ssm_v_heads});
    t.weight(b + "ssm_alpha.weight", {e, m.ssm_v_heads});
  }
  t.f32(b + "ssm_norm.weight", {m.ssm_state});
  t.weight(b + "ssm_out.weight", {val, e});
}

void add_block(TensorAdder& t, const TinyModel& m, uint32_t i) {
  const std::string b = "blk." + std::to_string(i) + ".";
  const uint64_t e = m.n_embd, f = m.n_ff_exp, x = m.n_expert;
  t.f32(b + "attn_norm.weight", {e});
  if (m.arch == Architecture::Qwen3Moe) {
    add_attention(t, m, b, false);
    t.f32(b + "ffn_norm.weight", {e});
  } else {
    t.f32(b + "post_attention_norm.weight", {e});
    if (recurrent_block(m, i)) {
      add_gdn(t, m, b);
    } else {
      add_attention(t, m, b, true);
    }
  }
  t.f32(b + "ffn_gate_inp.weight", {e, x});
  t.weight(b + "ffn_gate_exps.weight", {e, f, x});
  t.weight(b + "ffn_up_exps.weight", {e, f, x});
  t.add(b + "ffn_down_exps.weight", {f, e, x},
        i < m.down_exps_types.size() ? m.down_exps_types[i] : m.weight_type);
  if (m.arch != Architecture::Qwen3Moe) {
    const uint64_t s = m.n_ff_shexp;
    t.f32(b + "ffn_gate_inp_shexp.weight", {e});
    t.weight(b + "ffn_gate_shexp.weight", {e, s});
    t.weight(b + "ffn_up_shexp.weight", {e, s});
    t.weight(b + "ffn_down_shexp.weight", {s, e});
  }
  if (i >= m.n_layer && m.mtp_tensors) {  // MTP block
    t.weight(b + "nextn.eh_proj.weight", {2 * e, e});
    t.f32(b + "nextn.enorm.weight", {e});
    t.f32(b + "nextn.hnorm.weight", {e});
  }
}

}  // namespace

namespace {

// add_tiny_metadata's writes, with TinyModel::metadata and ::drop applied.
class MetadataOverrides {
 public:
  MetadataOverrides(GgufWriter& w, const TinyModel& m) : w_(w), m_(m) {}
  void set(const std::string& key, GgufValue value) {
    for (const std::string& d : m_.drop)
      if (d == key) return;
    for (const auto& [k, v] : m_.metadata)
      if (k == key) {
        w_.set(key, v);
        used_.push_back(key);
        return;
      }
    w_.set(key, std::move(value));
  }
  void finish() {
    for (const auto& [k, v] : m_.metadata)
      if (std::find(used_.begin(), used_.end(), k) == used_.end()) w_.set(k, v);
  }

 private:
  GgufWriter& w_;
  const TinyModel& m_;
  std::vector<std::string> used_;
};

}  // namespace

void add_tiny_metadata(GgufWriter& out, const TinyModel& m) {
  MetadataOverrides w(out, m);
  const std::string a(architecture_name(m.arch));
  w.set("general.architecture", GgufValue(a));
  w.set("general.name", GgufValue("tiny-" + a));
  if (m.alignment != 32) w.set("general.alignment", GgufValue(m.alignment));
  w.set(a + ".block_count", GgufValue(m.n_layer + m.n_nextn));
  if (m.n_nextn) w.set(a + ".nextn_predict_layers", GgufValue(m.n_nextn));
  w.set(a + ".context_length", GgufValue(uint32_t{256}));
  w.set(a + ".embedding_length", GgufValue(m.n_embd));
  w.set(a + ".attention.head_count", GgufValue(m.n_head));
  w.set(a + ".attention.head_count_kv", GgufValue(m.n_head_kv));
  w.set(a + ".attention.key_length", GgufValue(m.head_dim));
  w.set(a + ".attention.value_length", GgufValue(m.head_dim));
  w.set(a + ".attention.layer_norm_rms_epsilon", GgufValue(1e-6f));
  w.set(a + ".rope.freq_base", GgufValue(1e6f));
  w.set(a + ".expert_count", GgufValue(m.n_expert));
  w.set(a + ".expert_used_count", GgufValue(m.n_expert_used));
  w.set(a + ".expert_feed_forward_length", GgufValue(m.n_ff_exp));
  if (m.arch != Architecture::Qwen3Moe) {
    w.set(a + ".rope.dimension_count", GgufValue(m.head_dim / 2));
    if (m.arch == Architecture::Qwen35Moe)
      w.set(a + ".rope.dimension_sections", GgufValue(GgufArray(std::vector<int32_t>{2, 2, 0, 0})));
    w.set(a + ".expert_shared_feed_forward_length", GgufValue(m.n_ff_shexp));
    w.set(a + ".ssm.conv_kernel", GgufValue(m.ssm_conv));
    w.set(a + ".ssm.state_size", GgufValue(m.ssm_state));
    w.set(a + ".ssm.group_count", GgufValue(m.ssm_groups));
    w.set(a + ".ssm.time_step_rank", GgufValue(m.ssm_v_heads));
    w.set(a + ".ssm.inner_size", GgufValue(m.ssm_state * m.ssm_v_heads));
    w.set(a + ".full_attention_interval", GgufValue(m.full_attention_interval));
  }
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  for (uint32_t i = 0; i + 1 < m.n_vocab; ++i) {
    tokens.push_back(std::string(1, static_cast<char>('a' + i % 26)) +
                     (i >= 26 ? std::to_string(i) : ""));
    types.push_back(1);
  }
  tokens.push_back("<|endoftext|>");
  types.push_back(3);
  w.set("tokenizer.ggml.model", GgufValue(std::string("gpt2")));
  w.set("tokenizer.ggml.pre", GgufValue(std::string("qwen2")));
  w.set("tokenizer.ggml.tokens", GgufValue(GgufArray(tokens)));
  w.set("tokenizer.ggml.token_type", GgufValue(GgufArray(types)));
  w.set("tokenizer.ggml.merges", GgufValue(GgufArray(std::vector<std::string>{"a b"})));
  w.set("tokenizer.ggml.bos_token_id", GgufValue(m.n_vocab - 1));
  w.set("tokenizer.ggml.eos_token_id", GgufValue(m.n_vocab - 1));
  w.set("tokenizer.ggml.add_bos_token", GgufValue(false));
  w.set("tokenizer.chat_template",
        GgufValue(std::string("{% for m in messages %}{{ m.content }}{% endfor %}")));
  w.finish();
}

void add_tiny_tensors(GgufWriter& w, const TinyModel& m) {
  TensorAdder t(w, m);
  const uint64_t e = m.n_embd, v = m.n_vocab;
  t.weight("token_embd.weight", {e, v});
  t.f32("output_norm.weight", {e});
  if (!m.tied_output) t.weight("output.weight", {e, v});
  // qwen3moe has no MTP head in llama.cpp: its nextn blocks are metadata only.
  const uint32_t blocks = m.arch == Architecture::Qwen3Moe ? m.n_layer : m.n_layer + m.n_nextn;
  for (uint32_t i = 0; i < blocks; ++i) add_block(t, m, i);
}

std::vector<std::byte> tiny_model_bytes(const TinyModel& m) {
  GgufWriter w;
  add_tiny_metadata(w, m);
  add_tiny_tensors(w, m);
  return w.to_bytes();
}

}  // namespace rotary::test
