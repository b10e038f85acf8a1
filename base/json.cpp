#include "base/json.h"

#include <cstdint>
#include <vector>

#include "base/error.h"

namespace rotary {

namespace {

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string message_of(const nlohmann::json::exception& e) {
  std::string m = e.what();
  if (const size_t at = m.find("] "); at != std::string::npos) m.erase(0, at + 2);
  return m;
}

// What stops the parser: the callback throws one of these, parse_as turns it into an Error.
struct Refused {
  std::string what;
};

// An object may have at most max_members members (base/json.h: kJsonMaxMembers says why).
template <typename J>
J parse_as(std::string_view text, int max_depth, size_t max_members) {
  std::vector<size_t> members;  // per open container, by depth: keys read so far
  // The callback sees each array or object open at the depth of its parent, and each key at the
  // depth of its object: throwing there stops the parser before the deeper containers exist.
  return J::parse(text, [&](int depth, typename J::parse_event_t event, J&) {
    using E = typename J::parse_event_t;
    if (event == E::object_start || event == E::array_start) {
      if (depth >= max_depth)
        throw Refused{"nests deeper than " + std::to_string(max_depth) + " levels"};
      members.resize(static_cast<size_t>(depth) + 2);
      members[static_cast<size_t>(depth) + 1] = 0;
    } else if (event == E::key && ++members.at(static_cast<size_t>(depth)) > max_members) {
      throw Refused{"has an object of more than " + std::to_string(max_members) + " members"};
    }
    return true;
  });
}

template <typename J>
J parse_or_throw(std::string_view text, std::string_view source, int max_depth,
                 size_t max_members) {
  try {
    return parse_as<J>(text, max_depth, max_members);
  } catch (const Refused& r) {
    throw Error(ErrorKind::InvalidArgument, std::string(source) + " " + r.what);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(source) + " is not valid JSON: " + message_of(e));
  }
}

}  // namespace

Json parse_json(std::string_view text, std::string_view source, int max_depth) {
  return parse_or_throw<Json>(text, source, max_depth, kJsonMaxMembers);
}

nlohmann::json parse_json_sorted(std::string_view text, std::string_view source) {
  return parse_or_throw<nlohmann::json>(text, source, kJsonMaxDepth, SIZE_MAX);
}

std::optional<Json> try_parse_json(std::string_view text, int max_depth) {
  try {
    return parse_as<Json>(text, max_depth, kJsonMaxMembers);
  } catch (const Refused&) {
    return std::nullopt;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

namespace {

const Json* find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

[[noreturn]] void wrong(std::string_view key, const char* want) {
  throw Error(ErrorKind::InvalidArgument,
              "JSON member '" + std::string(key) + "' is missing or not " + want);
}

}  // namespace

double json_number_or(const Json& object, std::string_view key, double fallback) {
  const Json* v = find(object, key);
  return v && v->is_number() ? v->get<double>() : fallback;
}

std::string json_string_or(const Json& object, std::string_view key, std::string_view fallback) {
  const Json* v = find(object, key);
  return v && v->is_string() ? v->get<std::string>() : std::string(fallback);
}

bool json_bool_or(const Json& object, std::string_view key, bool fallback) {
  const Json* v = find(object, key);
  return v && v->is_boolean() ? v->get<bool>() : fallback;
}

const Json& json_member(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v) wrong(key, "a value");
  return *v;
}

const Json& json_array(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v || !v->is_array()) wrong(key, "an array");
  return *v;
}

const std::string& json_string(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v || !v->is_string()) wrong(key, "a string");
  return v->get_ref<const std::string&>();
}

double json_number(const Json& value) {
  if (!value.is_number())
    throw Error(ErrorKind::InvalidArgument,
                std::string("JSON value is not a number but ") + value.type_name());
  return value.get<double>();
}

}  // namespace rotary
