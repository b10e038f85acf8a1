#include "tests/gpu/model_util.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "tests/gpu/gpu_test.h"

namespace rotary::test {

namespace {

// One folder per process under the build tree, removed after the last test.
const std::filesystem::path& temp_dir() {
  static const std::filesystem::path dir = [] {
    const auto d =
        std::filesystem::path(ROTARY_GPU_TEST_TMP) / ("models-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    at_teardown([d] {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    });
    return d;
  }();
  return dir;
}

std::map<std::string, std::string>& written() {
  static std::map<std::string, std::string> files;
  return files;
}

std::string opt(const std::optional<uint32_t>& v) {
  return v ? std::to_string(*v) : "-";
}

}  // namespace

std::string synth_model_file(const std::string& preset, synth::SynthQuant quant, uint64_t seed,
                             const synth::SynthOverrides& o) {
  const std::string key = preset + "-" + std::string(synth::synth_quant_name(quant)) + "-s" +
                          std::to_string(seed) + "-" + opt(o.n_layer) + "-" + opt(o.n_embd) + "-" +
                          opt(o.n_head) + "-" + opt(o.n_expert) + "-" + opt(o.n_expert_used) + "-" +
                          opt(o.n_vocab);
  auto it = written().find(key);
  if (it != written().end()) return it->second;
  synth::SynthOptions options;
  options.quant = quant;
  options.seed = seed;
  options.threads = 0;
  const auto model =
      synth::plan_synth_model(synth::apply_overrides(synth::find_synth_preset(preset), o), options);
  const std::string path = (temp_dir() / (key + ".gguf")).string();
  synth::write_synth_model(model, path);
  return written()[key] = path;
}

std::string tiny_model_file(const std::string& name, const TinyModel& m) {
  auto it = written().find("tiny-" + name);
  if (it != written().end()) return it->second;
  const std::string path = (temp_dir() / ("tiny-" + name + ".gguf")).string();
  const std::vector<std::byte> bytes = tiny_model_bytes(m);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return written()["tiny-" + name] = path;
}

LoadedModel load_test_model(const std::string& path, const ModelOptions& options) {
  LoadedModel m{GgufFile::open(path), nullptr};
  m.model = load_model(gpu(), m.file, options);
  return m;
}

ModelOptions exact_options(uint32_t ctx) {
  ModelOptions o;
  o.ctx = ctx;
  o.kv_type = ops::KvType::F32;
  o.progress = false;
  return o;
}

GreedyRun run_greedy(Model& model, const std::vector<int32_t>& prompt, uint32_t n) {
  GreedyRun run;
  LogitsRequest all{LogitsRequest::Kind::Full, 0, true};
  StepResult r = model.eval(prompt, 0, all);
  run.logits = std::move(r.logits);
  run.rows = r.rows;
  const uint32_t vocab = model.hparams().n_vocab;
  uint32_t pos = static_cast<uint32_t>(prompt.size());
  for (uint32_t i = 0; i < n; ++i) {
    // Greedy: the first maximum of the last row (llama.cpp's greedy sampler keeps the first).
    const float* row = run.logits.data() + (run.rows - 1) * uint64_t{vocab};
    const int32_t token = static_cast<int32_t>(std::max_element(row, row + vocab) - row);
    run.tokens.push_back(token);
    const int32_t one[1] = {token};
    r = model.eval(one, pos++, {LogitsRequest::Kind::Full, 0, false});
    run.logits.insert(run.logits.end(), r.logits.begin(), r.logits.end());
    run.rows += 1;
  }
  return run;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i)
    m = std::max(m, std::fabs(static_cast<double>(a[i]) - b[i]));
  return m;
}

}  // namespace rotary::test
