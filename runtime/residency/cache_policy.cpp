#include "runtime/residency/cache_policy.h"

#include <list>
#include <set>
#include <tuple>
#include <unordered_map>

#include "base/error.h"

namespace rotary {

PolicyKind parse_policy(const std::string& name) {
  if (name == "lru") return PolicyKind::LRU;
  if (name == "lfu") return PolicyKind::LFU;
  if (name == "belady") return PolicyKind::Belady;
  throw Error(ErrorKind::InvalidArgument, "unknown cache policy '" + name + "' (lru, lfu, belady)");
}

const char* to_string(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::LRU: return "lru";
    case PolicyKind::LFU: return "lfu";
    case PolicyKind::Belady: return "belady";
  }
  return "?";
}

namespace {

class Lru final : public CachePolicy {
 public:
  void on_access(ExpertKey key) override {
    auto it = where_.find(key);
    if (it == where_.end()) return;
    order_.splice(order_.begin(), order_, it->second);
  }
  void on_insert(ExpertKey key) override {
    order_.push_front(key);
    where_[key] = order_.begin();
  }
  void on_evict(ExpertKey key) override {
    auto it = where_.find(key);
    if (it == where_.end()) return;
    order_.erase(it->second);
    where_.erase(it);
  }
  std::optional<ExpertKey> victim(const std::function<bool(ExpertKey)>& pinned) override {
    for (auto it = order_.rbegin(); it != order_.rend(); ++it)
      if (!pinned(*it)) return *it;
    return std::nullopt;
  }

 private:
  std::list<ExpertKey> order_;  // most recent first
  std::unordered_map<ExpertKey, std::list<ExpertKey>::iterator, ExpertKeyHash> where_;
};

class Lfu final : public CachePolicy {
 public:
  explicit Lfu(uint64_t aging_period) : period_(aging_period) {}
  void on_access(ExpertKey key) override {
    if (++accesses_ % period_ == 0) age();
    auto it = state_.find(key);
    if (it == state_.end()) return;
    order_.erase(entry(key, it->second));
    it->second.count += 1;
    it->second.last = accesses_;
    order_.insert(entry(key, it->second));
  }
  void on_insert(ExpertKey key) override {
    State s{0, accesses_};
    state_[key] = s;
    order_.insert(entry(key, s));
  }
  void on_evict(ExpertKey key) override {
    auto it = state_.find(key);
    if (it == state_.end()) return;
    order_.erase(entry(key, it->second));
    state_.erase(it);
  }
  std::optional<ExpertKey> victim(const std::function<bool(ExpertKey)>& pinned) override {
    for (const auto& e : order_)
      if (!pinned(std::get<2>(e))) return std::get<2>(e);
    return std::nullopt;
  }

 private:
  struct State {
    uint64_t count, last;
  };
  using Entry = std::tuple<uint64_t, uint64_t, ExpertKey>;  // (count, last use, key): victim first
  static Entry entry(ExpertKey k, const State& s) { return {s.count, s.last, k}; }
  void age() {
    order_.clear();
    for (auto& [k, s] : state_) {
      s.count /= 2;
      order_.insert(entry(k, s));
    }
  }
  uint64_t period_;
  uint64_t accesses_ = 0;
  std::unordered_map<ExpertKey, State, ExpertKeyHash> state_;
  std::set<Entry> order_;
};

class Belady final : public CachePolicy {
 public:
  explicit Belady(const std::vector<ExpertKey>& future) : future_(future), next_use_(future.size()) {
    std::unordered_map<ExpertKey, uint64_t, ExpertKeyHash> seen;
    for (size_t i = future.size(); i-- > 0;) {
      auto it = seen.find(future[i]);
      next_use_[i] = it == seen.end() ? kNever : it->second;
      seen[future[i]] = i;
    }
  }
  void on_access(ExpertKey key) override {
    // The trace must be replayed in order: anything else makes "the future" meaningless.
    if (cursor_ >= future_.size() || !(future_[cursor_] == key))
      throw Error(ErrorKind::InvalidArgument, "Belady replay diverged from its trace at access " + std::to_string(cursor_));
    const uint64_t next = next_use_[cursor_++];
    auto it = next_of_.find(key);
    if (it != next_of_.end()) {
      order_.erase({it->second, key});
      it->second = next;
      order_.insert({next, key});
    } else {
      pending_[key] = next;  // inserted right after its first access
    }
  }
  void on_insert(ExpertKey key) override {
    auto p = pending_.find(key);
    const uint64_t next = p == pending_.end() ? kNever : p->second;
    if (p != pending_.end()) pending_.erase(p);
    next_of_[key] = next;
    order_.insert({next, key});
  }
  void on_evict(ExpertKey key) override {
    auto it = next_of_.find(key);
    if (it == next_of_.end()) return;
    order_.erase({it->second, key});
    next_of_.erase(it);
  }
  std::optional<ExpertKey> victim(const std::function<bool(ExpertKey)>& pinned) override {
    for (auto it = order_.rbegin(); it != order_.rend(); ++it)
      if (!pinned(it->second)) return it->second;
    return std::nullopt;
  }

 private:
  static constexpr uint64_t kNever = UINT64_MAX;
  std::vector<ExpertKey> future_;
  std::vector<uint64_t> next_use_;
  uint64_t cursor_ = 0;
  std::unordered_map<ExpertKey, uint64_t, ExpertKeyHash> next_of_, pending_;
  std::set<std::pair<uint64_t, ExpertKey>> order_;  // farthest next use last
};

}  // namespace

std::unique_ptr<CachePolicy> make_policy(PolicyKind kind, const PolicyOptions& o) {
  switch (kind) {
    case PolicyKind::LRU: return std::make_unique<Lru>();
    case PolicyKind::LFU:
      return std::make_unique<Lfu>(o.lfu_aging_period ? o.lfu_aging_period : std::max<uint64_t>(2ull * o.slots, 64));
    case PolicyKind::Belady:
      require(!o.future.empty(), ErrorKind::InvalidArgument,
              "the Belady policy needs a routing trace to replay (rotary bench --routing-trace FILE)");
      return std::make_unique<Belady>(o.future);
  }
  throw Error(ErrorKind::Internal, "unknown policy");
}

}  // namespace rotary
