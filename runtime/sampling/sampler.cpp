#include "runtime/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "base/error.h"

namespace rotary {

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Best (highest logit) first; equal logits by lower id, as llama.cpp's greedy sampler picks.
bool better(const Candidate& a, const Candidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

}  // namespace

void check_sampling_params(const SamplingParams& p) {
  auto check = [](const char* flag, double value, bool ok, const char* range) {
    if (ok && std::isfinite(value)) return;
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    throw Error(ErrorKind::InvalidArgument, std::string(flag) + " " + text + ": must be " + range);
  };
  check("--temp", p.temperature, p.temperature >= 0.0f, "a number >= 0 (0 is greedy)");
  check("--top-k", p.top_k, p.top_k >= 0, "an integer >= 0 (0 turns it off)");
  check("--top-p", p.top_p, p.top_p > 0.0f && p.top_p <= 1.0f, "above 0 and at most 1 (1 turns it off)");
  check("--min-p", p.min_p, p.min_p >= 0.0f && p.min_p < 1.0f, "at least 0 and below 1 (0 turns it off)");
  check("--repeat-penalty", p.repeat_penalty, p.repeat_penalty > 0.0f, "a number above 0 (1 turns it off)");
}

Sampler::Sampler(const SamplingParams& params) : params_(params) {
  check_sampling_params(params);
  uint64_t s = params.seed;
  for (auto& w : state_) w = splitmix64(s);
}

bool Sampler::penalised() const {
  return params_.repeat_last_n != 0 &&
         (params_.repeat_penalty != 1.0f || params_.frequency_penalty != 0.0f || params_.presence_penalty != 0.0f);
}

uint32_t Sampler::candidates_needed() const {
  if (penalised()) return 0;
  if (greedy()) return 1;
  return params_.top_k > 0 ? static_cast<uint32_t>(params_.top_k) : 0;
}

double Sampler::next_uniform() {
  // xoshiro256**
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return static_cast<double>(result >> 11) * 0x1.0p-53;
}

void Sampler::apply_penalties(std::vector<Candidate>& c) const {
  if (!penalised() || recent_.empty()) return;
  std::unordered_map<int32_t, uint32_t> seen;
  for (int32_t t : recent_) ++seen[t];
  for (Candidate& x : c) {
    const auto it = seen.find(x.id);
    if (it == seen.end()) continue;
    if (params_.repeat_penalty != 1.0f)
      x.logit = x.logit > 0 ? x.logit / params_.repeat_penalty : x.logit * params_.repeat_penalty;
    x.logit -= static_cast<float>(it->second) * params_.frequency_penalty + params_.presence_penalty;
  }
}

int32_t Sampler::sample(std::vector<Candidate> c) {
  require(!c.empty(), ErrorKind::Internal, "sampling from no candidates");
  apply_penalties(c);
  if (greedy()) return std::min_element(c.begin(), c.end(), better)->id;

  std::sort(c.begin(), c.end(), better);
  if (params_.top_k > 0 && c.size() > static_cast<size_t>(params_.top_k)) c.resize(static_cast<size_t>(params_.top_k));

  // Probabilities at temperature 1, for the top-p and min-p filters.
  auto probabilities = [](const std::vector<Candidate>& v) {
    std::vector<double> p(v.size());
    const double max = v.front().logit;
    double sum = 0;
    for (size_t i = 0; i < v.size(); ++i) sum += (p[i] = std::exp(static_cast<double>(v[i].logit) - max));
    for (double& x : p) x /= sum;
    return p;
  };
  if (params_.top_p < 1.0f) {
    const auto p = probabilities(c);
    double cum = 0;
    size_t keep = c.size();
    for (size_t i = 0; i < c.size(); ++i) {
      cum += p[i];
      if (cum >= params_.top_p) {
        keep = i + 1;
        break;
      }
    }
    c.resize(keep);
  }
  if (params_.min_p > 0.0f) {
    const auto p = probabilities(c);
    size_t keep = 1;
    while (keep < c.size() && p[keep] >= params_.min_p * p[0]) ++keep;
    c.resize(keep);
  }

  std::vector<double> w(c.size());
  const double max = c.front().logit;
  double sum = 0;
  for (size_t i = 0; i < c.size(); ++i)
    sum += (w[i] = std::exp((static_cast<double>(c[i].logit) - max) / params_.temperature));
  double r = next_uniform() * sum;
  for (size_t i = 0; i < c.size(); ++i) {
    r -= w[i];
    if (r < 0) return c[i].id;
  }
  return c.back().id;
}

int32_t Sampler::sample_row(std::span<const float> logits) {
  std::vector<Candidate> c(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) c[i] = {static_cast<int32_t>(i), logits[i]};
  return sample(std::move(c));
}

void Sampler::set_history(std::span<const int32_t> tokens) {
  recent_.clear();
  for (int32_t t : tokens) accept(t);
}

void Sampler::accept(int32_t token) {
  if (params_.repeat_last_n == 0) return;
  recent_.push_back(token);
  const size_t limit = params_.repeat_last_n < 0 ? SIZE_MAX : static_cast<size_t>(params_.repeat_last_n);
  while (recent_.size() > limit) recent_.pop_front();
}

}  // namespace rotary
