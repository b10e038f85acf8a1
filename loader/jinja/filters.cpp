// Filters on strings and single values, dispatch of all filters, and their shared helpers.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "loader/jinja/builtins.h"
#include "loader/jinja/text.h"

namespace rotary::jinja {

Value arg_or(const Args& args, size_t index, std::string_view name, Value fallback) {
  const Value* v = args.get(index, name);
  return v ? *v : std::move(fallback);
}

bool arg_bool(const Args& args, size_t index, std::string_view name, bool fallback) {
  const Value* v = args.get(index, name);
  return v ? v->truthy() : fallback;
}

std::optional<std::string> arg_string(const Args& args, size_t index, std::string_view name) {
  const Value* v = args.get(index, name);
  if (!v || v->is_none() || v->is_undefined()) return std::nullopt;
  if (!v->is_string()) fail(std::string("expected a string argument, got ") + type_name(*v));
  return v->str();
}

int64_t arg_int(const Args& args, size_t index, std::string_view name, int64_t fallback) {
  const Value* v = args.get(index, name);
  if (!v || v->is_none()) return fallback;
  if (!v->is_int()) fail(std::string("'") + type_name(*v) + "' object cannot be interpreted as an integer");
  return v->as_int();
}

std::string str_of(Interpreter& in, const Value& v) { return to_str(v, in.budget()); }

Value make_str(Interpreter& in, std::string s) {
  in.budget().check_size(s.size());
  return Value(std::move(s));
}

std::vector<Value> items_of(const Value& v) { return iterate(v); }

Value fold_case(const Value& v, bool case_sensitive) {
  if (case_sensitive || !v.is_string()) return v;
  return Value(to_lower(v.str()));
}

Value get_attribute_path(Interpreter& in, const Value& obj, const std::string& path) {
  Value cur = obj;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const bool digits = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    cur = digits ? in.getitem(cur, Value(static_cast<int64_t>(std::strtoll(part.c_str(), nullptr, 10))))
                 : in.getitem(cur, Value(part));
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

namespace {

std::string input_str(Interpreter& in, const Value& v) { return str_of(in, v); }

Value f_upper(Interpreter& in, const Value& v, Args& a) {
  a.check("upper", 0, {});
  return Value(to_upper(input_str(in, v)));
}
Value f_lower(Interpreter& in, const Value& v, Args& a) {
  a.check("lower", 0, {});
  return Value(to_lower(input_str(in, v)));
}
Value f_title(Interpreter& in, const Value& v, Args&) { return Value(jinja_title(input_str(in, v))); }
Value f_capitalize(Interpreter& in, const Value& v, Args&) {
  return Value(python_capitalize(input_str(in, v)));
}
Value f_trim(Interpreter& in, const Value& v, Args& a) {
  a.check("trim", 1, {"chars"});
  return Value(python_strip(input_str(in, v), arg_string(a, 0, "chars"), StripSide::Both));
}
Value f_string(Interpreter& in, const Value& v, Args&) { return Value(input_str(in, v)); }

Value f_replace(Interpreter& in, const Value& v, Args& a) {
  a.check("replace", 3, {"old", "new", "count"});
  const auto old = arg_string(a, 0, "old");
  const auto with = arg_string(a, 1, "new");
  if (!old || !with) fail("replace() needs the old and new strings");
  return Value(python_replace(input_str(in, v), *old, *with, arg_int(a, 2, "count", -1),
                              in.limits().max_output));
}

Value f_length(Interpreter&, const Value& v, Args&) { return Value(static_cast<int64_t>(v.length())); }

Value f_default(Interpreter&, const Value& v, Args& a) {
  a.check("default", 2, {"default_value", "boolean"});
  const bool boolean = arg_bool(a, 1, "boolean", false);
  if (v.is_undefined() || (boolean && !v.truthy())) return arg_or(a, 0, "default_value", Value(""));
  return v;
}

Value f_safe(Interpreter& in, const Value& v, Args&) {
  return v.is_string() ? v : Value(input_str(in, v));
}

Value f_escape(Interpreter& in, const Value& v, Args&) {
  std::string out;
  for (char c : input_str(in, v)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return make_str(in, std::move(out));
}

std::optional<double> parse_float(std::string_view text) {
  std::string s(python_strip(text, std::nullopt, StripSide::Both));
  std::string clean;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 1])))
      continue;
    clean += s[i];
  }
  if (clean.empty()) return std::nullopt;
  const std::string lower = to_lower(clean);
  const std::string body = (lower[0] == '+' || lower[0] == '-') ? lower.substr(1) : lower;
  if (body == "inf" || body == "infinity" || body == "nan") {
    double r = body == "nan" ? NAN : INFINITY;
    return lower[0] == '-' ? -r : r;
  }
  if (lower.find_first_not_of("0123456789.e+-") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  return d;
}

std::optional<int64_t> parse_int(std::string_view text, int64_t base) {
  std::string s(python_strip(text, std::nullopt, StripSide::Both));
  std::string clean;
  for (char c : s)
    if (c != '_') clean += c;
  if (clean.empty() || base < 2 || base > 36) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long r = std::strtoll(clean.c_str(), &end, static_cast<int>(base));
  if (end != clean.c_str() + clean.size() || errno == ERANGE || clean[0] == ' ') return std::nullopt;
  return r;
}

Value f_int(Interpreter&, const Value& v, Args& a) {
  a.check("int", 2, {"default", "base"});
  const Value fallback = arg_or(a, 0, "default", Value(int64_t{0}));
  if (v.is_int()) return Value(v.as_int());
  if (v.kind() == Kind::Float) {
    const double f = v.as_float();
    if (std::isnan(f) || std::isinf(f)) fail("cannot convert float infinity or NaN to integer");
    if (std::fabs(f) >= 9.2e18) fail("integer overflow");
    return Value(static_cast<int64_t>(f));
  }
  if (v.is_string()) {
    if (auto i = parse_int(v.str(), arg_int(a, 1, "base", 10))) return Value(*i);
    if (auto f = parse_float(v.str())) {
      if (std::isnan(*f) || std::isinf(*f)) fail("cannot convert float infinity or NaN to integer");
      if (std::fabs(*f) >= 9.2e18) fail("integer overflow");
      return Value(static_cast<int64_t>(*f));
    }
  }
  return fallback;
}

Value f_float(Interpreter&, const Value& v, Args& a) {
  a.check("float", 1, {"default"});
  if (v.is_number()) return Value(v.as_float());
  if (v.is_string())
    if (auto f = parse_float(v.str())) return Value(*f);
  return arg_or(a, 0, "default", Value(0.0));
}

Value f_abs(Interpreter&, const Value& v, Args&) {
  if (v.kind() == Kind::Float) return Value(std::fabs(v.as_float()));
  if (v.is_int()) {
    if (v.as_int() == INT64_MIN) fail("integer overflow");
    return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
  }
  require_defined(v);
  fail(std::string("bad operand type for abs(): '") + type_name(v) + "'");
}

Value f_round(Interpreter&, const Value& v, Args& a) {
  a.check("round", 2, {"precision", "method"});
  const int64_t precision = arg_int(a, 0, "precision", 0);
  const std::string method = arg_string(a, 1, "method").value_or("common");
  require_defined(v);
  if (!v.is_number()) fail(std::string("type ") + type_name(v) + " doesn't define __round__ method");
  if (method != "common" && method != "ceil" && method != "floor")
    fail("method must be 'common', 'ceil' or 'floor'");
  if (v.is_int() && method == "common" && precision >= 0) return Value(v.as_int());
  const double f = v.as_float();
  if (std::isnan(f) || std::isinf(f) || precision > 300 || precision < -300) return Value(f);
  if (method == "common") {
    if (precision < 0) {
      const double scale = std::pow(10.0, static_cast<double>(-precision));
      return Value(std::nearbyint(f / scale) * scale);
    }
    // printf rounds the exact binary value half-to-even, as Python's round() does.
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(precision), f);
    return Value(std::strtod(buf, nullptr));
  }
  const double scale = std::pow(10.0, static_cast<double>(precision));
  return Value((method == "ceil" ? std::ceil(f * scale) : std::floor(f * scale)) / scale);
}

Value f_indent(Interpreter& in, const Value& v, Args& a) {
  a.check("indent", 3, {"width", "first", "blank"});
  const Value width = arg_or(a, 0, "width", Value(int64_t{4}));
  std::string indention;
  if (width.is_string()) {
    indention = width.str();
  } else if (width.is_int()) {
    const int64_t n = std::max<int64_t>(0, width.as_int());
    in.budget().check_size(static_cast<size_t>(std::min<int64_t>(n, INT32_MAX)));
    indention.assign(static_cast<size_t>(n), ' ');
  } else {
    fail("indent width must be an int or a str");
  }
  const bool first = arg_bool(a, 1, "first", false);
  const bool blank = arg_bool(a, 2, "blank", false);
  const auto lines = python_splitlines(input_str(in, v) + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    if (i > 0 && (blank || !lines[i].empty())) out += indention;
    out += lines[i];
    in.budget().check_size(out.size());
  }
  if (first) out = indention + out;
  return make_str(in, std::move(out));
}

Value f_center(Interpreter& in, const Value& v, Args& a) {
  const std::string s = input_str(in, v);
  const int64_t width = arg_int(a, 0, "width", 80);
  const size_t len = utf8_length(s);
  if (width <= static_cast<int64_t>(len)) return Value(s);
  in.budget().check_size(static_cast<size_t>(width));
  const size_t pad = static_cast<size_t>(width) - len;
  const size_t left = pad / 2 + (pad & static_cast<size_t>(width) & 1);
  return Value(std::string(left, ' ') + s + std::string(pad - left, ' '));
}

Value f_wordcount(Interpreter& in, const Value& v, Args&) {
  const std::string s = input_str(in, v);
  int64_t n = 0;
  bool in_word = false;
  for (char c : s) {
    const bool w = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (static_cast<unsigned char>(c) >= 0x80);
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Value(n);
}

Value f_tojson(Interpreter& in, const Value& v, Args& a) {
  a.check("tojson", 4, {"ensure_ascii", "indent", "separators", "sort_keys"});
  const bool ascii = arg_bool(a, 0, "ensure_ascii", false);
  const Value indent = arg_or(a, 1, "indent", Value::none());
  const bool pretty = !indent.is_none();
  std::string item_sep = pretty ? "," : ", ", key_sep = ": ";
  const Value seps = arg_or(a, 2, "separators", Value::none());
  if (!seps.is_none()) {
    if (!seps.is_list() || seps.items().size() != 2 || !seps.items()[0].is_string() ||
        !seps.items()[1].is_string())
      fail("separators must be a pair of strings");
    item_sep = seps.items()[0].str();
    key_sep = seps.items()[1].str();
  }
  return Value(to_json(v, indent, item_sep, key_sep, arg_bool(a, 3, "sort_keys", false), ascii,
                       in.budget()));
}

Value f_format(Interpreter& in, const Value& v, Args& a) {
  if (!a.kw.empty()) fail("format() with keyword arguments is not supported");
  return Value(percent_format(input_str(in, v), a.pos, in.budget()));
}

Value f_attr(Interpreter& in, const Value& v, Args& a) {
  const auto name = arg_string(a, 0, "name");
  if (!name) fail("attr() needs a name");
  return in.getattr(v, *name);
}

const FilterEntry kStringFilters[] = {
    {"abs", f_abs},         {"attr", f_attr},       {"capitalize", f_capitalize},
    {"center", f_center},   {"count", f_length},    {"d", f_default},
    {"default", f_default}, {"e", f_escape},        {"escape", f_escape},
    {"float", f_float},     {"forceescape", f_escape}, {"format", f_format},
    {"indent", f_indent},   {"int", f_int},         {"length", f_length},
    {"lower", f_lower},     {"replace", f_replace}, {"round", f_round},
    {"safe", f_safe},       {"string", f_string},   {"title", f_title},
    {"tojson", f_tojson},   {"trim", f_trim},       {"upper", f_upper},
    {"wordcount", f_wordcount},
};

}  // namespace

const FilterEntry* find_string_filter(std::string_view name) {
  for (const auto& f : kStringFilters)
    if (f.name == name) return &f;
  return nullptr;
}

bool Interpreter::has_filter(std::string_view name) const {
  return find_string_filter(name) || find_sequence_filter(name);
}

Value Interpreter::filter(std::string_view name, const Value& input, Args& args) {
  const FilterEntry* f = find_string_filter(name);
  if (!f) f = find_sequence_filter(name);
  if (!f) fail("No filter named '" + std::string(name) + "'.");
  Value out = f->fn(*this, input, args);
  if (out.is_string()) budget_.check_size(out.str().size());
  return out;
}

}  // namespace rotary::jinja
