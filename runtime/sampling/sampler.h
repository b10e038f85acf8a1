#pragma once
// Token samplers. The chain follows llama.cpp's default order: penalties (repetition, then
// OpenAI's frequency and presence penalties, over the last repeat_last_n tokens), top-k,
// top-p, min-p, temperature, then a draw from the softmax. Temperature 0 is greedy. The same seed
// gives the same tokens: the random stream is our own (splitmix/xoshiro), not the standard
// library's distributions, whose output differs between implementations.
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace rotary {

struct SamplingParams {
  float temperature = 0.8f;   // <= 0: greedy
  int32_t top_k = 40;         // <= 0: off
  float top_p = 0.95f;        // >= 1: off
  float min_p = 0.05f;        // <= 0: off
  float repeat_penalty = 1.0f;  // 1: off; > 1 lowers the logits of recently seen tokens
  int32_t repeat_last_n = 64;   // how many recent tokens the penalty looks at
  uint64_t seed = 0;
  // OpenAI's penalties, as llama.cpp applies them: a token seen c > 0 times among the recent
  // tokens loses c * frequency_penalty + presence_penalty from its logit. 0: off.
  float frequency_penalty = 0.0f;
  float presence_penalty = 0.0f;
};

// Throws Error(InvalidArgument), naming the flag and the value, unless every parameter is finite
// and in its range: --temp >= 0, --top-k >= 0, 0 < --top-p <= 1, 0 <= --min-p < 1,
// --repeat-penalty > 0. The command line checks before loading a model;
// the Sampler checks again.
void check_sampling_params(const SamplingParams& params);

struct Candidate {
  int32_t id;
  float logit;
};

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);

  bool greedy() const { return params_.temperature <= 0.0f; }
  // The number of top candidates (by logit) the GPU must hand over for the result to be exact;
  // 0 means the whole logits row is needed (top-k off, or a penalty, which can reorder tokens).
  uint32_t candidates_needed() const;

  // Chooses a token from `candidates` (any order; at least candidates_needed() of the best, or
  // the whole row). Does not record it: call accept() with the token actually used.
  int32_t sample(std::vector<Candidate> candidates);
  // Convenience over a full logits row.
  int32_t sample_row(std::span<const float> logits);
  void accept(int32_t token);
  // Replaces the repetition-penalty history with the last tokens of `tokens`.
  void set_history(std::span<const int32_t> tokens);

  const SamplingParams& params() const { return params_; }

 private:
  double next_uniform();  // [0, 1)
  bool penalised() const;
  void apply_penalties(std::vector<Candidate>& c) const;

  SamplingParams params_;
  uint64_t state_[4];
  std::deque<int32_t> recent_;
};

}  // namespace rotary
