// Expected strings are worked out by hand from the template text (qwen3_chat_template.h), tag by
// tag: every tag trims the whitespace before it ({%- and {{-), so only the quoted strings reach
// the output.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "loader/synth/vocab.h"
#include "loader/tokenizer/chat_template.h"
#include "qwen3_chat_template.h"

namespace rotary {
namespace {

using Messages = std::vector<ChatMessage>;

std::string qwen3(const Messages& m, ChatTemplateOptions options = {}) {
  return ChatTemplate::recognise(test::kQwen3ChatTemplate).render(m, options);
}

TEST_CASE("chat template: Qwen3's template is recognised") {
  CHECK(ChatTemplate::recognise(test::kQwen3ChatTemplate).kind() == ChatTemplateKind::Qwen3);
}

TEST_CASE("chat template qwen3: system and user, generation prompt") {
  const Messages m{{"system", "You are helpful."}, {"user", "Hi"}};
  const std::string base =
      "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
      "<|im_start|>assistant\n";
  CHECK(qwen3(m) == base);
  CHECK(qwen3(m, {.enable_thinking = true}) == base);
  // Thinking off: the template closes an empty think block in the generation prompt.
  CHECK(qwen3(m, {.enable_thinking = false}) == base + "<think>\n\n</think>\n\n");
  CHECK(qwen3(m, {.add_generation_prompt = false}) ==
        "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
}

TEST_CASE("chat template qwen3: reasoning before the last query is dropped") {
  const Messages m{{"user", "Q1"}, {"assistant", "<think>\nr1\n</think>\n\nA1"}, {"user", "Q2"}};
  CHECK(qwen3(m) ==
        "<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n"
        "<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n");
}

TEST_CASE("chat template qwen3: the last assistant turn carries a think block") {
  // After the last query and last in the list: the block is written even when empty.
  CHECK(qwen3({{"user", "Q"}, {"assistant", "A"}}, {.add_generation_prompt = false}) ==
        "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nA"
        "<|im_end|>\n");
  // Reasoning given apart from the content: stripped of newlines at both ends.
  ChatMessage a{"assistant", "\nA", std::string("\nthink hard\n\n")};
  CHECK(qwen3({{"user", "Q"}, a}, {.add_generation_prompt = false}) ==
        "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\nthink hard\n</think>\n\nA"
        "<|im_end|>\n");
}

TEST_CASE("chat template qwen3: tool responses") {
  // The wrapped tool response is not a query, so the assistant turn at 1 is after the last query
  // (index 0); it is not last, and its reasoning "r" is not empty, so it keeps its think block.
  const Messages m{{"user", "Q"},
                   {"assistant", "<think>r</think>A"},
                   {"user", "<tool_response>x</tool_response>"}};
  CHECK(qwen3(m) ==
        "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\nr\n</think>\n\nA"
        "<|im_end|>\n<|im_start|>user\n<tool_response>x</tool_response><|im_end|>\n"
        "<|im_start|>assistant\n");
  // Consecutive tool messages share one user turn.
  const Messages t{{"user", "Q"}, {"assistant", "calling"}, {"tool", "r1"}, {"tool", "r2"}};
  CHECK(qwen3(t) ==
        "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\ncalling<|im_end|>\n"
        "<|im_start|>user\n<tool_response>\nr1\n</tool_response>\n<tool_response>\nr2\n"
        "</tool_response><|im_end|>\n<|im_start|>assistant\n");
}

TEST_CASE("chat template qwen3: a system message that is not first") {
  CHECK(qwen3({{"user", "Q"}, {"system", "S"}}) ==
        "<|im_start|>user\nQ<|im_end|>\n<|im_start|>system\nS<|im_end|>\n<|im_start|>assistant\n");
}

TEST_CASE("chat template qwen3: unknown roles are refused") {
  CHECK_THROWS_AS(qwen3({{"narrator", "x"}}), Error);
}

TEST_CASE("chat template: plain ChatML") {
  const std::string_view chatml =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
      "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
      "'<|im_start|>assistant\\n' }}{% endif %}";
  const ChatTemplate t = ChatTemplate::recognise(chatml);
  CHECK(t.kind() == ChatTemplateKind::ChatML);
  const Messages m{{"system", "S"}, {"user", "U"}};
  CHECK(t.render(m) ==
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n"
        "<|im_start|>assistant\n");
  CHECK(t.render(m, {.add_generation_prompt = false}) ==
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n");
}

TEST_CASE("chat template: ChatML with the thinking switch (rotary synth's)") {
  const ChatTemplate t = ChatTemplate::recognise(synth::kSynthChatTemplate);
  CHECK(t.kind() == ChatTemplateKind::ChatMLThinking);
  CHECK(to_string(t.kind()) == "chatml-thinking");
  // Every message is plain ChatML, an assistant's think block included (the template has no
  // reasoning rule); only the generation prompt follows enable_thinking.
  const Messages m{{"user", "U"}, {"assistant", "<think>\nR\n</think>\n\nA"}, {"user", "V"}};
  const std::string history =
      "<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\nR\n</think>\n\nA<|im_end|>\n"
      "<|im_start|>user\nV<|im_end|>\n";
  CHECK(t.render(m) == history + "<|im_start|>assistant\n");
  CHECK(t.render(m, {.enable_thinking = true}) == history + "<|im_start|>assistant\n");
  CHECK(t.render(m, {.enable_thinking = false}) ==
        history + "<|im_start|>assistant\n<think>\n\n</think>\n\n");
  CHECK(t.render(m, {.add_generation_prompt = false, .enable_thinking = false}) == history);
}

TEST_CASE("chat template: templates rotary cannot apply") {
  auto message_of = [](std::string_view text) -> std::string {
    try {
      ChatTemplate::recognise(text);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Unsupported);
      return e.what();
    }
    return "";
  };
  const std::string llama3 = message_of(
      "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
      "'<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}{% endfor %}");
  CHECK(llama3.find("Qwen3") != std::string::npos);
  CHECK(llama3.find("ChatML") != std::string::npos);
  CHECK(llama3.find("rotary run -p") != std::string::npos);
  CHECK(message_of("").find("no chat template") != std::string::npos);
  // Qwen3's template without its thinking switch is a different template.
  std::string edited(test::kQwen3ChatTemplate);
  edited.erase(edited.find("enable_thinking is defined"), 20);
  CHECK(!message_of(edited).empty());
}

}  // namespace
}  // namespace rotary
