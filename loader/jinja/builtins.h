#pragma once
// Shared helpers of the filters, tests and methods (filters*.cpp, tests.cpp, methods.cpp).
#include <optional>
#include <string>
#include <string_view>

#include "loader/jinja/interpreter.h"

namespace rotary::jinja {

using FilterFn = Value (*)(Interpreter&, const Value&, Args&);
struct FilterEntry {
  std::string_view name;
  FilterFn fn;
};
// The filter tables of filters.cpp and filters_seq.cpp.
const FilterEntry* find_string_filter(std::string_view name);
const FilterEntry* find_sequence_filter(std::string_view name);

// An optional argument (position `index` or keyword `name`), or `fallback`.
Value arg_or(const Args& args, size_t index, std::string_view name, Value fallback);
bool arg_bool(const Args& args, size_t index, std::string_view name, bool fallback);
std::optional<std::string> arg_string(const Args& args, size_t index, std::string_view name);
int64_t arg_int(const Args& args, size_t index, std::string_view name, int64_t fallback);

// Jinja2's make_attrgetter: "a.b.0" walks getitem; a default replaces an undefined result.
Value get_attribute_path(Interpreter& in, const Value& obj, const std::string& path);
// Python's str(v) as a std::string.
std::string str_of(Interpreter& in, const Value& v);
// The items of an iterable value (undefined: none).
std::vector<Value> items_of(const Value& v);
// Sort key for case-insensitive comparisons (strings lower-cased).
Value fold_case(const Value& v, bool case_sensitive);
Value make_str(Interpreter& in, std::string s);

}  // namespace rotary::jinja
