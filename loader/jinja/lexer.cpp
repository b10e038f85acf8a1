#include "loader/jinja/lexer.h"

#include <cctype>
#include <cstdlib>

#include "loader/jinja/jinja.h"
#include "loader/jinja/text.h"
#include "loader/jinja/value.h"

namespace rotary::jinja {

namespace {

[[noreturn]] void lex_error(const std::string& src, size_t offset, const std::string& message) {
  uint32_t line, column;
  line_column(src, static_cast<uint32_t>(offset), line, column);
  throw TemplateError(line, column, message, false);
}

size_t utf8_char_len_at(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
  return i + n <= s.size() ? n : 1;
}

// Skips Python's \s (Unicode whitespace) from `i`.
size_t skip_space(const std::string& s, size_t i) {
  while (i < s.size()) {
    size_t n = utf8_char_len_at(s, i);
    if (!is_python_space(std::string_view(s).substr(i, n))) break;
    i += n;
  }
  return i;
}

std::string_view rstrip_space(std::string_view text) {
  return python_strip(text, std::nullopt, StripSide::Right);
}

bool all_space(std::string_view text) {
  return !text.empty() && python_strip(text, std::nullopt, StripSide::Both).empty();
}

// Jinja2's OptionalLStrip: what the text before a tag keeps, given the tag's sign.
std::string_view strip_before_tag(std::string_view text, char sign, bool is_var,
                                  bool line_starting) {
  if (sign == '-') return rstrip_space(text);
  if (sign == '+' || is_var) return text;
  const size_t nl = text.rfind('\n');
  const size_t l_pos = nl == std::string_view::npos ? 0 : nl + 1;
  if ((l_pos > 0 || line_starting) && all_space(text.substr(l_pos))) return text.substr(0, l_pos);
  return text;
}

struct Lexer {
  const std::string& src;
  std::vector<Token> out;
  bool line_starting = true;

  void emit_data(std::string_view text, size_t offset) {
    if (!text.empty()) out.push_back(Token{Tok::Data, static_cast<uint32_t>(offset), std::string(text)});
  }
  // After a block or comment end: `-` strips all whitespace, else trim_blocks drops one '\n'.
  size_t after_block_end(size_t end, bool minus, bool plus) {
    if (minus) end = skip_space(src, end);
    else if (!plus && end < src.size() && src[end] == '\n') ++end;
    line_starting = end > 0 && src[end - 1] == '\n';
    return end;
  }

  size_t comment(size_t begin) {
    size_t close = src.find("#}", begin + 2);
    if (close == std::string::npos) lex_error(src, begin, "Missing end of comment tag");
    const bool minus = close > begin + 2 && src[close - 1] == '-';
    const bool plus = close > begin + 2 && src[close - 1] == '+';
    return after_block_end(close + 2, minus, plus);
  }

  // `{% raw %}` at `begin` (sign already read): returns the end, or npos when not a raw tag.
  size_t raw(size_t begin) {
    size_t i = begin + 2;
    if (i < src.size() && (src[i] == '-' || src[i] == '+')) ++i;
    i = skip_space(src, i);
    if (src.compare(i, 3, "raw") != 0) return std::string::npos;
    i = skip_space(src, i + 3);
    if (src.compare(i, 3, "-%}") == 0) i = skip_space(src, i + 3);
    else if (src.compare(i, 2, "%}") == 0) i += 2;
    else return std::string::npos;
    for (size_t search = i;;) {
      size_t open = src.find("{%", search);
      if (open == std::string::npos) lex_error(src, begin, "Missing end of raw directive");
      size_t j = open + 2;
      char sign = (j < src.size() && (src[j] == '-' || src[j] == '+')) ? src[j] : 0;
      if (sign) ++j;
      j = skip_space(src, j);
      if (src.compare(j, 6, "endraw") != 0) {
        search = open + 2;
        continue;
      }
      j = skip_space(src, j + 6);
      bool minus = false, plus = false;
      if (src.compare(j, 3, "+%}") == 0) plus = true, j += 3;
      else if (src.compare(j, 3, "-%}") == 0) minus = true, j += 3;
      else if (src.compare(j, 2, "%}") == 0) j += 2;
      else { search = open + 2; continue; }
      emit_data(strip_before_tag(std::string_view(src).substr(i, open - i), sign, false,
                                 line_starting), i);
      return after_block_end(j, minus, plus);
    }
  }

  size_t string_literal(size_t i);
  size_t number(size_t i);
  size_t tag(size_t begin, bool is_var);
  void run();
};

void append_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Python's unicode-escape decoding of a literal's body (\n, \t, \xhh, \uXXXX, octal, ...);
// unknown escapes stay as written.
std::string decode_escapes(std::string_view body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      out += body[i];
      continue;
    }
    const char e = body[++i];
    auto hex = [&](size_t digits) -> bool {
      uint32_t v = 0;
      for (size_t k = 1; k <= digits; ++k) {
        if (i + k >= body.size() || !std::isxdigit(static_cast<unsigned char>(body[i + k])))
          return false;
        const char h = body[i + k];
        v = v * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 32) - 'a' + 10);
      }
      if (v > 0x10FFFF) return false;
      append_utf8(out, v);
      i += digits;
      return true;
    };
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\n': break;
      case 'x': if (!hex(2)) fail("truncated \\xXX escape"); break;
      case 'u': if (!hex(4)) fail("truncated \\uXXXX escape"); break;
      case 'U': if (!hex(8)) fail("truncated \\UXXXXXXXX escape"); break;
      default:
        if (e >= '0' && e <= '7') {
          uint32_t v = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k)
            v = v * 8 + static_cast<uint32_t>(body[++i] - '0');
          append_utf8(out, v);
        } else {
          out += '\\';
          out += e;
        }
    }
  }
  return out;
}

size_t Lexer::string_literal(size_t i) {
  const char q = src[i];
  size_t j = i + 1;
  while (j < src.size() && src[j] != q) j += src[j] == '\\' ? 2 : 1;
  if (j >= src.size()) lex_error(src, i, "unexpected end of string literal");
  try {
    out.push_back(Token{Tok::String, static_cast<uint32_t>(i),
                        decode_escapes(std::string_view(src).substr(i + 1, j - i - 1))});
  } catch (const Failure& f) {
    lex_error(src, i, f.message);
  }
  return j + 1;
}

size_t Lexer::number(size_t i) {
  auto digits = [&](size_t k) {  // (\d+_)*\d+ from k; returns end or k when none
    size_t e = k;
    while (e < src.size() && std::isdigit(static_cast<unsigned char>(src[e]))) {
      ++e;
      if (e + 1 < src.size() && src[e] == '_' && std::isdigit(static_cast<unsigned char>(src[e + 1]))) ++e;
    }
    return e;
  };
  size_t e = digits(i);
  bool is_float = false;
  if (e + 1 < src.size() && src[e] == '.' && std::isdigit(static_cast<unsigned char>(src[e + 1]))) {
    e = digits(e + 1);
    is_float = true;
  }
  if (e < src.size() && (src[e] == 'e' || src[e] == 'E')) {
    size_t k = e + 1;
    if (k < src.size() && (src[k] == '+' || src[k] == '-')) ++k;
    if (k < src.size() && std::isdigit(static_cast<unsigned char>(src[k]))) {
      e = digits(k);
      is_float = true;
    }
  }
  std::string text;
  for (size_t k = i; k < e; ++k)
    if (src[k] != '_') text += src[k];
  Token t{is_float ? Tok::Float : Tok::Int, static_cast<uint32_t>(i), text};
  if (is_float) {
    t.float_value = std::strtod(text.c_str(), nullptr);
  } else {
    errno = 0;
    t.int_value = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == ERANGE) lex_error(src, i, "integer literal too large");
  }
  out.push_back(std::move(t));
  return e;
}

size_t Lexer::tag(size_t begin, bool is_var) {
  out.push_back(Token{is_var ? Tok::VarBegin : Tok::BlockBegin, static_cast<uint32_t>(begin), {}});
  size_t i = begin + 2;
  if (i < src.size() && (src[i] == '-' || src[i] == '+')) ++i;
  std::vector<char> brackets;
  static const char* const kOps2[] = {"//", "**", "==", "!=", ">=", "<="};
  while (true) {
    i = skip_space(src, i);
    if (i >= src.size()) lex_error(src, begin, is_var ? "unexpected end of template, expected '}}'"
                                                      : "unexpected end of template, expected '%}'");
    const char* end = is_var ? "}}" : "%}";
    if (brackets.empty()) {
      const bool minus = src[i] == '-' && src.compare(i + 1, 2, end) == 0;
      const bool plus = !is_var && src[i] == '+' && src.compare(i + 1, 2, end) == 0;
      if (minus || plus || src.compare(i, 2, end) == 0) {
        out.push_back(Token{is_var ? Tok::VarEnd : Tok::BlockEnd, static_cast<uint32_t>(i), {}});
        const size_t after = i + (minus || plus ? 3 : 2);
        if (is_var) {
          const size_t e = minus ? skip_space(src, after) : after;
          line_starting = e > 0 && src[e - 1] == '\n';
          return e;
        }
        return after_block_end(after, minus, plus);
      }
    }
    const char c = src[i];
    if (c == '\'' || c == '"') {
      i = string_literal(i);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      i = number(i);
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t e = i;
      while (e < src.size() && (std::isalnum(static_cast<unsigned char>(src[e])) || src[e] == '_')) ++e;
      out.push_back(Token{Tok::Name, static_cast<uint32_t>(i), src.substr(i, e - i)});
      i = e;
    } else {
      std::string op(1, c);
      for (const char* two : kOps2)
        if (src.compare(i, 2, two) == 0) op = two;
      if (op.size() == 1 && std::string_view("+-*/%~[](){}><=.:|,;").find(c) == std::string_view::npos)
        lex_error(src, i, std::string("unexpected char '") + c + "'");
      if (c == '(' || c == '[' || c == '{') {
        brackets.push_back(c);
      } else if (c == ')' || c == ']' || c == '}') {
        const char want = c == ')' ? '(' : c == ']' ? '[' : '{';
        if (brackets.empty()) lex_error(src, i, std::string("unexpected '") + c + "'");
        if (brackets.back() != want)
          lex_error(src, i, std::string("unexpected '") + c + "', expected a closing bracket");
        brackets.pop_back();
      }
      out.push_back(Token{Tok::Op, static_cast<uint32_t>(i), op});
      i += op.size();
    }
  }
}

void Lexer::run() {
  size_t pos = 0;
  while (pos < src.size()) {
    size_t open = src.find('{', pos);
    while (open != std::string::npos && open + 1 < src.size() && src[open + 1] != '{' &&
           src[open + 1] != '%' && src[open + 1] != '#')
      open = src.find('{', open + 1);
    if (open == std::string::npos || open + 1 >= src.size()) {
      emit_data(std::string_view(src).substr(pos), pos);
      return;
    }
    const char kind = src[open + 1];
    const char sign = open + 2 < src.size() && (src[open + 2] == '-' || src[open + 2] == '+')
                          ? src[open + 2] : 0;
    emit_data(strip_before_tag(std::string_view(src).substr(pos, open - pos), sign, kind == '{',
                               line_starting), pos);
    if (kind == '#') {
      pos = comment(open);
    } else if (kind == '%') {
      const size_t r = raw(open);
      pos = r != std::string::npos ? r : tag(open, false);
    } else {
      pos = tag(open, true);
    }
  }
}

}  // namespace

std::string normalize_newlines(std::string_view source) {
  std::string s;
  s.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      s += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      s += source[i];
    }
  }
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::vector<Token> tokenize(const std::string& source) {
  Lexer lexer{source, {}, true};
  lexer.run();
  lexer.out.push_back(Token{Tok::Eof, static_cast<uint32_t>(source.size()), {}});
  return std::move(lexer.out);
}

void line_column(const std::string& source, uint32_t offset, uint32_t& line, uint32_t& column) {
  line = 1;
  size_t line_start = 0;
  const size_t end = std::min<size_t>(offset, source.size());
  for (size_t i = 0; i < end; ++i)
    if (source[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  column = static_cast<uint32_t>(utf8_length(std::string_view(source).substr(line_start, end - line_start))) + 1;
}

}  // namespace rotary::jinja
