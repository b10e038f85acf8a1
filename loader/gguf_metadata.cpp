#include "loader/gguf_metadata.h"

#include <limits>

#include "base/printable.h"
#include "base/error.h"

namespace rotary {

bool GgufMetadata::insert(std::string key, GgufValue value, uint64_t offset) {
  if (index_.contains(key)) return false;
  index_.emplace(key, entries_.size());
  entries_.push_back({std::move(key), std::move(value), offset});
  return true;
}

const GgufKeyValue* GgufMetadata::find_entry(std::string_view key) const {
  const auto it = index_.find(key);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const GgufValue* GgufMetadata::find(std::string_view key) const {
  const auto* e = find_entry(key);
  return e ? &e->value : nullptr;
}

void GgufMetadata::fail(std::string_view key, const std::string& problem) const {
  std::string where = source_ + ": metadata key '" + printable(key) + "'";
  if (const auto* e = find_entry(key); e && e->offset)
    where += " (at byte " + std::to_string(e->offset) + ")";
  throw Error(ErrorKind::InvalidModel, where + ": " + problem);
}

std::optional<uint64_t> GgufMetadata::get_u64(std::string_view key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  const auto u = v->as_uint();
  if (!u) {
    const bool negative = v->as_int().has_value();
    fail(key, negative
                  ? "is negative (" + v->to_display() + "), expected an unsigned integer"
                  : "is a " + std::string(gguf_type_name(v->type())) + ", expected an integer");
  }
  return u;
}

std::optional<uint32_t> GgufMetadata::get_u32(std::string_view key) const {
  const auto u = get_u64(key);
  if (!u) return std::nullopt;
  if (*u > std::numeric_limits<uint32_t>::max())
    fail(key, "value " + std::to_string(*u) + " does not fit in 32 bits");
  return static_cast<uint32_t>(*u);
}

std::optional<double> GgufMetadata::get_float(std::string_view key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  const auto f = v->as_float();
  if (!f) fail(key, "is a " + std::string(gguf_type_name(v->type())) + ", expected f32 or f64");
  return f;
}

std::optional<bool> GgufMetadata::get_bool(std::string_view key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  const auto* b = v->get_if<bool>();
  if (!b) fail(key, "is a " + std::string(gguf_type_name(v->type())) + ", expected bool");
  return *b;
}

const std::string* GgufMetadata::get_string(std::string_view key) const {
  const auto* v = find(key);
  if (!v) return nullptr;
  const auto* s = v->as_string();
  if (!s) fail(key, "is a " + std::string(gguf_type_name(v->type())) + ", expected str");
  return s;
}

const GgufArray* GgufMetadata::get_array(std::string_view key) const {
  const auto* v = find(key);
  if (!v) return nullptr;
  const auto* a = v->as_array();
  if (!a) fail(key, "is a " + std::string(gguf_type_name(v->type())) + ", expected an array");
  return a;
}

uint32_t GgufMetadata::require_u32(std::string_view key) const {
  const auto v = get_u32(key);
  if (!v) fail(key, "is missing");
  return *v;
}

double GgufMetadata::require_float(std::string_view key) const {
  const auto v = get_float(key);
  if (!v) fail(key, "is missing");
  return *v;
}

const std::string& GgufMetadata::require_string(std::string_view key) const {
  const auto* v = get_string(key);
  if (!v) fail(key, "is missing");
  return *v;
}

}  // namespace rotary
