#pragma once
// The generate loop: the prompt in chunks, then one token at a time through the sampler, with the
// statistics every run ends with. A session keeps its position, so a chat can add turns.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "base/json_fwd.h"
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

// Why the last generate() ended.
enum class StopReason {
  Length,           // max_tokens were generated
  EndOfGeneration,  // an end-of-generation token (EOS, EOT, <|im_end|>)
  Stopped,          // on_token returned false (Ctrl-C)
  ContextFull,      // the next token has no room in the context
};
const char* to_string(StopReason reason);  // "length", "eos", "interrupted", "context_full"

struct RunStats {
  uint32_t prompt_tokens = 0;
  double prompt_seconds = 0;
  uint32_t generated_tokens = 0;
  double generate_seconds = 0;  // the whole generation loop: sampling and decode steps
  // Decode steps: generated tokens evaluated one at a time, and the time those evaluations took.
  // The first token of an answer comes from the prompt's logits and the last needs no
  // evaluation, so N tokens take N - 1 steps; the decode rate is steps per second of steps.
  uint32_t decode_steps = 0;
  double decode_seconds = 0;
  uint64_t peak_vram = 0;         // rotary's own accounting
  uint64_t driver_peak_vram = 0;  // VK_EXT_memory_budget's heap usage, 0 when not reported
  ModelStats model;               // residency and routing

  // Tokens per second, or nothing when there is nothing to measure (no prompt; fewer than two
  // generated tokens, which is no decode step).
  std::optional<double> prompt_tps() const;
  std::optional<double> generate_tps() const;
  std::string line() const;  // the one line every run ends with
  // What happened after `earlier` (a copy of the same session's stats): counters subtracted,
  // peaks kept. One chat answer's statistics.
  RunStats since(const RunStats& earlier) const;
};

// The figures as JSON (run --json, chat transcripts, serve's timings).
Json stats_json(const RunStats& s);

class Session {
 public:
  Session(vk::GpuContext& gpu, Model& model, const Tokenizer* tokenizer, const SamplingParams& sampling);

  // Evaluates `prompt` after what the session already holds, then generates. Returns the new
  // tokens (a stopping token included when it ended the answer).
  std::vector<int32_t> generate(std::span<const int32_t> prompt, const GenerateOptions& options);
  StopReason stop_reason() const { return stop_; }  // why the last generate() ended
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
  StopReason stop_ = StopReason::Length;
};

}  // namespace rotary
