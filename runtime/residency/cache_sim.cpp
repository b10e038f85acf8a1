#include "runtime/residency/cache_sim.h"

#include <unordered_set>

#include "base/error.h"

namespace rotary {

CacheSimResult simulate_cache(const RoutingTrace& trace, uint32_t slots, PolicyKind kind) {
  require(slots >= trace.k, ErrorKind::InvalidArgument,
          "the cache must hold at least one layer's experts (" + std::to_string(trace.k) + " slots)");
  PolicyOptions opts;
  opts.slots = slots;
  if (kind == PolicyKind::Belady) opts.future = trace.accesses();
  auto policy = make_policy(kind, opts);
  std::unordered_set<ExpertKey, ExpertKeyHash> resident, pinned;
  CacheSimResult r;
  for (uint64_t tok = 0; tok < trace.tokens(); ++tok)
    for (uint32_t l = 0; l < trace.layers; ++l) {
      pinned.clear();
      for (uint16_t e : trace.choices(tok, l)) {
        const ExpertKey key{static_cast<uint16_t>(l), e};
        ++r.accesses;
        policy->on_access(key);
        pinned.insert(key);
        if (resident.count(key)) {
          ++r.hits;
          continue;
        }
        if (resident.size() >= slots) {
          const auto v = policy->victim([&](ExpertKey k) { return pinned.count(k) > 0; });
          require(v.has_value(), ErrorKind::Internal, "no evictable expert");
          policy->on_evict(*v);
          resident.erase(*v);
        }
        resident.insert(key);
        policy->on_insert(key);
      }
    }
  return r;
}

}  // namespace rotary
