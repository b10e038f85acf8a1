// `rotary synth --preset NAME --quant TYPE -o FILE [--seed S] [overrides]`: writes a random-weight
// GGUF model with the tensor names, shapes and metadata of a real one (loader/synth/).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "base/units.h"
#include "cli/commands.h"
#include "loader/ggml_types.h"
#include "loader/synth/synth_model.h"

namespace rotary::cli {

namespace {

struct SynthArgs {
  bool list = false;
  std::string preset, quant, output, weights = "auto", chat_template_file;
  uint64_t seed = 0;
  unsigned threads = 2;
  synth::SynthOverrides overrides;
};

void list_presets() {
  for (const auto& p : synth::synth_presets())
    std::printf("%-16s %s; vocab %u\n", p.name.c_str(), p.description.c_str(), p.n_vocab);
  std::printf("types: %s\n", synth::synth_quant_names().c_str());
}

std::string format_count(uint64_t n) {
  char buf[32];
  if (n >= 1'000'000'000)
    std::snprintf(buf, sizeof buf, "%.2fB", static_cast<double>(n) / 1e9);
  else
    std::snprintf(buf, sizeof buf, "%.2fM", static_cast<double>(n) / 1e6);
  return buf;
}

synth::SynthWeights parse_weights(const std::string& text) {
  if (text == "auto") return synth::SynthWeights::Auto;
  if (text == "floats") return synth::SynthWeights::Floats;
  if (text == "blocks") return synth::SynthWeights::Blocks;
  throw Error(ErrorKind::InvalidArgument,
              "--weights must be auto, floats or blocks, not '" + text + "'");
}

void run_synth(const SynthArgs& a) {
  if (a.list) return list_presets();
  require(!a.preset.empty(), ErrorKind::InvalidArgument,
          "--preset is required (rotary synth --list-presets shows them)");
  require(!a.output.empty(), ErrorKind::InvalidArgument, "-o FILE is required");
  const synth::SynthPreset preset =
      synth::apply_overrides(synth::find_synth_preset(a.preset), a.overrides);
  // The default is what the real model ships as: gpt-oss's experts in MXFP4 (its 2880-wide rows
  // fit no K-quant), the others' Q4_K_M.
  const std::string quant_name = !a.quant.empty() ? a.quant : preset.is_gpt_oss() ? "MXFP4" : "Q4_K_M";
  const auto quant = synth::synth_quant_from_name(quant_name);
  if (!quant) {
    // rotary runs more types than it quantises: say so rather than "unknown".
    const auto runs = ggml_type_from_name(quant_name);
    if (runs && ggml_type_info(*runs).supported_by_rotary)
      throw Error(ErrorKind::InvalidArgument,
                  "--quant " + quant_name + ": rotary runs " + std::string(ggml_type_info(*runs).name) +
                      " files but does not write them (take them from llama.cpp's quantiser, "
                      "llama-quantize); synth writes " + synth::synth_quant_names());
    throw Error(ErrorKind::InvalidArgument,
                "unknown --quant '" + quant_name + "'; synth writes " + synth::synth_quant_names());
  }
  synth::SynthOptions options;
  options.quant = *quant;
  options.seed = a.seed;
  options.weights = parse_weights(a.weights);
  options.threads = a.threads;
  options.progress = true;
  if (!a.chat_template_file.empty()) {
    std::ifstream in(a.chat_template_file, std::ios::binary);
    require(in.good(), ErrorKind::Io, "--chat-template-file: cannot read " + a.chat_template_file);
    options.chat_template.assign(std::istreambuf_iterator<char>(in), {});
    require(!options.chat_template.empty(), ErrorKind::InvalidArgument,
            "--chat-template-file " + a.chat_template_file + " is empty");
  }
  const synth::SynthModel model = synth::plan_synth_model(preset, options);
  const auto result = synth::write_synth_model(model, a.output);
  std::printf("wrote %s: %s (%llu bytes), %zu tensors, %s parameters, %s, in %.1f s (%s/s)\n",
              a.output.c_str(), format_bytes(result.file_bytes).c_str(),
              static_cast<unsigned long long>(result.file_bytes), model.tensors.size(),
              format_count(model.parameters).c_str(),
              std::string(synth::synth_quant_name(*quant)).c_str(), result.seconds,
              format_bytes(static_cast<uint64_t>(static_cast<double>(result.file_bytes) /
                                                 std::max(result.seconds, 1e-6)))
                  .c_str());
}

}  // namespace

void add_synth_command(CLI::App& app, Exit& exit) {
  auto* cmd =
      app.add_subcommand("synth", "Write a random-weight GGUF model of a real model's shape");
  auto a = std::make_shared<SynthArgs>();
  cmd->add_flag("--list-presets", a->list, "List the presets and types, then exit");
  cmd->add_option("--preset", a->preset,
                  "Model shape: qwen3-30b-a3b, qwen3.6-35b-a3b, gpt-oss-20b, tiny-qwen3moe, ...");
  cmd->add_option("--quant", a->quant,
                  "Weight type synth writes: F32 F16 BF16 Q8_0 Q4_0 Q4_K Q5_K Q6_K IQ4_XS MXFP4 Q4_K_M "
                  "(default: Q4_K_M; MXFP4 for gpt-oss presets; rotary runs more types, "
                  "docs/quantization.md, but does not quantise them)");
  cmd->add_option("-o,--output", a->output, "The .gguf file to write (through FILE.tmp)");
  cmd->add_option("--seed", a->seed, "Random seed; the same seed makes the same file")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "Generator threads (0: generate on the writing thread)")
      ->capture_default_str();
  cmd->add_option("--weights", a->weights,
                  "auto, floats (quantise random floats) or blocks (random blocks, disk speed)")
      ->capture_default_str();
  cmd->add_option("--chat-template-file", a->chat_template_file,
                  "Write this Jinja chat template into the model instead of synth's ChatML one");
  auto override_opt = [&](const char* flag, std::optional<uint32_t>& field, const char* help) {
    cmd->add_option_function<uint32_t>(
        flag, [&field](const uint32_t& v) { field = v; }, help);
  };
  override_opt("--layers", a->overrides.n_layer, "Override the number of layers");
  override_opt("--hidden", a->overrides.n_embd, "Override the hidden size");
  override_opt("--heads", a->overrides.n_head, "Override the attention heads (head size stays)");
  override_opt("--experts", a->overrides.n_expert, "Override the number of routed experts");
  override_opt("--experts-used", a->overrides.n_expert_used, "Override the experts used per token");
  override_opt("--vocab", a->overrides.n_vocab, "Override the vocabulary size");
  cmd->callback([a, &exit] {
    run_synth(*a);
    exit.code = 0;
  });
}

}  // namespace rotary::cli
