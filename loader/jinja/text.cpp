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

namespace {

// Simple case mapping of the scripts chat text mostly uses: ASCII, Latin-1, Latin Extended-A,
// Greek and Cyrillic. Mappings that change length (German sharp s) or depend on context (final
// sigma) are left out.
uint32_t upper_cp(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0xB5) return c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) ||
      (c >= 0x430 && c <= 0x44F))
    return c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
    return c & ~1u;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1u) ? c : c - 1;
  if (c == 0x3C2) return 0x3A3;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  return c;
}

uint32_t lower_cp(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) ||
      (c >= 0x410 && c <= 0x42F))
    return c + 32;
  if (c == 0x178) return 0xFF;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
    return c | 1u;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1u) ? c + 1 : c;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  return c;
}

bool cased(uint32_t c) { return upper_cp(c) != c || lower_cp(c) != c; }

void append_cp(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Maps every code point of `s`; `upper_next(i, c)` says whether the i-th one goes to upper case.
template <typename Pick>
std::string map_case(std::string_view s, Pick upper_next) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  for (std::string_view ch : utf8_chars(s)) {
    const uint32_t c = decode(ch);
    const uint32_t m = upper_next(i++, c) ? upper_cp(c) : lower_cp(c);
    if (m == c || c >= 0x10000) out += ch;
    else append_cp(out, m);
  }
  return out;
}

}  // namespace

std::string to_upper(std::string_view s) {
  return map_case(s, [](size_t, uint32_t) { return true; });
}

std::string to_lower(std::string_view s) {
  return map_case(s, [](size_t, uint32_t) { return false; });
}

std::string python_title(std::string_view s) {
  bool prev_cased = false;
  return map_case(s, [&](size_t, uint32_t c) {
    const bool up_now = !prev_cased;
    prev_cased = cased(c);
    return up_now;
  });
}

std::string python_capitalize(std::string_view s) {
  return map_case(s, [](size_t i, uint32_t) { return i == 0; });
}

std::string jinja_title(std::string_view s) {
  // Jinja2: words begin after runs of [-\s({\[<]; each word is item[0].upper() + rest.lower().
  bool word_start = true;
  std::vector<bool> starts;
  for (std::string_view ch : utf8_chars(s)) {
    const bool sep = is_python_space(ch) || ch == "-" || ch == "(" || ch == "{" || ch == "[" ||
                     ch == "<";
    starts.push_back(!sep && word_start);
    word_start = sep;
  }
  return map_case(s, [&](size_t i, uint32_t) { return starts[i]; });
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
