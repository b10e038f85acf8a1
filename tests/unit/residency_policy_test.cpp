#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "base/error.h"
#include "runtime/residency/cache_sim.h"
#include "runtime/residency/routing_trace.h"

namespace rotary {
namespace {

// A one-layer, k = 1 trace from a string of expert letters: "ABAC" -> experts 0,1,0,2.
RoutingTrace letters(const std::string& s, uint32_t experts = 26) {
  RoutingTrace t{1, experts, 1, {}};
  for (char c : s) t.ids.push_back(static_cast<uint16_t>(c - 'A'));
  return t;
}

TEST_CASE("LRU evicts the least recently used") {
  // Two slots. A B A C: C evicts B (A was used after B). Then B misses and evicts A (A older
  // than C). Then C hits. Hits: A(3rd access) and C(last) = 2.
  CHECK(simulate_cache(letters("ABACBC"), 2, PolicyKind::LRU).hits == 2);
}

TEST_CASE("LFU evicts the least frequently used, ties by recency") {
  // Two slots. A A B: counts A=1 (re-used once), B=0. C evicts B. B evicts C (count 0, older
  // than... C inserted later but C has 0 uses and is more recent than nothing else: A has 1).
  // Accesses: A miss, A hit, B miss, C miss (evict B), B miss (evict C), A hit -> 2 hits.
  CHECK(simulate_cache(letters("AABCBA"), 2, PolicyKind::LFU).hits == 2);
  // A sequence on which the two differ. LFU keeps the popular A: A miss, A hit, A hit, B miss,
  // C evicts B, A hit, B evicts C, C evicts B, A hit -> 4 hits. LRU loses A after B and C:
  // A miss, hit, hit, B miss, C evicts A, A evicts B, B evicts C, C evicts A, A evicts B -> 2.
  CHECK(simulate_cache(letters("AAABCABCA"), 2, PolicyKind::LFU).hits == 4);
  CHECK(simulate_cache(letters("AAABCABCA"), 2, PolicyKind::LRU).hits == 2);
}

// The fewest misses any eviction choice could achieve (exhaustive search over resident sets).
uint64_t optimal_misses(const RoutingTrace& t, uint32_t slots) {
  std::map<std::set<int>, uint64_t> states{{{}, 0}};
  for (uint16_t e : t.ids) {
    std::map<std::set<int>, uint64_t> next;
    auto keep = [&](const std::set<int>& s, uint64_t m) {
      auto it = next.find(s);
      if (it == next.end() || it->second > m) next[s] = m;
    };
    for (const auto& [s, m] : states) {
      if (s.count(e)) {
        keep(s, m);
      } else if (s.size() < slots) {
        auto s2 = s;
        s2.insert(e);
        keep(s2, m + 1);
      } else {
        for (int v : s) {
          auto s2 = s;
          s2.erase(v);
          s2.insert(e);
          keep(s2, m + 1);
        }
      }
    }
    states.swap(next);
  }
  uint64_t best = UINT64_MAX;
  for (const auto& [s, m] : states) best = std::min(best, m);
  return best;
}

TEST_CASE("Belady is optimal: it matches an exhaustive search on small traces") {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 60; ++trial) {
    const uint32_t experts = 3 + rng() % 4, slots = 2 + rng() % 2;
    std::string s;
    for (int i = 0; i < 14; ++i) s += static_cast<char>('A' + rng() % experts);
    const RoutingTrace t = letters(s, experts);
    CAPTURE(s);
    CAPTURE(slots);
    const auto r = simulate_cache(t, slots, PolicyKind::Belady);
    CHECK(r.accesses - r.hits == optimal_misses(t, slots));
  }
}

TEST_CASE("Belady bounds LRU and LFU on a synthetic multi-layer trace") {
  const RoutingTrace t = synthetic_trace({.layers = 4, .experts = 64, .k = 8, .tokens = 300, .seed = 2});
  for (uint32_t slots : {8u, 64u, 128u}) {
    const double opt = simulate_cache(t, slots, PolicyKind::Belady).hit_rate();
    const double lru = simulate_cache(t, slots, PolicyKind::LRU).hit_rate();
    const double lfu = simulate_cache(t, slots, PolicyKind::LFU).hit_rate();
    CAPTURE(slots);
    CHECK(opt >= lru);
    CHECK(opt >= lfu);
  }
  // Everything fits: only the first use of each expert misses.
  const auto all = simulate_cache(t, 4 * 64, PolicyKind::LRU);
  std::set<uint32_t> distinct;
  for (const auto& k : t.accesses()) distinct.insert(k.packed());
  CHECK(all.accesses - all.hits == distinct.size());
}

TEST_CASE("the synthetic trace has the published Qwen3-30B-A3B locality by default") {
  const RoutingTrace t = synthetic_trace({.layers = 8, .experts = 128, .k = 8, .tokens = 1000});
  const TraceStats s = measure(t);
  CHECK(std::abs(s.repeat_next - 0.45) < 0.03);
  CHECK(std::abs(s.repeat_within_8 - 0.80) < 0.03);
  CHECK(s.experts_for_90pct > 0.75);  // flat: no small hot set carries the routing mass
  // Every step chooses k distinct valid experts.
  for (uint64_t tok = 0; tok < t.tokens(); ++tok)
    for (uint32_t l = 0; l < t.layers; ++l) {
      auto c = t.choices(tok, l);
      CHECK(std::set<uint16_t>(c.begin(), c.end()).size() == 8);
    }
  // No locality at all when both probabilities are 0: reuse is chance (k / experts = 6.25%).
  const TraceStats flat = measure(synthetic_trace({.layers = 8, .tokens = 1000, .p_previous = 0, .p_recent = 0}));
  CHECK(flat.repeat_next < 0.09);
}

TEST_CASE("routing trace files round-trip and bad files are refused") {
  const std::string path = "/tmp/rotary-trace-test.rtrace";
  const RoutingTrace t = synthetic_trace({.layers = 3, .experts = 16, .k = 4, .tokens = 20});
  write_trace(path, t);
  const RoutingTrace u = read_trace(path);
  CHECK(u.layers == 3);
  CHECK(u.experts == 16);
  CHECK(u.k == 4);
  CHECK(u.ids == t.ids);
  // Truncated.
  {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<long>(bytes.size() - 3));
  }
  CHECK_THROWS_WITH_AS(read_trace(path), doctest::Contains("truncated"), Error);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "not a trace at all, just text";
  CHECK_THROWS_WITH_AS(read_trace(path), doctest::Contains("not a rotary routing trace"), Error);
  CHECK_THROWS_AS(read_trace("/nonexistent/x.rtrace"), Error);
  std::remove(path.c_str());
}

TEST_CASE("policies by name") {
  CHECK(parse_policy("lru") == PolicyKind::LRU);
  CHECK(parse_policy("belady") == PolicyKind::Belady);
  CHECK_THROWS_AS(parse_policy("fifo"), Error);
  CHECK_THROWS_AS(simulate_cache(letters("AB"), 0, PolicyKind::LRU), Error);
}

}  // namespace
}  // namespace rotary
