#include "loader/tokenizer/bpe.h"

#include <queue>

#include "base/printable.h"
#include "base/error.h"
#include "loader/tokenizer/byte_alphabet.h"

namespace rotary {
namespace {

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

// A candidate merge of symbols[left] and symbols[right] as they were when it was queued.
struct Candidate {
  int32_t rank;
  int32_t left, right;
  int32_t left_id, right_id;
};

// Lowest rank first; among equal ranks (the same merge at several places) the leftmost.
struct LaterCandidate {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

}  // namespace

BpeModel::BpeModel(std::vector<std::string> tokens, std::span<const std::string> merges,
                   bool ignore_merges)
    : texts_(std::move(tokens)), ignore_merges_(ignore_merges) {
  ids_.reserve(texts_.size() + texts_.size() / 8);
  for (size_t i = 0; i < texts_.size(); ++i) {
    auto [it, added] = ids_.emplace(texts_[i], static_cast<int32_t>(i));
    if (!added) {
      throw Error(ErrorKind::InvalidModel, "tokenizer.ggml.tokens holds '" + printable(texts_[i]) +
                                               "' twice (ids " + std::to_string(it->second) +
                                               " and " + std::to_string(i) +
                                               "); the vocabulary must be unique");
    }
  }
  for (int b = 0; b < 256; ++b) {
    std::string spelling;
    byte_alphabet::append_spelling(std::string_view(reinterpret_cast<const char*>(&b), 1),
                                   spelling);
    byte_symbol_[b] = intern(spelling);
  }
  merges_.reserve(merges.size());
  std::string joined;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const std::string_view line = merges[rank];
    // The separator is the first space after the first byte, as llama.cpp splits.
    const size_t space = line.size() > 1 ? line.find(' ', 1) : std::string_view::npos;
    if (space == std::string_view::npos) {
      throw Error(ErrorKind::InvalidModel, "tokenizer.ggml.merges[" + std::to_string(rank) +
                                               "] = '" + printable(line) +
                                               "' is not 'left right'");
    }
    const int32_t left = intern(line.substr(0, space));
    const int32_t right = intern(line.substr(space + 1));
    joined.assign(line.substr(0, space)).append(line.substr(space + 1));
    const int32_t result = intern(joined);
    merges_.emplace(pair_key(left, right), Merge{static_cast<int32_t>(rank), result});
  }
}

int32_t BpeModel::intern(std::string_view text) {
  if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  const auto id = static_cast<int32_t>(texts_.size() + extra_texts_.size());
  extra_texts_.emplace_back(text);  // a deque: earlier texts, and the views of them, stay put
  ids_.emplace(extra_texts_.back(), id);
  return id;
}

int32_t BpeModel::find(std::string_view text) const {
  auto it = ids_.find(text);
  return (it == ids_.end() || it->second >= static_cast<int32_t>(texts_.size())) ? -1 : it->second;
}

const BpeModel::Merge* BpeModel::find_merge(int32_t left, int32_t right) const {
  auto it = merges_.find(pair_key(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

void BpeModel::merge_symbols(std::vector<Symbol>& symbols) const {
  std::priority_queue<Candidate, std::vector<Candidate>, LaterCandidate> queue;
  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[left];
    const Symbol& r = symbols[right];
    if (const Merge* m = find_merge(l.id, r.id)) queue.push({m->rank, left, right, l.id, r.id});
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) consider(i, i + 1);

  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    Symbol& l = symbols[c.left];
    Symbol& r = symbols[c.right];
    // Stale when either side has been merged since it was queued.
    if (l.id != c.left_id || r.id != c.right_id || l.next != c.right) continue;
    l.id = find_merge(c.left_id, c.right_id)->result;
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = c.left;
    r.id = -1;
    r.prev = r.next = -1;
    consider(l.prev, c.left);
    consider(c.left, l.next);
  }
}

void BpeModel::append_symbol(int32_t id, std::vector<int32_t>& out) const {
  if (id < static_cast<int32_t>(texts_.size())) {
    out.push_back(id);
    return;
  }
  for (char byte : extra_texts_[id - texts_.size()]) {
    const int32_t t = find(std::string_view(&byte, 1));
    if (t >= 0) out.push_back(t);
  }
}

void BpeModel::encode_uncached(std::string_view word, std::vector<int32_t>& out) const {
  if (ignore_merges_) {
    std::string spelling;
    byte_alphabet::append_spelling(word, spelling);
    const int32_t whole = find(spelling);
    if (whole >= 0) {
      out.push_back(whole);
      return;
    }
  }
  std::vector<Symbol> symbols(word.size());
  for (size_t i = 0; i < word.size(); ++i) {
    symbols[i] = {byte_symbol_[static_cast<uint8_t>(word[i])], static_cast<int32_t>(i) - 1,
                  i + 1 < word.size() ? static_cast<int32_t>(i + 1) : -1};
  }
  merge_symbols(symbols);
  for (int32_t i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[i].next) {
    append_symbol(symbols[i].id, out);
  }
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  {
    std::lock_guard lock(cache_mutex_);
    auto it = cache_.find(word);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t first = out.size();
  encode_uncached(word, out);
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_.emplace(std::string(word), std::vector<int32_t>(out.begin() + first, out.end()));
}

}  // namespace rotary
