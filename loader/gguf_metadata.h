#pragma once
// The key-value section of a GGUF file, in file order, with typed lookups for the readers of
// hyperparameters and tokenizer data. A lookup that finds the wrong type throws InvalidModel
// naming the file, the key and the byte offset where the key was read.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loader/gguf_value.h"

namespace rotary {

struct GgufKeyValue {
  std::string key;
  GgufValue value;
  uint64_t offset = 0;  // byte offset of the key in the file; 0 when built in memory
};

class GgufMetadata {
 public:
  // `source` names the file in error messages.
  explicit GgufMetadata(std::string source = "<memory>") : source_(std::move(source)) {}

  // Appends a key. Returns false (and changes nothing) when the key is already present.
  bool insert(std::string key, GgufValue value, uint64_t offset = 0);

  const GgufValue* find(std::string_view key) const;
  const GgufKeyValue* find_entry(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  const std::vector<GgufKeyValue>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  const std::string& source() const { return source_; }

  // Any integer type whose value fits uint32 / uint64; any float type. nullopt when absent.
  std::optional<uint32_t> get_u32(std::string_view key) const;
  std::optional<uint64_t> get_u64(std::string_view key) const;
  std::optional<double> get_float(std::string_view key) const;
  std::optional<bool> get_bool(std::string_view key) const;
  const std::string* get_string(std::string_view key) const;
  const GgufArray* get_array(std::string_view key) const;

  // As above, but a missing key is an InvalidModel error too.
  uint32_t require_u32(std::string_view key) const;
  double require_float(std::string_view key) const;
  const std::string& require_string(std::string_view key) const;

  // "model.gguf: metadata key 'k' (at byte 120): <problem>" as an InvalidModel error.
  [[noreturn]] void fail(std::string_view key, const std::string& problem) const;

 private:
  std::string source_;
  std::vector<GgufKeyValue> entries_;
  std::map<std::string, size_t, std::less<>> index_;
};

}  // namespace rotary
