// Jinja2's tests (`x is defined`, `x is divisibleby 3`, ...).
#include "loader/jinja/builtins.h"
#include "loader/jinja/text.h"

namespace rotary::jinja {

namespace {

const Value& operand(const Args& a, std::string_view test) {
  if (a.pos.empty()) fail(std::string(test) + "() missing 1 required positional argument");
  return a.pos[0];
}

bool odd_even(Interpreter& in, const Value& v, bool odd) {
  const Value m = binary_op(BinOp::Mod, v, Value(int64_t{2}), in.budget());
  return m.truthy() == odd;
}

bool case_test(const Value& v, bool upper) {
  if (!v.is_string()) return false;
  bool cased = false;
  for (char c : v.str()) {
    if (c >= 'a' && c <= 'z') {
      if (upper) return false;
      cased = true;
    } else if (c >= 'A' && c <= 'Z') {
      if (!upper) return false;
      cased = true;
    }
  }
  return cased;
}

bool same_as(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::None:
    case Kind::Undefined: return true;
    case Kind::Bool: return a.as_bool() == b.as_bool();
    case Kind::Int: return a.as_int() == b.as_int() && a.as_int() >= -5 && a.as_int() <= 256;
    case Kind::Float: return false;
    default: return a.identity() == b.identity();
  }
}

}  // namespace

bool Interpreter::has_test(std::string_view name) const {
  static const char* const kTests[] = {
      "defined", "undefined", "none", "boolean", "false", "true", "integer", "float", "number",
      "string", "mapping", "iterable", "sequence", "callable", "sameas", "escaped", "odd", "even",
      "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt",
      "greaterthan", ">", "ge", ">=", "in", "lower", "upper", "filter", "test"};
  for (const char* t : kTests)
    if (name == t) return true;
  return false;
}

bool Interpreter::test(std::string_view name, const Value& v, Args& a) {
  Budget& b = budget_;
  const Kind k = v.kind();
  if (name == "defined") return k != Kind::Undefined;
  if (name == "undefined") return k == Kind::Undefined;
  if (name == "none") return k == Kind::None;
  if (name == "boolean") return k == Kind::Bool;
  if (name == "false") return k == Kind::Bool && !v.as_bool();
  if (name == "true") return k == Kind::Bool && v.as_bool();
  if (name == "integer") return k == Kind::Int;
  if (name == "float") return k == Kind::Float;
  if (name == "number") return v.is_number();
  if (name == "string") return k == Kind::String;
  if (name == "mapping") return k == Kind::Dict;
  if (name == "iterable") return k == Kind::Undefined || k == Kind::String || k == Kind::List || k == Kind::Dict;
  if (name == "sequence") return k == Kind::Undefined || k == Kind::String || k == Kind::List || k == Kind::Dict;
  if (name == "callable") return k == Kind::Callable;
  if (name == "escaped") return false;
  if (name == "odd" || name == "even") return odd_even(*this, v, name == "odd");
  if (name == "divisibleby")
    return !binary_op(BinOp::Mod, v, operand(a, name), b).truthy();
  if (name == "eq" || name == "equalto" || name == "==") return equals(v, operand(a, name), b);
  if (name == "ne" || name == "!=") return !equals(v, operand(a, name), b);
  if (name == "lt" || name == "lessthan" || name == "<") return less(v, operand(a, name), b);
  if (name == "gt" || name == "greaterthan" || name == ">") return less(operand(a, name), v, b);
  if (name == "le" || name == "<=") return !less(operand(a, name), v, b);
  if (name == "ge" || name == ">=") return !less(v, operand(a, name), b);
  if (name == "in") return contains(operand(a, name), v, b);
  if (name == "sameas") return same_as(v, operand(a, name));
  if (name == "lower" || name == "upper") return case_test(v, name == "upper");
  if (name == "filter") return v.is_string() && has_filter(v.str());
  if (name == "test") return v.is_string() && has_test(v.str());
  fail("No test named '" + std::string(name) + "'.");
}

}  // namespace rotary::jinja
