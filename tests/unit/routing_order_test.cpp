// RoutingTrace::forward_accesses: the order in which a forward pass asks residency for experts,
// which Belady needs to replay a trace in a real run (tests/gpu/residency_invisibility_test.cpp
// runs it end to end; a wrong order there is an error, "Belady replay diverged").
#include <doctest/doctest.h>

#include <vector>

#include "runtime/residency/routing_trace.h"

using namespace rotary;

namespace {
std::vector<uint32_t> packed(const std::vector<ExpertKey>& keys) {
  std::vector<uint32_t> out;
  for (const ExpertKey& k : keys) out.push_back(k.packed());
  return out;
}
uint32_t key(uint16_t layer, uint16_t expert) { return ExpertKey{layer, expert}.packed(); }
}  // namespace

TEST_CASE("forward_accesses: chunks of several tokens take their distinct experts in id order, then decode order") {
  // 2 layers, k = 2, 4 tokens.
  RoutingTrace t{2, 8, 2, {}};
  const uint32_t choices[4][2][2] = {
      {{5, 1}, {7, 2}},  // token 0: layer 0 chose 5 then 1; layer 1 chose 7 then 2
      {{1, 3}, {2, 6}},
      {{4, 0}, {6, 7}},
      {{6, 5}, {0, 3}},
  };
  for (const auto& token : choices)
    for (uint32_t l = 0; l < 2; ++l) t.append(l, token[l]);

  SUBCASE("prompt of 3 in chunks of 2: a grouped chunk, then a one-token chunk, then decode") {
    const std::vector<uint32_t> want = {
        key(0, 1), key(0, 3), key(0, 5),  // chunk {0,1}, layer 0: {5,1,1,3} distinct, sorted
        key(1, 2), key(1, 6), key(1, 7),  // layer 1: {7,2,2,6}
        key(0, 4), key(0, 0),             // chunk {2}: one token, top-k order
        key(1, 6), key(1, 7),
        key(0, 6), key(0, 5),             // token 3: decode, top-k order
        key(1, 0), key(1, 3),
    };
    CHECK(packed(t.forward_accesses(3, 2)) == want);
  }
  SUBCASE("prefill chunk 1 is the replay order of accesses()") {
    CHECK(packed(t.forward_accesses(4, 1)) == packed(t.accesses()));
    CHECK(packed(t.forward_accesses(0, 256)) == packed(t.accesses()));
  }
  SUBCASE("a prompt longer than the trace stops at its end") {
    // One chunk of all 4 tokens: layer 0 {0,1,3,4,5,6}, layer 1 {0,2,3,6,7}.
    const std::vector<uint32_t> want = {key(0, 0), key(0, 1), key(0, 3), key(0, 4), key(0, 5), key(0, 6),
                                        key(1, 0), key(1, 2), key(1, 3), key(1, 6), key(1, 7)};
    CHECK(packed(t.forward_accesses(10, 4)) == want);
  }
}
