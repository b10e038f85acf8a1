#include "loader/jinja/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "loader/jinja/text.h"

namespace rotary::jinja {

void fail(std::string message) { throw Failure{std::move(message)}; }

Value::Value(std::string s) : kind_(Kind::String), p_(std::make_shared<std::string>(std::move(s))) {}

Value Value::undefined(std::string message) {
  Value v;
  v.p_ = std::make_shared<std::string>(std::move(message));
  return v;
}

Value Value::list(std::vector<Value> items, bool tuple) {
  Value v(Kind::List);
  auto d = std::make_shared<ListData>();
  for (const auto& item : items) d->depth = std::max(d->depth, value_depth(item) + 1);
  if (d->depth > kMaxValueDepth) fail("the template built a value nested deeper than the limit");
  d->items = std::move(items);
  d->tuple = tuple;
  v.p_ = std::move(d);
  return v;
}

Value Value::dict(std::shared_ptr<DictData> d) {
  Value v(Kind::Dict);
  v.p_ = std::move(d);
  return v;
}

Value Value::namespace_(std::shared_ptr<DictData> d) {
  Value v(Kind::Namespace);
  v.p_ = std::move(d);
  return v;
}

Value Value::object(Kind kind, std::shared_ptr<Object> o) {
  Value v(kind);
  v.p_ = std::move(o);
  return v;
}

const std::string& Value::undefined_message() const {
  static const std::string generic = "value is undefined";
  return p_ ? str() : generic;
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return u_.b;
    case Kind::Int: return u_.i != 0;
    case Kind::Float: return u_.f != 0.0;
    case Kind::String: return !str().empty();
    case Kind::List: return !items().empty();
    case Kind::Dict: return !dict_data().items.empty();
    default: return true;
  }
}

size_t Value::length() const {
  switch (kind_) {
    case Kind::Undefined: return 0;
    case Kind::String: return utf8_length(str());
    case Kind::List: return items().size();
    case Kind::Dict: return dict_data().items.size();
    default: fail(std::string("object of type '") + type_name(*this) + "' has no len()");
  }
}

namespace {

// Python dict keys: numbers by value (True == 1 == 1.0), strings by content, None, tuples.
bool same_key(const Value& a, const Value& b) {
  if (a.is_string() && b.is_string()) return a.str() == b.str();
  if (a.is_number() && b.is_number()) return a.as_float() == b.as_float() &&
                                             (a.kind() == Kind::Float || b.kind() == Kind::Float ||
                                              a.as_int() == b.as_int());
  if (a.is_none() && b.is_none()) return true;
  if (a.is_list() && b.is_list() && a.items().size() == b.items().size()) {
    for (size_t i = 0; i < a.items().size(); ++i)
      if (!same_key(a.items()[i], b.items()[i])) return false;
    return true;
  }
  return false;
}

}  // namespace

const Value* DictData::find(const Value& key) const {
  if (key.is_string()) return find(std::string_view(key.str()));
  for (const auto& [k, v] : items)
    if (same_key(k, key)) return &v;
  return nullptr;
}

const Value* DictData::find(std::string_view key) const {
  for (const auto& [k, v] : items)
    if (k.is_string() && k.str() == key) return &v;
  return nullptr;
}

uint32_t value_depth(const Value& v) {
  switch (v.kind()) {
    case Kind::List: return v.list_data().depth;
    case Kind::Dict: return v.dict_data().depth;
    case Kind::Namespace: return 1;
    case Kind::Callable:
    case Kind::Loop: return v.object_ptr()->depth();
    default: return 0;
  }
}

void DictData::hold(const Value& v) {
  depth = std::max(depth, value_depth(v) + 1);
  if (depth > kMaxValueDepth) fail("the template built a value nested deeper than the limit");
}

void DictData::set(Value key, Value value) {
  hold(key);
  hold(value);
  for (auto& [k, v] : items)
    if (same_key(k, key)) {
      v = std::move(value);
      return;
    }
  items.emplace_back(std::move(key), std::move(value));
}

const char* type_name(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return "Undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::List: return v.list_data().tuple ? "tuple" : "list";
    case Kind::Dict: return "dict";
    case Kind::Namespace: return "Namespace";
    case Kind::Callable: return "function";
    case Kind::Loop: return "LoopContext";
  }
  return "object";
}

std::string float_repr(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
  if (f == 0) return std::signbit(f) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout: exponent form when exp < -4 or exp >= 16.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  size_t e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  std::string mant = sci.substr(0, e);
  bool neg = mant[0] == '-';
  if (neg) mant.erase(0, 1);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out + eb;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  const size_t int_digits = static_cast<size_t>(exp) + 1;
  if (digits.size() <= int_digits)
    return out + digits + std::string(int_digits - digits.size(), '0') + ".0";
  return out + digits.substr(0, int_digits) + "." + digits.substr(int_digits);
}

void append_str(std::string& out, const Value& v, Budget& budget) {
  switch (v.kind()) {
    case Kind::Undefined: return;
    case Kind::String: out += v.str(); break;
    case Kind::None: out += "None"; break;
    case Kind::Bool: out += v.as_bool() ? "True" : "False"; break;
    case Kind::Int: out += std::to_string(v.as_int()); break;
    case Kind::Float: out += float_repr(v.as_float()); break;
    default: append_repr(out, v, budget); return;
  }
  budget.check_size(out.size());
}

std::string to_str(const Value& v, Budget& budget) {
  if (v.is_string()) return v.str();
  std::string out;
  append_str(out, v, budget);
  return out;
}

void append_repr(std::string& out, const Value& v, Budget& budget) {
  budget.step();
  budget.check_size(out.size());
  DepthGuard guard(budget);
  switch (v.kind()) {
    case Kind::String: append_python_repr(out, v.str()); return;
    case Kind::List: {
      const bool tuple = v.list_data().tuple;
      out += tuple ? '(' : '[';
      const auto& items = v.items();
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        append_repr(out, items[i], budget);
      }
      if (tuple && items.size() == 1) out += ',';
      out += tuple ? ')' : ']';
      return;
    }
    case Kind::Dict:
    case Kind::Namespace: {
      out += v.kind() == Kind::Namespace ? "<Namespace {" : "{";
      bool first = true;
      for (const auto& [k, val] : v.dict_data().items) {
        if (!first) out += ", ";
        first = false;
        append_repr(out, k, budget);
        out += ": ";
        append_repr(out, val, budget);
      }
      out += v.kind() == Kind::Namespace ? "}>" : "}";
      return;
    }
    case Kind::Undefined: return;
    case Kind::Callable: out += "<function>"; return;
    case Kind::Loop: out += "<LoopContext>"; return;
    default: append_str(out, v, budget); return;
  }
}

bool equals(const Value& a, const Value& b, Budget& budget) {
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::Float || b.kind() == Kind::Float) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  budget.step();
  switch (a.kind()) {
    case Kind::Undefined:
    case Kind::None: return true;
    case Kind::String: return a.str() == b.str();
    case Kind::List: {
      if (a.identity() == b.identity()) return true;
      if (a.list_data().tuple != b.list_data().tuple) return false;
      const auto& x = a.items();
      const auto& y = b.items();
      if (x.size() != y.size()) return false;
      DepthGuard guard(budget);
      for (size_t i = 0; i < x.size(); ++i)
        if (!equals(x[i], y[i], budget)) return false;
      return true;
    }
    case Kind::Dict: {
      if (a.identity() == b.identity()) return true;
      const auto& x = a.dict_data().items;
      if (x.size() != b.dict_data().items.size()) return false;
      DepthGuard guard(budget);
      for (const auto& [k, v] : x) {
        const Value* other = b.dict_data().find(k);
        if (!other || !equals(v, *other, budget)) return false;
      }
      return true;
    }
    default: return a.identity() == b.identity();
  }
}

bool less(const Value& a, const Value& b, Budget& budget) {
  require_defined(a);
  require_defined(b);
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::Float || b.kind() == Kind::Float) return a.as_float() < b.as_float();
    return a.as_int() < b.as_int();
  }
  if (a.is_string() && b.is_string()) return a.str() < b.str();  // UTF-8 order is code point order
  if (a.is_list() && b.is_list() && a.list_data().tuple == b.list_data().tuple) {
    budget.step();
    DepthGuard guard(budget);
    const auto& x = a.items();
    const auto& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (equals(x[i], y[i], budget)) continue;
      return less(x[i], y[i], budget);
    }
    return x.size() < y.size();
  }
  fail(std::string("'<' not supported between instances of '") + type_name(a) + "' and '" +
       type_name(b) + "'");
}

std::vector<Value> iterate(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return {};
    case Kind::List: return v.items();
    case Kind::Dict:
    case Kind::Namespace: {
      std::vector<Value> keys;
      if (v.kind() == Kind::Namespace) fail("'Namespace' object is not iterable");
      keys.reserve(v.dict_data().items.size());
      for (const auto& kv : v.dict_data().items) keys.push_back(kv.first);
      return keys;
    }
    case Kind::String: {
      std::vector<Value> chars;
      for (std::string_view c : utf8_chars(v.str())) chars.emplace_back(c);
      return chars;
    }
    default: fail(std::string("'") + type_name(v) + "' object is not iterable");
  }
}

void require_defined(const Value& v) {
  if (v.is_undefined()) fail(v.undefined_message());
}

}  // namespace rotary::jinja
