#pragma once
// Evaluates a parsed template: statements write to an output string, expressions produce Values.
// Scoping follows Jinja2: a for loop's body starts each iteration from the enclosing scope (what
// it sets is gone afterwards), `if` has no scope, a macro body sees its defining scope and its
// arguments; namespaces carry state out of loops.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loader/jinja/ast.h"
#include "loader/jinja/jinja.h"

namespace rotary::jinja {

struct Frame {
  std::vector<std::pair<std::string_view, Value>> vars;
  std::shared_ptr<Frame> parent;
  const Value* find(std::string_view name) const;
  void set(std::string_view name, Value v);
};

// Call arguments: positional, then keyword.
struct Args {
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kw;
  // Argument `index` by position, else by keyword `name`; null when absent.
  const Value* get(size_t index, std::string_view name) const;
  // Fails when there are more positional arguments than `max_pos` or a keyword not in `names`.
  void check(std::string_view what, size_t max_pos, std::initializer_list<std::string_view> names) const;
};

class Interpreter;

struct Callable : Object {
  virtual Value call(Interpreter& in, Args& args) = 0;
};

struct LoopState : Object {
  std::shared_ptr<const std::vector<Value>> items;  // reset when the loop ends
  size_t index0 = 0;
  Value attribute(std::string_view name) const;
};

class Interpreter {
 public:
  Interpreter(const Program& program, const Limits& limits);
  std::string render(const nlohmann::ordered_json& context);

  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  Budget& budget() { return budget_; }
  // Namespaces are the only mutable values, so the only way to make a reference cycle; the
  // interpreter empties them all when it ends.
  Value make_namespace(std::shared_ptr<DictData> d);
  const Limits& limits() const { return limits_; }
  Value filter(std::string_view name, const Value& input, Args& args);
  bool test(std::string_view name, const Value& value, Args& args);
  bool has_filter(std::string_view name) const;
  bool has_test(std::string_view name) const;
  // Jinja2's environment.getattr / getitem under the immutable sandbox.
  Value getattr(const Value& obj, std::string_view name);
  Value getitem(const Value& obj, const Value& key);
  // Renders `body` in `frame` into a string (macros, call blocks, set blocks, filter blocks).
  std::string capture(const Body& body, std::shared_ptr<Frame> frame);
  // Evaluates a macro parameter's default in the macro's new scope.
  Value eval_default(const Expr& e, std::shared_ptr<Frame> frame);

 private:
  enum class Flow { Normal, Break, Continue };
  Flow exec(const Body& body);
  Flow exec(const Stmt& s);
  Flow exec_for(const Stmt& s);
  void exec_set(const Stmt& s);
  void exec_macro(const Stmt& s);
  void exec_call_block(const Stmt& s);
  Value apply_block_filters(const std::vector<ExprPtr>& filters, Value v);

  Value eval(const Expr& e);
  Value eval_inner(const Expr& e);
  Value eval_name(const Expr& e);
  Value eval_call(const Expr& e);
  Value eval_compare(const Expr& e);
  Value eval_slice(const Expr& e);
  void eval_args(const Expr& e, size_t first, Args& args);
  void write(const Value& v);
  [[noreturn]] void error_at(uint32_t offset, const std::string& message, bool raised);

  const Program& program_;
  Limits limits_;
  Budget budget_;
  std::shared_ptr<Frame> globals_;
  std::shared_ptr<Frame> frame_;
  std::string* out_ = nullptr;
  std::vector<std::shared_ptr<DictData>> namespaces_;
};

// Python-like operations (operators.cpp).
Value binary_op(BinOp op, const Value& a, const Value& b, Budget& budget);
bool contains(const Value& container, const Value& item, Budget& budget);
// Python's `fmt % args`: %s %r %d %i %f %e %g %x %o %c %% with flags, width and precision.
std::string percent_format(const std::string& fmt, const std::vector<Value>& args, Budget& budget);
Value from_json(const nlohmann::ordered_json& j);
// Hugging Face's tojson: json.dumps(v, ensure_ascii=False, indent=, separators=, sort_keys=).
std::string to_json(const Value& v, const Value& indent, const std::string& item_sep,
                    const std::string& key_sep, bool sort_keys, bool ensure_ascii,
                    Budget& budget);
// A method of a str, dict, list or loop value; nullopt when `obj` has no such method.
bool has_method(const Value& obj, std::string_view name);
Value call_method(Interpreter& in, const Value& obj, std::string_view name, Args& args);
// `obj.name` as a value (a callable calling call_method).
Value bound_method(const Value& obj, std::string_view name);
// The globals of Hugging Face's environment.
void add_globals(Frame& globals);

}  // namespace rotary::jinja
