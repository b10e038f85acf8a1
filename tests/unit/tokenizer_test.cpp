// Tokenizer mechanics on small hand-made vocabularies (tokenizer_vocab.h: id b is byte b).
// Expected ids follow from the merge ranks by hand; the real Qwen3 vocabulary is checked against
// llama.cpp in the oracle suite.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "loader/tokenizer/tokenizer.h"
#include "tokenizer_vocab.h"

namespace rotary {
namespace {

using test::add_merge;
using test::add_token;
using test::byte_vocabulary;
using test::spell;
using Ids = std::vector<int32_t>;

Ids encode(const Tokenizer& t, std::string_view text, bool parse_special = true) {
  return t.encode(text, {.add_special = false, .parse_special = parse_special});
}

TEST_CASE("bpe: merges apply lowest rank first, whatever their position") {
  TokenizerData d = byte_vocabulary();
  const int32_t ll = add_merge(d, "l", "l");      // rank 0
  const int32_t he = add_merge(d, "h", "e");      // rank 1
  const int32_t hell = add_merge(d, "he", "ll");  // rank 2
  const int32_t hello = add_merge(d, "hell", "o");
  const int32_t el = add_merge(d, "e", "l");  // rank 4: later than "l l"
  const Tokenizer t(d);
  CHECK(encode(t, "hello") == Ids{hello});
  CHECK(encode(t, "hell") == Ids{hell});
  CHECK(encode(t, "he") == Ids{he});
  // "e l" would come first from the left, but "l l" has the lower rank.
  CHECK(encode(t, "ell") == Ids{'e', ll});
  CHECK(encode(t, "el") == Ids{el});
  CHECK(encode(t, "xyz") == Ids{'x', 'y', 'z'});
}

TEST_CASE("bpe: equal ranks merge leftmost first") {
  TokenizerData d = byte_vocabulary();
  const int32_t ll = add_merge(d, "l", "l");
  const Tokenizer t(d);
  CHECK(encode(t, "lll") == Ids{ll, 'l'});
  CHECK(encode(t, "llll") == Ids{ll, ll});
  CHECK(encode(t, "lllll") == Ids{ll, ll, 'l'});
}

TEST_CASE("bpe: merges run through texts the vocabulary lacks") {
  TokenizerData d = byte_vocabulary();
  d.merges.push_back("x y");  // "xy" is not a token
  const int32_t xyz = add_merge(d, "xy", "z");
  const Tokenizer t(d);
  CHECK(encode(t, "xyz") == Ids{xyz});
  // A final symbol that is not a token falls back to the tokens of its single spelling bytes.
  CHECK(encode(t, "xy") == Ids{'x', 'y'});
}

TEST_CASE("bpe: spelling bytes without a token are dropped, as llama.cpp drops them") {
  TokenizerData d = byte_vocabulary();
  // "é" is C3 A9, spelled "Ã©" (C3 83 C2 A9); no single one of those bytes is a token text.
  d.merges.push_back(spell("\xC3") + " " + spell("\xA9"));
  const Tokenizer t(d);
  CHECK(encode(t, "a\xC3\xA9") == Ids{'a'});
}

TEST_CASE("bpe: a byte missing from the vocabulary is dropped") {
  TokenizerData d = byte_vocabulary();
  d.tokens[' '] = "[no space]";
  const Tokenizer t(d);
  CHECK(encode(t, "a b") == Ids{'a', 'b'});
}

TEST_CASE("tokenizer: the characters a vocabulary without their bytes drops are named") {
  TokenizerData d = byte_vocabulary();
  d.tokens[' '] = "[no space]";
  d.tokens['h'] = "[no h]";
  const Tokenizer t(d);
  CHECK(t.unencodable_characters("abc").empty());
  CHECK(t.unencodable_characters("").empty());
  CHECK(t.unencodable_characters("a b h hh") == std::vector<std::string>{" ", "h"});
  // A byte without a token of its own is not lost when a merge spells it into a token.
  const int32_t hi = add_merge(d, "h", "i");
  const Tokenizer merged(d);
  CHECK(encode(merged, "hi") == Ids{hi});
  CHECK(merged.unencodable_characters("hi").empty());
  CHECK(merged.unencodable_characters("ha") == std::vector<std::string>{"h"});
  // Malformed UTF-8 becomes U+FFFD, which this vocabulary spells: nothing is lost.
  CHECK(t.unencodable_characters("a\xFF").empty());
  // "é" (C3 A9): its spelling bytes have no tokens.
  TokenizerData e = byte_vocabulary();
  e.merges.push_back(spell("\xC3") + " " + spell("\xA9"));
  CHECK(Tokenizer(e).unencodable_characters("a\xC3\xA9") == std::vector<std::string>{"\xC3\xA9"});
}

TEST_CASE("bpe: llama-bpe emits a word that is a token whole, without merges") {
  TokenizerData qwen = byte_vocabulary("qwen2");
  const int32_t abc = add_token(qwen, spell("abc"));
  TokenizerData llama = qwen;
  llama.pre = "llama-bpe";
  llama.bos_id = 0;
  CHECK(encode(Tokenizer(qwen), "abc") == Ids{'a', 'b', 'c'});
  CHECK(encode(Tokenizer(llama), "abc") == Ids{abc});
  CHECK(encode(Tokenizer(llama), " abc") == Ids{' ', 'a', 'b', 'c'});
}

TEST_CASE("bpe: the word cache gives the same ids as a first encoding") {
  TokenizerData d = byte_vocabulary();
  const int32_t he = add_merge(d, "h", "e");
  const int32_t sp_he = add_merge(d, " ", "he");
  const Tokenizer t(d);
  const Ids once = encode(t, "he he he");
  CHECK(once == Ids{he, sp_he, sp_he});
  CHECK(encode(t, "he he he") == once);
}

TEST_CASE("tokenizer: malformed UTF-8 is tokenised as U+FFFD") {
  const Tokenizer t(byte_vocabulary());
  CHECK(encode(t, "a\xFF") == encode(t, "a\xEF\xBF\xBD"));
  CHECK(encode(t, "\xE4\xBD") == Ids{0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD});
}

TEST_CASE("tokenizer: special tokens in the text") {
  TokenizerData d = byte_vocabulary();
  const int32_t start = add_token(d, "<|im_start|>", TokenType::Control);
  const int32_t end = add_token(d, "<|im_end|>", TokenType::Control);
  const int32_t think = add_token(d, "<think>", TokenType::UserDefined);
  const int32_t im = add_token(d, "<|im", TokenType::Control);  // a prefix of the longer ones
  const Tokenizer t(d);

  CHECK(encode(t, "<|im_start|>hi<|im_end|>") == Ids{start, 'h', 'i', end});
  CHECK(encode(t, "<|im_start|><|im_start|>") == Ids{start, start});
  // Longest text first: "<|im" only where no longer special token matches.
  CHECK(encode(t, "x<|imy") == Ids{'x', im, 'y'});
  CHECK(encode(t, "<|im_start") == Ids{im, '_', 's', 't', 'a', 'r', 't'});
  // parse_special off: CONTROL texts are plain text, USER_DEFINED tokens still match.
  const Ids plain = encode(t, "<|im_end|>", false);
  CHECK(plain == Ids{'<', '|', 'i', 'm', '_', 'e', 'n', 'd', '|', '>'});
  CHECK(encode(t, "a<think>b", false) == Ids{'a', think, 'b'});
  // The text around a special token is pre-tokenised on its own: " x" keeps its space.
  CHECK(encode(t, "<think> x") == Ids{think, ' ', 'x'});
}

TEST_CASE("tokenizer: BOS as the model asks") {
  TokenizerData d = byte_vocabulary();
  const int32_t bos = add_token(d, "<s>", TokenType::Control);
  d.bos_id = static_cast<uint32_t>(bos);
  d.add_bos_token = true;
  const Tokenizer t(d);
  CHECK(t.encode("a") == Ids{bos, 'a'});
  CHECK(t.encode("") == Ids{bos});
  CHECK(t.encode("a", {.add_special = false}) == Ids{'a'});
  d.add_bos_token = false;
  CHECK(Tokenizer(d).encode("a") == Ids{'a'});
  // llama-bpe adds BOS when the GGUF does not say.
  d.add_bos_token.reset();
  d.pre = "llama-bpe";
  CHECK(Tokenizer(d).encode("a") == Ids{bos, 'a'});
}

TEST_CASE("tokenizer: EOS appended when the model asks for it") {
  TokenizerData d = byte_vocabulary();
  const int32_t eos = add_token(d, "</s>", TokenType::Control);
  d.eos_id = static_cast<uint32_t>(eos);
  d.add_eos_token = true;
  const Tokenizer t(d);
  CHECK(t.encode("a") == Ids{'a', eos});
  CHECK(t.encode("a", {.add_special = false}) == Ids{'a'});
}

TEST_CASE("tokenizer: special token ids outside the vocabulary are ignored") {
  TokenizerData d = byte_vocabulary();
  d.bos_id = 256;
  d.eos_id = 1000;
  const Tokenizer t(d);
  CHECK(!t.bos().has_value());
  CHECK(!t.eos().has_value());
}

TEST_CASE("tokenizer: pieces and decoding") {
  TokenizerData d = byte_vocabulary();
  const int32_t sp_hi = add_merge(d, " ", "hi");
  const int32_t start = add_token(d, "<|im_start|>", TokenType::Control);
  const int32_t think = add_token(d, "<think>", TokenType::UserDefined);
  const int32_t unused = add_token(d, "[PAD300]", TokenType::Unused);
  const int32_t byte_a = add_token(d, "<0x41>", TokenType::Byte);
  const Tokenizer t(d);
  CHECK(t.piece(' ') == " ");
  CHECK(t.piece('\n') == "\n");
  CHECK(t.piece(0xC3) == "\xC3");  // half a character: see StreamDecoder
  CHECK(t.piece(sp_hi) == " hi");
  CHECK(t.piece(start).empty());
  CHECK(t.piece(start, true) == "<|im_start|>");
  CHECK(t.piece(think) == "<think>");
  CHECK(t.piece(unused, true).empty());
  CHECK(t.piece(byte_a) == "A");
  const Ids ids{start, 'a', sp_hi, think, 0xC3, 0xA9};
  CHECK(t.decode(ids) == "a hi<think>\xC3\xA9");
  CHECK(t.decode(ids, true) == "<|im_start|>a hi<think>\xC3\xA9");
  CHECK(t.token_text(sp_hi) == "\xC4\xA0hi");  // Ġhi
  CHECK(t.token_type(think) == TokenType::UserDefined);
  CHECK(t.find_token("<think>") == think);
  CHECK(!t.find_token("nope").has_value());
  CHECK_THROWS_AS(t.piece(-1), Error);
  CHECK_THROWS_AS(t.piece(static_cast<int32_t>(t.vocab_size())), Error);
}

TEST_CASE("tokenizer: round trip of text through encode and decode") {
  TokenizerData d = byte_vocabulary();
  add_merge(d, "t", "h");
  add_merge(d, " ", "th");
  add_merge(d, "\xE4", "\xBD");
  add_merge(d, "\xE4\xBD", "\xA0");  // 你
  add_token(d, "<|im_end|>", TokenType::Control);
  const Tokenizer t(d);
  for (std::string_view text : {"the theory", "  \t\n\r\n x", "你好 🚀 café", "<|im_end|>x", ""}) {
    CAPTURE(text);
    CHECK(t.decode(encode(t, text), true) == text);
  }
}

TEST_CASE("tokenizer: end of generation") {
  TokenizerData d = byte_vocabulary();
  const int32_t im_end = add_token(d, "<|im_end|>", TokenType::Control);
  const int32_t endoftext = add_token(d, "<|endoftext|>", TokenType::UserDefined);
  const int32_t eos = add_token(d, "</s>", TokenType::Control);
  const int32_t eot = add_token(d, "<turn end>", TokenType::Control);
  const int32_t eom = add_token(d, "<message end>", TokenType::Control);
  d.eos_id = static_cast<uint32_t>(eos);
  d.eot_id = static_cast<uint32_t>(eot);
  d.eom_id = static_cast<uint32_t>(eom);
  const Tokenizer t(d);
  CHECK(t.is_end_of_generation(eot));
  CHECK(t.is_end_of_generation(eom));
  CHECK(t.is_end_of_generation(im_end));
  CHECK(t.is_end_of_generation(endoftext));
  CHECK(t.is_end_of_generation(eos));
  CHECK(!t.is_end_of_generation('a'));
  // llama.cpp makes end-of-generation texts CONTROL: hidden in pieces, plain text when not parsed.
  CHECK(t.token_type(endoftext) == TokenType::Control);
  CHECK(t.piece(endoftext).empty());
  CHECK(encode(t, "<|endoftext|>", false).size() > 1);
}

TEST_CASE("tokenizer: attributes llama.cpp derives from token texts") {
  TokenizerData d = byte_vocabulary();
  const int32_t s = add_token(d, "</s>");     // NORMAL in Qwen3's vocabulary
  const int32_t pre = add_token(d, "<PRE>");  // a FIM prefix
  const int32_t pad = add_token(d, "<|fim_pad|>", TokenType::UserDefined);
  const int32_t channel = add_token(d, "<|channel|>", TokenType::Control);
  const Tokenizer t(d);
  CHECK(t.token_type(s) == TokenType::Control);
  CHECK(t.is_end_of_generation(s));
  CHECK(encode(t, "a</s>") == Ids{'a', s});
  CHECK(encode(t, "a</s>", false) == Ids{'a', '<', '/', 's', '>'});
  CHECK(t.piece(s).empty());
  CHECK(t.token_type(pre) == TokenType::Control);
  CHECK(!t.is_end_of_generation(pre));
  CHECK(t.is_end_of_generation(pad));  // FIM pad, repo and file separator end generation
  CHECK(t.token_type(channel) == TokenType::UserDefined);
  CHECK(t.piece(channel) == "<|channel|>");
}

TEST_CASE("tokenizer: end-of-generation exceptions of gpt-oss and Gemma 4") {
  TokenizerData harmony = byte_vocabulary();
  const int32_t end = add_token(harmony, "<|end|>", TokenType::Control);
  add_token(harmony, "<|return|>", TokenType::Control);
  add_token(harmony, "<|call|>", TokenType::Control);
  const Tokenizer h(harmony);
  CHECK(!h.is_end_of_generation(end));
  CHECK(h.token_type(end) == TokenType::UserDefined);
  TokenizerData gemma = byte_vocabulary();
  const int32_t s = add_token(gemma, "</s>");
  add_token(gemma, "<|tool_response>", TokenType::Control);
  const Tokenizer g(gemma);
  CHECK(!g.is_end_of_generation(s));
  CHECK(g.token_type(s) == TokenType::Normal);
  // Without the companions both end generation.
  TokenizerData plain = byte_vocabulary();
  const int32_t end2 = add_token(plain, "<|end|>", TokenType::Control);
  CHECK(Tokenizer(plain).is_end_of_generation(end2));
}

TEST_CASE("tokenizer: rejected inputs") {
  auto kind_of = [](TokenizerData d) {
    try {
      Tokenizer t(d);
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Internal;  // not thrown
  };
  TokenizerData d = byte_vocabulary();
  d.model = "llama";
  CHECK(kind_of(d) == ErrorKind::Unsupported);
  d = byte_vocabulary("default");
  CHECK(kind_of(d) == ErrorKind::Unsupported);
  d = byte_vocabulary();
  d.tokens.push_back("a");
  d.token_types.push_back(1);
  CHECK(kind_of(d) == ErrorKind::InvalidModel);  // "a" twice
  d = byte_vocabulary();
  d.merges.push_back("ab");
  CHECK(kind_of(d) == ErrorKind::InvalidModel);
  d = byte_vocabulary();
  d.token_types.resize(10);
  CHECK(kind_of(d) == ErrorKind::InvalidModel);
  d = byte_vocabulary();
  d.add_bos_token = true;
  CHECK(kind_of(d) == ErrorKind::InvalidModel);  // no BOS id
  d.bos_id = 256;                                // outside the vocabulary: ignored
  CHECK(kind_of(d) == ErrorKind::InvalidModel);
  d = byte_vocabulary();
  d.add_eos_token = true;
  CHECK(kind_of(d) == ErrorKind::InvalidModel);  // no EOS id
  d = byte_vocabulary();
  d.tokens.clear();
  d.token_types.clear();
  CHECK(kind_of(d) == ErrorKind::InvalidModel);
}

}  // namespace
}  // namespace rotary
