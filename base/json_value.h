#pragma once
// A small JSON reader: the whole text into a tree of values. For reading back what rotary
// writes (benchmark results to merge, rotary-oracle's --json output), not a general-purpose
// library: numbers are doubles, objects keep their key order, duplicate keys keep the first.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rotary {

class JsonValue {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  // Throws Error(InvalidArgument) naming `source`, the byte offset and what was expected.
  static JsonValue parse(std::string_view text, const std::string& source = "JSON");

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_object() const { return type_ == Type::Object; }
  bool is_array() const { return type_ == Type::Array; }

  // Typed access; each throws Error(InvalidArgument) when the value has another type.
  bool as_bool() const;
  double as_number() const;
  const std::string& as_string() const;
  const std::vector<JsonValue>& as_array() const;
  const std::vector<std::pair<std::string, JsonValue>>& as_object() const;

  // Object members: nullptr when absent (or when this is not an object).
  const JsonValue* find(std::string_view key) const;
  // The member, or Error(InvalidArgument) naming the key.
  const JsonValue& at(std::string_view key) const;
  // Convenience for optional members with a default.
  double number_or(std::string_view key, double fallback) const;
  std::string string_or(std::string_view key, const std::string& fallback) const;

 private:
  friend class JsonParser;
  Type type_ = Type::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> object_;
};

}  // namespace rotary
