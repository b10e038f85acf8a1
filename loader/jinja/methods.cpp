// Methods of str, dict and list values, and loop.cycle. Methods that would change a list or dict
// raise, as the immutable sandbox's SecurityError does.
#include <algorithm>

#include "loader/jinja/builtins.h"
#include "loader/jinja/text.h"

namespace rotary::jinja {

namespace {

constexpr std::string_view kStringMethods[] = {
    "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith",
    "replace", "format", "upper", "lower", "title", "capitalize", "find", "rfind", "index",
    "rindex", "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower",
    "removeprefix", "removesuffix", "casefold", "center", "ljust", "rjust", "zfill", "partition",
    "rpartition", "isnumeric", "isdecimal"};
constexpr std::string_view kDictMethods[] = {"get", "items", "keys", "values", "copy"};
constexpr std::string_view kDictUnsafe[] = {"pop", "popitem", "clear", "update", "setdefault"};
constexpr std::string_view kListMethods[] = {"index", "count", "copy"};
constexpr std::string_view kListUnsafe[] = {"append", "extend", "insert", "pop", "remove",
                                            "reverse", "sort", "clear"};

template <size_t N>
bool in_set(const std::string_view (&set)[N], std::string_view name) {
  return std::find(std::begin(set), std::end(set), name) != std::end(set);
}

struct BoundMethod : Callable {
  Value self;
  std::string name;
  BoundMethod(Value s, std::string_view n) : self(std::move(s)), name(n) {}
  uint32_t depth() const override { return value_depth(self) + 1; }
  Value call(Interpreter& in, Args& args) override { return call_method(in, self, name, args); }
};

bool starts_or_ends(const std::string& s, const Value& affix, bool start) {
  auto one = [&](const Value& a) {
    if (!a.is_string())
      fail(std::string(start ? "startswith" : "endswith") +
           " first arg must be str or a tuple of str, not " + type_name(a));
    const std::string& x = a.str();
    if (x.size() > s.size()) return false;
    return start ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (affix.is_list() && affix.list_data().tuple) {
    for (const auto& a : affix.items())
      if (one(a)) return true;
    return false;
  }
  return one(affix);
}

// str.format with {} {0} {name} fields and {{ }} escapes (no format specs).
std::string python_format(Interpreter& in, const std::string& fmt, const Args& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') ++i;
      else fail("Single '}' encountered in format string");
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const size_t close = fmt.find('}', i);
    if (close == std::string::npos) fail("Single '{' encountered in format string");
    const std::string field = fmt.substr(i + 1, close - i - 1);
    if (field.find_first_of(":!.[") != std::string::npos) fail("format specs are not supported");
    const Value* v = nullptr;
    if (field.empty()) {
      v = auto_index < args.pos.size() ? &args.pos[auto_index++] : nullptr;
    } else if (field.find_first_not_of("0123456789") == std::string::npos) {
      const size_t k = static_cast<size_t>(std::stoul(field.substr(0, 9)));
      v = k < args.pos.size() ? &args.pos[k] : nullptr;
    } else {
      v = args.get(SIZE_MAX, field);
    }
    if (!v) fail("Replacement index out of range for positional args tuple");
    append_str(out, *v, in.budget());
    in.budget().check_size(out.size());
    i = close;
  }
  return out;
}

Value list_of_strings(std::vector<std::string> parts) {
  std::vector<Value> out;
  out.reserve(parts.size());
  for (auto& p : parts) out.emplace_back(std::move(p));
  return Value::list(std::move(out));
}

Value pad(Interpreter& in, const std::string& s, const Args& a, char where) {
  const int64_t width = arg_int(a, 0, "width", 0);
  const std::string fill = arg_string(a, 1, "fillchar").value_or(" ");
  const size_t len = utf8_length(s);
  if (width <= static_cast<int64_t>(len)) return Value(s);
  in.budget().check_size(static_cast<size_t>(width) * fill.size());
  const size_t total = static_cast<size_t>(width) - len;
  size_t left = where == 'l' ? 0 : where == 'r' ? total : total / 2 + (total & static_cast<size_t>(width) & 1);
  std::string out;
  for (size_t i = 0; i < left; ++i) out += fill;
  out += s;
  for (size_t i = left; i < total; ++i) out += fill;
  return Value(std::move(out));
}

Value string_predicate(const std::string& s, std::string_view name) {
  if (s.empty()) return Value(false);
  bool cased = false, upper = false, lower = false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (name == "isdigit" || name == "isnumeric" || name == "isdecimal") {
      if (!std::isdigit(c)) return Value(false);
    } else if (name == "isalpha") {
      if (!std::isalpha(c) && c < 0x80) return Value(false);
    } else if (name == "isalnum") {
      if (!std::isalnum(c) && c < 0x80) return Value(false);
    } else if (name == "isspace") {
      if (!std::isspace(c)) return Value(false);
    } else {
      cased = cased || std::isalpha(c);
      upper = upper || std::isupper(c);
      lower = lower || std::islower(c);
    }
  }
  if (name == "isupper") return Value(cased && !lower);
  if (name == "islower") return Value(cased && !upper);
  return Value(true);
}

Value string_method(Interpreter& in, const std::string& s, std::string_view name, Args& a) {
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    const StripSide side = name == "strip" ? StripSide::Both : name == "lstrip" ? StripSide::Left : StripSide::Right;
    return Value(python_strip(s, arg_string(a, 0, "chars"), side));
  }
  if (name == "split" || name == "rsplit")
    return list_of_strings(python_split(s, arg_string(a, 0, "sep"), arg_int(a, 1, "maxsplit", -1), name == "rsplit"));
  if (name == "splitlines") return list_of_strings(python_splitlines(s, arg_bool(a, 0, "keepends", false)));
  if (name == "startswith" || name == "endswith") {
    const Value* affix = a.get(0, "prefix");
    if (!affix) fail(std::string(name) + "() takes at least 1 argument (0 given)");
    if (a.pos.size() > 1) {
      const size_t b = utf8_offset(s, static_cast<size_t>(std::max<int64_t>(0, arg_int(a, 1, "start", 0))));
      return Value(starts_or_ends(s.substr(b), *affix, name == "startswith"));
    }
    return Value(starts_or_ends(s, *affix, name == "startswith"));
  }
  if (name == "replace") {
    const auto old = arg_string(a, 0, "old");
    const auto with = arg_string(a, 1, "new");
    if (!old || !with) fail("replace() takes at least 2 arguments");
    return Value(python_replace(s, *old, *with, arg_int(a, 2, "count", -1), in.limits().max_output));
  }
  if (name == "format") return Value(python_format(in, s, a));
  if (name == "upper") return Value(to_upper(s));
  if (name == "lower" || name == "casefold") return Value(to_lower(s));
  if (name == "title") return Value(python_title(s));
  if (name == "capitalize") return Value(python_capitalize(s));
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex") {
    const auto sub = arg_string(a, 0, "sub");
    if (!sub) fail(std::string(name) + "() takes at least 1 argument");
    const int64_t at = python_find(s, *sub, name[0] == 'r');
    if (at < 0 && (name == "index" || name == "rindex")) fail("substring not found");
    return Value(at);
  }
  if (name == "count") {
    const auto sub = arg_string(a, 0, "sub");
    if (!sub) fail("count() takes at least 1 argument");
    return Value(python_count(s, *sub));
  }
  if (name == "join") {
    std::string out;
    bool first = true;
    for (const auto& item : items_of(arg_or(a, 0, "iterable", Value()))) {
      if (!item.is_string()) fail(std::string("sequence item: expected str instance, ") + type_name(item) + " found");
      if (!first) out += s;
      first = false;
      out += item.str();
      in.budget().check_size(out.size());
    }
    return Value(std::move(out));
  }
  if (name == "removeprefix" || name == "removesuffix") {
    const std::string x = arg_string(a, 0, "affix").value_or("");
    if (name == "removeprefix") return Value(s.compare(0, x.size(), x) == 0 ? s.substr(x.size()) : s);
    return Value(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0 && !x.empty()
                     ? s.substr(0, s.size() - x.size()) : s);
  }
  if (name == "center") return pad(in, s, a, 'c');
  if (name == "ljust") return pad(in, s, a, 'l');
  if (name == "rjust") return pad(in, s, a, 'r');
  if (name == "zfill") {
    const int64_t width = arg_int(a, 0, "width", 0);
    const size_t len = utf8_length(s);
    if (width <= static_cast<int64_t>(len)) return Value(s);
    in.budget().check_size(static_cast<size_t>(width));
    const size_t sign = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    return Value(s.substr(0, sign) + std::string(static_cast<size_t>(width) - len, '0') + s.substr(sign));
  }
  if (name == "partition" || name == "rpartition") {
    const auto sep = arg_string(a, 0, "sep");
    if (!sep || sep->empty()) fail("empty separator");
    const size_t at = name == "partition" ? s.find(*sep) : s.rfind(*sep);
    if (at == std::string::npos)
      return name == "partition" ? Value::list({Value(s), Value(""), Value("")}, true)
                                 : Value::list({Value(""), Value(""), Value(s)}, true);
    return Value::list({Value(s.substr(0, at)), Value(*sep), Value(s.substr(at + sep->size()))}, true);
  }
  return string_predicate(s, name);
}

Value dict_method(const Value& d, std::string_view name, Args& a) {
  const auto& items = d.dict_data().items;
  if (name == "get") {
    const Value* key = a.get(0, "key");
    if (!key) fail("get expected at least 1 argument, got 0");
    const Value* v = d.dict_data().find(*key);
    return v ? *v : arg_or(a, 1, "default", Value::none());
  }
  std::vector<Value> out;
  out.reserve(items.size());
  if (name == "copy") {
    auto copy = std::make_shared<DictData>(d.dict_data());
    return Value::dict(std::move(copy));
  }
  for (const auto& [k, v] : items) {
    if (name == "items") out.push_back(Value::list({k, v}, true));
    else if (name == "keys") out.push_back(k);
    else out.push_back(v);
  }
  return Value::list(std::move(out));
}

Value list_method(Interpreter& in, const Value& l, std::string_view name, Args& a) {
  if (name == "copy") return Value::list(l.items());
  const Value* x = a.get(0, "value");
  if (!x) fail(std::string(name) + "() takes exactly one argument (0 given)");
  int64_t count = 0;
  for (size_t i = 0; i < l.items().size(); ++i) {
    if (!equals(l.items()[i], *x, in.budget())) continue;
    if (name == "index") return Value(static_cast<int64_t>(i));
    ++count;
  }
  if (name == "index") fail("value is not in list");
  return Value(count);
}

}  // namespace

bool has_method(const Value& obj, std::string_view name) {
  switch (obj.kind()) {
    case Kind::String: return in_set(kStringMethods, name);
    case Kind::Dict: return in_set(kDictMethods, name) || in_set(kDictUnsafe, name);
    case Kind::List: return in_set(kListMethods, name) || in_set(kListUnsafe, name);
    case Kind::Loop: return name == "cycle";
    default: return false;
  }
}

Value bound_method(const Value& obj, std::string_view name) {
  if ((obj.is_dict() && in_set(kDictUnsafe, name)) || (obj.is_list() && in_set(kListUnsafe, name)))
    return Value::undefined("access to attribute '" + std::string(name) + "' of '" + type_name(obj) +
                            "' object is unsafe.");
  return Value::object(Kind::Callable, std::make_shared<BoundMethod>(obj, name));
}

Value call_method(Interpreter& in, const Value& obj, std::string_view name, Args& args) {
  if ((obj.is_dict() && in_set(kDictUnsafe, name)) || (obj.is_list() && in_set(kListUnsafe, name)))
    fail("access to attribute '" + std::string(name) + "' of '" + type_name(obj) +
         "' object is unsafe.");
  switch (obj.kind()) {
    case Kind::String: return string_method(in, obj.str(), name, args);
    case Kind::Dict: return dict_method(obj, name, args);
    case Kind::List: return list_method(in, obj, name, args);
    case Kind::Loop: {
      if (args.pos.empty()) fail("no items for cycling given");
      const auto* loop = static_cast<const LoopState*>(obj.object_ptr());
      return args.pos[loop->index0 % args.pos.size()];
    }
    default: fail("'" + std::string(type_name(obj)) + "' object has no attribute '" + std::string(name) + "'");
  }
}

}  // namespace rotary::jinja
