#include "loader/model_catalog.h"

#include <algorithm>
#include <set>

#include "base/printable.h"
#include "base/error.h"
#include "loader/tensor_names.h"
#include "loader/tensor_shape.h"

namespace rotary {

namespace {

constexpr std::string_view kExpertSuffixes[] = {"ffn_gate_exps.weight", "ffn_up_exps.weight",
                                                "ffn_down_exps.weight"};

// ggml compares shapes as four dimensions padded with 1s.
bool same_shape(std::span<const uint64_t> a, std::span<const uint64_t> b) {
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i)
    if ((i < a.size() ? a[i] : 1) != (i < b.size() ? b[i] : 1)) return false;
  return true;
}

class BlockBuilder {
 public:
  BlockBuilder(std::vector<TensorSpec>& out, uint32_t layer, bool required)
      : out_(out), layer_(layer), required_(required) {}

  void add(std::string_view name, std::vector<uint64_t> shape, bool optional = false) {
    const std::string full = block_tensor(layer_, name);
    out_.push_back({full, std::move(shape), static_cast<int32_t>(layer_), required_ && !optional,
                    is_routed_expert_tensor(full)});
  }

 private:
  std::vector<TensorSpec>& out_;
  uint32_t layer_;
  bool required_;
};

// Q, K, V, output projections and the per-head Q/K norms. Gated attention (qwen35moe,
// qwen3next) doubles attn_q: per head [query | gate].
void add_attention(BlockBuilder& b, const ModelHparams& h, bool gated) {
  const uint64_t e = h.n_embd, q = uint64_t{h.head_dim_k} * h.n_head;
  b.add("attn_q.weight", {e, gated ? 2 * q : q});
  b.add("attn_k.weight", {e, uint64_t{h.head_dim_k} * h.n_head_kv});
  b.add("attn_v.weight", {e, uint64_t{h.head_dim_v} * h.n_head_kv});
  b.add("attn_output.weight", {q, e});
  b.add("attn_q_norm.weight", {h.head_dim_k});
  b.add("attn_k_norm.weight", {h.head_dim_k});
}

void add_gated_delta_net(BlockBuilder& b, const ModelHparams& h) {
  const uint64_t e = h.n_embd, v_heads = h.ssm.time_step_rank;
  if (h.arch == Architecture::Qwen3Next) {
    // Current converters write attn_qkv + attn_gate; older ones wrote one fused ssm_in.
    b.add("ssm_in.weight", {e, 2 * h.ssm.key_dim() + 2 * h.ssm.value_dim()}, true);
    b.add("attn_qkv.weight", {e, h.ssm.conv_channels()}, true);
    b.add("attn_gate.weight", {e, h.ssm.value_dim()}, true);
    b.add("ssm_ba.weight", {e, 2 * v_heads});
  } else {
    b.add("attn_qkv.weight", {e, h.ssm.conv_channels()});
    b.add("attn_gate.weight", {e, h.ssm.value_dim()});
    b.add("ssm_beta.weight", {e, v_heads});
    b.add("ssm_alpha.weight", {e, v_heads});
  }
  b.add("ssm_conv1d.weight", {h.ssm.conv_kernel, h.ssm.conv_channels()});
  b.add("ssm_dt.bias", {v_heads});
  b.add("ssm_a", {v_heads});
  b.add("ssm_norm.weight", {h.ssm.state_size});
  b.add("ssm_out.weight", {h.ssm.value_dim(), e});
}

void add_experts(BlockBuilder& b, const ModelHparams& h) {
  const uint64_t e = h.n_embd, f = h.n_ff_exp, n = h.n_expert;
  b.add("ffn_gate_inp.weight", {e, n});
  b.add("ffn_gate_exps.weight", {e, f, n});
  b.add("ffn_up_exps.weight", {e, f, n});
  b.add("ffn_down_exps.weight", {f, e, n});
  if (h.has_shared_expert()) {
    const uint64_t s = h.n_ff_shexp;
    b.add("ffn_gate_inp_shexp.weight", {e});
    b.add("ffn_gate_shexp.weight", {e, s});
    b.add("ffn_up_shexp.weight", {e, s});
    b.add("ffn_down_shexp.weight", {s, e});
  }
}

// gpt-oss: attention with biases on every projection and a learned sink logit per head (no Q/K
// norms), a router with a bias, and routed experts with a bias per expert on each matrix (dense:
// they stay resident, indexed by the chosen expert).
void add_gpt_oss(BlockBuilder& b, const ModelHparams& h) {
  const uint64_t e = h.n_embd, q = uint64_t{h.head_dim_k} * h.n_head, kv = uint64_t{h.head_dim_k} * h.n_head_kv;
  const uint64_t f = h.n_ff_exp, n = h.n_expert;
  b.add("post_attention_norm.weight", {e});
  b.add("attn_q.weight", {e, q});
  b.add("attn_q.bias", {q});
  b.add("attn_k.weight", {e, kv});
  b.add("attn_k.bias", {kv});
  b.add("attn_v.weight", {e, uint64_t{h.head_dim_v} * h.n_head_kv});
  b.add("attn_v.bias", {uint64_t{h.head_dim_v} * h.n_head_kv});
  b.add("attn_output.weight", {uint64_t{h.head_dim_v} * h.n_head, e});
  b.add("attn_output.bias", {e});
  b.add("attn_sinks.weight", {h.n_head});
  b.add("ffn_gate_inp.weight", {e, n});
  b.add("ffn_gate_inp.bias", {n});
  b.add("ffn_gate_exps.weight", {e, f, n});
  b.add("ffn_gate_exps.bias", {f, n});
  b.add("ffn_up_exps.weight", {e, f, n});
  b.add("ffn_up_exps.bias", {f, n});
  b.add("ffn_down_exps.weight", {f, e, n});
  b.add("ffn_down_exps.bias", {e, n});
}

void add_nextn(BlockBuilder& b, const ModelHparams& h) {
  const uint64_t e = h.n_embd;
  b.add("nextn.eh_proj.weight", {2 * e, e});
  b.add("nextn.enorm.weight", {e});
  b.add("nextn.hnorm.weight", {e});
  b.add("nextn.embed_tokens.weight", {e, h.n_vocab}, true);
  b.add("nextn.shared_head_head.weight", {e, h.n_vocab}, true);
  b.add("nextn.shared_head_norm.weight", {e}, true);
}

// qwen3next's recurrent blocks carry either attn_qkv + attn_gate or the older fused ssm_in.
void check_qwen3next_projections(const ModelHparams& h, const GgufFile& file) {
  for (uint32_t i = 0; i < h.n_layer; ++i) {
    if (!h.is_recurrent(i)) continue;
    const std::string blk = block_prefix(i);
    const bool split =
        file.find_tensor(blk + "attn_qkv.weight") && file.find_tensor(blk + "attn_gate.weight");
    if (!split && !file.find_tensor(blk + "ssm_in.weight"))
      throw Error(ErrorKind::InvalidModel,
                  file.source() + ": missing tensor '" + blk + "attn_qkv.weight' and '" + blk +
                      "attn_gate.weight' (or the older fused '" + blk + "ssm_in.weight')");
  }
}

// A block that nextn_predict_layers makes an MTP block is not run. One that holds tensors but
// none of the MTP head's (a regular block under a wrong count) would silently drop a block from
// the model, so it is refused. An MTP block with no tensors at all (the head stripped) is fine.
void check_mtp_blocks(const ModelHparams& h, const GgufFile& file) {
  // No MTP head in these: their MTP blocks hold no tensors.
  if (h.arch == Architecture::Qwen3Moe || h.arch == Architecture::GptOss) return;
  for (uint32_t i = h.n_layer; i < h.n_layer_all; ++i) {
    const std::string blk = "blk." + std::to_string(i) + ".";
    if (file.find_tensor(blk + "nextn.eh_proj.weight")) continue;
    bool any = false;
    for (const auto& t : file.tensors()) any = any || t.name.starts_with(blk);
    if (!any) continue;
    const std::string key = std::string(architecture_name(h.arch)) + ".nextn_predict_layers";
    file.metadata().fail(key, "is " + std::to_string(h.n_nextn) + ", which makes block " + std::to_string(i) +
                                  " an MTP block, but it has no MTP tensors (" + blk +
                                  "nextn.eh_proj.weight): a regular block that rotary would not run");
  }
}

}  // namespace

std::optional<uint32_t> tensor_block_index(std::string_view name) {
  constexpr std::string_view kPrefix = "blk.";
  if (!name.starts_with(kPrefix)) return std::nullopt;
  name.remove_prefix(kPrefix.size());
  uint64_t index = 0;
  size_t digits = 0;
  for (; digits < name.size() && name[digits] >= '0' && name[digits] <= '9'; ++digits) {
    index = index * 10 + static_cast<uint64_t>(name[digits] - '0');
    if (index > UINT32_MAX) return std::nullopt;
  }
  if (digits == 0 || digits >= name.size() || name[digits] != '.') return std::nullopt;
  return static_cast<uint32_t>(index);
}

bool is_routed_expert_tensor(std::string_view name) {
  if (!tensor_block_index(name)) return false;
  const std::string_view rest = name.substr(name.find('.', 4) + 1);
  return std::find(std::begin(kExpertSuffixes), std::end(kExpertSuffixes), rest) !=
         std::end(kExpertSuffixes);
}

std::vector<TensorSpec> global_tensors(const ModelHparams& h) {
  const uint64_t e = h.n_embd, v = h.n_vocab;
  return {
      {"token_embd.weight", {e, v}, -1, true, false},
      {"output_norm.weight", {e}, -1, true, false},
      // absent: tied to token_embd (gpt-oss requires it, as llama.cpp does)
      {"output.weight", {e, v}, -1, h.arch == Architecture::GptOss, false},
  };
}

std::vector<TensorSpec> block_tensors(const ModelHparams& h, uint32_t layer) {
  if (layer >= h.n_layer_all)
    throw Error(ErrorKind::InvalidArgument, "block " + std::to_string(layer) + " of a model with " +
                                                std::to_string(h.n_layer_all) + " blocks");
  std::vector<TensorSpec> out;
  // llama.cpp's qwen3moe has no MTP head: it loads blocks below n_layer only, so an MTP block of
  // a qwen3moe file holds no tensors (any there are unexpected).
  if ((h.arch == Architecture::Qwen3Moe || h.arch == Architecture::GptOss) && h.is_mtp(layer)) return out;
  // The MTP blocks are not run for plain generation: their tensors are checked when present.
  BlockBuilder b(out, layer, !h.is_mtp(layer));
  const uint64_t e = h.n_embd;
  b.add("attn_norm.weight", {e});
  if (h.arch == Architecture::GptOss) {
    add_gpt_oss(b, h);
    return out;
  }
  if (h.arch == Architecture::Qwen3Moe) {
    add_attention(b, h, false);
    b.add("ffn_norm.weight", {e});
  } else {
    b.add("post_attention_norm.weight", {e});
    if (h.is_recurrent(layer)) {
      add_gated_delta_net(b, h);
    } else {
      add_attention(b, h, true);
    }
  }
  add_experts(b, h);
  if (h.is_mtp(layer)) add_nextn(b, h);
  return out;
}

std::vector<TensorSpec> model_tensors(const ModelHparams& h) {
  std::vector<TensorSpec> out = global_tensors(h);
  for (uint32_t i = 0; i < h.n_layer_all; ++i) {
    auto block = block_tensors(h, i);
    std::move(block.begin(), block.end(), std::back_inserter(out));
  }
  return out;
}

void validate_tensors(const ModelHparams& h, const GgufFile& file) {
  const std::string arch(architecture_name(h.arch));
  std::set<std::string_view> expected;
  const auto specs = model_tensors(h);
  for (const auto& spec : specs) {
    expected.insert(spec.name);
    const auto* t = file.find_tensor(spec.name);
    if (!t) {
      if (!spec.required) continue;
      throw Error(ErrorKind::InvalidModel, file.source() + ": missing tensor '" + spec.name +
                                               "' (" + arch + " expects shape " +
                                               shape_text(spec.shape) + ")");
    }
    if (!same_shape(t->shape, spec.shape))
      throw Error(ErrorKind::InvalidModel, file.source() + ": tensor '" + spec.name +
                                               "' (info at byte " + std::to_string(t->info_offset) +
                                               ") has shape " + shape_text(t->shape) + ", " + arch +
                                               " with these hyperparameters expects " +
                                               shape_text(spec.shape));
  }
  if (h.arch == Architecture::Qwen3Next) check_qwen3next_projections(h, file);
  check_mtp_blocks(h, file);
  for (const auto& t : file.tensors())
    if (!expected.contains(t.name))
      throw Error(ErrorKind::InvalidModel, file.source() + ": unexpected tensor '" + printable(t.name) +
                                               "' (info at byte " + std::to_string(t.info_offset) +
                                               "): not part of the " + arch +
                                               " layout with these hyperparameters");
}

std::string_view tensor_role(std::string_view name) {
  const auto has = [&](std::string_view part) { return name.find(part) != std::string_view::npos; };
  if (name == "token_embd.weight") return "embedding";
  if (name == "output.weight") return "output";
  if (has("nextn.")) return "mtp";
  if (has("_norm") || name.ends_with(".ssm_a") || has("ssm_dt") || has("ssm_conv1d") || has("attn_sinks") ||
      name.ends_with(".bias"))
    return "norms and small";
  if (is_routed_expert_tensor(name)) return "experts";
  if (has("_shexp")) return "shared expert";
  if (has("ffn_gate_inp")) return "router";
  if (has("ssm_") || has("attn_qkv") || has("attn_gate")) return "gated deltanet";
  if (has("attn_")) return "attention";
  if (has("ffn_")) return "dense ffn";
  return "other";
}

WeightSummary summarize_weights(const ModelHparams& h, const GgufFile& file) {
  WeightSummary s;
  s.expert_bytes_per_layer.assign(h.n_layer_all, 0);
  for (const auto& t : file.tensors()) {
    const std::string_view role = tensor_role(t.name);
    auto r = std::find_if(s.roles.begin(), s.roles.end(), [&](const RoleTypes& x) { return x.role == role; });
    if (r == s.roles.end()) r = s.roles.insert(s.roles.end(), RoleTypes{std::string(role), {}});
    r->tensors_by_type[t.type] += 1;
    if (!ggml_type_info(t.type).supported_by_rotary) s.unsupported.push_back(&t);
    s.total_bytes += t.n_bytes;
    s.tensors_by_type[t.type] += 1;
    s.bytes_by_type[t.type] += t.n_bytes;
    if (!is_routed_expert_tensor(t.name)) {
      s.dense_bytes += t.n_bytes;
      continue;
    }
    s.expert_bytes += t.n_bytes;
    const uint32_t layer = *tensor_block_index(t.name);
    if (layer < h.n_layer_all && t.shape.size() == 3 && t.shape[2] > 0)
      s.expert_bytes_per_layer[layer] += t.n_bytes / t.shape[2];
  }
  return s;
}

std::span<const std::byte> expert_slice(const GgufTensorInfo& tensor, uint32_t expert) {
  if (tensor.shape.size() != 3 || expert >= tensor.shape[2])
    throw Error(ErrorKind::InvalidArgument, "expert " + std::to_string(expert) + " of tensor '" +
                                                tensor.name + "' with shape " +
                                                shape_text(tensor.shape));
  const uint64_t per_expert = tensor.n_bytes / tensor.shape[2];
  return tensor.data.subspan(expert * per_expert, per_expert);
}

}  // namespace rotary
