// The globals of Hugging Face's environment: range, dict, namespace, raise_exception,
// strftime_now.
#include <ctime>

#include "loader/jinja/builtins.h"

namespace rotary::jinja {

namespace {

using BuiltinFn = Value (*)(Interpreter&, Args&);

struct Builtin : Callable {
  BuiltinFn fn;
  explicit Builtin(BuiltinFn f) : fn(f) {}
  Value call(Interpreter& in, Args& args) override { return fn(in, args); }
};

// The sandbox's limit on range() (jinja2.sandbox.MAX_RANGE).
constexpr int64_t kMaxRange = 100000;

Value g_range(Interpreter& in, Args& a) {
  if (!a.kw.empty()) fail("range() takes no keyword arguments");
  if (a.pos.empty() || a.pos.size() > 3) fail("range expected 1 to 3 arguments");
  for (const auto& v : a.pos)
    if (!v.is_int()) fail(std::string("'") + type_name(v) + "' object cannot be interpreted as an integer");
  int64_t start = 0, stop, step = 1;
  if (a.pos.size() == 1) {
    stop = a.pos[0].as_int();
  } else {
    start = a.pos[0].as_int();
    stop = a.pos[1].as_int();
    if (a.pos.size() == 3) step = a.pos[2].as_int();
  }
  if (step == 0) fail("range() arg 3 must not be zero");
  // Count without overflow: the distance in unsigned arithmetic.
  uint64_t n = 0;
  if (step > 0 && stop > start)
    n = (static_cast<uint64_t>(stop) - static_cast<uint64_t>(start) - 1) / static_cast<uint64_t>(step) + 1;
  if (step < 0 && stop < start)
    n = (static_cast<uint64_t>(start) - static_cast<uint64_t>(stop) - 1) /
            (static_cast<uint64_t>(-(step + 1)) + 1) + 1;
  if (n > static_cast<uint64_t>(kMaxRange))
    fail("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  in.budget().step(n);
  std::vector<Value> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) out.emplace_back(start + static_cast<int64_t>(i) * step);
  return Value::list(std::move(out));
}

std::shared_ptr<DictData> dict_from(const Args& a, const char* what) {
  auto d = std::make_shared<DictData>();
  if (a.pos.size() > 1) fail(std::string(what) + " expected at most 1 argument");
  if (!a.pos.empty()) {
    const Value& src = a.pos[0];
    if (src.is_dict()) {
      d->items = src.dict_data().items;
      d->depth = src.dict_data().depth;
    } else {
      for (const auto& pair : iterate(src)) {
        auto kv = iterate(pair);
        if (kv.size() != 2) fail("dictionary update sequence element has the wrong length; 2 is required");
        d->set(kv[0], kv[1]);
      }
    }
  }
  for (const auto& [k, v] : a.kw) d->set(Value(k), v);
  return d;
}

Value g_dict(Interpreter&, Args& a) { return Value::dict(dict_from(a, "dict")); }
Value g_namespace(Interpreter& in, Args& a) { return in.make_namespace(dict_from(a, "namespace")); }

Value g_raise_exception(Interpreter& in, Args& a) {
  const Value* message = a.get(0, "message");
  throw Failure{message ? to_str(*message, in.budget()) : std::string(), true};
}

Value g_strftime_now(Interpreter& in, Args& a) {
  const auto format = arg_string(a, 0, "format");
  if (!format) fail("strftime_now() needs a format string");
  if (format->size() > 1024) fail("strftime_now() format too long");
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::string buf(format->size() * 16 + 64, '\0');
  const size_t n = std::strftime(buf.data(), buf.size(), format->c_str(), &local);
  buf.resize(n);
  return make_str(in, std::move(buf));
}

}  // namespace

void add_globals(Frame& globals) {
  auto add = [&](std::string_view name, BuiltinFn fn) {
    globals.set(name, Value::object(Kind::Callable, std::make_shared<Builtin>(fn)));
  };
  add("range", g_range);
  add("dict", g_dict);
  add("namespace", g_namespace);
  add("raise_exception", g_raise_exception);
  add("strftime_now", g_strftime_now);
}

}  // namespace rotary::jinja
