#pragma once
// The flags every command that loads a model shares (run, chat, bench), and loading itself.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "loader/gguf_reader.h"
#include "loader/tokenizer/tokenizer.h"
#include "runtime/options.h"

namespace rotary::cli {

void add_model_flags(CLI::App* cmd, RuntimeOptions& o, std::string& model_path);
// --device and --vram-budget alone (info --plan, bench), kept as given with their source so that
// RuntimeOptions::resolve() (or parse_device_index, parse_vram_budget) checks them as it checks
// ROTARY_DEVICE and ROTARY_VRAM_BUDGET.
void add_device_flag(CLI::App* cmd, GivenValue& v, const std::string& help);
// --matvec-path and --matmul-path (runtime/vk/matvec_path.h), parsed by RuntimeOptions::resolve().
void add_kernel_path_flags(CLI::App* cmd, GivenValue& matvec, GivenValue& matmul);
void add_vram_budget_flag(CLI::App* cmd, GivenValue& v, const std::string& help);
// --cache-type-k and --cache-type-v (-ctk, -ctv: llama.cpp's flags); the strings are parsed by
// resolve_kv_types (runtime/options.h).
void add_cache_type_flags(CLI::App* cmd, std::string& k, std::string& v);
// The command line with llama.cpp's multi-letter short flags (-ctk, -ctv), which CLI11 cannot
// declare, spelled as their long forms.
std::vector<std::string> with_long_flags(int argc, char** argv);

// The sampling flags run and chat share (--temp, --top-k, --top-p, --min-p, --repeat-penalty,
// --seed). `seed_given` turns true when --seed is on the command line.
void add_sampling_flags(CLI::App* cmd, SamplingParams& s, std::shared_ptr<bool> seed_given);

struct LoadedModel {
  GgufFile file;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<vk::GpuContext> gpu;
  std::unique_ptr<Model> model;
};

// Opens the GGUF, builds the tokenizer, creates the device and loads the model (progress bar).
LoadedModel load(const std::string& path, RuntimeOptions& options);
// The same in two steps, for a command that needs the tokenizer before the model is loaded:
// the file and the tokenizer; then (options resolved) the device and the model.
LoadedModel open_model(const std::string& path);
void start_model(LoadedModel& m, const RuntimeOptions& options);

}  // namespace rotary::cli
