#include "loader/tokenizer/pre_tokenizer.h"

#include <array>
#include <string>

#include "base/printable.h"
#include "base/error.h"
#include "loader/tokenizer/unicode.h"

namespace rotary {
namespace {

// Per-position flags. kPresent marks a position inside the fragment: the matchers read one or two
// positions past a run, and the end of the fragment must look like nothing at all.
enum : uint8_t {
  kLetter = 1,
  kNumber = 2,
  kMark = 4,
  kSpace = 8,
  kPresent = 16,
};

uint8_t flags_of(char32_t cp) {
  uint8_t f = kPresent;
  switch (unicode::codepoint_class(cp)) {
    case unicode::CodepointClass::Letter:
      f |= kLetter;
      break;
    case unicode::CodepointClass::Number:
      f |= kNumber;
      break;
    case unicode::CodepointClass::Mark:
      f |= kMark;
      break;
    case unicode::CodepointClass::Other:
      break;
  }
  if (unicode::is_whitespace(cp)) f |= kSpace;
  return f;
}

const std::array<uint8_t, 128>& ascii_flags() {
  static const std::array<uint8_t, 128> table = [] {
    std::array<uint8_t, 128> t{};
    for (char32_t c = 0; c < 128; ++c) t[c] = flags_of(c);
    return t;
  }();
  return table;
}

char32_t ascii_lower(char32_t c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

// Walks one fragment. `at(i)` is 0 past the end, so every look-ahead stops there.
class Splitter {
 public:
  Splitter(std::span<const char32_t> text, std::vector<uint32_t>& out) : text_(text), out_(out) {
    flags_.resize(text.size() + 2, 0);  // two zero entries past the end for look-ahead
    const auto& ascii = ascii_flags();
    for (size_t i = 0; i < text.size(); ++i) {
      flags_[i] = text[i] < 128 ? ascii[text[i]] : flags_of(text[i]);
    }
  }

  size_t size() const { return text_.size(); }
  char32_t cp(size_t i) const { return i < text_.size() ? text_[i] : 0xFFFFFFFFu; }
  uint8_t at(size_t i) const { return i < text_.size() ? flags_[i] : 0; }

  // Ends the current word at `end` (the next word starts there).
  void emit(size_t end) {
    if (end > start_) out_.push_back(static_cast<uint32_t>(end - start_));
    start_ = end;
  }

  // 's 't 'm 'd 're 've 'll (ASCII letters; case-insensitive when asked). Returns the end or 0.
  size_t contraction(size_t pos, bool any_case) const {
    if (cp(pos) != '\'' || pos + 1 >= size()) return 0;
    auto low = [&](size_t i) { return any_case ? ascii_lower(cp(i)) : cp(i); };
    const char32_t a = low(pos + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return pos + 2;
    if (pos + 2 >= size()) return 0;
    const char32_t b = low(pos + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return pos + 3;
    return 0;
  }

  // \s*[\r\n]+ (when `newlines`), else \s+(?!\S) | \s+ ; one code point when pos is not a space.
  size_t whitespace(size_t pos, bool newlines) const {
    size_t n = 0;
    size_t after_last_newline = 0;
    while (at(pos + n) & kSpace) {
      if (newlines && (cp(pos + n) == '\r' || cp(pos + n) == '\n'))
        after_last_newline = pos + n + 1;
      ++n;
    }
    if (after_last_newline) return after_last_newline;
    if (n > 1 && pos + n < size()) return pos + n - 1;  // leave one space for the next word
    if (n > 0) return pos + n;
    return pos + 1;
  }

 private:
  std::span<const char32_t> text_;
  std::vector<uint8_t> flags_;
  std::vector<uint32_t>& out_;
  size_t start_ = 0;
};

void split_gpt2(Splitter& s) {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.contraction(pos, /*any_case=*/false);
    if (!end) {
      const bool space = s.cp(pos) == ' ';
      const uint8_t f = space ? s.at(pos + 1) : s.at(pos);
      const size_t begin = pos + (space ? 1 : 0);
      auto run = [&](auto&& in_run) {
        size_t e = begin;
        while (in_run(s.at(e))) ++e;
        return e;
      };
      if (f & kLetter) {
        end = run([](uint8_t g) { return (g & kLetter) != 0; });
      } else if (f & kNumber) {
        end = run([](uint8_t g) { return (g & kNumber) != 0; });
      } else if (!(f & (kSpace | kLetter | kNumber)) && (f & kPresent)) {
        end = run([](uint8_t g) { return !(g & (kSpace | kLetter | kNumber)) && (g & kPresent); });
      } else {
        end = s.whitespace(pos, /*newlines=*/false);
      }
    }
    s.emit(end);
    pos = end;
  }
}

// Llama3, Qwen2 and Qwen35 share one shape: `max_digits` is 3 or 1, `marks` adds \p{M} to words.
void split_llama3_family(Splitter& s, size_t max_digits, bool marks) {
  const uint8_t word = kLetter | (marks ? kMark : 0);
  const uint8_t not_punct = kSpace | kLetter | kNumber | (marks ? kMark : 0);
  size_t pos = 0;
  while (pos < s.size()) {
    const char32_t c = s.cp(pos);
    const uint8_t f = s.at(pos);
    size_t end = s.contraction(pos, /*any_case=*/true);
    if (end) {
      s.emit(end);
    } else if (c != '\r' && c != '\n' && !(f & kNumber) && ((f | s.at(pos + 1)) & word)) {
      // [^\r\n\p{L}\p{N}]?\p{L}+ : the first code point is taken whatever it is.
      end = pos + 1;
      while (s.at(end) & word) ++end;
      s.emit(end);
    } else if (f & kNumber) {
      end = pos;
      while ((s.at(end) & kNumber) && end - pos < max_digits) ++end;
      s.emit(end);
    } else {
      const uint8_t f2 = c == ' ' ? s.at(pos + 1) : f;
      if (!(f2 & not_punct)) {
        //  ?[^\s\p{L}\p{N}]+[\r\n]* ; a lone space at the end of the fragment lands here too.
        end = pos + (c == ' ' ? 1 : 0);
        while (!(s.at(end) & not_punct) && (s.at(end) & kPresent)) ++end;
        while (s.cp(end) == '\r' || s.cp(end) == '\n') ++end;
      } else {
        end = s.whitespace(pos, /*newlines=*/true);
      }
      s.emit(end);
    }
    pos = end;
  }
}

// gpt-4o: llama.cpp runs this regex through std::regex on a "collapsed" text of one byte per
// code point (ASCII as itself; any other letter as one byte that counts as upper and lower case
// alike, other numbers as one digit byte, other white space as \v), so only ASCII letters have
// a case:
//   [^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|...)?
//   |[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?:'[sS]|...)?
//   |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
// The first alternative that matches wins, its greedy runs backtracking as ECMAScript's do.
size_t gpt4o_letter_word(const Splitter& s, size_t pos) {
  const auto letter = [&](size_t i) { return (s.at(i) & kLetter) != 0; };
  const auto upper = [&](size_t i) { return letter(i) && !(s.cp(i) >= 'a' && s.cp(i) <= 'z'); };
  const auto lower = [&](size_t i) { return letter(i) && !(s.cp(i) >= 'A' && s.cp(i) <= 'Z'); };
  const auto with_contraction = [&](size_t end) {
    const size_t c = s.contraction(end, /*any_case=*/true);
    return c ? c : end;
  };
  const uint8_t f = s.at(pos);
  const bool prefix = (f & kPresent) && !(f & (kLetter | kNumber)) && s.cp(pos) != '\r' && s.cp(pos) != '\n';
  const size_t q = pos + (prefix ? 1 : 0);
  size_t m = 0;  // upper-case run
  while (upper(q + m)) ++m;
  // Upper* Lower+: the longest upper run that a lower-case letter follows.
  for (size_t j = m + 1; j-- > 0;) {
    if (!lower(q + j)) continue;
    size_t end = q + j;
    while (lower(end)) ++end;
    return with_contraction(end);
  }
  if (m == 0) return 0;  // Upper+ Lower*
  size_t end = q + m;
  while (lower(end)) ++end;
  return with_contraction(end);
}

void split_gpt4o(Splitter& s) {
  const auto punct = [&](size_t i) {
    const uint8_t g = s.at(i);
    return (g & kPresent) && !(g & (kSpace | kLetter | kNumber));
  };
  for (size_t pos = 0; pos < s.size();) {
    size_t end = gpt4o_letter_word(s, pos);
    if (end == 0 && (s.at(pos) & kNumber)) {
      end = pos + 1;
      while (end < pos + 3 && (s.at(end) & kNumber)) ++end;
    }
    if (end == 0) {
      const size_t q = pos + (s.cp(pos) == ' ' ? 1 : 0);
      if (punct(q)) {
        end = q;
        while (punct(end)) ++end;
        while (s.cp(end) == '\r' || s.cp(end) == '\n' || s.cp(end) == '/') ++end;
      }
    }
    if (end == 0) end = s.whitespace(pos, true);
    s.emit(end);
    pos = end;
  }
}

struct NamedPreTokenizer {
  std::string_view name;
  PreTokenizer pre;
};

// The tokenizer.ggml.pre values llama.cpp maps to these splitters (llama-vocab.cpp).
constexpr PreTokenizer kQwen2{PreTokenizerKind::Qwen2, false, false};
constexpr PreTokenizer kQwen35{PreTokenizerKind::Qwen35, false, false};
constexpr PreTokenizer kLlama3{PreTokenizerKind::Llama3, true, true};
constexpr PreTokenizer kLlama3Merging{PreTokenizerKind::Llama3, false, false};
constexpr PreTokenizer kGpt2{PreTokenizerKind::Gpt2, false, false};
constexpr PreTokenizer kGpt4o{PreTokenizerKind::Gpt4o, false, false};
constexpr NamedPreTokenizer kNames[] = {
    {"qwen2", kQwen2},        {"deepseek-r1-qwen", kQwen2},
    {"kormo", kQwen2},        {"f2llmv2", kQwen2},
    {"megrez", kQwen2},       {"stablelm2", kQwen2},
    {"qwen35", kQwen35},      {"llama3", kLlama3},
    {"llama-v3", kLlama3},    {"llama-bpe", kLlama3},
    {"falcon3", kLlama3},     {"falcon-h1", kLlama3},
    {"pixtral", kLlama3},     {"midm-2.0", kLlama3},
    {"lfm2", kLlama3},        {"jina-v5-nano", kLlama3},
    {"dbrx", kLlama3Merging}, {"smaug-bpe", kLlama3Merging},
    {"gpt-2", kGpt2},         {"phi-2", kGpt2},
    {"mpt", kGpt2},           {"olmo", kGpt2},
    {"jais", kGpt2},          {"exaone4", kGpt2},
    {"gigachat", kGpt2},      {"mellum", kGpt2},
    {"a.x-4.0", kGpt2},       {"trillion", kGpt2},
    {"gpt-4o", kGpt4o},       {"llama4", kGpt4o},
    {"kanana2", kGpt4o},      {"talkie", kGpt4o},
};

}  // namespace

PreTokenizer pre_tokenizer_for(std::string_view pre) {
  for (const auto& n : kNames) {
    if (n.name == pre) return n.pre;
  }
  std::string known;
  for (const auto& n : kNames) known += (known.empty() ? "" : ", ") + std::string(n.name);
  throw Error(ErrorKind::Unsupported,
              "tokenizer.ggml.pre '" + printable(pre) +
                  "' is not a pre-tokenizer rotary implements; supported: " + known);
}

std::string_view to_string(PreTokenizerKind kind) {
  switch (kind) {
    case PreTokenizerKind::Gpt2:
      return "gpt2";
    case PreTokenizerKind::Llama3:
      return "llama3";
    case PreTokenizerKind::Qwen2:
      return "qwen2";
    case PreTokenizerKind::Qwen35:
      return "qwen35";
    case PreTokenizerKind::Gpt4o:
      return "gpt-4o";
  }
  return "?";
}

void split_words(PreTokenizerKind kind, std::span<const char32_t> text,
                 std::vector<uint32_t>& word_lengths) {
  Splitter s(text, word_lengths);
  switch (kind) {
    case PreTokenizerKind::Gpt2:
      split_gpt2(s);
      break;
    case PreTokenizerKind::Llama3:
      split_llama3_family(s, 3, false);
      break;
    case PreTokenizerKind::Qwen2:
      split_llama3_family(s, 1, false);
      break;
    case PreTokenizerKind::Qwen35:
      split_llama3_family(s, 1, true);
      break;
    case PreTokenizerKind::Gpt4o:
      split_gpt4o(s);
      break;
  }
}

}  // namespace rotary
