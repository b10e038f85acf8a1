#pragma once
// Byte-level BPE inside one pre-tokenised word: the word's bytes start as one symbol each (spelled
// in the GPT-2 byte alphabet) and the adjacent pair with the lowest merge rank is merged, leftmost
// first, until no pair has a merge. Symbols are interned ids: vocabulary ids first, then strings
// that merges produce but the vocabulary lacks (llama.cpp merges by text, so such merges still
// apply). A final symbol that is not a token falls back to the tokens of its single spelling
// bytes, and spelling bytes without a token are dropped (llama.cpp does the same).
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rotary {

class BpeModel {
 public:
  // `tokens` are vocabulary texts (unique), `merges` "left right" lines in rank order.
  // Throws Error(InvalidModel) on a duplicate token or a merge line without a space.
  BpeModel(std::vector<std::string> tokens, std::span<const std::string> merges,
           bool ignore_merges);

  BpeModel(const BpeModel&) = delete;
  BpeModel& operator=(const BpeModel&) = delete;

  // Appends the tokens of one word given as raw bytes. Thread-safe; words seen before come from
  // a cache.
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;

  // The id of a vocabulary text (GPT-2 alphabet spelling), or -1.
  int32_t find(std::string_view text) const;

  const std::string& text(int32_t id) const { return texts_[id]; }  // id < vocab_size()
  size_t vocab_size() const { return texts_.size(); }
  size_t merge_count() const { return merges_.size(); }

 private:
  struct Merge {
    int32_t rank;
    int32_t result;  // interned id of left + right
  };
  struct Symbol {
    int32_t id;
    int32_t prev, next;  // -1 at the ends; a merged-away symbol has id -1
  };

  int32_t intern(std::string_view text);
  const Merge* find_merge(int32_t left, int32_t right) const;
  void merge_symbols(std::vector<Symbol>& symbols) const;
  void append_symbol(int32_t id, std::vector<int32_t>& out) const;
  void encode_uncached(std::string_view word, std::vector<int32_t>& out) const;

  std::vector<std::string> texts_;                     // the vocabulary, id = index
  std::deque<std::string> extra_texts_;                // interned id vocab_size() + i
  std::unordered_map<std::string_view, int32_t> ids_;  // views of texts_ and extra_texts_
  bool ignore_merges_ = false;
  std::unordered_map<uint64_t, Merge> merges_;  // (left << 32 | right) -> merge
  int32_t byte_symbol_[256];                    // interned id of each byte's spelling

  // Lookups by string_view without building a std::string.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  static constexpr size_t kCacheLimit = 1 << 16;  // words; the cache is dropped when full
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>, TextHash, std::equal_to<>> cache_;
};

}  // namespace rotary
