#include "bench/model/llama_engine.h"

#include <filesystem>
#include <sstream>

#include "base/error.h"
#include "base/json.h"
#include "bench/model/subprocess.h"

namespace rotary::bench {

LlamaEngine::LlamaEngine(LlamaOptions options, std::vector<uint64_t> expert_bytes_per_layer)
    : options_(std::move(options)), expert_bytes_(std::move(expert_bytes_per_layer)) {}

std::string LlamaEngine::find_oracle(const std::string& given) {
  const char* how =
      "build it: scripts/setup-oracle.sh, then configure with -DROTARY_ORACLE_DIR=$PWD/.oracle and "
      "ninja -C build rotary-oracle; or pass --oracle PATH";
  if (!given.empty()) {
    require(!find_in_path(given).empty(), ErrorKind::Io,
            "--oracle " + given + " is not an executable; " + how);
    return given;
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto candidate = self.parent_path().parent_path() / "tests" / "oracle" / "rotary-oracle";
  require(!ec && std::filesystem::is_regular_file(candidate), ErrorKind::Io,
          "--llama needs rotary-oracle (llama.cpp), which is not next to this rotary; " +
              std::string(how));
  return candidate.string();
}

std::string LlamaEngine::invoke(const std::vector<std::string>& args, const char* what) const {
  std::vector<std::string> argv{options_.oracle};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r =
      run_process(argv, {{"GGML_VK_VISIBLE_DEVICES", std::to_string(options_.device_index)}});
  if (r.exit_code != 0) {
    std::string cmd;
    for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    throw Error(ErrorKind::Internal, std::string("llama.cpp ") + what + " failed (exit " +
                                         std::to_string(r.exit_code) + "): " + cmd + "\n" + r.err);
  }
  return r.out;
}

std::vector<std::string> LlamaEngine::bench_args(const TestSpec& test, const std::string& backend,
                                                 int32_t n_cpu_moe) const {
  const bool pp = test.kind == TestKind::Prompt;
  return {"bench",       options_.model_path,
          "-p",          std::to_string(pp ? test.tokens : 0),
          "-n",          std::to_string(pp ? 0 : test.tokens),
          "-d",          std::to_string(test.depth),
          "-r",          "1",
          "--threads",   std::to_string(options_.threads),
          "--kv-type",   options_.kv_type,
          "--backend",   backend,
          "--n-cpu-moe", std::to_string(std::max(n_cpu_moe, 0)),
          "--json"};
}

std::vector<int32_t> LlamaEngine::greedy(const std::vector<int32_t>& prompt, uint32_t n) {
  std::string ids;
  for (int32_t t : prompt) ids += (ids.empty() ? "" : ",") + std::to_string(t);
  const std::string out =
      invoke({"eval", options_.model_path, "--tokens", ids, "-n", std::to_string(n), "--kv-type",
              options_.kv_type, "--threads", std::to_string(options_.threads)},
             "greedy check");
  std::vector<int32_t> tokens;
  std::stringstream in(out);
  std::string item;
  while (std::getline(in, item, ',')) tokens.push_back(static_cast<int32_t>(std::stol(item)));
  require(tokens.size() == n, ErrorKind::Internal,
          "llama.cpp's eval printed " + std::to_string(tokens.size()) + " tokens, not " +
              std::to_string(n));
  return tokens;
}

int32_t LlamaEngine::fit_n_cpu_moe(const TestSpec& test, uint64_t budget) {
  const auto layers = static_cast<int32_t>(expert_bytes_.size());
  auto it = fixed_.find(test.name());
  if (it == fixed_.end()) {
    std::vector<std::string> args = bench_args(test, "vulkan", layers);
    args.push_back("--memory-only");
    const Json j = parse_json(invoke(args, "memory probe"), "rotary-oracle bench --json");
    it = fixed_.emplace(test.name(), static_cast<uint64_t>(json_number_or(j, "vram_buffers", 0)))
             .first;
  }
  uint64_t need = it->second;
  if (need > budget) return -1;
  // Bring layers' experts onto the device from the last layer down while they fit.
  int32_t n = layers;
  while (n > 0 && need + expert_bytes_[static_cast<size_t>(n - 1)] <= budget)
    need += expert_bytes_[static_cast<size_t>(--n)];
  return n;
}

LlamaRun LlamaEngine::run(const TestSpec& test, const std::string& backend, int32_t n_cpu_moe) {
  const Json j = parse_json(invoke(bench_args(test, backend, n_cpu_moe), "benchmark"),
                            "rotary-oracle bench --json");
  LlamaRun r;
  const char* key = test.kind == TestKind::Prompt ? "pp_ms" : "tg_ms";
  const Json& ms = json_array(j, key);
  require(ms.size() == 1, ErrorKind::Internal, std::string("rotary-oracle bench gave no ") + key);
  r.seconds = json_number(ms[0]) / 1000.0;
  r.vram_buffers = static_cast<uint64_t>(json_number_or(j, "vram_buffers", 0));
  r.vram_driver = static_cast<uint64_t>(json_number_or(j, "vram_driver", 0));
  r.device = json_string_or(j, "device", "");
  return r;
}

}  // namespace rotary::bench
