// Expected splits are worked out by hand from each pre-tokenizer's regex (pre_tokenizer.h),
// alternative by alternative, leftmost first.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "loader/tokenizer/pre_tokenizer.h"
#include "loader/tokenizer/unicode.h"

namespace rotary {
namespace {

using Words = std::vector<std::string>;

Words split(PreTokenizerKind kind, std::string_view text) {
  std::vector<char32_t> cps;
  unicode::decode_utf8(text, cps);
  std::vector<uint32_t> lengths;
  split_words(kind, cps, lengths);
  Words words;
  size_t at = 0;
  for (uint32_t len : lengths) {
    std::string w;
    for (uint32_t k = 0; k < len; ++k) unicode::append_utf8(cps[at + k], w);
    words.push_back(w);
    at += len;
  }
  CHECK(at == cps.size());
  return words;
}

constexpr auto kQwen2 = PreTokenizerKind::Qwen2;
constexpr auto kQwen35 = PreTokenizerKind::Qwen35;
constexpr auto kLlama3 = PreTokenizerKind::Llama3;
constexpr auto kGpt2 = PreTokenizerKind::Gpt2;
constexpr auto kGpt4o = PreTokenizerKind::Gpt4o;

TEST_CASE("pre-tokenizer qwen2: prose") {
  CHECK(split(kQwen2, "Hello world") == Words{"Hello", " world"});
  CHECK(split(kQwen2, "Hi, you!") == Words{"Hi", ",", " you", "!"});
  CHECK(split(kQwen2, "(see)") == Words{"(see", ")"});  // one non-letter may lead a word
  CHECK(split(kQwen2, "") == Words{});
}

TEST_CASE("pre-tokenizer qwen2: contractions in any case") {
  CHECK(split(kQwen2, "It's") == Words{"It", "'s"});
  CHECK(split(kQwen2, "IT'S") == Words{"IT", "'S"});
  CHECK(split(kQwen2, "we'LL they'Re I'd") == Words{"we", "'LL", " they", "'Re", " I", "'d"});
  CHECK(split(kQwen2, "x've") == Words{"x", "'ve"});
  // Not a contraction: the apostrophe leads the letters that follow.
  CHECK(split(kQwen2, "'xy") == Words{"'xy"});
  // A typographic apostrophe is not one of the contractions either.
  CHECK(split(kQwen2, "it\u2019s") == Words{"it", "\u2019s"});
}

TEST_CASE("pre-tokenizer qwen2: digits one at a time, decimals") {
  CHECK(split(kQwen2, "12345") == Words{"1", "2", "3", "4", "5"});
  CHECK(split(kQwen2, "3.14") == Words{"3", ".", "1", "4"});
  // " 4": no alternative takes a space before a digit except \s+.
  CHECK(split(kQwen2, "x 42") == Words{"x", " ", "4", "2"});
  CHECK(split(kQwen2, "v2") == Words{"v", "2"});
}

TEST_CASE("pre-tokenizer llama3: digits in groups of three") {
  CHECK(split(kLlama3, "1234567") == Words{"123", "456", "7"});
  CHECK(split(kLlama3, "3.14159") == Words{"3", ".", "141", "59"});
  CHECK(split(kLlama3, "It's 42") == Words{"It", "'s", " ", "42"});
}

TEST_CASE("pre-tokenizer qwen2: whitespace runs and newlines") {
  // \s+(?!\S) leaves the last space of a run to the word that follows.
  CHECK(split(kQwen2, "a  b") == Words{"a", " ", " b"});
  CHECK(split(kQwen2, "   x") == Words{"  ", " x"});
  // At the end of the text the whole run is one word.
  CHECK(split(kQwen2, "x   ") == Words{"x", "   "});
  // \s*[\r\n]+ ends at the last newline of a whitespace run.
  CHECK(split(kQwen2, "a\n\nb") == Words{"a", "\n\n", "b"});
  CHECK(split(kQwen2, "a \n b") == Words{"a", " \n", " b"});
  CHECK(split(kQwen2, "a\r\n\r\nb") == Words{"a", "\r\n\r\n", "b"});
  CHECK(split(kQwen2, "a\n \n  b") == Words{"a", "\n \n", " ", " b"});
  // Punctuation takes the newlines right after it.
  CHECK(split(kQwen2, "!!\n\nx") == Words{"!!\n\n", "x"});
  CHECK(split(kQwen2, "x !!") == Words{"x", " !!"});
}

TEST_CASE("pre-tokenizer qwen2: code with tabs and indentation") {
  CHECK(split(kQwen2, "\tif x:\n\t\treturn 1\n") ==
        Words{"\tif", " x", ":\n", "\t", "\treturn", " ", "1", "\n"});
  CHECK(split(kQwen2, "    y = f(x);") == Words{"   ", " y", " =", " f", "(x", ");"});
}

TEST_CASE("pre-tokenizer qwen2: CJK, emoji, accents") {
  // The full-width comma is the one non-letter allowed in front of the letters after it.
  CHECK(split(kQwen2, "你好，世界") == Words{"你好", "，世界"});
  CHECK(split(kQwen2, "日本語です。") == Words{"日本語です", "。"});
  CHECK(split(kQwen2, "🚀🚀 ok") == Words{"🚀🚀", " ok"});
  // A ZWJ sequence is one run of symbols and format characters.
  CHECK(split(kQwen2, "\U0001F468\u200D\U0001F469!") == Words{"\U0001F468\u200D\U0001F469!"});
  CHECK(split(kQwen2, "café naïve") == Words{"café", " naïve"});
  // A combining mark is not a letter for qwen2: it ends the word and starts a punctuation run.
  CHECK(split(kQwen2, "cafe\u0301!") == Words{"cafe", "\u0301!"});
  CHECK(split(kQwen2, "e\u0301x") == Words{"e", "\u0301x"});
  // CJK Extension I (Unicode 15.1) letters.
  CHECK(split(kQwen2, "a\U0002EBF0") == Words{"a\U0002EBF0"});
}

TEST_CASE("pre-tokenizer qwen35: combining marks belong to words") {
  CHECK(split(kQwen35, "cafe\u0301!") == Words{"cafe\u0301", "!"});
  CHECK(split(kQwen35, "e\u0301x") == Words{"e\u0301x"});
  CHECK(split(kQwen35, "नमस्ते") == Words{"नमस्ते"});
  // qwen2: the virama leads the letter after it; the final vowel sign is punctuation.
  CHECK(split(kQwen2, "नमस्ते") == Words{"नमस", "्त", "े"});
  CHECK(split(kQwen35, "12 ab") == Words{"1", "2", " ab"});
}

TEST_CASE("pre-tokenizer gpt2") {
  CHECK(split(kGpt2, "Hello world") == Words{"Hello", " world"});
  CHECK(split(kGpt2, "It's") == Words{"It", "'s"});
  // Contractions are case-sensitive here.
  CHECK(split(kGpt2, "IT'S") == Words{"IT", "'", "S"});
  CHECK(split(kGpt2, "12345 678") == Words{"12345", " 678"});
  CHECK(split(kGpt2, "3.14") == Words{"3", ".", "14"});
  CHECK(split(kGpt2, "a  b") == Words{"a", " ", " b"});
  // No newline rule: each newline of a run is cut like any space.
  CHECK(split(kGpt2, "a\n\nb") == Words{"a", "\n", "\n", "b"});
  CHECK(split(kGpt2, "x\ty") == Words{"x", "\t", "y"});
  CHECK(split(kGpt2, "x ?!") == Words{"x", " ?!"});
  CHECK(split(kGpt2, "cafe\u0301") == Words{"cafe", "\u0301"});
  CHECK(split(kGpt2, "x  ") == Words{"x", "  "});
}

TEST_CASE("pre-tokenizer gpt-4o: case runs, attached contractions, digits in threes") {
  CHECK(split(kGpt4o, "Hello world") == Words{"Hello", " world"});
  CHECK(split(kGpt4o, "HelloWorld") == Words{"Hello", "World"});
  CHECK(split(kGpt4o, "HTTPServer") == Words{"HTTPServer"});  // [A-Z]* is greedy
  CHECK(split(kGpt4o, "ABC def") == Words{"ABC", " def"});     // no lower case: the second alternative
  CHECK(split(kGpt4o, "It's") == Words{"It's"});
  CHECK(split(kGpt4o, "IT'S we'LL") == Words{"IT'S", " we'LL"});
  CHECK(split(kGpt4o, "1234567") == Words{"123", "456", "7"});
  CHECK(split(kGpt4o, "x 42") == Words{"x", " ", "42"});
  CHECK(split(kGpt4o, "path/to/file") == Words{"path", "/to", "/file"});
  CHECK(split(kGpt4o, "\tx") == Words{"\tx"});
  CHECK(split(kGpt4o, "x  y") == Words{"x", " ", " y"});
  CHECK(split(kGpt4o, "x  ") == Words{"x", "  "});
}

TEST_CASE("pre-tokenizer gpt-4o: newlines, punctuation runs, and llama.cpp's caseless non-ASCII letters") {
  CHECK(split(kGpt4o, "a\n\nb") == Words{"a", "\n\n", "b"});
  CHECK(split(kGpt4o, "a?!\n\nb") == Words{"a", "?!\n\n", "b"});  // [\r\n/]* after punctuation
  CHECK(split(kGpt4o, "x ?!/") == Words{"x", " ?!/"});
  CHECK(split(kGpt4o, "caf\u00e9") == Words{"caf\u00e9"});
  CHECK(split(kGpt4o, "\u03a9mega") == Words{"\u03a9mega"});
  // A non-ASCII letter counts as lower case too: [A-Z]*[a-z]+ stops after the \u00c9.
  CHECK(split(kGpt4o, "\u00c9COLE normale") == Words{"\u00c9", "COLE", " normale"});
  CHECK(split(kGpt4o, "cafe\u0301") == Words{"cafe", "\u0301"});  // a mark is not a letter
}

TEST_CASE("pre-tokenizer names as llama.cpp maps them") {
  CHECK(pre_tokenizer_for("gpt-4o").kind == kGpt4o);
  CHECK(pre_tokenizer_for("llama4").kind == kGpt4o);
  CHECK(!pre_tokenizer_for("gpt-4o").add_bos_by_default);
  CHECK(pre_tokenizer_for("qwen2").kind == kQwen2);
  CHECK(pre_tokenizer_for("deepseek-r1-qwen").kind == kQwen2);
  CHECK(pre_tokenizer_for("qwen35").kind == kQwen35);
  CHECK(pre_tokenizer_for("gpt-2").kind == kGpt2);
  const PreTokenizer llama = pre_tokenizer_for("llama-bpe");
  CHECK(llama.kind == kLlama3);
  CHECK(llama.ignore_merges);
  CHECK(llama.add_bos_by_default);
  CHECK(!pre_tokenizer_for("qwen2").ignore_merges);
  CHECK(!pre_tokenizer_for("dbrx").ignore_merges);
  try {
    pre_tokenizer_for("default");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Unsupported);
    CHECK(std::string(e.what()).find("qwen2") != std::string::npos);
  }
}

}  // namespace
}  // namespace rotary
