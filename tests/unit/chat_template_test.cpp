// ChatTemplate over the Jinja engine. Expected strings are worked out by hand from the template
// text (qwen3_chat_template.h, synth's in loader/synth/vocab.cpp), tag by tag: every tag trims
// the whitespace before it ({%- and {{-), so only the quoted strings reach the output. (Whole
// templates are compared with Python's Jinja2 by tests/cli/template_test.sh.)
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "loader/synth/vocab.h"
#include "loader/tokenizer/chat_template.h"
#include "loader/tokenizer_data.h"
#include "qwen3_chat_template.h"

namespace rotary {
namespace {

using Messages = std::vector<ChatMessage>;
using Json = nlohmann::ordered_json;

struct Options {
  bool add_generation_prompt = true;
  std::optional<bool> enable_thinking;
};

ChatTemplateOptions options_of(const Options& o) {
  ChatTemplateOptions t{.add_generation_prompt = o.add_generation_prompt};
  if (o.enable_thinking) t.kwargs["enable_thinking"] = *o.enable_thinking;
  return t;
}

std::string qwen3(const Messages& m, Options options = {}) {
  return ChatTemplate(test::kQwen3ChatTemplate, "", "").render(m, options_of(options));
}

// The message of the Error that `f` throws ("" if none).
template <typename F>
std::string error_of(F f, ErrorKind* kind = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (kind) *kind = e.kind();
    return e.what();
  }
  return "";
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

TEST_CASE("chat template qwen3: a role the template has no branch for writes nothing") {
  CHECK(qwen3({{"narrator", "x"}, {"user", "Q"}}) ==
        "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n");
}

TEST_CASE("chat template qwen3: tools, and tool calls with arguments as objects and as strings") {
  const ChatTemplate t(test::kQwen3ChatTemplate, "", "");
  const Json tools = Json::parse(R"([{"type": "function", "function": {"name": "f"}}])");
  const Json messages = Json::parse(R"([
    {"role": "system", "content": "S"},
    {"role": "user", "content": "Q"},
    {"role": "assistant", "content": "",
     "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"x": 1}}},
                    {"type": "function", "function": {"name": "g", "arguments": "{\"y\":2}"}}]},
    {"role": "tool", "content": "R"}])");
  const std::string system =
      "<|im_start|>system\nS\n\n# Tools\n\nYou may call one or more functions to assist with "
      "the user query.\n\nYou are provided with function signatures within <tools></tools> XML "
      "tags:\n<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"f\"}}\n</tools>\n\n"
      "For each function call, return a json object with function name and arguments within "
      "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, "
      "\"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n";
  // The assistant turn follows the last query: it is not last and has no reasoning, so it is
  // written plainly; the empty content puts no newline before the first call. HF's tojson
  // writes ", " and ": " separators; a string argument is written as it is.
  const std::string turns =
      "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<tool_call>\n{\"name\": \"f\", "
      "\"arguments\": {\"x\": 1}}\n</tool_call>\n<tool_call>\n{\"name\": \"g\", \"arguments\": "
      "{\"y\":2}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\nR\n"
      "</tool_response><|im_end|>\n";
  CHECK(t.render(messages, tools, Json::object(), false) == system + turns);
  CHECK(t.render(messages, tools, Json(), true) == system + turns + "<|im_start|>assistant\n");
}

TEST_CASE("chat template: variables, special tokens and what may not be set") {
  const ChatTemplate t(
      "{{ bos_token }}{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}"
      "{{ eos_token }}{% if add_generation_prompt %}>{% endif %}{% if tools is none %}!{% endif %}"
      "{{ effort | default('-') }}",
      "<s>", "</s>");
  const Messages m{{"user", "a"}};
  CHECK(t.render(m, {.add_generation_prompt = false}) == "<s>user:a;</s>!-");
  CHECK(t.render(m, {.add_generation_prompt = true,
                     .kwargs = Json{{"effort", "high"}, {"bos_token", "[B]"}}}) ==
        "[B]user:a;</s>>!high");
  CHECK(t.render(to_json(m), Json::array({Json::object()}), Json(), false) == "<s>user:a;</s>-");
  ErrorKind kind{};
  CHECK(error_of([&] { t.render(to_json(m), Json(), Json{{"messages", 1}}, true); }, &kind)
            .find("'messages' cannot be set") != std::string::npos);
  CHECK(kind == ErrorKind::InvalidArgument);
  CHECK(!error_of([&] { t.render(Json::object(), Json(), Json(), true); }).empty());
  CHECK(!error_of([&] { t.render(Json::array({1}), Json(), Json(), true); }).empty());
  CHECK(!error_of([&] { t.render(to_json(m), Json::object(), Json(), true); }).empty());
  CHECK(!error_of([&] { t.render(to_json(m), Json(), Json::array(), true); }).empty());
}

TEST_CASE("chat template: reasoning_content reaches the template apart from the content") {
  const ChatTemplate t(
      "{% for m in messages %}[{{ m.content }}|{{ m.reasoning_content is defined }}:"
      "{{ m.reasoning_content }}]{% endfor %}",
      "", "");
  CHECK(t.render(Messages{{"assistant", "A", "R"}, {"assistant", "B"}}) ==
        "[A|True:R][B|False:]");
}

TEST_CASE("chat template: the template's errors carry its message") {
  const ChatTemplate t("{% if not messages %}{{ raise_exception('No messages provided.') }}"
                       "{% endif %}ok",
                       "", "");
  CHECK(t.render(Messages{{"user", "x"}}) == "ok");
  const std::string raised = error_of([&] { t.render(Messages{}); });
  CHECK(raised.find("No messages provided.") != std::string::npos);
  // A syntax error names where it is.
  const std::string syntax = error_of([] { ChatTemplate("a\n{% if x %}b", "", ""); });
  CHECK(syntax.find("chat template") != std::string::npos);
  CHECK(syntax.find('2') != std::string::npos);
}

TEST_CASE("chat template: a model's template, its BOS and EOS texts, or a clear error") {
  TokenizerData d;
  d.tokens = {"<s>", "</s>", "x"};
  d.bos_id = 0;
  d.eos_id = 1;
  d.chat_template = "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}";
  const ChatTemplate t = ChatTemplate::from_model(d);
  CHECK(t.render(Messages{{"user", "hi"}}) == "<s>hi</s>");
  d.eos_id = 7;  // outside the vocabulary: no text
  CHECK(ChatTemplate::from_model(d).render(Messages{{"user", "hi"}}) == "<s>hi");
  CHECK(ChatTemplate::with_model_tokens("{{ eos_token }}{{ bos_token }}", d)
            .render(Messages{{"user", "hi"}}) == "<s>");
  for (const std::optional<std::string>& none : {std::optional<std::string>(), std::optional<std::string>("")}) {
    d.chat_template = none;
    ErrorKind kind{};
    const std::string e = error_of([&] { ChatTemplate::from_model(d); }, &kind);
    CHECK(kind == ErrorKind::Unsupported);
    CHECK(e.find("no chat template") != std::string::npos);
    CHECK(e.find("--chat-template-file") != std::string::npos);
  }
}

TEST_CASE("chat template: plain ChatML") {
  const std::string_view chatml =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
      "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
      "'<|im_start|>assistant\\n' }}{% endif %}";
  const ChatTemplate t(chatml, "", "");
  const Messages m{{"system", "S"}, {"user", "U"}};
  CHECK(t.render(m) ==
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n"
        "<|im_start|>assistant\n");
  CHECK(t.render(m, ChatTemplateOptions{.add_generation_prompt = false}) ==
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n");
}

TEST_CASE("chat template: ChatML with the thinking switch (rotary synth's)") {
  const ChatTemplate t(synth::kSynthChatTemplate, "", "");
  const auto render = [&](const Messages& m, Options o = {}) {
    return t.render(m, options_of(o));
  };
  // Every message is plain ChatML, an assistant's think block included (the template has no
  // reasoning rule); only the generation prompt follows enable_thinking.
  const Messages m{{"user", "U"}, {"assistant", "<think>\nR\n</think>\n\nA"}, {"user", "V"}};
  const std::string history =
      "<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\nR\n</think>\n\nA<|im_end|>\n"
      "<|im_start|>user\nV<|im_end|>\n";
  CHECK(render(m) == history + "<|im_start|>assistant\n");
  CHECK(render(m, {.enable_thinking = true}) == history + "<|im_start|>assistant\n");
  CHECK(render(m, {.enable_thinking = false}) ==
        history + "<|im_start|>assistant\n<think>\n\n</think>\n\n");
  CHECK(render(m, {.add_generation_prompt = false, .enable_thinking = false}) == history);
}

}  // namespace
}  // namespace rotary
