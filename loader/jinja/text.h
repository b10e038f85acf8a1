#pragma once
// Python's str operations on UTF-8 text: lengths and indices count code points, whitespace is
// Python's str.isspace(). Case mapping covers ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic (docs/templates.md).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rotary::jinja {

size_t utf8_length(std::string_view s);
// One view per code point (an invalid byte is its own "character").
std::vector<std::string_view> utf8_chars(std::string_view s);
// Byte offset of code point `index` (clamped to the end).
size_t utf8_offset(std::string_view s, size_t index);
bool is_python_space(std::string_view ch);

void append_python_repr(std::string& out, std::string_view s);

enum class StripSide { Both, Left, Right };
// str.strip(chars): whitespace when `chars` is empty (nullopt), else any of the code points.
std::string_view python_strip(std::string_view s, const std::optional<std::string>& chars,
                              StripSide side);
// str.split(sep, maxsplit) (sep nullopt: runs of whitespace); str.rsplit with from_right.
std::vector<std::string> python_split(std::string_view s, const std::optional<std::string>& sep,
                                      int64_t maxsplit, bool from_right = false);
std::vector<std::string> python_splitlines(std::string_view s, bool keepends = false);
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
std::string python_title(std::string_view s);       // str.title()
std::string python_capitalize(std::string_view s);  // str.capitalize()
std::string jinja_title(std::string_view s);        // Jinja2's title filter
std::string python_replace(std::string_view s, std::string_view old, std::string_view with,
                           int64_t count, size_t max_size);
// str.find / str.count over code points; find returns -1 when absent.
int64_t python_find(std::string_view s, std::string_view sub, bool from_right);
int64_t python_count(std::string_view s, std::string_view sub);

}  // namespace rotary::jinja
