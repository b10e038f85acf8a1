#pragma once
// JSON in rotary is nlohmann::json (Debian's nlohmann-json3-dev), objects in insertion order.
// Text becomes values here and values become text here, so that every reader gets the same
// limits and errors: nlohmann throws its own exceptions, which stop at this boundary and come
// out as Error(InvalidArgument) naming the source.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/json_fwd.h"

namespace rotary {

// The deepest nesting (arrays and objects inside each other) parse_json accepts by default. A
// deeper document is refused while it is read, before a deep tree exists: nlohmann copies,
// compares and writes values recursively, so a tree 100000 levels deep would overflow the stack.
inline constexpr int kJsonMaxDepth = 256;
// The most members one object may have in parse_json: an ordered object finds a key by walking
// its members, so reading n of them costs n^2/2 comparisons, and a text of a few MiB with one
// large object would hold the parser for an hour (40000 members: 10 s).
inline constexpr size_t kJsonMaxMembers = 1024;

// Parses all of `text`. Throws Error(InvalidArgument): "<source> is not valid JSON: <where and
// what>", "<source> nests deeper than <max_depth> levels" or "<source> has an object of more
// than <kJsonMaxMembers> members".
Json parse_json(std::string_view text, std::string_view source, int max_depth = kJsonMaxDepth);
// The same into objects sorted by key (std::map), which have no member limit: for documents
// with large objects whose order does not matter (a tokenizer's vocabulary).
nlohmann::json parse_json_sorted(std::string_view text, std::string_view source);
// The same, with no error: nullopt where parse_json would throw (for text that may be JSON, such
// as a model's output).
std::optional<Json> try_parse_json(std::string_view text, int max_depth = kJsonMaxDepth);

// Compact text (no spaces), strings as UTF-8 with JSON's escapes; bytes that are not valid UTF-8
// become U+FFFD, and numbers that are not finite (NaN, infinities) null, so the text is always
// valid JSON. (Jinja's `tojson` filter, which must match Python's json.dumps byte for byte, has its
// own writer: loader/jinja.)
std::string dump_json(const Json& value);

// Reading back an object rotary wrote (benchmark results, rotary-oracle --json): a member that is
// absent, null or of another type gives the fallback...
double json_number_or(const Json& object, std::string_view key, double fallback);
std::string json_string_or(const Json& object, std::string_view key, std::string_view fallback);
bool json_bool_or(const Json& object, std::string_view key, bool fallback);
// ...or, where it is required, Error(InvalidArgument) naming the key and the type wanted.
const Json& json_member(const Json& object, std::string_view key);
const Json& json_array(const Json& object, std::string_view key);
const std::string& json_string(const Json& object, std::string_view key);
double json_number(const Json& value);  // a value that must be a number

}  // namespace rotary
