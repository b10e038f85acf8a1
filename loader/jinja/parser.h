#pragma once
// The parser's state, shared by parser.cpp (expressions) and parser_stmt.cpp (statements).
#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "loader/jinja/ast.h"
#include "loader/jinja/jinja.h"
#include "loader/jinja/lexer.h"

namespace rotary::jinja {

ExprPtr literal_node(Value v, uint32_t offset);

constexpr uint32_t kMaxParseDepth = 200;
// Expression trees are evaluated and destroyed recursively: long operator or filter chains must
// not build one taller than this.
constexpr uint16_t kMaxExprHeight = 400;

struct Parser {
  const std::string& src;
  std::vector<Token> toks;
  size_t pos = 0;
  uint32_t depth = 0;

  const Token& cur() const { return toks[pos]; }
  const Token& peek(size_t n = 1) const { return toks[std::min(pos + n, toks.size() - 1)]; }
  [[noreturn]] void error(const std::string& message, uint32_t offset) const {
    uint32_t line, column;
    line_column(src, offset, line, column);
    throw TemplateError(line, column, message, false);
  }
  [[noreturn]] void error(const std::string& message) const { error(message, cur().offset); }
  std::string describe(const Token& t) const {
    switch (t.type) {
      case Tok::Eof: return "end of template";
      case Tok::BlockEnd: return "end of statement block";
      case Tok::VarEnd: return "end of print statement";
      case Tok::Data: return "template data";
      case Tok::String: return "string";
      case Tok::Int:
      case Tok::Float: return "number";
      default: return "'" + t.text + "'";
    }
  }
  bool is_op(const char* op) const { return cur().type == Tok::Op && cur().text == op; }
  bool is_name(const char* name) const { return cur().type == Tok::Name && cur().text == name; }
  bool skip_op(const char* op) {
    if (!is_op(op)) return false;
    ++pos;
    return true;
  }
  bool skip_name(const char* name) {
    if (!is_name(name)) return false;
    ++pos;
    return true;
  }
  void expect_op(const char* op) {
    if (!skip_op(op)) error(std::string("expected '") + op + "', got " + describe(cur()));
  }
  std::string expect_name() {
    if (cur().type != Tok::Name) error("expected a name, got " + describe(cur()));
    return toks[pos++].text;
  }
  void expect_block_end() {
    if (cur().type != Tok::BlockEnd) error("expected end of statement block, got " + describe(cur()));
    ++pos;
  }
  struct Nest {
    Parser& p;
    explicit Nest(Parser& parser) : p(parser) {
      if (++p.depth > kMaxParseDepth) p.error("the template nests too deeply");
    }
    ~Nest() { --p.depth; }
  };

  static ExprPtr node(ExprKind kind, uint32_t offset) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->offset = offset;
    return e;
  }
  ExprPtr node(ExprKind kind, uint32_t offset, ExprPtr a, ExprPtr b = nullptr) {
    auto e = node(kind, offset);
    attach(*e, std::move(a));
    if (b) attach(*e, std::move(b));
    return e;
  }
  // Adds a child (null for an absent optional one), keeping the tree's height bounded.
  void attach(Expr& parent, ExprPtr child) {
    if (child) grow(parent, *child);
    parent.args.push_back(std::move(child));
  }
  void grow(Expr& parent, const Expr& child) {
    if (child.depth >= kMaxExprHeight) error("the expression is too long or nests too deeply", child.offset);
    parent.depth = std::max<uint16_t>(parent.depth, static_cast<uint16_t>(child.depth + 1));
  }

  // ---- expressions
  ExprPtr expression(bool with_cond = true);
  ExprPtr or_expr();
  ExprPtr and_expr();
  ExprPtr not_expr();
  ExprPtr compare();
  ExprPtr binary_level(int level);
  ExprPtr unary(bool with_filter = true);
  ExprPtr primary();
  ExprPtr postfix(ExprPtr e);
  ExprPtr filter_chain(ExprPtr e);
  ExprPtr subscript(ExprPtr e);
  ExprPtr filter(ExprPtr input);
  ExprPtr filter_spec(ExprPtr input, uint32_t offset);  // name(args) after the '|'
  void filters_of_block(Stmt& s);
  ExprPtr test(ExprPtr input);
  void call_args(Expr& e);
  ExprPtr tuple(bool with_cond = true);
  ExprPtr sequence(ExprKind kind, const char* close, uint32_t offset);

  // ---- statements
  Body subparse(std::initializer_list<const char*> end_tags);
  std::unique_ptr<Stmt> statement();
  std::unique_ptr<Stmt> stmt_if();
  std::unique_ptr<Stmt> stmt_for();
  std::unique_ptr<Stmt> stmt_set();
  std::unique_ptr<Stmt> stmt_macro();
  std::unique_ptr<Stmt> stmt_call();
  std::unique_ptr<Stmt> stmt_filter();
  void parameters(Stmt& s);
  void targets(Stmt& s);
  void end_tag(const char* name);
};

}  // namespace rotary::jinja
