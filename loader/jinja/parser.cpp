// Recursive descent over the lexer's tokens, following Jinja2's grammar and precedences:
//   cond: or ['if' or ['else' cond]];  or: and ('or' and)*;  and: not ('and' not)*;
//   not: 'not' not | compare;  compare: add (op add)*;  add: concat (('+'|'-') concat)*;
//   concat: mul ('~' mul)*;  mul: pow (('*'|'/'|'//'|'%') pow)*;  pow: unary ('**' unary)*;
//   unary: ('-'|'+') unary | primary postfix* (filter | test | call)*.
#include "loader/jinja/parser.h"

namespace rotary::jinja {

ExprPtr Parser::expression(bool with_cond) {
  Nest nest(*this);
  ExprPtr e = or_expr();
  if (!with_cond) return e;
  while (is_name("if")) {
    const uint32_t at = cur().offset;
    ++pos;
    ExprPtr cond = or_expr();
    ExprPtr otherwise = skip_name("else") ? expression() : nullptr;
    auto c = node(ExprKind::Cond, at, std::move(e), std::move(cond));
    attach(*c, std::move(otherwise));
    e = std::move(c);
  }
  return e;
}

ExprPtr Parser::or_expr() {
  ExprPtr e = and_expr();
  while (is_name("or")) {
    const uint32_t at = toks[pos++].offset;
    e = node(ExprKind::Or, at, std::move(e), and_expr());
  }
  return e;
}

ExprPtr Parser::and_expr() {
  ExprPtr e = not_expr();
  while (is_name("and")) {
    const uint32_t at = toks[pos++].offset;
    e = node(ExprKind::And, at, std::move(e), not_expr());
  }
  return e;
}

ExprPtr Parser::not_expr() {
  if (is_name("not")) {
    Nest nest(*this);
    const uint32_t at = toks[pos++].offset;
    return node(ExprKind::Not, at, not_expr());
  }
  return compare();
}

ExprPtr Parser::compare() {
  const uint32_t at = cur().offset;
  ExprPtr first = binary_level(0);
  ExprPtr cmp;
  while (true) {
    CmpOp op;
    if (cur().type == Tok::Op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                                  cur().text == "<=" || cur().text == ">" || cur().text == ">=")) {
      const std::string& t = cur().text;
      op = t == "==" ? CmpOp::Eq : t == "!=" ? CmpOp::Ne : t == "<" ? CmpOp::Lt
         : t == "<=" ? CmpOp::Le : t == ">" ? CmpOp::Gt : CmpOp::Ge;
      ++pos;
    } else if (is_name("in")) {
      op = CmpOp::In;
      ++pos;
    } else if (is_name("not") && peek().type == Tok::Name && peek().text == "in") {
      op = CmpOp::NotIn;
      pos += 2;
    } else {
      break;
    }
    if (!cmp) {
      cmp = node(ExprKind::Compare, at);
      attach(*cmp, std::move(first));
    }
    cmp->cmps.push_back(op);
    attach(*cmp, binary_level(0));
  }
  return cmp ? std::move(cmp) : std::move(first);
}

// Levels: 0 '+' '-', 1 '~', 2 '*' '/' '//' '%', 3 '**'.
ExprPtr Parser::binary_level(int level) {
  if (level == 4) return unary();
  ExprPtr e = binary_level(level + 1);
  while (cur().type == Tok::Op) {
    const std::string& t = cur().text;
    BinOp op;
    if (level == 0 && (t == "+" || t == "-")) op = t == "+" ? BinOp::Add : BinOp::Sub;
    else if (level == 1 && t == "~") op = BinOp::Concat;
    else if (level == 2 && (t == "*" || t == "/" || t == "//" || t == "%"))
      op = t == "*" ? BinOp::Mul : t == "/" ? BinOp::Div : t == "//" ? BinOp::FloorDiv : BinOp::Mod;
    else if (level == 3 && t == "**") op = BinOp::Pow;
    else break;
    const uint32_t at = toks[pos++].offset;
    Nest nest(*this);
    auto b = node(ExprKind::Binary, at, std::move(e), binary_level(level + 1));
    b->op = op;
    e = std::move(b);
  }
  return e;
}

ExprPtr Parser::unary(bool with_filter) {
  Nest nest(*this);
  ExprPtr e;
  if (is_op("-") || is_op("+")) {
    const bool neg = cur().text == "-";
    const uint32_t at = toks[pos++].offset;
    e = node(neg ? ExprKind::Neg : ExprKind::Pos, at, unary(false));
  } else {
    e = primary();
  }
  e = postfix(std::move(e));
  return with_filter ? filter_chain(std::move(e)) : std::move(e);
}

ExprPtr Parser::primary() {
  const Token& t = cur();
  const uint32_t at = t.offset;
  if (t.type == Tok::Name) {
    ++pos;
    if (t.text == "true" || t.text == "True") return literal_node(Value(true), at);
    if (t.text == "false" || t.text == "False") return literal_node(Value(false), at);
    if (t.text == "none" || t.text == "None") return literal_node(Value::none(), at);
    auto e = node(ExprKind::Name, at);
    e->name = t.text;
    return e;
  }
  if (t.type == Tok::String) {
    std::string s;
    while (cur().type == Tok::String) s += toks[pos++].text;  // adjacent literals concatenate
    return literal_node(Value(std::move(s)), at);
  }
  if (t.type == Tok::Int) return ++pos, literal_node(Value(t.int_value), at);
  if (t.type == Tok::Float) return ++pos, literal_node(Value(t.float_value), at);
  if (skip_op("(")) {
    if (skip_op(")")) return node(ExprKind::Tuple, at);
    ExprPtr first = expression();
    if (skip_op(")")) return first;
    auto tup = node(ExprKind::Tuple, at, std::move(first));
    while (skip_op(",")) {
      if (is_op(")")) break;
      attach(*tup, expression());
    }
    expect_op(")");
    return tup;
  }
  if (skip_op("[")) return sequence(ExprKind::List, "]", at);
  if (skip_op("{")) {
    auto d = node(ExprKind::Dict, at);
    while (!is_op("}")) {
      if (!d->args.empty()) expect_op(",");
      if (is_op("}")) break;
      attach(*d, expression());
      expect_op(":");
      attach(*d, expression());
    }
    ++pos;
    return d;
  }
  error("unexpected " + describe(t));
}

ExprPtr Parser::sequence(ExprKind kind, const char* close, uint32_t offset) {
  auto e = node(kind, offset);
  while (!is_op(close)) {
    if (!e->args.empty()) expect_op(",");
    if (is_op(close)) break;
    attach(*e, expression());
  }
  ++pos;
  return e;
}

ExprPtr Parser::postfix(ExprPtr e) {
  while (true) {
    if (is_op(".") || is_op("[")) {
      e = subscript(std::move(e));
    } else if (is_op("(")) {
      const uint32_t at = e->offset;
      auto c = node(ExprKind::Call, at, std::move(e));
      call_args(*c);
      e = std::move(c);
    } else {
      return e;
    }
  }
}

ExprPtr Parser::filter_chain(ExprPtr e) {
  while (true) {
    if (is_op("|")) {
      e = filter(std::move(e));
    } else if (is_name("is")) {
      e = test(std::move(e));
    } else if (is_op("(")) {
      const uint32_t at = e->offset;
      auto c = node(ExprKind::Call, at, std::move(e));
      call_args(*c);
      e = std::move(c);
    } else {
      return e;
    }
  }
}

ExprPtr Parser::subscript(ExprPtr e) {
  const uint32_t at = cur().offset;
  if (skip_op(".")) {
    if (cur().type == Tok::Int) {  // foo.0 is foo[0]
      return node(ExprKind::Item, at, std::move(e), literal_node(Value(toks[pos++].int_value), at));
    }
    auto a = node(ExprKind::Attr, at, std::move(e));
    a->name = expect_name();
    return a;
  }
  expect_op("[");
  Nest nest(*this);
  ExprPtr bounds[3];
  bool is_slice = false;
  for (int k = 0; k < 3; ++k) {
    if (!is_op(":") && !is_op("]")) bounds[k] = expression();
    if (k < 2 && skip_op(":")) {
      is_slice = true;
      continue;
    }
    break;
  }
  if (!is_slice && is_op(",")) {  // foo[a, b] indexes with a tuple
    auto tup = node(ExprKind::Tuple, at, std::move(bounds[0]));
    while (skip_op(",") && !is_op("]")) attach(*tup, expression());
    bounds[0] = std::move(tup);
  }
  expect_op("]");
  if (!is_slice) {
    if (!bounds[0]) error("expected an index", at);
    return node(ExprKind::Item, at, std::move(e), std::move(bounds[0]));
  }
  auto s = node(ExprKind::Slice, at, std::move(e));
  for (auto& b : bounds) attach(*s, std::move(b));
  return s;
}

void Parser::call_args(Expr& e) {
  expect_op("(");
  Nest nest(*this);
  bool first = true;
  while (!is_op(")")) {
    if (!first) expect_op(",");
    first = false;
    if (is_op(")")) break;
    if (is_op("*") || is_op("**")) error("*args and **kwargs are not supported in calls");
    if (cur().type == Tok::Name && peek().type == Tok::Op && peek().text == "=") {
      std::string key = toks[pos].text;
      pos += 2;
      ExprPtr value = expression();
      grow(e, *value);
      e.kwargs.emplace_back(std::move(key), std::move(value));
    } else {
      if (!e.kwargs.empty()) error("positional argument after keyword argument");
      attach(e, expression());
    }
  }
  ++pos;
}

ExprPtr Parser::filter(ExprPtr input) {
  const uint32_t at = cur().offset;
  expect_op("|");
  return filter_spec(std::move(input), at);
}

ExprPtr Parser::filter_spec(ExprPtr input, uint32_t at) {
  auto f = node(ExprKind::Filter, at, std::move(input));
  f->name = expect_name();
  while (skip_op(".")) f->name += "." + expect_name();
  if (is_op("(")) call_args(*f);
  return f;
}

ExprPtr Parser::test(ExprPtr input) {
  const uint32_t at = toks[pos++].offset;  // 'is'
  auto t = node(ExprKind::Test, at, std::move(input));
  t->negated = skip_name("not");
  t->name = expect_name();
  while (skip_op(".")) t->name += "." + expect_name();
  const Token& c = cur();
  if (is_op("(")) {
    call_args(*t);
  } else if ((c.type == Tok::Name || c.type == Tok::String || c.type == Tok::Int ||
              c.type == Tok::Float || is_op("[") || is_op("{")) &&
             !(c.type == Tok::Name && (c.text == "else" || c.text == "or" || c.text == "and"))) {
    if (is_name("is")) error("You cannot chain multiple tests with is");
    attach(*t, postfix(primary()));
  }
  return t;
}

ExprPtr Parser::tuple(bool with_cond) {
  const uint32_t at = cur().offset;
  ExprPtr first = expression(with_cond);
  if (!is_op(",")) return first;
  auto tup = node(ExprKind::Tuple, at, std::move(first));
  while (skip_op(",")) {
    if (cur().type == Tok::BlockEnd || cur().type == Tok::VarEnd || is_name("in")) break;
    attach(*tup, expression(with_cond));
  }
  return tup;
}

ExprPtr literal_node(Value v, uint32_t offset) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Literal;
  e->offset = offset;
  e->literal = std::move(v);
  return e;
}

}  // namespace rotary::jinja
