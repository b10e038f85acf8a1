#pragma once
// Which resident expert to evict when a slot is needed. A policy only orders keys; the slot
// pool owns the slots and pins the experts the current layer still needs (a pinned expert is
// never offered as a victim).
//   LRU       the least recently used (the default: routing reuse is recency-driven).
//   LFU       the least frequently used, counts halved every `aging_period` accesses so that
//             old popularity fades; ties by recency.
//   Belady    the one whose next use lies farthest in the future. It needs the future, so it is
//             only for replaying a recorded trace: the upper bound a policy is measured against.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/residency/expert_key.h"

namespace rotary {

enum class PolicyKind { LRU, LFU, Belady };
PolicyKind parse_policy(const std::string& name);  // "lru", "lfu", "belady"; Error otherwise
const char* to_string(PolicyKind kind);

class CachePolicy {
 public:
  virtual ~CachePolicy() = default;
  // Every use of an expert, in order (hits and fresh inserts alike).
  virtual void on_access(ExpertKey key) = 0;
  virtual void on_insert(ExpertKey key) = 0;
  virtual void on_evict(ExpertKey key) = 0;
  // The resident key to evict, skipping those for which `pinned` is true; nullopt when all are.
  virtual std::optional<ExpertKey> victim(const std::function<bool(ExpertKey)>& pinned) = 0;
};

struct PolicyOptions {
  uint64_t lfu_aging_period = 0;  // 0: twice the number of slots
  uint32_t slots = 0;
  // Belady only: every access the run will make, in order (from a routing trace).
  std::vector<ExpertKey> future;
};

std::unique_ptr<CachePolicy> make_policy(PolicyKind kind, const PolicyOptions& options);

}  // namespace rotary
