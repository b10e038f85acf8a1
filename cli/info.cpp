// `rotary info MODEL.gguf [--json]`: what a model file holds. Validates the whole file (header,
// every tensor's shape against the architecture) so that a file info accepts is one rotary can
// load; a malformed or unsupported file is an error with a non-zero exit.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <optional>

#include "base/json.h"
#include "base/printable.h"
#include "cli/info_plan.h"
#include "base/units.h"
#include "cli/commands.h"
#include "loader/gguf_reader.h"
#include "loader/hparams.h"
#include "loader/model_catalog.h"
#include "loader/model_check.h"
#include "runtime/ops/kernel_limits.h"
#include "loader/tokenizer_data.h"

namespace rotary::cli {

namespace {

struct ModelInfo {
  std::string path;
  const GgufFile& file;
  ModelHparams h;
  TokenizerData tok;
  WeightSummary weights;
};

std::string bytes_text(uint64_t b) {
  return b < 1024 ? std::to_string(b) + " B" : std::to_string(b) + " B (" + format_bytes(b) + ")";
}

// The float as people wrote it (1e-06, not 9.99999997e-07): 7 significant digits is what an
// f32 holds.
double float_for_json(float f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", double(f));
  return std::strtod(buf, nullptr);
}

std::string optional_id(const std::optional<uint32_t>& id) {
  return id ? std::to_string(*id) : "-";
}

uint32_t count_recurrent(const ModelHparams& h) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < h.n_layer; ++i) n += h.is_recurrent(i) ? 1 : 0;
  return n;
}

void print_hparams(const ModelHparams& h) {
  std::printf("architecture: %s\n", std::string(architecture_name(h.arch)).c_str());
  std::printf("  blocks %u (+%u MTP), embedding %u, vocab %u, context %u\n", h.n_layer, h.n_nextn,
              h.n_embd, h.n_vocab, h.n_ctx_train);
  std::printf(
      "  attention: %u heads, %u KV heads, head dim %u/%u, rope %u dims, freq base %g, rms eps "
      "%g\n",
      h.n_head, h.n_head_kv, h.head_dim_k, h.head_dim_v, h.n_rot, double(h.rope_freq_base),
      double(h.rms_eps));
  std::printf("  experts: %u, %u used per token, expert FFN %u, shared expert FFN %s\n", h.n_expert,
              h.n_expert_used, h.n_ff_exp,
              h.n_ff_shexp ? std::to_string(h.n_ff_shexp).c_str() : "none");
  if (h.arch == Architecture::GptOss) {
    uint32_t swa = 0;
    for (uint32_t i = 0; i < h.n_layer; ++i) swa += h.is_swa(i) ? 1 : 0;
    std::printf("  sliding window %u in %u of %u blocks; rope scaling %s x%g over %u, attention sinks, biases\n",
                h.n_swa, swa, h.n_layer, h.rope_scaling.type == RopeScalingType::Yarn ? "yarn" : "linear/none",
                double(1.0f / h.rope_scaling.freq_scale), h.rope_scaling.n_ctx_orig);
  }
  if (h.has_gated_delta_net()) {
    const uint32_t rec = count_recurrent(h);
    std::printf(
        "  gated deltanet in %u of %u blocks (interval %u); conv %u, state %u, K heads %u, "
        "V heads %u, inner %u\n",
        rec, h.n_layer, h.full_attention_interval, h.ssm.conv_kernel, h.ssm.state_size,
        h.ssm.group_count, h.ssm.time_step_rank, h.ssm.inner_size);
  }
}

// Runs of blocks whose one-expert size is the same: "blocks 0-5: 3059712 B".
void print_expert_bytes(const ModelHparams& h, const WeightSummary& w) {
  std::printf("one routed expert (gate+up+down) per block:\n");
  const auto& per = w.expert_bytes_per_layer;
  for (size_t i = 0; i < per.size();) {
    size_t j = i;
    while (j + 1 < per.size() && per[j + 1] == per[i] &&
           h.is_mtp(uint32_t(j + 1)) == h.is_mtp(uint32_t(i)))
      ++j;
    std::printf("  block%s %zu%s: %s%s\n", i == j ? "" : "s", i,
                i == j ? "" : ("-" + std::to_string(j)).c_str(), bytes_text(per[i]).c_str(),
                h.is_mtp(uint32_t(i)) ? " (MTP)" : "");
    i = j + 1;
  }
}

// Up front: the tensors rotary cannot compute with, a few by name.
void print_unsupported(const WeightSummary& w) {
  if (w.unsupported.empty()) return;
  std::printf("rotary cannot run this file: %zu tensor%s in types it has no kernels for:", w.unsupported.size(),
              w.unsupported.size() == 1 ? " is" : "s are");
  const size_t shown = std::min<size_t>(w.unsupported.size(), 5);
  for (size_t i = 0; i < shown; ++i)
    std::printf("%s %s (%s)", i ? "," : "", w.unsupported[i]->name.c_str(),
                std::string(ggml_type_name(w.unsupported[i]->type)).c_str());
  if (shown < w.unsupported.size()) std::printf(" and %zu more", w.unsupported.size() - shown);
  std::printf("; rotary runs %s\n", supported_type_names().c_str());
}

void print_roles(const WeightSummary& w) {
  std::printf("types by role:\n");
  for (const RoleTypes& r : w.roles) {
    std::printf("  %-16s", (r.role + ":").c_str());
    bool first = true;
    for (const auto& [type, n] : r.tensors_by_type) {
      std::printf("%s %s %u%s", first ? "" : ",", std::string(ggml_type_name(type)).c_str(), n,
                  ggml_type_info(type).supported_by_rotary ? "" : " (unsupported)");
      first = false;
    }
    std::printf("\n");
  }
}

void print_text(const ModelInfo& m) {
  const auto& f = m.file;
  std::printf("%s: GGUF v%u, %s, %zu tensors, %zu metadata keys, alignment %u\n", printable(m.path, m.path.size()).c_str(),
              f.version(), bytes_text(f.file_size()).c_str(), f.tensors().size(),
              f.metadata().size(), f.alignment());
  print_unsupported(m.weights);
  if (const auto* name = f.metadata().find("general.name"); name && name->as_string())
    std::printf("name: %s\n", printable(*name->as_string()).c_str());
  print_hparams(m.h);
  std::printf("tensors by type:");
  for (const auto& [type, n] : m.weights.tensors_by_type)
    std::printf(" %s %u (%s)", std::string(ggml_type_name(type)).c_str(), n,
                format_bytes(m.weights.bytes_by_type.at(type)).c_str());
  std::printf("\n");
  print_roles(m.weights);
  std::printf("weights: total %s\n", bytes_text(m.weights.total_bytes).c_str());
  std::printf("  dense %s\n", bytes_text(m.weights.dense_bytes).c_str());
  std::printf("  routed experts %s\n", bytes_text(m.weights.expert_bytes).c_str());
  print_expert_bytes(m.h, m.weights);
  const auto& t = m.tok;
  std::printf(
      "tokenizer: %s, pre %s, %zu tokens, %zu merges, bos %s, eos %s, eot %s, pad %s, add_bos %s, "
      "chat template %s\n",
      printable(t.model).c_str(), t.pre.empty() ? "-" : printable(t.pre).c_str(), t.tokens.size(), t.merges.size(),
      optional_id(t.bos_id).c_str(), optional_id(t.eos_id).c_str(), optional_id(t.eot_id).c_str(),
      optional_id(t.padding_id).c_str(),
      t.add_bos_token ? (*t.add_bos_token ? "true" : "false") : "-",
      t.chat_template ? "yes" : "no");
}

Json optional_json(const std::optional<uint32_t>& id) {
  return id ? Json(*id) : Json(nullptr);
}

Json hparams_json(const ModelHparams& h) {
  Json j = {{"n_layer", h.n_layer},
            {"n_nextn", h.n_nextn},
            {"n_embd", h.n_embd},
            {"n_vocab", h.n_vocab},
            {"n_ctx_train", h.n_ctx_train},
            {"n_head", h.n_head},
            {"n_head_kv", h.n_head_kv},
            {"head_dim_k", h.head_dim_k},
            {"head_dim_v", h.head_dim_v},
            {"n_rot", h.n_rot},
            {"rope_freq_base", float_for_json(h.rope_freq_base)},
            {"rms_eps", float_for_json(h.rms_eps)},
            {"n_expert", h.n_expert},
            {"n_expert_used", h.n_expert_used},
            {"n_ff_exp", h.n_ff_exp},
            {"n_ff_shexp", h.n_ff_shexp}};
  if (h.arch == Architecture::GptOss) {
    j["sliding_window"] = h.n_swa;
    Json& swa = j["swa_layers"] = Json::array();
    for (uint32_t i = 0; i < h.n_layer_all; ++i)
      if (h.is_swa(i)) swa.push_back(i);
    j["rope_scaling_factor"] = float_for_json(1.0f / h.rope_scaling.freq_scale);
    j["rope_scaling_original_context"] = h.rope_scaling.n_ctx_orig;
  }
  if (h.has_gated_delta_net()) {
    j["ssm"] = {{"conv_kernel", h.ssm.conv_kernel},
                {"state_size", h.ssm.state_size},
                {"group_count", h.ssm.group_count},
                {"time_step_rank", h.ssm.time_step_rank},
                {"inner_size", h.ssm.inner_size}};
    j["full_attention_interval"] = h.full_attention_interval;
    Json& layers = j["recurrent_layers"] = Json::array();
    for (uint32_t i = 0; i < h.n_layer_all; ++i)
      if (h.is_recurrent(i)) layers.push_back(i);
  }
  return j;
}

Json tokenizer_json(const TokenizerData& t) {
  return {{"model", t.model},
          {"pre", t.pre},
          {"vocab_size", uint64_t{t.tokens.size()}},
          {"merges", uint64_t{t.merges.size()}},
          {"bos_id", optional_json(t.bos_id)},
          {"eos_id", optional_json(t.eos_id)},
          {"eot_id", optional_json(t.eot_id)},
          {"padding_id", optional_json(t.padding_id)},
          {"add_bos_token", t.add_bos_token ? Json(*t.add_bos_token) : Json(nullptr)},
          {"chat_template", t.chat_template.has_value()}};
}

Json weights_json(const ModelInfo& m, Json j) {
  Json& by_type = j["tensors_by_type"] = Json::object();
  for (const auto& [type, n] : m.weights.tensors_by_type)
    by_type[ggml_type_name(type)] = {{"count", n}, {"bytes", m.weights.bytes_by_type.at(type)}};
  Json& by_role = j["types_by_role"] = Json::object();
  for (const RoleTypes& r : m.weights.roles) {
    Json& role = by_role[r.role] = Json::object();
    for (const auto& [type, n] : r.tensors_by_type) role[ggml_type_name(type)] = n;
  }
  Json& unsupported = j["unsupported_tensors"] = Json::array();
  for (const GgufTensorInfo* t : m.weights.unsupported)
    unsupported.push_back({{"name", t->name}, {"type", ggml_type_name(t->type)}});
  j["bytes"] = {{"total", m.weights.total_bytes},
                {"dense", m.weights.dense_bytes},
                {"experts", m.weights.expert_bytes}};
  j["expert_bytes_per_layer"] = m.weights.expert_bytes_per_layer;
  return j;
}

void print_json(const ModelInfo& m, const std::optional<PlannedDevice>& plan) {
  const auto& f = m.file;
  Json j = {{"file", m.path},
            {"gguf_version", f.version()},
            {"file_bytes", uint64_t{f.file_size()}},
            {"alignment", f.alignment()},
            {"data_offset", f.data_offset()},
            {"metadata_keys", uint64_t{f.metadata().size()}},
            {"tensor_count", uint64_t{f.tensors().size()}},
            {"architecture", architecture_name(m.h.arch)},
            {"hparams", hparams_json(m.h)}};
  j = weights_json(m, std::move(j));
  j["tokenizer"] = tokenizer_json(m.tok);
  if (plan) {
    j["plan_device"] = plan->device;
    j["plan"] = plan->plan.to_json();
  }
  std::printf("%s\n", dump_json(j).c_str());
}

}  // namespace

void add_info_command(CLI::App& app, Exit& exit) {
  auto* cmd = app.add_subcommand("info", "Show what a GGUF model holds, after checking it");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto plan_args = std::make_shared<PlanArgs>();
  cmd->add_option("model", *path, "The model file (.gguf)")->required();
  cmd->add_flag("--json", *json, "Print one JSON object");
  add_plan_flags(cmd, *plan_args);
  cmd->callback([path, json, plan_args, &exit] {
    const GgufFile file = GgufFile::open(*path);
    // The same check as loading the model for rotary run (loader/model_check.h), except that
    // tensors in types without kernels are listed up front in the report, which then fails
    // (exit 3) as run would.
    KernelLimits limits = ops::kernel_limits();
    const std::vector<GgmlType> kernel_types = std::move(limits.weight_types);
    limits.weight_types.clear();
    const ModelHparams h = validate_model(file, limits);
    ModelInfo info{*path, file, h, read_tokenizer_data(file.metadata()), {}};
    info.weights = summarize_weights(h, file);
    std::optional<PlannedDevice> plan;
    if (plan_args->plan) plan = make_plan(file, h, *plan_args);
    if (*json) {
      print_json(info, plan);
    } else {
      print_text(info);
      if (plan) std::printf("\non %s\n%s", plan->device.c_str(), plan->plan.describe().c_str());
    }
    std::fflush(stdout);
    limits.weight_types = kernel_types;
    check_kernel_limits(h, file, limits);
    exit.code = 0;
  });
}

}  // namespace rotary::cli
