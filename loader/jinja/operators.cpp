// Python's operators on values, and the conversions between values and JSON.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "loader/jinja/interpreter.h"
#include "loader/jinja/text.h"

namespace rotary::jinja {

namespace {

[[noreturn]] void unsupported(const char* op, const Value& a, const Value& b) {
  fail(std::string("unsupported operand type(s) for ") + op + ": '" + type_name(a) + "' and '" +
       type_name(b) + "'");
}

Value repeat(const Value& seq, int64_t times, Budget& budget) {
  if (times < 0) times = 0;
  const size_t unit = seq.is_string() ? seq.str().size() : seq.items().size();
  if (unit && static_cast<uint64_t>(times) > budget.max_size / unit)
    fail("the template built a value larger than the output limit");
  const size_t n = static_cast<size_t>(times);
  budget.step(n);
  if (seq.is_string()) {
    std::string out;
    out.reserve(unit * n);
    for (size_t i = 0; i < n; ++i) out += seq.str();
    return Value(std::move(out));
  }
  std::vector<Value> out;
  out.reserve(unit * n);
  for (size_t i = 0; i < n; ++i) out.insert(out.end(), seq.items().begin(), seq.items().end());
  return Value::list(std::move(out), seq.list_data().tuple);
}

int64_t checked_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) fail("integer overflow");
  return r;
}
int64_t checked_sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) fail("integer overflow");
  return r;
}
int64_t checked_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) fail("integer overflow");
  return r;
}

int64_t int_pow(int64_t base, int64_t exp) {
  int64_t result = 1;
  while (exp > 0) {
    if (exp & 1) result = checked_mul(result, base);
    exp >>= 1;
    if (exp) base = checked_mul(base, base);
  }
  return result;
}

Value arithmetic(BinOp op, const Value& a, const Value& b) {
  const bool ints = a.is_int() && b.is_int();
  const int64_t x = a.as_int(), y = b.as_int();
  const double f = a.as_float(), g = b.as_float();
  switch (op) {
    case BinOp::Add:
      return ints ? Value(checked_add(x, y)) : Value(f + g);
    case BinOp::Sub:
      return ints ? Value(checked_sub(x, y)) : Value(f - g);
    case BinOp::Mul:
      return ints ? Value(checked_mul(x, y)) : Value(f * g);
    case BinOp::Div:
      if (g == 0) fail("division by zero");
      return Value(f / g);
    case BinOp::FloorDiv:
      if (ints) {
        if (y == 0) fail("integer division or modulo by zero");
        if (x == INT64_MIN && y == -1) fail("integer overflow");
        int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
        return Value(q);
      }
      if (g == 0) fail("float floor division by zero");
      return Value(std::floor(f / g));
    case BinOp::Mod:
      if (ints) {
        if (y == 0) fail("integer division or modulo by zero");
        if (y == -1) return Value(int64_t{0});
        int64_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) m += y;
        return Value(m);
      } else {
        if (g == 0) fail("float modulo");
        double m = std::fmod(f, g);
        if (m != 0 && ((m < 0) != (g < 0))) m += g;
        return Value(m);
      }
    case BinOp::Pow:
      if (ints && y >= 0) return Value(int_pow(x, y));
      if (f == 0 && g < 0) fail("0.0 cannot be raised to a negative power");
      return Value(std::pow(f, g));
    case BinOp::Concat: break;
  }
  fail("bad operator");
}

const char* op_text(BinOp op) {
  switch (op) {
    case BinOp::Add: return "+";
    case BinOp::Sub: return "-";
    case BinOp::Mul: return "*";
    case BinOp::Div: return "/";
    case BinOp::FloorDiv: return "//";
    case BinOp::Mod: return "%";
    case BinOp::Pow: return "**";
    case BinOp::Concat: return "~";
  }
  return "?";
}

}  // namespace

Value binary_op(BinOp op, const Value& a, const Value& b, Budget& budget) {
  if (op == BinOp::Concat) {
    std::string out = to_str(a, budget);
    append_str(out, b, budget);
    budget.check_size(out.size());
    return Value(std::move(out));
  }
  require_defined(a);
  require_defined(b);
  if (a.is_number() && b.is_number()) return arithmetic(op, a, b);
  if (op == BinOp::Add) {
    if (a.is_string() && b.is_string()) {
      budget.check_size(a.str().size() + b.str().size());
      return Value(a.str() + b.str());
    }
    if (a.is_list() && b.is_list() && a.list_data().tuple == b.list_data().tuple) {
      budget.check_size(a.items().size() + b.items().size());
      std::vector<Value> out = a.items();
      out.insert(out.end(), b.items().begin(), b.items().end());
      return Value::list(std::move(out), a.list_data().tuple);
    }
    if (a.is_string())
      fail(std::string("can only concatenate str (not \"") + type_name(b) + "\") to str");
  }
  if (op == BinOp::Mod && a.is_string())
    return Value(percent_format(a.str(), b.is_list() && b.list_data().tuple ? b.items() : std::vector<Value>{b}, budget));
  if (op == BinOp::Mul) {
    if ((a.is_string() || a.is_list()) && b.is_int()) return repeat(a, b.as_int(), budget);
    if (a.is_int() && (b.is_string() || b.is_list())) return repeat(b, a.as_int(), budget);
  }
  unsupported(op_text(op), a, b);
}

namespace {

// One conversion of percent_format: `spec` is the flags, width and precision, `c` the type.
// Widths and precisions are bounded (Python's are not) so that the buffer below always fits.
void format_one(std::string& out, const std::string& spec, char c, const Value& arg, Budget& budget) {
  const size_t digits = spec.find_first_of("0123456789.");
  const std::string flags = spec.substr(0, digits == std::string::npos ? spec.size() : digits);
  const std::string rest = digits == std::string::npos ? "" : spec.substr(digits);
  const size_t dot = rest.find('.');
  const std::string width_text = rest.substr(0, dot);
  const std::string precision_text = dot == std::string::npos ? "" : rest.substr(dot + 1);
  auto all_digits = [](const std::string& t) {
    return t.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!all_digits(width_text) || !all_digits(precision_text)) fail("unsupported format character");
  if (width_text.size() > 3 || precision_text.size() > 3) fail("format width or precision too large");
  if (c == 's' || c == 'r') {
    std::string text;
    if (c == 's') append_str(text, arg, budget);
    else append_repr(text, arg, budget);
    if (!precision_text.empty()) text = text.substr(0, utf8_offset(text, std::stoul(precision_text)));
    const size_t width = width_text.empty() ? 0 : std::stoul(width_text);
    const size_t len = utf8_length(text);
    const bool left = flags.find('-') != std::string::npos;
    if (len < width && !left) out.append(width - len, ' ');
    out += text;
    if (len < width && left) out.append(width - len, ' ');
    return;
  }
  if (!arg.is_number())
    fail(std::string("%") + c + " format: a real number is required, not " + type_name(arg));
  const std::string conv = "%" + spec;
  char buf[2048];
  if (c == 'd' || c == 'i' || c == 'x' || c == 'X' || c == 'o') {
    const long long n = arg.kind() == Kind::Float ? static_cast<long long>(arg.as_float()) : arg.as_int();
    const std::string f = conv + "ll" + (c == 'i' ? 'd' : c);
    std::snprintf(buf, sizeof buf, f.c_str(), n);
  } else if (c == 'f' || c == 'F' || c == 'e' || c == 'E' || c == 'g' || c == 'G') {
    const std::string f = conv + c;
    std::snprintf(buf, sizeof buf, f.c_str(), arg.as_float());
  } else {
    fail(std::string("unsupported format character '") + c + "'");
  }
  out += buf;
}

}  // namespace

std::string percent_format(const std::string& fmt, const std::vector<Value>& args, Budget& budget) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    size_t j = i + 1;
    while (j < fmt.size() && std::string_view("-+ #0123456789.").find(fmt[j]) != std::string_view::npos) ++j;
    if (j >= fmt.size()) fail("incomplete format");
    if (fmt[j] == '%') {
      out += '%';
      i = j;
      continue;
    }
    if (next >= args.size()) fail("not enough arguments for format string");
    format_one(out, fmt.substr(i + 1, j - i - 1), fmt[j], args[next++], budget);
    budget.check_size(out.size());
    i = j;
  }
  if (next < args.size()) fail("not all arguments converted during string formatting");
  return out;
}

bool contains(const Value& container, const Value& item, Budget& budget) {
  switch (container.kind()) {
    case Kind::Undefined: return false;
    case Kind::String:
      if (!item.is_string())
        fail(std::string("'in <string>' requires string as left operand, not ") + type_name(item));
      return container.str().find(item.str()) != std::string::npos;
    case Kind::List:
      for (const auto& v : container.items())
        if (equals(v, item, budget)) return true;
      return false;
    case Kind::Dict:
      if (item.is_list() && !item.list_data().tuple) fail("unhashable type: 'list'");
      if (item.is_dict()) fail("unhashable type: 'dict'");
      return container.dict_data().find(item) != nullptr;
    default:
      fail(std::string("argument of type '") + type_name(container) + "' is not iterable");
  }
}

namespace {

Value from_json_at(const nlohmann::ordered_json& j, uint32_t depth) {
  if (depth > kMaxValueDepth) fail("the template context nests deeper than the limit");
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return Value::none();
    case nlohmann::ordered_json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      const uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
      return Value(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value(j.get_ref<const std::string&>());
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& x : j) items.push_back(from_json_at(x, depth + 1));
      return Value::list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      auto d = std::make_shared<DictData>();
      d->items.reserve(j.size());
      for (const auto& [k, v] : j.items()) {
        Value value = from_json_at(v, depth + 1);
        d->hold(value);
        d->items.emplace_back(Value(k), std::move(value));
      }
      return Value::dict(std::move(d));
    }
    default: return Value::none();
  }
}

}  // namespace

Value from_json(const nlohmann::ordered_json& j) { return from_json_at(j, 1); }

namespace {

// `tojson` writes as Python's json.dumps does (Jinja2's reference filter), byte for byte: its
// separators, \uXXXX escapes with ensure_ascii, float repr. nlohmann's dump() formats all three
// differently, so Jinja values get this writer; parsing is nlohmann's (base/json.h).
struct PythonJsonWriter {
  std::string indent;  // per level; used when `pretty`
  bool pretty = false;
  bool ascii = false;
  std::string item_sep, key_sep;
  bool sort_keys = false;
  Budget& budget;
  std::string out;

  void newline(size_t level) {
    out += '\n';
    for (size_t i = 0; i < level; ++i) out += indent;
  }
  void string(std::string_view s);
  std::string key_text(const Value& k);
  void value(const Value& v, size_t level);
};

void PythonJsonWriter::string(std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || (ascii && c >= 0x80)) {
          uint32_t cp = c;
          size_t extra = 0;
          if (c >= 0xF0) cp = c & 0x07u, extra = 3;
          else if (c >= 0xE0) cp = c & 0x0Fu, extra = 2;
          else if (c >= 0xC0) cp = c & 0x1Fu, extra = 1;
          for (size_t k = 0; k < extra && i + 1 < s.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3Fu);
          char buf[16];
          if (cp >= 0x10000) {
            cp -= 0x10000;
            std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
          } else {
            std::snprintf(buf, sizeof buf, "\\u%04x", cp);
          }
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string PythonJsonWriter::key_text(const Value& k) {
  switch (k.kind()) {
    case Kind::String: return k.str();
    case Kind::Bool: return k.as_bool() ? "true" : "false";
    case Kind::None: return "null";
    case Kind::Int: return std::to_string(k.as_int());
    case Kind::Float: return float_repr(k.as_float());
    default: fail(std::string("keys must be str, int, float, bool or None, not ") + type_name(k));
  }
}

void PythonJsonWriter::value(const Value& v, size_t level) {
  budget.step();
  budget.check_size(out.size());
  DepthGuard guard(budget);
  switch (v.kind()) {
    case Kind::None: out += "null"; return;
    case Kind::Bool: out += v.as_bool() ? "true" : "false"; return;
    case Kind::Int: out += std::to_string(v.as_int()); return;
    case Kind::Float: {
      const double f = v.as_float();
      out += std::isnan(f) ? "NaN" : std::isinf(f) ? (f > 0 ? "Infinity" : "-Infinity") : float_repr(f);
      return;
    }
    case Kind::String: string(v.str()); return;
    case Kind::List: {
      if (v.items().empty()) { out += "[]"; return; }
      out += '[';
      bool first = true;
      for (const auto& item : v.items()) {
        if (!first) out += item_sep;
        first = false;
        if (pretty) newline(level + 1);
        value(item, level + 1);
      }
      if (pretty) newline(level);
      out += ']';
      return;
    }
    case Kind::Dict: {
      if (v.dict_data().items.empty()) { out += "{}"; return; }
      std::vector<const std::pair<Value, Value>*> entries;
      for (const auto& kv : v.dict_data().items) entries.push_back(&kv);
      if (sort_keys)
        std::stable_sort(entries.begin(), entries.end(), [&](auto* x, auto* y) {
          return less(x->first, y->first, budget);
        });
      out += '{';
      bool first = true;
      for (const auto* kv : entries) {
        if (!first) out += item_sep;
        first = false;
        if (pretty) newline(level + 1);
        string(key_text(kv->first));
        out += key_sep;
        value(kv->second, level + 1);
      }
      if (pretty) newline(level);
      out += '}';
      return;
    }
    default:
      fail(std::string("Object of type ") + type_name(v) + " is not JSON serializable");
  }
}

}  // namespace

std::string to_json(const Value& v, const Value& indent, const std::string& item_sep,
                    const std::string& key_sep, bool sort_keys, bool ensure_ascii,
                    Budget& budget) {
  PythonJsonWriter w{{}, false, ensure_ascii, item_sep, key_sep, sort_keys, budget, {}};
  if (indent.is_string()) {
    w.pretty = true;
    w.indent = indent.str();
  } else if (indent.is_int()) {
    w.pretty = true;
    const int64_t n = indent.as_int();
    if (n > 0) {
      budget.check_size(static_cast<size_t>(std::min<int64_t>(n, INT32_MAX)));
      w.indent.assign(static_cast<size_t>(n), ' ');
    }
  } else if (!indent.is_none() && !indent.is_undefined()) {
    fail(std::string("indent must be an int or a str, not ") + type_name(indent));
  }
  w.value(v, 0);
  budget.check_size(w.out.size());
  return std::move(w.out);
}

}  // namespace rotary::jinja
