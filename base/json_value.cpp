#include "base/json_value.h"

#include <cstdlib>
#include <unordered_set>

#include "base/error.h"

namespace rotary {

namespace {

// Duplicate keys keep the first: one pass with a hash set once the members are in place (a
// tokenizer's vocabulary is an object of 150,000 keys; a lookup per insert would be quadratic).
void drop_repeated_keys(std::vector<std::pair<std::string, JsonValue>>& members) {
  if (members.size() < 2) return;
  // Mark first (the views point into the members, so nothing moves until the set is gone).
  std::vector<bool> repeated(members.size());
  {
    std::unordered_set<std::string_view> seen;
    seen.reserve(members.size());
    for (size_t i = 0; i < members.size(); ++i) repeated[i] = !seen.insert(members[i].first).second;
  }
  size_t kept = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (repeated[i]) continue;
    if (kept != i) members[kept] = std::move(members[i]);
    ++kept;
  }
  members.erase(members.begin() + static_cast<std::ptrdiff_t>(kept), members.end());
}

}  // namespace

class JsonParser {
 public:
  JsonParser(std::string_view text, const std::string& source) : s_(text), source_(source) {}

  JsonValue document() {
    JsonValue v = value(0);
    skip_space();
    if (i_ != s_.size()) fail("end of input");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 64;

  [[noreturn]] void fail(const char* expected) const {
    throw Error(ErrorKind::InvalidArgument, source_ + ": malformed JSON at byte " +
                                                std::to_string(i_) + ": expected " + expected);
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  bool take(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool take_word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }

  JsonValue value(int depth) {
    if (depth > kMaxDepth) fail("less nesting");
    skip_space();
    if (i_ >= s_.size()) fail("a value");
    JsonValue v;
    const char c = s_[i_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      v.type_ = JsonValue::Type::String;
      v.string_ = string();
    } else if (take_word("true") || take_word("false")) {
      v.type_ = JsonValue::Type::Bool;
      v.bool_ = c == 't';
    } else if (take_word("null")) {
      v.type_ = JsonValue::Type::Null;
    } else {
      v.type_ = JsonValue::Type::Number;
      v.number_ = number();
    }
    return v;
  }

  JsonValue object(int depth) {
    JsonValue v;
    v.type_ = JsonValue::Type::Object;
    ++i_;
    if (take('}')) return v;
    do {
      skip_space();
      if (i_ >= s_.size() || s_[i_] != '"') fail("a string key");
      std::string key = string();
      if (!take(':')) fail("':'");
      v.object_.emplace_back(std::move(key), value(depth + 1));
    } while (take(','));
    if (!take('}')) fail("',' or '}'");
    drop_repeated_keys(v.object_);
    return v;
  }

  JsonValue array(int depth) {
    JsonValue v;
    v.type_ = JsonValue::Type::Array;
    ++i_;
    if (take(']')) return v;
    do v.array_.push_back(value(depth + 1));
    while (take(','));
    if (!take(']')) fail("',' or ']'");
    return v;
  }

  double number() {
    const size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() &&
           std::string_view("0123456789.eE+-").find(s_[i_]) != std::string_view::npos)
      ++i_;
    const std::string text(s_.substr(start, i_ - start));
    char* end = nullptr;
    const double d = text.empty() ? 0 : std::strtod(text.c_str(), &end);
    if (text.empty() || text == "-" || end != text.c_str() + text.size()) {
      i_ = start;
      fail("a value");
    }
    return d;
  }

  uint32_t hex4() {
    if (i_ + 4 > s_.size()) fail("4 hex digits");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        fail("a hex digit");
    }
    return v;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string string() {
    ++i_;  // the opening quote
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("a closing '\"'");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("no control characters in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("an escape");
      const char e = s_[i_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && take_word("\\u")) {
            const uint32_t lo = hex4();
            if (lo < 0xDC00 || lo >= 0xE000) fail("a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          fail("a valid escape");
      }
    }
  }

  std::string_view s_;
  const std::string& source_;
  size_t i_ = 0;
};

JsonValue JsonValue::parse(std::string_view text, const std::string& source) {
  return JsonParser(text, source).document();
}

namespace {
[[noreturn]] void wrong_type(const char* want) {
  throw Error(ErrorKind::InvalidArgument, std::string("JSON value is not ") + want);
}
}  // namespace

bool JsonValue::as_bool() const {
  if (type_ != Type::Bool) wrong_type("a boolean");
  return bool_;
}
double JsonValue::as_number() const {
  if (type_ != Type::Number) wrong_type("a number");
  return number_;
}
const std::string& JsonValue::as_string() const {
  if (type_ != Type::String) wrong_type("a string");
  return string_;
}
const std::vector<JsonValue>& JsonValue::as_array() const {
  if (type_ != Type::Array) wrong_type("an array");
  return array_;
}
const std::vector<std::pair<std::string, JsonValue>>& JsonValue::as_object() const {
  if (type_ != Type::Object) wrong_type("an object");
  return object_;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [k, v] : object_)
    if (k == key) return &v;
  return nullptr;
}

const JsonValue& JsonValue::at(std::string_view key) const {
  const JsonValue* v = find(key);
  if (!v)
    throw Error(ErrorKind::InvalidArgument, "JSON object has no member '" + std::string(key) + "'");
  return *v;
}

double JsonValue::number_or(std::string_view key, double fallback) const {
  const JsonValue* v = find(key);
  return v && v->type_ == Type::Number ? v->number_ : fallback;
}

std::string JsonValue::string_or(std::string_view key, const std::string& fallback) const {
  const JsonValue* v = find(key);
  return v && v->type_ == Type::String ? v->string_ : fallback;
}

}  // namespace rotary
