#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "base/error.h"
#include "runtime/sampling/sampler.h"

namespace rotary {
namespace {

std::vector<Candidate> row(std::initializer_list<float> logits) {
  std::vector<Candidate> c;
  int32_t id = 0;
  for (float l : logits) c.push_back({id++, l});
  return c;
}

TEST_CASE("greedy picks the highest logit, the lowest id on a tie") {
  Sampler s({.temperature = 0});
  CHECK(s.greedy());
  CHECK(s.candidates_needed() == 1);
  CHECK(s.sample(row({0.1f, 2.0f, -1.0f, 2.0f})) == 1);
}

TEST_CASE("the same seed gives the same tokens; another seed differs") {
  auto draw = [](uint64_t seed) {
    Sampler s({.temperature = 1.0f, .top_k = 0, .top_p = 1.0f, .min_p = 0.0f, .seed = seed});
    std::vector<int32_t> out;
    for (int i = 0; i < 200; ++i) out.push_back(s.sample(row({0, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f})));
    return out;
  };
  CHECK(draw(7) == draw(7));
  CHECK(draw(7) != draw(8));
}

TEST_CASE("draws follow the softmax at the given temperature") {
  const float logits[] = {1.0f, 0.0f, -1.0f, 0.5f};
  const float temp = 0.7f;
  Sampler s({.temperature = temp, .top_k = 0, .top_p = 1.0f, .min_p = 0.0f, .seed = 3});
  std::map<int32_t, int> counts;
  const int n = 200000;
  for (int i = 0; i < n; ++i) counts[s.sample(row({logits[0], logits[1], logits[2], logits[3]}))]++;
  double z = 0;
  for (float l : logits) z += std::exp(l / temp);
  for (int id = 0; id < 4; ++id) {
    const double p = std::exp(logits[id] / temp) / z;
    const double sd = std::sqrt(p * (1 - p) / n);
    CAPTURE(id);
    CHECK(std::abs(counts[id] / static_cast<double>(n) - p) < 5 * sd);  // 5 sigma: fails ~1e-6 of seeds
  }
}

TEST_CASE("top-k, top-p and min-p keep exactly the tokens they should") {
  // Probabilities at temperature 1 of these logits: ln of 0.5, 0.25, 0.15, 0.1.
  const auto c = row({std::log(0.5f), std::log(0.25f), std::log(0.15f), std::log(0.1f)});
  auto support = [&](SamplingParams p) {
    p.temperature = 1.0f;
    Sampler s(p);
    std::map<int32_t, int> seen;
    for (int i = 0; i < 4000; ++i) seen[s.sample(c)]++;
    std::vector<int32_t> ids;
    for (auto& [id, n] : seen) ids.push_back(id);
    return ids;
  };
  CHECK(support({.top_k = 2, .top_p = 1, .min_p = 0}) == std::vector<int32_t>{0, 1});
  CHECK(support({.top_k = 0, .top_p = 0.7f, .min_p = 0}) == std::vector<int32_t>{0, 1});  // 0.5 + 0.25 >= 0.7
  CHECK(support({.top_k = 0, .top_p = 0.5f, .min_p = 0}) == std::vector<int32_t>{0});
  CHECK(support({.top_k = 0, .top_p = 1, .min_p = 0.28f}) == std::vector<int32_t>{0, 1, 2});  // >= 0.14
  CHECK(support({.top_k = 0, .top_p = 1, .min_p = 0.32f}) == std::vector<int32_t>{0, 1});  // >= 0.16
  CHECK(support({.top_k = 0, .top_p = 1, .min_p = 0}) == std::vector<int32_t>{0, 1, 2, 3});
}

TEST_CASE("repetition penalty lowers recent tokens and needs the whole row") {
  Sampler s({.temperature = 0, .repeat_penalty = 4.0f, .repeat_last_n = 2});
  CHECK(s.candidates_needed() == 0);
  CHECK(s.sample(row({2.0f, 1.0f, -1.0f})) == 0);
  s.accept(0);
  CHECK(s.sample(row({2.0f, 1.0f, -1.0f})) == 1);  // 2/4 = 0.5 < 1
  s.accept(1);
  s.accept(2);  // 0 falls out of the last two
  CHECK(s.sample(row({2.0f, 1.0f, -1.0f})) == 0);
}

TEST_CASE("sampling parameters: NaN, infinities and values out of range are refused, naming the flag") {
  const float inf = INFINITY, nan = NAN;
  auto refused = [](SamplingParams p, const char* flag) {
    try {
      check_sampling_params(p);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::InvalidArgument);
      CHECK(std::string(e.what()).starts_with(flag));
      return true;
    }
    return false;
  };
  for (float t : {-1.0f, nan, inf}) CHECK(refused({.temperature = t}, "--temp "));
  CHECK(refused({.top_k = -1}, "--top-k -1"));
  for (float p : {0.0f, -1.0f, 1.5f, nan, inf}) CHECK(refused({.top_p = p}, "--top-p "));
  for (float p : {-0.5f, 1.0f, 2.0f, nan}) CHECK(refused({.min_p = p}, "--min-p "));
  for (float r : {0.0f, -1.0f, nan, inf}) CHECK(refused({.repeat_penalty = r}, "--repeat-penalty "));
  // The ends of the ranges, and the defaults, pass; so does the Sampler, which checks too.
  CHECK_NOTHROW(check_sampling_params({.temperature = 0, .top_k = 0, .top_p = 1, .min_p = 0}));
  CHECK_NOTHROW(check_sampling_params({}));
  CHECK_THROWS_AS(Sampler({.top_p = 2}), Error);
}

TEST_CASE("frequency and presence penalties subtract per occurrence and once, in the window") {
  // Token 0 seen twice, token 1 once: 0 loses 2 * 0.6 + 0.5 = 1.7, 1 loses 0.6 + 0.5 = 1.1.
  auto pick = [](SamplingParams p, std::initializer_list<float> logits) {
    p.temperature = 0;
    p.repeat_last_n = 3;
    Sampler s(p);
    for (int32_t t : {0, 0, 1}) s.accept(t);
    return s.sample(row(logits));
  };
  const SamplingParams both{.frequency_penalty = 0.6f, .presence_penalty = 0.5f};
  CHECK(pick(both, {2.0f, 1.0f, 0.25f}) == 0);   // 0.3, -0.1, 0.25
  CHECK(pick(both, {2.0f, 1.0f, 0.35f}) == 2);   // 0.3, -0.1, 0.35: the unseen token wins
  CHECK(pick(both, {2.0f, 1.5f, 0.35f}) == 1);   // 0.3, 0.4, 0.35
  CHECK(pick({.frequency_penalty = 1.0f}, {2.5f, 1.0f, 0.4f}) == 0);  // 0.5, 0, 0.4
  CHECK(pick({.frequency_penalty = 1.0f}, {2.3f, 1.0f, 0.4f}) == 2);  // 0.3, 0, 0.4
  CHECK(pick({.presence_penalty = 1.0f}, {1.3f, 1.2f, 0.4f}) == 2);   // 0.3, 0.2, 0.4
  CHECK(pick({.presence_penalty = -1.0f}, {1.3f, 1.4f, 2.0f}) == 1);  // negative: seen tokens gain
  // With the repetition penalty too, it divides first (llama.cpp's order): 2 / 2 - 0.6 = 0.4.
  CHECK(pick({.repeat_penalty = 2.0f, .presence_penalty = 0.6f}, {2.0f, -5.0f, 0.45f}) == 2);
  CHECK(pick({.repeat_penalty = 2.0f, .presence_penalty = 0.6f}, {2.0f, -5.0f, 0.35f}) == 0);
  Sampler off({.temperature = 0.5f, .top_k = 4});
  CHECK(off.candidates_needed() == 4);
  Sampler on({.temperature = 0.5f, .top_k = 4, .presence_penalty = 0.1f});
  CHECK(on.candidates_needed() == 0);  // a penalty can reorder: the whole row is needed
}

TEST_CASE("penalties look only at the last repeat_last_n tokens") {
  Sampler s({.temperature = 0, .repeat_last_n = 2, .frequency_penalty = 1.0f});
  s.accept(0);
  CHECK(s.sample(row({1.5f, 1.0f})) == 1);  // 0.5 < 1
  s.accept(1);
  s.accept(1);  // 0 falls out of the window
  CHECK(s.sample(row({1.5f, 1.0f})) == 0);
}

}  // namespace
}  // namespace rotary
