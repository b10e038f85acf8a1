#pragma once
// The parsed template: expressions and statements as Jinja2's parser builds them.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loader/jinja/value.h"

namespace rotary::jinja {

enum class ExprKind : uint8_t {
  Literal,   // literal
  Name,      // name
  List,      // args: items
  Tuple,     // args: items
  Dict,      // args: key0, value0, key1, value1, ...
  Attr,      // args[0].name
  Item,      // args[0][args[1]]
  Slice,     // args[0][args[1]:args[2]:args[3]] (each bound may be null)
  Call,      // args[0](args[1..], kwargs)
  Filter,    // args[0] | name(args[1..], kwargs); args[0] null in filter blocks
  Test,      // args[0] is [not] name(args[1..], kwargs)
  Not, Neg, Pos,  // args[0]
  Binary,    // args[0] op args[1]
  And, Or,   // args[0], args[1]
  Compare,   // args[0] cmps[0] args[1] cmps[1] args[2] ...
  Cond,      // args[0] if args[1] else args[2] (args[2] may be null)
};

enum class BinOp : uint8_t { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Concat };
enum class CmpOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn };

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  uint32_t offset = 0;
  bool negated = false;  // Test: `is not`
  uint16_t depth = 1;    // height of the tree below (bounded by the parser)
  BinOp op = BinOp::Add;
  Value literal;
  std::string name;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<CmpOp> cmps;
};

enum class StmtKind : uint8_t {
  Data,         // text
  Print,        // {{ expr }}
  If,           // branches (a null condition is the else)
  For,          // names in expr [if cond] body [else else_body]
  Set,          // names (or name.attr) = expr
  SetBlock,     // names = body, through filters
  Macro,        // name(names = defaults) body
  CallBlock,    // {% call(names) expr %} body
  FilterBlock,  // body through filters
  Break,
  Continue,
};

struct Stmt;
using Body = std::vector<std::unique_ptr<Stmt>>;

struct Branch {
  ExprPtr condition;
  Body body;
};

struct Stmt {
  StmtKind kind;
  uint32_t offset = 0;
  std::string text;                // Data; Set: the namespace attribute (set ns.attr = ...)
  std::string name;                // Macro name
  std::vector<std::string> names;  // For/Set targets, Macro/CallBlock parameters
  std::vector<ExprPtr> defaults;   // Macro/CallBlock parameter defaults (null: none)
  ExprPtr expr;                    // Print, For iterable, Set value, CallBlock call
  ExprPtr condition;               // For: the `if` filter
  std::vector<ExprPtr> filters;    // SetBlock, FilterBlock: Filter nodes with a null input
  std::vector<Branch> branches;    // If
  Body body;
  Body else_body;                  // For
  bool unpack = false;             // For/Set: targets were written as a tuple
};

struct Program {
  std::string source;  // normalised (newlines), for line:column
  Body body;
};

// Throws TemplateError.
std::shared_ptr<Program> parse_program(std::string_view source);

}  // namespace rotary::jinja
