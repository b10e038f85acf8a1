#include "loader/jinja/interpreter.h"

#include "loader/jinja/lexer.h"

namespace rotary::jinja {

const Value* Frame::find(std::string_view name) const {
  for (const Frame* f = this; f; f = f->parent.get())
    for (const auto& [k, v] : f->vars)
      if (k == name) return &v;
  return nullptr;
}

void Frame::set(std::string_view name, Value v) {
  for (auto& [k, val] : vars)
    if (k == name) {
      val = std::move(v);
      return;
    }
  vars.emplace_back(name, std::move(v));
}

const Value* Args::get(size_t index, std::string_view name) const {
  if (index < pos.size()) return &pos[index];
  for (const auto& [k, v] : kw)
    if (k == name) return &v;
  return nullptr;
}

void Args::check(std::string_view what, size_t max_pos,
                 std::initializer_list<std::string_view> names) const {
  if (pos.size() > max_pos)
    fail(std::string(what) + "() takes at most " + std::to_string(max_pos) + " positional arguments (" +
         std::to_string(pos.size()) + " given)");
  for (const auto& [k, v] : kw) {
    bool known = false;
    for (std::string_view n : names) known = known || n == k;
    if (!known) fail(std::string(what) + "() got an unexpected keyword argument '" + k + "'");
  }
}

namespace {

// A macro, or the body of a {% call %} block (`caller`). It holds its defining scope weakly: that
// scope holds the macro, and a strong reference would be a cycle.
struct MacroCallable : Callable {
  const Stmt* def;
  std::weak_ptr<Frame> scope;
  MacroCallable(const Stmt* d, const std::shared_ptr<Frame>& s) : def(d), scope(s) {}

  Value call(Interpreter& in, Args& args) override {
    DepthGuard guard(in.budget());
    auto frame = std::make_shared<Frame>();
    frame->parent = scope.lock();
    if (!frame->parent) fail("a macro was called after the scope that defined it ended");
    const auto& names = def->names;
    const std::string who = def->kind == StmtKind::Macro ? "macro '" + def->name + "'" : "caller";
    if (args.pos.size() > names.size())
      fail(who + " takes not more than " + std::to_string(names.size()) + " argument(s)");
    for (const auto& [k, v] : args.kw) {
      if (k == "caller" && def->kind == StmtKind::Macro) continue;
      bool known = false;
      for (const auto& n : names) known = known || n == k;
      if (!known) fail(who + " takes no keyword argument '" + k + "'");
    }
    for (size_t i = 0; i < names.size(); ++i) {
      const Value* given = args.get(i, names[i]);
      if (given) {
        frame->set(names[i], *given);
      } else if (def->defaults[i]) {
        frame->set(names[i], in.eval_default(*def->defaults[i], frame));
      } else {
        frame->set(names[i], Value::undefined("parameter '" + names[i] + "' was not provided"));
      }
    }
    for (const auto& [k, v] : args.kw)
      if (k == "caller" && def->kind == StmtKind::Macro) frame->set("caller", v);
    return Value(in.capture(def->body, std::move(frame)));
  }
};

}  // namespace

Value LoopState::attribute(std::string_view name) const {
  if (!items) return Value::undefined("the loop has ended");
  const size_t n = items->size();
  if (name == "index") return Value(static_cast<int64_t>(index0 + 1));
  if (name == "index0") return Value(static_cast<int64_t>(index0));
  if (name == "revindex") return Value(static_cast<int64_t>(n - index0));
  if (name == "revindex0") return Value(static_cast<int64_t>(n - index0 - 1));
  if (name == "first") return Value(index0 == 0);
  if (name == "last") return Value(index0 + 1 == n);
  if (name == "length") return Value(static_cast<int64_t>(n));
  if (name == "depth") return Value(1);
  if (name == "depth0") return Value(0);
  if (name == "previtem")
    return index0 > 0 ? (*items)[index0 - 1] : Value::undefined("there is no previous item");
  if (name == "nextitem")
    return index0 + 1 < n ? (*items)[index0 + 1] : Value::undefined("there is no next item");
  return Value::undefined("'LoopContext object' has no attribute '" + std::string(name) + "'");
}

Interpreter::Interpreter(const Program& program, const Limits& limits)
    : program_(program), limits_(limits) {
  budget_.max_steps = limits.max_steps;
  budget_.max_depth = limits.max_depth;
  budget_.max_size = limits.max_output;
  globals_ = std::make_shared<Frame>();
  add_globals(*globals_);
}

Interpreter::~Interpreter() {
  for (auto& ns : namespaces_) ns->items.clear();
}

Value Interpreter::make_namespace(std::shared_ptr<DictData> d) {
  namespaces_.push_back(d);
  return Value::namespace_(std::move(d));
}

std::string Interpreter::render(const nlohmann::ordered_json& context) {
  if (!context.is_object()) throw TemplateError(0, 0, "the template context must be a JSON object", false);
  frame_ = std::make_shared<Frame>();
  frame_->parent = globals_;
  for (const auto& [key, value] : context.items()) frame_->set(key, from_json(value));
  std::string out;
  out_ = &out;
  exec(program_.body);
  return out;
}

void Interpreter::error_at(uint32_t offset, const std::string& message, bool raised) {
  uint32_t line, column;
  line_column(program_.source, offset, line, column);
  throw TemplateError(line, column, message, raised);
}

std::string Interpreter::capture(const Body& body, std::shared_ptr<Frame> frame) {
  std::string buffer;
  std::string* saved_out = out_;
  std::shared_ptr<Frame> saved_frame = std::move(frame_);
  out_ = &buffer;
  frame_ = std::move(frame);
  struct Restore {
    Interpreter& in;
    std::string* out;
    std::shared_ptr<Frame>& frame;
    ~Restore() {
      in.out_ = out;
      in.frame_ = std::move(frame);
    }
  } restore{*this, saved_out, saved_frame};
  exec(body);
  return buffer;
}

Value Interpreter::eval_default(const Expr& e, std::shared_ptr<Frame> frame) {
  std::shared_ptr<Frame> saved = std::move(frame_);
  frame_ = std::move(frame);
  struct Restore {
    std::shared_ptr<Frame>& slot;
    std::shared_ptr<Frame>& saved;
    ~Restore() { slot = std::move(saved); }
  } restore{frame_, saved};
  return eval(e);
}

void Interpreter::write(const Value& v) {
  append_str(*out_, v, budget_);
  if (out_->size() > limits_.max_output) fail("the template's output exceeds the output limit");
}

Interpreter::Flow Interpreter::exec(const Body& body) {
  for (const auto& s : body) {
    Flow f = exec(*s);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Stmt& s) {
  try {
    budget_.step();
    switch (s.kind) {
      case StmtKind::Data:
        out_->append(s.text);
        if (out_->size() > limits_.max_output) fail("the template's output exceeds the output limit");
        return Flow::Normal;
      case StmtKind::Print: write(eval(*s.expr)); return Flow::Normal;
      case StmtKind::If:
        for (const auto& b : s.branches)
          if (!b.condition || eval(*b.condition).truthy()) return exec(b.body);
        return Flow::Normal;
      case StmtKind::For: return exec_for(s);
      case StmtKind::Set:
      case StmtKind::SetBlock: exec_set(s); return Flow::Normal;
      case StmtKind::Macro: exec_macro(s); return Flow::Normal;
      case StmtKind::CallBlock: exec_call_block(s); return Flow::Normal;
      case StmtKind::FilterBlock:
        write(apply_block_filters(s.filters, Value(capture(s.body, frame_))));
        return Flow::Normal;
      case StmtKind::Break: return Flow::Break;
      case StmtKind::Continue: return Flow::Continue;
    }
  } catch (const Failure& f) {
    error_at(s.offset, f.message, f.raised);
  }
  return Flow::Normal;
}

namespace {

void bind_targets(Frame& frame, const Stmt& s, const Value& item) {
  if (!s.unpack) {
    frame.set(s.names[0], item);
    return;
  }
  std::vector<Value> parts = iterate(item);
  if (parts.size() < s.names.size())
    fail("not enough values to unpack (expected " + std::to_string(s.names.size()) + ", got " +
         std::to_string(parts.size()) + ")");
  if (parts.size() > s.names.size())
    fail("too many values to unpack (expected " + std::to_string(s.names.size()) + ")");
  for (size_t i = 0; i < parts.size(); ++i) frame.set(s.names[i], std::move(parts[i]));
}

}  // namespace

Interpreter::Flow Interpreter::exec_for(const Stmt& s) {
  Value iterable = eval(*s.expr);
  std::vector<Value> items;
  if (iterable.is_list()) items = iterable.items();
  else items = iterate(iterable);
  auto frame = std::make_shared<Frame>();
  frame->parent = frame_;
  if (s.condition) {
    std::vector<Value> kept;
    std::shared_ptr<Frame> saved = frame_;
    frame_ = frame;
    for (auto& item : items) {
      budget_.step();
      frame->vars.clear();
      bind_targets(*frame, s, item);
      if (eval(*s.condition).truthy()) kept.push_back(std::move(item));
    }
    frame_ = std::move(saved);
    items = std::move(kept);
  }
  if (items.empty()) return exec(s.else_body);
  auto loop = std::make_shared<LoopState>();
  auto shared_items = std::make_shared<const std::vector<Value>>(std::move(items));
  loop->items = shared_items;
  const Value loop_value = Value::object(Kind::Loop, loop);
  std::shared_ptr<Frame> saved = frame_;
  struct Restore {
    std::shared_ptr<Frame>& slot;
    std::shared_ptr<Frame>& saved;
    LoopState& loop;
    ~Restore() {
      slot = std::move(saved);
      loop.items.reset();
    }
  } restore{frame_, saved, *loop};
  frame_ = frame;
  const std::vector<Value>& all = *shared_items;
  for (size_t i = 0; i < all.size(); ++i) {
    budget_.step();
    loop->index0 = i;
    frame->vars.clear();
    frame->set("loop", loop_value);
    bind_targets(*frame, s, all[i]);
    if (exec(s.body) == Flow::Break) break;
  }
  return Flow::Normal;
}

void Interpreter::exec_set(const Stmt& s) {
  Value v = s.kind == StmtKind::Set ? eval(*s.expr)
                                    : apply_block_filters(s.filters, Value(capture(s.body, frame_)));
  if (!s.text.empty()) {
    const Value* ns = frame_->find(s.names[0]);
    if (!ns || ns->kind() != Kind::Namespace) fail("cannot assign attribute on non-namespace object");
    ns->dict_data().set(Value(s.text), std::move(v));
    return;
  }
  bind_targets(*frame_, s, v);
}

void Interpreter::exec_macro(const Stmt& s) {
  frame_->set(s.name, Value::object(Kind::Callable, std::make_shared<MacroCallable>(&s, frame_)));
}

void Interpreter::exec_call_block(const Stmt& s) {
  const Expr& call = *s.expr;
  Value fn = eval(*call.args[0]);
  Args args;
  eval_args(call, 1, args);
  args.kw.emplace_back("caller", Value::object(Kind::Callable,
                                               std::make_shared<MacroCallable>(&s, frame_)));
  if (fn.kind() != Kind::Callable) {
    require_defined(fn);
    fail(std::string("'") + type_name(fn) + "' object is not callable");
  }
  write(static_cast<Callable*>(fn.object_ptr())->call(*this, args));
}

Value Interpreter::apply_block_filters(const std::vector<ExprPtr>& filters, Value v) {
  for (const auto& f : filters) {
    Args args;
    eval_args(*f, 1, args);
    v = filter(f->name, v, args);
  }
  return v;
}

}  // namespace rotary::jinja
