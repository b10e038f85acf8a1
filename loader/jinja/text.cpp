#include "loader/jinja/text.h"

#include <algorithm>
#include <cstdio>

#include "loader/jinja/value.h"

namespace rotary::jinja {

namespace {

size_t char_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

size_t next_char(std::string_view s, size_t i) {
  size_t n = char_len(static_cast<unsigned char>(s[i]));
  if (i + n > s.size()) return i + 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i + 1;
  return i + n;
}

uint32_t decode(std::string_view ch) {
  const auto* p = reinterpret_cast<const unsigned char*>(ch.data());
  switch (ch.size()) {
    case 2: return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    case 3: return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    case 4:
      return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
             (p[3] & 0x3Fu);
    default: return p[0];
  }
}

bool space_code(uint32_t c) {
  return (c >= 9 && c <= 13) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// Python's str.isprintable() false: controls, separators other than ' ', format characters.
bool unprintable(uint32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
         (c >= 0x205F && c <= 0x2064) || c == 0x3000 || c == 0xFEFF || (c >= 0xD800 && c <= 0xDFFF);
}

bool is_line_break(uint32_t c) {
  return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) ||
         c == 0x85 || c == 0x2028 || c == 0x2029;
}

bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char up(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }
char down(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i = next_char(s, i)) ++n;
  return n;
}

std::vector<std::string_view> utf8_chars(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t j = next_char(s, i);
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

size_t utf8_offset(std::string_view s, size_t index) {
  size_t i = 0;
  for (size_t k = 0; k < index && i < s.size(); ++k) i = next_char(s, i);
  return i;
}

bool is_python_space(std::string_view ch) { return space_code(decode(ch)); }

void append_python_repr(std::string& out, std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  out += quote;
  for (size_t i = 0; i < s.size();) {
    size_t j = next_char(s, i);
    std::string_view ch = s.substr(i, j - i);
    uint32_t c = decode(ch);
    i = j;
    if (c == static_cast<uint32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (unprintable(c)) {
      char buf[16];
      if (c < 0x100) std::snprintf(buf, sizeof buf, "\\x%02x", c);
      else std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += quote;
}

std::string_view python_strip(std::string_view s, const std::optional<std::string>& chars,
                              StripSide side) {
  auto strippable = [&](std::string_view ch) {
    if (!chars) return is_python_space(ch);
    return chars->find(ch) != std::string::npos;  // chars are whole code points in valid UTF-8
  };
  auto all = utf8_chars(s);
  size_t b = 0, e = all.size();
  if (side != StripSide::Right)
    while (b < e && strippable(all[b])) ++b;
  if (side != StripSide::Left)
    while (e > b && strippable(all[e - 1])) --e;
  if (b == e) return s.substr(0, 0);
  const size_t start = static_cast<size_t>(all[b].data() - s.data());
  const size_t end = static_cast<size_t>(all[e - 1].data() - s.data()) + all[e - 1].size();
  return s.substr(start, end - start);
}

namespace {

std::vector<std::string> split_whitespace(std::string_view s, int64_t maxsplit, bool from_right) {
  auto chars = utf8_chars(s);
  std::vector<std::string> out;
  auto off = [&](size_t k) {
    return k < chars.size() ? static_cast<size_t>(chars[k].data() - s.data()) : s.size();
  };
  if (!from_right) {
    size_t k = 0;
    while (true) {
      while (k < chars.size() && is_python_space(chars[k])) ++k;
      if (k == chars.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
        size_t e = chars.size();
        while (e > k && is_python_space(chars[e - 1])) --e;
        out.emplace_back(s.substr(off(k), off(e) - off(k)));
        break;
      }
      size_t b = k;
      while (k < chars.size() && !is_python_space(chars[k])) ++k;
      out.emplace_back(s.substr(off(b), off(k) - off(b)));
    }
    return out;
  }
  size_t k = chars.size();
  while (true) {
    while (k > 0 && is_python_space(chars[k - 1])) --k;
    if (k == 0) break;
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
      size_t b = 0;
      while (b < k && is_python_space(chars[b])) ++b;
      out.emplace_back(s.substr(off(b), off(k) - off(b)));
      break;
    }
    size_t e = k;
    while (k > 0 && !is_python_space(chars[k - 1])) --k;
    out.emplace_back(s.substr(off(k), off(e) - off(k)));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> python_split(std::string_view s, const std::optional<std::string>& sep,
                                      int64_t maxsplit, bool from_right) {
  if (!sep) return split_whitespace(s, maxsplit, from_right);
  if (sep->empty()) fail("empty separator");
  std::vector<std::string> out;
  if (!from_right) {
    size_t pos = 0;
    while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
      size_t f = s.find(*sep, pos);
      if (f == std::string_view::npos) break;
      out.emplace_back(s.substr(pos, f - pos));
      pos = f + sep->size();
    }
    out.emplace_back(s.substr(pos));
    return out;
  }
  size_t end = s.size();
  while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
    if (end < sep->size()) break;
    size_t f = s.rfind(*sep, end - sep->size());
    if (f == std::string_view::npos) break;
    out.emplace_back(s.substr(f + sep->size(), end - f - sep->size()));
    end = f;
  }
  out.emplace_back(s.substr(0, end));
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::string> python_splitlines(std::string_view s, bool keepends) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size();) {
    size_t j = next_char(s, i);
    uint32_t c = decode(s.substr(i, j - i));
    if (is_line_break(c)) {
      size_t end = j;
      if (c == '\r' && j < s.size() && s[j] == '\n') end = j + 1;
      out.emplace_back(s.substr(start, (keepends ? end : i) - start));
      start = end;
      i = end;
    } else {
      i = j;
    }
  }
  if (start < s.size()) out.emplace_back(s.substr(start));
  return out;
}

std::string ascii_upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = up(c);
  return r;
}

std::string ascii_lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = down(c);
  return r;
}

std::string python_title(std::string_view s) {
  std::string r(s);
  bool prev_cased = false;
  for (char& c : r) {
    const bool alpha = ascii_alpha(c);
    c = alpha ? (prev_cased ? down(c) : up(c)) : c;
    // A non-ASCII byte is treated as uncased (ASCII-only case mapping).
    prev_cased = alpha;
  }
  return r;
}

std::string python_capitalize(std::string_view s) {
  std::string r = ascii_lower(s);
  if (!r.empty()) r[0] = up(r[0]);
  return r;
}

std::string jinja_title(std::string_view s) {
  // Jinja2: words begin after runs of [-\s({\[<]; each word is item[0].upper() + rest.lower().
  auto chars = utf8_chars(s);
  std::string out;
  bool word_start = true;
  for (std::string_view ch : chars) {
    const bool sep = is_python_space(ch) || ch == "-" || ch == "(" || ch == "{" || ch == "[" ||
                     ch == "<";
    if (sep) {
      out += ch;
      word_start = true;
    } else if (word_start) {
      out += ch.size() == 1 ? std::string(1, up(ch[0])) : std::string(ch);
      word_start = false;
    } else {
      out += ch.size() == 1 ? std::string(1, down(ch[0])) : std::string(ch);
    }
  }
  return out;
}

std::string python_replace(std::string_view s, std::string_view old, std::string_view with,
                           int64_t count, size_t max_size) {
  std::string out;
  size_t pos = 0;
  int64_t done = 0;
  if (old.empty()) {
    auto chars = utf8_chars(s);
    for (size_t k = 0; k <= chars.size(); ++k) {
      if (count < 0 || done < count) {
        out += with;
        ++done;
      }
      if (k < chars.size()) out += chars[k];
      if (out.size() > max_size) fail("the template built a value larger than the output limit");
    }
    return out;
  }
  while (count < 0 || done < count) {
    size_t f = s.find(old, pos);
    if (f == std::string_view::npos) break;
    out.append(s.substr(pos, f - pos));
    out += with;
    pos = f + old.size();
    ++done;
    if (out.size() > max_size) fail("the template built a value larger than the output limit");
  }
  out.append(s.substr(pos));
  return out;
}

int64_t python_find(std::string_view s, std::string_view sub, bool from_right) {
  size_t f = from_right ? s.rfind(sub) : s.find(sub);
  if (f == std::string_view::npos) return -1;
  return static_cast<int64_t>(utf8_length(s.substr(0, f)));
}

int64_t python_count(std::string_view s, std::string_view sub) {
  if (sub.empty()) return static_cast<int64_t>(utf8_length(s)) + 1;
  int64_t n = 0;
  for (size_t pos = s.find(sub); pos != std::string_view::npos; pos = s.find(sub, pos + sub.size()))
    ++n;
  return n;
}

}  // namespace rotary::jinja
