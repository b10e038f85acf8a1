// `rotary chat`'s conversation: each turn feeds only what the template adds, and the tokens always
// stand for exactly what the template renders. Expected texts are written by hand from the
// templates (ChatML with the thinking switch: rotary synth's; Qwen3's: qwen3_chat_template.h),
// expected tokens come from encoding those texts whole.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "cli/chat_conversation.h"
#include "cli/chat_printer.h"
#include "loader/synth/vocab.h"
#include "qwen3_chat_template.h"

namespace rotary::cli {
namespace {

Tokenizer synth_tokenizer(bool add_bos = false) {
  const synth::SynthVocab v = synth::make_synth_vocab(600);
  TokenizerData d;
  d.model = "gpt2";
  d.pre = "qwen2";
  d.tokens = v.tokens;
  d.token_types = v.token_types;
  d.merges = v.merges;
  d.bos_id = v.bos_id;
  d.eos_id = v.eos_id;
  d.add_bos_token = add_bos;
  return Tokenizer(d);
}

std::vector<int32_t> encode(const Tokenizer& t, std::string_view text) {
  return t.encode(text, {.add_special = false, .parse_special = true});
}

// The model's answer, as it would come: the tokens of `text`.
std::vector<int32_t> answer(ChatConversation& c, const Tokenizer& t, std::string_view text) {
  std::vector<int32_t> a = encode(t, text);
  c.end_turn(a);
  return a;
}

// One turn as `rotary chat` runs it: the session evaluates the feed and every answer token but the
// last (the generate loop does not evaluate the final token). Returns the cached count after it.
uint32_t run_turn(ChatConversation& c, const Tokenizer& t, const std::string& user,
                  std::string_view reply, uint32_t cached, TurnPlan* plan_out = nullptr) {
  TurnPlan p = c.plan(user, cached, true);
  c.begin_turn(p);
  const auto a = answer(c, t, reply);
  const uint32_t after = p.keep + static_cast<uint32_t>(p.feed.size() + a.size()) - 1;
  if (plan_out) *plan_out = std::move(p);
  return after;
}

const ChatTemplate kSynth(synth::kSynthChatTemplate, "<|endoftext|>", "<|im_end|>");
const ChatTemplate kQwen3(test::kQwen3ChatTemplate, "<|endoftext|>", "<|im_end|>");

void set_thinking(ChatConversation& c, bool on) {
  c.template_options().kwargs["enable_thinking"] = on;
}

TEST_CASE(
    "chat conversation: the second turn feeds only the close of the answer and the new question") {
  const Tokenizer t = synth_tokenizer();
  ChatConversation c(t, kSynth, "Be brief.");
  const std::string first =
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhello "
      "there<|im_end|>\n<|im_start|>assistant\n";
  TurnPlan p = c.plan("hello there", 0, true);
  CHECK(p.keep == 0);
  CHECK(p.rewound == 0);
  CHECK(p.feed_text == first);
  CHECK(p.feed == encode(t, first));
  c.begin_turn(p);
  const std::vector<int32_t> a = answer(c, t, "the sea is warm");
  REQUIRE(a.size() >= 2);
  const auto cached = static_cast<uint32_t>(p.feed.size() + a.size() - 1);

  p = c.plan("and then", cached, true);
  CHECK(p.keep == cached);
  CHECK(p.rewound == 0);
  // The answer's last token was never evaluated: it leads the feed, then what the template adds.
  const std::string added =
      "<|im_end|>\n<|im_start|>user\nand then<|im_end|>\n<|im_start|>assistant\n";
  std::vector<int32_t> want{a.back()};
  for (int32_t id : encode(t, added)) want.push_back(id);
  CHECK(p.feed == want);
  CHECK(p.feed_text == t.piece(a.back(), true) + added);
  c.begin_turn(p);
  CHECK(c.text() == first + "the sea is warm" + added);
  CHECK(t.decode(c.tokens(), true) == c.text());
  CHECK(c.messages().size() == 4);
  CHECK(c.messages()[2].content == "the sea is warm");
}

TEST_CASE(
    "chat conversation: Qwen3 drops the reasoning of an answered turn, and only that is evaluated "
    "again") {
  const Tokenizer t = synth_tokenizer();
  ChatConversation c(t, kQwen3, std::nullopt);
  TurnPlan p;
  const uint32_t cached = run_turn(c, t, "why", "<think>\nbecause\n</think>\n\nit is", 0, &p);
  CHECK(p.feed_text == "<|im_start|>user\nwhy<|im_end|>\n<|im_start|>assistant\n");
  const size_t first_feed = p.feed.size();

  p = c.plan("more", cached, true);
  // Qwen3's template renders an assistant turn before the last query without its think block.
  const std::string kept = "<|im_start|>user\nwhy<|im_end|>\n<|im_start|>assistant\n";
  const std::string text =
      kept + "it is<|im_end|>\n<|im_start|>user\nmore<|im_end|>\n<|im_start|>assistant\n";
  CHECK(p.text == text);
  CHECK(p.keep == first_feed);  // everything up to the answer stays
  CHECK(p.rewound == cached - first_feed);
  CHECK(p.feed_text == text.substr(kept.size()));
  CHECK(p.feed == encode(t, text.substr(kept.size())));
  c.begin_turn(p);
  CHECK(t.decode(c.tokens(), true) == text);

  SUBCASE("a model that cannot rewind evaluates everything again") {
    ChatConversation d(t, kQwen3, std::nullopt);
    const uint32_t n = run_turn(d, t, "why", "<think>\nbecause\n</think>\n\nit is", 0);
    const TurnPlan q = d.plan("more", n, false);
    CHECK(q.keep == 0);
    CHECK(q.rewound == n);
    CHECK(q.feed == encode(t, text));
  }
}

TEST_CASE(
    "chat conversation: --no-think's empty think block goes with the turn (ChatML with the "
    "switch)") {
  const Tokenizer t = synth_tokenizer();
  ChatConversation c(t, kSynth, std::nullopt);
  set_thinking(c, false);
  TurnPlan p;
  uint32_t cached = run_turn(c, t, "hi", "yes", 0, &p);
  const std::string head = "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n";
  CHECK(p.feed_text == head + "<think>\n\n</think>\n\n");
  // The answer's content is what followed the generation prompt: the template renders it plainly.
  cached = run_turn(c, t, "and", "no", cached, &p);
  CHECK(p.keep == encode(t, head).size());
  CHECK(p.feed_text ==
        "yes<|im_end|>\n<|im_start|>user\nand<|im_end|>\n<|im_start|>assistant\n<think>\n\n</"
        "think>\n\n");
  // With thinking on again, the last --no-think answer loses its block and then nothing more.
  set_thinking(c, true);
  const uint32_t block = static_cast<uint32_t>(encode(t, "<think>\n\n</think>\n\n").size());
  cached = run_turn(c, t, "so", "ah", cached, &p);
  CHECK(p.rewound == block);
  p = c.plan("well", cached, true);
  CHECK(p.rewound == 0);
  CHECK(p.keep == cached);
}

TEST_CASE(
    "chat conversation: an answer cut inside a character is reused whole, never rewound again") {
  const Tokenizer t = synth_tokenizer();
  ChatConversation c(t, kSynth, std::nullopt);
  set_thinking(c, false);
  TurnPlan p = c.plan("hi", 0, true);
  c.begin_turn(p);
  // Byte tokens: 'o', 'k' and the first byte of a two-byte character (synth ids 0-255 are bytes).
  const std::vector<int32_t> cut{'o', 'k', 0xC3};
  c.end_turn(cut);
  uint32_t cached = static_cast<uint32_t>(p.feed.size() + cut.size() - 1);
  // The empty think block is rewritten away, so the answer is encoded again: its lone byte becomes
  // U+FFFD, which no longer reads back as the text...
  p = c.plan("next", cached, true);
  CHECK(p.rewound > 0);
  c.begin_turn(p);
  const std::vector<int32_t> a2{'y'};
  c.end_turn(a2);
  cached = static_cast<uint32_t>(p.keep + p.feed.size());
  // ...so that piece is reused only whole; the next turn rewinds no further than the second
  // answer's think block, which the template drops.
  set_thinking(c, true);
  p = c.plan("again", cached, true);
  const uint32_t block = static_cast<uint32_t>(encode(t, "<think>\n\n</think>\n\n").size());
  CHECK(p.rewound == block);
  CHECK(p.keep == cached - block);
  CHECK(p.feed_text == "y<|im_end|>\n<|im_start|>user\nagain<|im_end|>\n<|im_start|>assistant\n");
}

TEST_CASE(
    "chat conversation: reset keeps the system message; a BOS leads the tokens when the model "
    "asks") {
  const Tokenizer t = synth_tokenizer(/*add_bos=*/true);
  ChatConversation c(t, kSynth, "S");
  TurnPlan p = c.plan("hi", 0, true);
  const std::string text =
      "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n";
  REQUIRE(t.bos());
  std::vector<int32_t> want{*t.bos()};
  for (int32_t id : encode(t, text)) want.push_back(id);
  CHECK(p.feed == want);
  CHECK(p.feed_text == text);
  const uint32_t cached = run_turn(c, t, "hi", "ok", 0);
  p = c.plan("more", cached, true);
  CHECK(p.keep == cached);
  CHECK(p.feed.front() != *t.bos());

  c.reset();
  CHECK(c.tokens().empty());
  REQUIRE(c.messages().size() == 1);
  CHECK(c.messages()[0].role == "system");
  p = c.plan("hi", 0, true);
  CHECK(p.feed == want);
}

TEST_CASE("chat conversation: an answer's reasoning is kept apart from its content") {
  const auto check = [](std::string_view answer, bool in_reasoning, std::string_view content,
                        std::optional<std::string> reasoning) {
    const ChatMessage m = assistant_message(answer, in_reasoning);
    CHECK(m.role == "assistant");
    CHECK(m.content == content);
    CHECK(m.reasoning_content == reasoning);
  };
  check("plain", false, "plain", std::nullopt);
  check("<think>\nr\n</think>\n\nc", false, "c", "r");
  check("<think>r</think>c\n", false, "c\n", "r");
  check("<think>\nstopped while reason", false, "", "stopped while reason");
  // The generation prompt opened the block: the answer starts as reasoning.
  check("r\n</think>\n\nc", true, "c", "r");
  check("still thinking", true, "", "still thinking");
  check("\n</think>\n\nc", true, "c", "");
  CHECK(ends_in_reasoning("<|im_start|>assistant\n<think>\n"));
  CHECK(!ends_in_reasoning("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
  CHECK(!ends_in_reasoning("<|im_start|>assistant\n"));
  CHECK(ends_in_reasoning("<think></think><think>"));
}

// A template that opens the think block in its generation prompt (as Qwen3.5's does with
// enable_thinking) and writes an assistant's reasoning_content back into history.
constexpr std::string_view kOpenThinkTemplate =
    "{% for m in messages %}<|im_start|>{{ m.role + '\n' }}"
    "{% if m.reasoning_content is defined %}<think>\n{{ m.reasoning_content }}\n</think>\n\n"
    "{% endif %}{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}";

TEST_CASE(
    "chat conversation: a generation prompt that opens the think block; the reasoning is stored "
    "and rendered back without a rewind") {
  const Tokenizer t = synth_tokenizer();
  const ChatTemplate tmpl(kOpenThinkTemplate, "<|endoftext|>", "<|im_end|>");
  ChatConversation c(t, tmpl, std::nullopt);
  TurnPlan p;
  uint32_t cached = run_turn(c, t, "why", "because\n</think>\n\nit is", 0, &p);
  CHECK(p.in_reasoning);
  CHECK(p.feed_text == "<|im_start|>user\nwhy<|im_end|>\n<|im_start|>assistant\n<think>\n");
  REQUIRE(c.messages().size() == 2);
  CHECK(c.messages()[1].content == "it is");
  CHECK(c.messages()[1].reasoning_content == "because");
  p = c.plan("more", cached, true);
  CHECK(p.rewound == 0);
  CHECK(p.keep == cached);
  const int32_t last = encode(t, "because\n</think>\n\nit is").back();
  CHECK(p.feed_text == t.piece(last, true) +
                           "<|im_end|>\n<|im_start|>user\nmore<|im_end|>\n<|im_start|>assistant\n"
                           "<think>\n");
  c.begin_turn(p);
  CHECK(t.decode(c.tokens(), true) == c.text());
}

TEST_CASE("chat conversation: the rendering is cut at the special tokens the template writes") {
  // Qwen3's template with a BOS that is not one of its tokens: the pieces are encoded apart and
  // give the tokens of the whole text.
  const Tokenizer t = synth_tokenizer();
  ChatConversation c(t, kQwen3, "S");
  const TurnPlan p = c.plan("a <think> b", 0, true);
  CHECK(p.feed == encode(t, p.text));
  CHECK(t.decode(p.feed, true) == p.text);
  REQUIRE(p.feed_ends.size() == p.feed.size());
  CHECK(p.feed_ends.back() == p.text.size());
}

std::string printed(const Tokenizer& t, bool terminal, const std::vector<int32_t>& tokens) {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  AnswerPrinter printer(t, f, terminal);
  for (int32_t id : tokens) printer.push(id);
  printer.finish();
  std::rewind(f);
  std::string out;
  for (int c; (c = std::fgetc(f)) != EOF;) out += static_cast<char>(c);
  std::fclose(f);
  return out;
}

TEST_CASE("chat printer: the reasoning is dimmed on a terminal and written as it is on a pipe") {
  const Tokenizer t = synth_tokenizer();
  const int32_t open = *t.find_token("<think>"), close = *t.find_token("</think>");
  const int32_t end = *t.find_token("<|im_end|>");
  // A two-byte character split over two byte tokens comes out whole; a control token prints
  // nothing.
  const std::vector<int32_t> tokens{open, 'h', 'm', close, 'o', 0xC3, 0xA9, end};
  CHECK(printed(t, false, tokens) == "<think>hm</think>o\xC3\xA9\n");
  CHECK(printed(t, true, tokens) == "\x1b[2m<think>hm</think>\x1b[0mo\xC3\xA9\n");
  // A model cannot send escape sequences to the terminal.
  CHECK(printed(t, true, {'a', 0x1b, '[', '2', 'J', '\t', 0x07, 0x7f}) ==
        "a\xEF\xBF\xBD[2J\t\xEF\xBF\xBD\xEF\xBF\xBD\n");
  CHECK(printed(t, false, {'a', 0x1b, '\r'}) == "a\x1b\r\n");
  // Stopped inside the reasoning: the dimming ends with the answer; no second newline.
  CHECK(printed(t, true, {open, 'h', '\n'}) == "\x1b[2m<think>h\n\x1b[0m");
}

TEST_CASE("valid_utf8: valid sequences stay, every other byte becomes U+FFFD") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(valid_utf8("a\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
        "a\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(valid_utf8("x\xC3") == "x" + r);                   // cut inside a character
  CHECK(valid_utf8("\xC3x") == r + "x");                   // lead byte without continuation
  CHECK(valid_utf8("\xA9") == r);                          // stray continuation byte
  CHECK(valid_utf8("\xC0\xAF") == r + r);                  // overlong '/'
  CHECK(valid_utf8("\xED\xA0\x80") == r + r + r);          // a surrogate, U+D800
  CHECK(valid_utf8("\xF4\x90\x80\x80") == r + r + r + r);  // past U+10FFFF
  CHECK(valid_utf8("\xFF\xFE") == r + r);
}

}  // namespace
}  // namespace rotary::cli
