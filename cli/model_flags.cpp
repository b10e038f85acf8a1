#include "cli/model_flags.h"

#include <charconv>

#include "loader/tokenizer_data.h"

namespace rotary::cli {

namespace {
CLI::Option* add_given(CLI::App* cmd, const std::string& flag, GivenValue& v, const std::string& help) {
  return cmd->add_option(flag, v.text, help)->each([&v, flag](const std::string&) { v.from = flag; });
}
}  // namespace

void add_device_flag(CLI::App* cmd, GivenValue& v, const std::string& help) {
  add_given(cmd, "--device", v, help);
}

void add_kernel_path_flags(CLI::App* cmd, GivenValue& matvec, GivenValue& matmul) {
  add_given(cmd, "--matvec-path", matvec,
            "Decode weight kernels: auto, u32 (32-bit loads), u16 (8/16-bit loads), dot (Q8_1 integer dot)");
  add_given(cmd, "--matmul-path", matmul,
            "Prefill matmul: auto (scalar), scalar, coopmat (cooperative matrices; not yet run on a device)");
}

void add_vram_budget_flag(CLI::App* cmd, GivenValue& v, const std::string& help) {
  add_given(cmd, "--vram-budget", v, help);
}

void add_model_flags(CLI::App* cmd, RuntimeOptions& o, std::string& model_path) {
  cmd->add_option("-m,--model", model_path, "GGUF model file")->required();
  add_device_flag(cmd, o.device, "Vulkan device index (rotary devices lists them)");
  add_vram_budget_flag(cmd, o.vram_budget, "VRAM rotary may use: bytes or 6.3G, 6300M, 6.3GiB, 6.3GB");
  cmd->add_option("--ctx", o.model.ctx, "Context length in tokens (KV cache size)")->capture_default_str();
  cmd->add_flag("--exact", o.exact, "F32 KV cache: the path that matches llama.cpp's numbers");
  add_cache_type_flags(cmd, o.cache_type_k, o.cache_type_v);
  cmd->add_flag("--timestamps", o.timestamps,
                "GPU timestamps for the upload statistics (GB/s, compute wait, hidden); else n/a");
  cmd->add_option("--policy", o.policy, "Expert cache policy: lru, lfu (belady only replays a trace)")
      ->capture_default_str();
  cmd->add_flag("!--no-prefetch", o.model.moe.prefetch, "Do not predict and upload the next layer's experts early");
  cmd->add_option("--residency", o.residency,
                  "Where experts are read from: copy (VRAM slot pool), in-place (unified memory), auto")
      ->capture_default_str();
  cmd->add_option("--expert-slots", o.model.expert_slots, "Expert slots in VRAM (default: as many as the budget fits)");
  cmd->add_option("--prefill-chunk", o.model.prefill_chunk, "Prompt tokens processed at once")->capture_default_str();
  cmd->add_flag("--validation", o.gpu.validation, "Enable the Vulkan validation layer (slow; for debugging)");
  add_kernel_path_flags(cmd, o.matvec_path, o.matmul_path);
  cmd->add_flag("--check-ops", o.model.check.enabled,
                "Check every op against its CPU reference as the model runs; stop at the first that diverges "
                "(slow; for debugging)");
  cmd->add_flag("!--no-progress", o.model.progress, "No progress bar while loading");
}

void add_cache_type_flags(CLI::App* cmd, std::string& k, std::string& v) {
  cmd->add_option("--cache-type-k", k, "-ctk: KV cache type for K: f16 (default), q8_0, q4_0, f32");
  cmd->add_option("--cache-type-v", v, "-ctv: KV cache type for V: f16 (default), q8_0, q4_0, f32");
}

std::vector<std::string> with_long_flags(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;  // what follows is not a flag
    if (args[i] == "-ctk") args[i] = "--cache-type-k";
    if (args[i] == "-ctv") args[i] = "--cache-type-v";
  }
  return args;
}

void add_sampling_flags(CLI::App* cmd, SamplingParams& s, std::shared_ptr<bool> seed_given) {
  cmd->add_option("--temp", s.temperature, "Temperature; 0 is greedy")->capture_default_str();
  cmd->add_option("--top-k", s.top_k, "Top-k (0: off)")->capture_default_str();
  cmd->add_option("--top-p", s.top_p, "Top-p (1: off)")->capture_default_str();
  cmd->add_option("--min-p", s.min_p, "Min-p (0: off)")->capture_default_str();
  cmd->add_option("--repeat-penalty", s.repeat_penalty, "Repetition penalty (1: off)")->capture_default_str();
  // -1 asks for a random seed, as in llama.cpp.
  cmd->add_option_function<std::string>(
      "--seed",
      [&s, seed_given](const std::string& v) {
        uint64_t seed = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seed);
        *seed_given = v != "-1";
        if (*seed_given) {
          require(!v.empty() && ec == std::errc() && end == v.data() + v.size(), ErrorKind::InvalidArgument,
                  "--seed '" + v + "': not a seed; give an integer from 0 to 2^64-1, or -1 for a random one");
          s.seed = seed;
        }
      },
      "Random seed (default and -1: random, reported in --json)");
}

LoadedModel open_model(const std::string& path) {
  LoadedModel m{GgufFile::open(path), nullptr, nullptr, nullptr};
  m.tokenizer = std::make_unique<Tokenizer>(read_tokenizer_data(m.file.metadata()));
  return m;
}

void start_model(LoadedModel& m, const RuntimeOptions& options) {
  m.gpu = vk::GpuContext::create(options.gpu);
  m.model = load_model(*m.gpu, m.file, options.model);
}

LoadedModel load(const std::string& path, RuntimeOptions& options) {
  options.resolve();
  LoadedModel m = open_model(path);
  start_model(m, options);
  return m;
}

}  // namespace rotary::cli
