#pragma once
// Jinja2's lexer with Hugging Face's settings: trim_blocks (the first newline after a block or
// comment tag is dropped), lstrip_blocks (spaces and tabs before a block or comment tag at the
// start of a line are dropped), `-`/`+` whitespace control, comments and {% raw %}. The source is
// normalised first as Jinja2 does: CRLF and CR become LF, and one trailing newline is dropped.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rotary::jinja {

enum class Tok : uint8_t {
  Data,        // template text
  VarBegin,    // {{
  VarEnd,      // }}
  BlockBegin,  // {%
  BlockEnd,    // %}
  Name,
  String,
  Int,
  Float,
  Op,  // operators and punctuation: text holds it
  Eof
};

struct Token {
  Tok type;
  uint32_t offset;  // byte offset in the normalised source
  std::string text;  // Data, Name, String (decoded), Op
  int64_t int_value = 0;
  double float_value = 0;
};

std::string normalize_newlines(std::string_view source);

// Throws Failure-positioned errors as TemplateError (through the given source for line:column).
std::vector<Token> tokenize(const std::string& source);

// 1-based line and column (in code points) of a byte offset.
void line_column(const std::string& source, uint32_t offset, uint32_t& line, uint32_t& column);

}  // namespace rotary::jinja
