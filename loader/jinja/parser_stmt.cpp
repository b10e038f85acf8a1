// Statements: {% if %}, {% for %}, {% set %}, {% macro %}, {% call %}, {% filter %}, loop controls.
#include "loader/jinja/parser.h"

namespace rotary::jinja {

namespace {

std::unique_ptr<Stmt> make_stmt(StmtKind kind, uint32_t offset) {
  auto s = std::make_unique<Stmt>();
  s->kind = kind;
  s->offset = offset;
  return s;
}

std::string tag_list(std::initializer_list<const char*> tags) {
  std::string out;
  size_t k = 0;
  for (const char* t : tags) {
    if (k++) out += k == tags.size() ? " or " : ", ";
    out += std::string("'") + t + "'";
  }
  return out;
}

}  // namespace

Body Parser::subparse(std::initializer_list<const char*> end_tags) {
  Nest nest(*this);
  Body body;
  while (true) {
    const Token& t = cur();
    if (t.type == Tok::Data) {
      auto s = make_stmt(StmtKind::Data, t.offset);
      s->text = t.text;
      body.push_back(std::move(s));
      ++pos;
    } else if (t.type == Tok::VarBegin) {
      auto s = make_stmt(StmtKind::Print, t.offset);
      ++pos;
      s->expr = tuple();
      if (cur().type != Tok::VarEnd) error("expected end of print statement, got " + describe(cur()));
      ++pos;
      body.push_back(std::move(s));
    } else if (t.type == Tok::BlockBegin) {
      ++pos;
      if (cur().type == Tok::Name)
        for (const char* e : end_tags)
          if (cur().text == e) return body;
      body.push_back(statement());
    } else if (t.type == Tok::Eof) {
      if (end_tags.size() != 0)
        error("Unexpected end of template. Jinja was looking for the following tags: " +
              tag_list(end_tags) + ".");
      return body;
    } else {
      error("unexpected " + describe(t));
    }
  }
}

void Parser::end_tag(const char* name) {
  if (!is_name(name)) error(std::string("expected '") + name + "', got " + describe(cur()));
  ++pos;
  expect_block_end();
}

std::unique_ptr<Stmt> Parser::statement() {
  if (cur().type != Tok::Name) error("tag name expected");
  const std::string& tag = cur().text;
  const uint32_t at = cur().offset;
  if (tag == "if") return stmt_if();
  if (tag == "for") return stmt_for();
  if (tag == "set") return stmt_set();
  if (tag == "macro") return stmt_macro();
  if (tag == "call") return stmt_call();
  if (tag == "filter") return stmt_filter();
  if (tag == "break" || tag == "continue") {
    ++pos;
    expect_block_end();
    return make_stmt(tag == "break" ? StmtKind::Break : StmtKind::Continue, at);
  }
  if (tag == "print") {
    ++pos;
    auto s = make_stmt(StmtKind::Print, at);
    s->expr = tuple();
    expect_block_end();
    return s;
  }
  static const char* const kEnds[] = {"endif", "endfor", "endset", "endmacro", "endcall",
                                      "endfilter", "elif", "else", "endraw"};
  for (const char* e : kEnds)
    if (tag == e) error("Encountered unknown tag '" + tag + "'. Jinja was not expecting this tag here.");
  error("Encountered unknown tag '" + tag + "'.");
}

std::unique_ptr<Stmt> Parser::stmt_if() {
  auto s = make_stmt(StmtKind::If, cur().offset);
  ++pos;
  while (true) {
    Branch b;
    b.condition = tuple(false);
    expect_block_end();
    b.body = subparse({"elif", "else", "endif"});
    s->branches.push_back(std::move(b));
    const std::string tag = cur().text;
    ++pos;
    if (tag == "elif") continue;
    if (tag == "else") {
      expect_block_end();
      Branch otherwise;
      otherwise.body = subparse({"endif"});
      s->branches.push_back(std::move(otherwise));
      end_tag("endif");
    } else {
      expect_block_end();
    }
    return s;
  }
}

void Parser::targets(Stmt& s) {
  const bool paren = skip_op("(");
  s.names.push_back(expect_name());
  while (skip_op(",")) {
    s.unpack = true;
    if (is_op(")") || is_name("in") || is_op("=")) break;
    s.names.push_back(expect_name());
  }
  if (paren) {
    s.unpack = true;
    expect_op(")");
  }
}

std::unique_ptr<Stmt> Parser::stmt_for() {
  auto s = make_stmt(StmtKind::For, cur().offset);
  ++pos;
  targets(*s);
  if (!skip_name("in")) error("expected 'in', got " + describe(cur()));
  s->expr = tuple(false);
  if (skip_name("if")) s->condition = expression();
  if (is_name("recursive")) error("recursive for loops are not supported");
  expect_block_end();
  s->body = subparse({"endfor", "else"});
  if (is_name("else")) {
    ++pos;
    expect_block_end();
    s->else_body = subparse({"endfor"});
  }
  end_tag("endfor");
  return s;
}

void Parser::filters_of_block(Stmt& s) {
  while (true) {
    const uint32_t at = cur().offset;
    s.filters.push_back(filter_spec(nullptr, at));
    if (!skip_op("|")) return;
  }
}

std::unique_ptr<Stmt> Parser::stmt_set() {
  auto s = make_stmt(StmtKind::Set, cur().offset);
  ++pos;
  if (cur().type == Tok::Name && peek().type == Tok::Op && peek().text == ".") {
    s->names.push_back(expect_name());
    ++pos;
    s->text = expect_name();
  } else {
    targets(*s);
  }
  if (skip_op("=")) {
    s->expr = tuple();
    expect_block_end();
    return s;
  }
  if (!s->text.empty() || s->unpack) error("expected '='");
  s->kind = StmtKind::SetBlock;
  if (skip_op("|")) filters_of_block(*s);
  expect_block_end();
  s->body = subparse({"endset"});
  end_tag("endset");
  return s;
}

void Parser::parameters(Stmt& s) {
  expect_op("(");
  while (!is_op(")")) {
    if (!s.names.empty()) expect_op(",");
    if (is_op(")")) break;
    s.names.push_back(expect_name());
    if (skip_op("=")) {
      s.defaults.push_back(expression());
    } else {
      if (!s.defaults.empty() && s.defaults.back()) error("non-default argument follows default argument");
      s.defaults.push_back(nullptr);
    }
  }
  ++pos;
}

std::unique_ptr<Stmt> Parser::stmt_macro() {
  auto s = make_stmt(StmtKind::Macro, cur().offset);
  ++pos;
  s->name = expect_name();
  parameters(*s);
  expect_block_end();
  s->body = subparse({"endmacro"});
  end_tag("endmacro");
  return s;
}

std::unique_ptr<Stmt> Parser::stmt_call() {
  auto s = make_stmt(StmtKind::CallBlock, cur().offset);
  ++pos;
  if (is_op("(")) parameters(*s);
  s->expr = expression();
  if (s->expr->kind != ExprKind::Call) error("expected call", s->expr->offset);
  expect_block_end();
  s->body = subparse({"endcall"});
  end_tag("endcall");
  return s;
}

std::unique_ptr<Stmt> Parser::stmt_filter() {
  auto s = make_stmt(StmtKind::FilterBlock, cur().offset);
  ++pos;
  filters_of_block(*s);
  expect_block_end();
  s->body = subparse({"endfilter"});
  end_tag("endfilter");
  return s;
}

std::shared_ptr<Program> parse_program(std::string_view source) {
  auto program = std::make_shared<Program>();
  program->source = normalize_newlines(source);
  Parser parser{program->source, tokenize(program->source)};
  program->body = parser.subparse({});
  return program;
}

}  // namespace rotary::jinja
