#pragma once
// The generate loop: the prompt in chunks, then one token at a time through the sampler, with the
// statistics every run ends with. A session keeps its position, so a chat can add turns.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "base/npy.h"
#include "runtime/models/model.h"
#include "runtime/sampling/sampler.h"

namespace rotary {

class Tokenizer;

struct GenerateOptions {
  uint32_t max_tokens = 128;
  bool stop_at_end_of_generation = true;  // EOS/EOT/<|im_end|> end the answer
  NpyWriter* logits_out = nullptr;         // a row per prompt position and per generated position
  // Called with each token as it is chosen; return false to stop (Ctrl-C in chat).
  std::function<bool(int32_t token)> on_token;
};

struct RunStats {
  uint32_t prompt_tokens = 0;
  double prompt_seconds = 0;
  uint32_t generated_tokens = 0;
  double generate_seconds = 0;
  uint64_t peak_vram = 0;         // rotary's own accounting
  uint64_t driver_peak_vram = 0;  // VK_EXT_memory_budget's heap usage, 0 when not reported
  ModelStats model;               // residency and routing

  double prompt_tps() const { return prompt_seconds > 0 ? prompt_tokens / prompt_seconds : 0; }
  double generate_tps() const { return generate_seconds > 0 ? generated_tokens / generate_seconds : 0; }
  std::string line() const;  // the one line every run ends with
  // What happened after `earlier` (a copy of the same session's stats): counters subtracted,
  // peaks kept. One chat answer's statistics.
  RunStats since(const RunStats& earlier) const;
};

class JsonWriter;
void write_stats_json(JsonWriter& w, const RunStats& s);

class Session {
 public:
  Session(vk::GpuContext& gpu, Model& model, const Tokenizer* tokenizer, const SamplingParams& sampling);

  // Evaluates `prompt` after what the session already holds, then generates. Returns the new
  // tokens (a stopping token included when it ended the answer).
  std::vector<int32_t> generate(std::span<const int32_t> prompt, const GenerateOptions& options);
  uint32_t position() const { return pos_; }
  // The tokens at positions [0, position()): what the cache holds (a server matches a new
  // prompt's tokens against them to reuse the longest common prefix).
  const std::vector<int32_t>& tokens() const { return tokens_; }
  // Sampling for the next generate() calls (a server's requests each bring their own); the
  // penalties' history is kept.
  void set_sampling(const SamplingParams& sampling);
  const RunStats& stats() const { return stats_; }
  void reset();
  // Forgets the tokens at positions >= pos, so that a chat can replace the end of what the
  // session holds (Qwen3's template drops an answer's reasoning once the next question comes).
  // Only models without recurrent state can (the KV cache is overwritten by position); others
  // throw Error(Unsupported): reset() and evaluate again.
  bool can_rewind() const;
  void rewind(uint32_t pos);

 private:
  LogitsRequest request(bool want_rows) const;
  int32_t choose(const StepResult& r);
  void sample_vram();

  vk::GpuContext& gpu_;
  Model& model_;
  const Tokenizer* tokenizer_;
  Sampler sampler_;
  uint32_t pos_ = 0;
  std::vector<int32_t> tokens_;  // the tokens at positions [0, pos_): the sampler's history
  RunStats stats_;
};

}  // namespace rotary
