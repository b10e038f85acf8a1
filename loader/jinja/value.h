#pragma once
// The values a template computes with, shaped after the Python objects Jinja2 works on: undefined,
// None, bool, int, float, str, list/tuple, dict (insertion-ordered), namespace and callables.
// Strings, lists and dicts are immutable once built (the sandbox forbids mutation), so values share
// them; only a namespace's attributes change, as Jinja2's do.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rotary::jinja {

// A failure inside an operation; the interpreter adds the template position. `raised` marks the
// template's own raise_exception.
struct Failure {
  std::string message;
  bool raised = false;
};
[[noreturn]] void fail(std::string message);

// Work and nesting spent while rendering; deep operations on values (printing, comparing, JSON)
// charge it so that a template building huge shared structures cannot hang or overflow the stack.
struct Budget {
  uint64_t steps = 0;
  uint64_t max_steps = 0;
  uint32_t depth = 0;
  uint32_t max_depth = 0;
  size_t max_size = 0;  // longest string or list a template may build
  void step(uint64_t n = 1) {
    steps += n;
    if (steps > max_steps) fail("the template exceeded its step limit");
  }
  void check_size(size_t n) const {
    if (n > max_size) fail("the template built a value larger than the output limit");
  }
};

class DepthGuard {
 public:
  explicit DepthGuard(Budget& b) : b_(b) {
    if (++b_.depth > b_.max_depth) {
      --b_.depth;
      fail("the template nests deeper than the depth limit");
    }
  }
  ~DepthGuard() { --b_.depth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  Budget& b_;
};

enum class Kind : uint8_t {
  Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Callable, Loop
};

class Value;
// Lists and dicts record how deep they nest: they are freed recursively, so a template must not
// build one deeper than this (namespaces are freed flat by the interpreter and count as 1).
constexpr uint32_t kMaxValueDepth = 512;
struct ListData {
  std::vector<Value> items;
  bool tuple = false;
  uint32_t depth = 1;
};
struct DictData;
struct Object {  // callables and loop state (interpreter.h)
  virtual ~Object() = default;
  virtual uint32_t depth() const { return 1; }  // as ListData::depth, for what it holds
};

class Value {
 public:
  Value() = default;  // undefined, with no hint
  Value(bool b) : kind_(Kind::Bool) { u_.b = b; }  // NOLINT: implicit like Python's literals
  Value(int64_t i) : kind_(Kind::Int) { u_.i = i; }
  Value(int i) : Value(static_cast<int64_t>(i)) {}
  Value(double f) : kind_(Kind::Float) { u_.f = f; }
  Value(std::string s);
  Value(std::string_view s) : Value(std::string(s)) {}
  Value(const char* s) : Value(std::string(s)) {}

  static Value none() { return Value(Kind::None); }
  // An undefined value; using it (other than printing, testing, iterating) fails with `message`.
  static Value undefined(std::string message);
  static Value list(std::vector<Value> items, bool tuple = false);
  static Value dict(std::shared_ptr<DictData> d);
  static Value namespace_(std::shared_ptr<DictData> d);
  static Value object(Kind kind, std::shared_ptr<Object> o);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::Undefined; }
  bool is_none() const { return kind_ == Kind::None; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_int() const { return kind_ == Kind::Int || kind_ == Kind::Bool; }  // Python: bool is int
  bool is_number() const { return is_int() || kind_ == Kind::Float; }
  bool is_list() const { return kind_ == Kind::List; }
  bool is_dict() const { return kind_ == Kind::Dict; }
  bool is_mapping_like() const { return kind_ == Kind::Dict || kind_ == Kind::Namespace; }

  bool as_bool() const { return u_.b; }
  int64_t as_int() const { return kind_ == Kind::Bool ? (u_.b ? 1 : 0) : u_.i; }
  double as_float() const { return kind_ == Kind::Float ? u_.f : static_cast<double>(as_int()); }
  const std::string& str() const { return *static_cast<const std::string*>(p_.get()); }
  const ListData& list_data() const { return *static_cast<const ListData*>(p_.get()); }
  const std::vector<Value>& items() const { return list_data().items; }
  DictData& dict_data() const { return *static_cast<DictData*>(p_.get()); }
  Object* object_ptr() const { return static_cast<Object*>(p_.get()); }
  const void* identity() const { return p_.get(); }
  // For undefined: the message of the error that using it raises.
  const std::string& undefined_message() const;

  bool truthy() const;
  size_t length() const;  // Python len(); fails for values without one

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_ = Kind::Undefined;
  union {
    bool b;
    int64_t i;
    double f;
  } u_{};
  std::shared_ptr<void> p_;  // std::string, ListData, DictData or Object, by kind_
};

// Insertion-ordered mapping; keys compare as Python's do (1 == 1.0 == True).
struct DictData {
  std::vector<std::pair<Value, Value>> items;
  uint32_t depth = 1;
  // Records that `v` is now held (fails past kMaxValueDepth).
  void hold(const Value& v);
  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
  void set(Value key, Value value);
};

// How deep `v` nests (0 for scalars and strings).
uint32_t value_depth(const Value& v);

// Python type name, for messages ("str", "int", "dict", ...).
const char* type_name(const Value& v);
// Python's str() and repr(), bounded by `budget`.
std::string to_str(const Value& v, Budget& budget);
void append_str(std::string& out, const Value& v, Budget& budget);
void append_repr(std::string& out, const Value& v, Budget& budget);
// Python's repr of a float ("1.0", "1e-05", "0.30000000000000004", "inf").
std::string float_repr(double f);
// Python's ==, and < (fails with TypeError's message for unorderable values).
bool equals(const Value& a, const Value& b, Budget& budget);
bool less(const Value& a, const Value& b, Budget& budget);
// Python's iter() as a list: list items, dict keys, string characters; fails otherwise.
std::vector<Value> iterate(const Value& v);
// Fails with UndefinedError's message when `v` is undefined.
void require_defined(const Value& v);

}  // namespace rotary::jinja
