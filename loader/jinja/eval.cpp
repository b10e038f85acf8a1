// Expressions: names, literals, containers, attribute and item access, slices, calls, filters,
// tests, operators.
#include <cmath>

#include "loader/jinja/interpreter.h"
#include "loader/jinja/text.h"

namespace rotary::jinja {

namespace {

std::string object_type_repr(const Value& v) {
  if (v.is_none()) return "None";
  return std::string(type_name(v)) + " object";
}

std::string py_quote(std::string_view s) {
  std::string out;
  append_python_repr(out, s);
  return out;
}

bool hashable(const Value& v) {
  if (v.is_list()) {
    if (!v.list_data().tuple) return false;
    for (const auto& i : v.items())
      if (!hashable(i)) return false;
    return true;
  }
  return v.kind() != Kind::Dict && v.kind() != Kind::Namespace;
}

// Python's sequence index: negative counts from the end; nullopt when out of range.
std::optional<size_t> normalize_index(int64_t i, size_t n) {
  if (i < 0) i += static_cast<int64_t>(n);
  if (i < 0 || static_cast<uint64_t>(i) >= n) return std::nullopt;
  return static_cast<size_t>(i);
}

}  // namespace

Value Interpreter::eval(const Expr& e) {
  try {
    budget_.step();
    DepthGuard guard(budget_);
    Value v = eval_inner(e);
    return v;
  } catch (const Failure& f) {
    error_at(e.offset, f.message, f.raised);
  }
}

Value Interpreter::eval_inner(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Literal: return e.literal;
    case ExprKind::Name: return eval_name(e);
    case ExprKind::List:
    case ExprKind::Tuple: {
      std::vector<Value> items;
      items.reserve(e.args.size());
      for (const auto& a : e.args) items.push_back(eval(*a));
      return Value::list(std::move(items), e.kind == ExprKind::Tuple);
    }
    case ExprKind::Dict: {
      auto d = std::make_shared<DictData>();
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        Value k = eval(*e.args[i]);
        if (!hashable(k)) fail(std::string("unhashable type: '") + type_name(k) + "'");
        d->set(std::move(k), eval(*e.args[i + 1]));
      }
      return Value::dict(std::move(d));
    }
    case ExprKind::Attr: return getattr(eval(*e.args[0]), e.name);
    case ExprKind::Item: {
      Value obj = eval(*e.args[0]);
      return getitem(obj, eval(*e.args[1]));
    }
    case ExprKind::Slice: return eval_slice(e);
    case ExprKind::Call: return eval_call(e);
    case ExprKind::Filter: {
      Value input = eval(*e.args[0]);
      Args args;
      eval_args(e, 1, args);
      return filter(e.name, input, args);
    }
    case ExprKind::Test: {
      Value v = eval(*e.args[0]);
      Args args;
      eval_args(e, 1, args);
      return Value(test(e.name, v, args) != e.negated);
    }
    case ExprKind::Not: return Value(!eval(*e.args[0]).truthy());
    case ExprKind::Neg:
    case ExprKind::Pos: {
      Value v = eval(*e.args[0]);
      require_defined(v);
      const bool neg = e.kind == ExprKind::Neg;
      if (v.kind() == Kind::Float) return Value(neg ? -v.as_float() : v.as_float());
      if (v.is_int()) {
        if (neg && v.as_int() == INT64_MIN) fail("integer overflow");
        return Value(neg ? -v.as_int() : v.as_int());
      }
      fail(std::string("bad operand type for unary ") + (neg ? "-" : "+") + ": '" + type_name(v) + "'");
    }
    case ExprKind::Binary: {
      Value a = eval(*e.args[0]);
      return binary_op(e.op, a, eval(*e.args[1]), budget_);
    }
    case ExprKind::And: {
      Value a = eval(*e.args[0]);
      return a.truthy() ? eval(*e.args[1]) : a;
    }
    case ExprKind::Or: {
      Value a = eval(*e.args[0]);
      return a.truthy() ? a : eval(*e.args[1]);
    }
    case ExprKind::Compare: return eval_compare(e);
    case ExprKind::Cond:
      if (eval(*e.args[1]).truthy()) return eval(*e.args[0]);
      if (e.args[2]) return eval(*e.args[2]);
      return Value::undefined("the inline if-expression evaluated to false and no else section was defined.");
  }
  fail("unknown expression");
}

Value Interpreter::eval_name(const Expr& e) {
  if (const Value* v = frame_->find(e.name)) return *v;
  return Value::undefined(py_quote(e.name) + " is undefined");
}

void Interpreter::eval_args(const Expr& e, size_t first, Args& args) {
  args.pos.reserve(e.args.size() - first);
  for (size_t i = first; i < e.args.size(); ++i) args.pos.push_back(eval(*e.args[i]));
  for (const auto& [k, v] : e.kwargs) args.kw.emplace_back(k, eval(*v));
}

Value Interpreter::eval_call(const Expr& e) {
  const Expr& callee = *e.args[0];
  Value fn;
  if (callee.kind == ExprKind::Attr) {
    Value obj = eval(*callee.args[0]);
    if (has_method(obj, callee.name)) {
      Args args;
      eval_args(e, 1, args);
      return call_method(*this, obj, callee.name, args);
    }
    fn = getattr(obj, callee.name);
  } else {
    fn = eval(callee);
  }
  if (fn.kind() != Kind::Callable) {
    require_defined(fn);
    fail(std::string("'") + type_name(fn) + "' object is not callable");
  }
  Args args;
  eval_args(e, 1, args);
  return static_cast<Callable*>(fn.object_ptr())->call(*this, args);
}

Value Interpreter::eval_compare(const Expr& e) {
  Value left = eval(*e.args[0]);
  for (size_t i = 0; i < e.cmps.size(); ++i) {
    Value right = eval(*e.args[i + 1]);
    bool ok;
    switch (e.cmps[i]) {
      case CmpOp::Eq: ok = equals(left, right, budget_); break;
      case CmpOp::Ne: ok = !equals(left, right, budget_); break;
      case CmpOp::Lt: ok = less(left, right, budget_); break;
      case CmpOp::Gt: ok = less(right, left, budget_); break;
      case CmpOp::Le: ok = !less(right, left, budget_); break;
      case CmpOp::Ge: ok = !less(left, right, budget_); break;
      case CmpOp::In: ok = contains(right, left, budget_); break;
      case CmpOp::NotIn: ok = !contains(right, left, budget_); break;
    }
    if (!ok) return Value(false);
    left = std::move(right);
  }
  return Value(true);
}

namespace {

// Python's slice.indices(n) then the selected positions.
std::vector<size_t> slice_positions(const Value* start, const Value* stop, const Value* step,
                                    size_t n) {
  auto as_index = [](const Value* v) -> std::optional<int64_t> {
    if (!v || v->is_none()) return std::nullopt;
    if (!v->is_int()) fail("slice indices must be integers or None");
    return v->as_int();
  };
  const int64_t len = static_cast<int64_t>(n);
  const int64_t st = as_index(step).value_or(1);
  if (st == 0) fail("slice step cannot be zero");
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v;
    if (x < 0) x += len;
    if (st > 0) return std::clamp<int64_t>(x, 0, len);
    return std::clamp<int64_t>(x, -1, len - 1);
  };
  const int64_t b = clamp(as_index(start), st > 0 ? 0 : len - 1);
  const int64_t e = clamp(as_index(stop), st > 0 ? len : -1);
  std::vector<size_t> out;
  for (int64_t i = b; st > 0 ? i < e : i > e; i += st) out.push_back(static_cast<size_t>(i));
  return out;
}

}  // namespace

Value Interpreter::eval_slice(const Expr& e) {
  Value obj = eval(*e.args[0]);
  Value bound[3];
  for (int k = 0; k < 3; ++k)
    if (e.args[1 + k]) bound[k] = eval(*e.args[1 + k]);
  auto ptr = [&](int k) { return e.args[1 + k] ? &bound[k] : nullptr; };
  require_defined(obj);
  if (obj.is_string()) {
    auto chars = utf8_chars(obj.str());
    std::string out;
    for (size_t i : slice_positions(ptr(0), ptr(1), ptr(2), chars.size())) out += chars[i];
    return Value(std::move(out));
  }
  if (obj.is_list()) {
    std::vector<Value> out;
    for (size_t i : slice_positions(ptr(0), ptr(1), ptr(2), obj.items().size()))
      out.push_back(obj.items()[i]);
    return Value::list(std::move(out), obj.list_data().tuple);
  }
  return Value::undefined(object_type_repr(obj) + " has no element slice");
}

Value Interpreter::getattr(const Value& obj, std::string_view name) {
  switch (obj.kind()) {
    case Kind::Undefined: fail(obj.undefined_message());
    case Kind::Loop: return static_cast<LoopState*>(obj.object_ptr())->attribute(name);
    case Kind::Namespace:
      if (const Value* v = obj.dict_data().find(name)) return *v;
      break;
    case Kind::Dict:
      if (!has_method(obj, name))
        if (const Value* v = obj.dict_data().find(name)) return *v;
      break;
    default: break;
  }
  if (!name.empty() && name[0] == '_')
    return Value::undefined("access to attribute " + py_quote(name) + " of " +
                            py_quote(type_name(obj)) + " object is unsafe.");
  if (has_method(obj, name)) return bound_method(obj, name);
  return Value::undefined(py_quote(object_type_repr(obj)) + " has no attribute " + py_quote(name));
}

Value Interpreter::getitem(const Value& obj, const Value& key) {
  switch (obj.kind()) {
    case Kind::Undefined: fail(obj.undefined_message());
    case Kind::Dict:
      if (const Value* v = obj.dict_data().find(key)) return *v;
      break;
    case Kind::List:
      if (key.is_int()) {
        if (auto i = normalize_index(key.as_int(), obj.items().size())) return obj.items()[*i];
      } else if (!key.is_string()) {
        fail(std::string("list indices must be integers or slices, not ") + type_name(key));
      }
      break;
    case Kind::String:
      if (key.is_int()) {
        auto chars = utf8_chars(obj.str());
        if (auto i = normalize_index(key.as_int(), chars.size())) return Value(chars[*i]);
      }
      break;
    default: break;
  }
  if (key.is_string()) {
    if (obj.kind() == Kind::Dict) {
      if (has_method(obj, key.str())) return bound_method(obj, key.str());
    } else {
      Value attr = getattr(obj, key.str());
      if (!attr.is_undefined()) return attr;
      if (attr.undefined_message().find("is unsafe") != std::string::npos) return attr;
    }
  }
  if (key.is_string())
    return Value::undefined(py_quote(object_type_repr(obj)) + " has no attribute " + py_quote(key.str()));
  std::string shown;
  append_repr(shown, key, budget_);
  return Value::undefined(object_type_repr(obj) + " has no element " + shown);
}

}  // namespace rotary::jinja
