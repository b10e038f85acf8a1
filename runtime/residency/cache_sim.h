#pragma once
// Replays expert accesses against a cache of `slots` experts under a policy, the way the slot
// pool does (the k experts of one layer step are pinned together while they are used), without a
// GPU. Tests use it to check the policies; `rotary bench` uses it to compare policies on traces.
#include <cstdint>
#include <vector>

#include "runtime/residency/cache_policy.h"
#include "runtime/residency/routing_trace.h"

namespace rotary {

struct CacheSimResult {
  uint64_t accesses = 0;
  uint64_t hits = 0;
  double hit_rate() const { return accesses ? static_cast<double>(hits) / static_cast<double>(accesses) : 0; }
};

// `slots` must be at least k (one layer step's experts).
CacheSimResult simulate_cache(const RoutingTrace& trace, uint32_t slots, PolicyKind policy);

}  // namespace rotary
