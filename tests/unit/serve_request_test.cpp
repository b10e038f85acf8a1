// `rotary serve`'s request parsing: what OpenAI clients send is read into sampling, length, stop
// strings and tools; everything wrong or unsupported is a 400 that names the field.
#include <doctest/doctest.h>

#include <string>

#include "cli/serve/api_error.h"
#include "cli/serve/openai_request.h"

namespace rotary::serve {
namespace {

// The ApiError `body` draws, as "status param code".
std::string refusal(std::string_view body) {
  try {
    parse_chat_request(parse_body(body), SamplingParams{}, Json::object());
  } catch (const ApiError& e) {
    return std::to_string(e.status) + " " + e.param + " " + e.code;
  }
  return "accepted";
}

std::string completion_refusal(std::string_view body) {
  try {
    parse_completion_request(parse_body(body), SamplingParams{});
  } catch (const ApiError& e) {
    return std::to_string(e.status) + " " + e.param + " " + e.code;
  }
  return "accepted";
}

constexpr std::string_view kHi = R"("messages": [{"role": "user", "content": "Hi"}])";

std::string with(std::string_view fields) {
  return "{" + std::string(kHi) + ", " + std::string(fields) + "}";
}

TEST_CASE("serve: a chat request's fields become sampling, length, stop strings and streaming") {
  SamplingParams defaults;
  defaults.seed = 99;
  const ChatRequest r = parse_chat_request(
      parse_body(with(
          R"("temperature": 0, "top_p": 0.5, "top_k": 7, "min_p": 0.1, "max_completion_tokens": 12,
                         "stop": ["END", "", "\n\n"], "seed": 5, "presence_penalty": 1.5, "frequency_penalty": -0.5,
                         "stream": true, "stream_options": {"include_usage": true}, "n": 1, "user": "x")")),
      defaults, Json::object());
  const SamplingParams& s = r.generation.sampling;
  CHECK(s.temperature == 0.0f);
  CHECK(s.top_p == 0.5f);
  CHECK(s.top_k == 7);
  CHECK(s.min_p == doctest::Approx(0.1));
  CHECK(s.seed == 5);
  CHECK(s.presence_penalty == 1.5f);
  CHECK(s.frequency_penalty == -0.5f);
  CHECK(r.generation.max_tokens == 12u);
  CHECK(r.generation.stop ==
        std::vector<std::string>{"END", "\n\n"});  // the empty one means nothing
  CHECK(r.generation.stream);
  CHECK(r.generation.include_usage);
  CHECK(r.messages.size() == 1);
  CHECK(r.tools.empty());
  CHECK_FALSE(r.parse_tool_calls);
}

TEST_CASE("serve: absent and null fields keep the server's defaults") {
  SamplingParams defaults;
  defaults.temperature = 0.3f;
  defaults.seed = 42;
  const ChatRequest r =
      parse_chat_request(parse_body(with(R"("temperature": null, "seed": -1, "stop": "x")")),
                         defaults, Json{{"enable_thinking", false}});
  CHECK(r.generation.sampling.temperature == 0.3f);
  CHECK(r.generation.sampling.seed == 42);  // -1: llama.cpp's "random", the server's choice
  CHECK_FALSE(r.generation.max_tokens);
  CHECK(r.generation.stop == std::vector<std::string>{"x"});
  CHECK(r.kwargs == Json{{"enable_thinking", false}});
  // The request's chat_template_kwargs go over the server's.
  const ChatRequest k = parse_chat_request(
      parse_body(with(R"("chat_template_kwargs": {"enable_thinking": true, "a": 1})")), defaults,
      Json{{"enable_thinking", false}, {"b", 2}});
  CHECK(k.kwargs == Json{{"enable_thinking", true}, {"b", 2}, {"a", 1}});
}

TEST_CASE("serve: malformed and invalid requests are 400s naming the field") {
  CHECK(refusal("{") == "400  invalid_json");
  CHECK(refusal("[1, 2]") == "400  invalid_json");
  CHECK(refusal("{}") == "400 messages invalid_value");
  CHECK(refusal(R"({"messages": []})") == "400 messages invalid_value");
  CHECK(refusal(R"({"messages": [{"content": "x"}]})") == "400 messages[0].role invalid_value");
  CHECK(refusal(R"({"messages": [{"role": "robot", "content": "x"}]})") ==
        "400 messages[0].role invalid_value");
  CHECK(refusal(R"({"messages": [{"role": "user", "content": 5}]})") ==
        "400 messages[0].content invalid_value");
  CHECK(refusal(R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})") ==
        "400 messages[0].content unsupported_value");
  CHECK(refusal(with(R"("temperature": 3)")) == "400 temperature invalid_value");
  CHECK(refusal(with(R"("temperature": "hot")")) == "400 temperature invalid_value");
  CHECK(refusal(with(R"("top_p": 0)")) == "400 top_p invalid_value");
  CHECK(refusal(with(R"("top_k": -1)")) == "400 top_k invalid_value");
  CHECK(refusal(with(R"("min_p": 1)")) == "400 min_p invalid_value");
  CHECK(refusal(with(R"("max_tokens": 0)")) == "400 max_tokens invalid_value");
  CHECK(refusal(with(R"("max_tokens": 2.5)")) == "400 max_tokens invalid_value");
  CHECK(refusal(with(R"("max_completion_tokens": -3)")) ==
        "400 max_completion_tokens invalid_value");
  CHECK(refusal(with(R"("presence_penalty": 2.5)")) == "400 presence_penalty invalid_value");
  CHECK(refusal(with(R"("stop": 5)")) == "400 stop invalid_value");
  CHECK(refusal(with(R"("stop": ["a", 1])")) == "400 stop invalid_value");
  CHECK(refusal(with(R"("stream": "yes")")) == "400 stream invalid_value");
  CHECK(refusal(with(R"("seed": 1.5)")) == "400 seed invalid_value");
  CHECK(refusal(with(R"("chat_template_kwargs": [])")) == "400 chat_template_kwargs invalid_value");
  CHECK(refusal(with(R"("tools": {})")) == "400 tools invalid_value");
  CHECK(refusal(with(R"("tools": [{"type": "function", "function": {"name": ""}}])")) ==
        "400 tools[0].function.name invalid_value");
  CHECK(refusal(with(R"("tool_choice": "sometimes")")) == "400 tool_choice invalid_value");
}

TEST_CASE("serve: what rotary cannot honour is refused, never ignored") {
  CHECK(refusal(with(R"("n": 2)")) == "400 n unsupported_value");
  CHECK(refusal(with(R"("n": 1)")) == "accepted");
  CHECK(refusal(with(R"("logprobs": true)")) == "400 logprobs unsupported_value");
  CHECK(refusal(with(R"("logprobs": false)")) == "accepted");
  CHECK(refusal(with(R"("top_logprobs": 2)")) == "400 top_logprobs unsupported_value");
  CHECK(refusal(with(R"("logit_bias": {"5": 10})")) == "400 logit_bias unsupported_value");
  CHECK(refusal(with(R"("response_format": {"type": "json_object"})")) ==
        "400 response_format unsupported_value");
  CHECK(refusal(with(R"("response_format": {"type": "text"})")) == "accepted");
  CHECK(completion_refusal(R"({"prompt": "a", "echo": true})") == "400 echo unsupported_value");
}

TEST_CASE("serve: deep nesting is refused without recursion") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(refusal(deep) == "400  invalid_json");
  const std::string ok = std::string(60, '[') + std::string(60, ']');
  CHECK(refusal(with("\"metadata\": " + ok)) == "accepted");
}

TEST_CASE("serve: an object of thousands of members is refused, not read for minutes") {
  // An ordered object of n members takes n^2/2 comparisons to read (base/json.h).
  std::string many = "{";
  for (int i = 0; i < 100000; ++i) many += "\"k" + std::to_string(i) + "\":0,";
  many += "\"x\":0}";
  CHECK(refusal(with("\"metadata\": " + many)) == "400  invalid_json");
}

TEST_CASE("serve: tools and tool_choice") {
  const std::string tools =
      R"("tools": [{"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}},
                   {"type": "function", "function": {"name": "b"}}])";
  const ChatRequest r = parse_chat_request(parse_body(with(tools)), {}, Json::object());
  CHECK(r.tools.size() == 2);
  CHECK(r.parse_tool_calls);
  const ChatRequest none = parse_chat_request(
      parse_body(with(tools + R"(, "tool_choice": "none")")), {}, Json::object());
  CHECK(none.tools.empty());
  CHECK_FALSE(none.parse_tool_calls);
  const ChatRequest named = parse_chat_request(
      parse_body(
          with(tools + R"(, "tool_choice": {"type": "function", "function": {"name": "b"}})")),
      {}, Json::object());
  REQUIRE(named.tools.size() == 1);
  CHECK(named.tools[0]["function"]["name"] == "b");
  CHECK(refusal(
            with(tools + R"(, "tool_choice": {"type": "function", "function": {"name": "c"}})")) ==
        "400 tool_choice invalid_value");
  // developer is OpenAI's newer name for system.
  const ChatRequest dev = parse_chat_request(
      parse_body(R"({"messages": [{"role": "developer", "content": "Be brief"}]})"), {},
      Json::object());
  CHECK(dev.messages[0]["role"] == "system");
}

TEST_CASE("serve: a completion's prompt is text, one text in an array, or token ids") {
  CHECK(parse_completion_request(parse_body(R"({"prompt": "Once"})"), {}).prompt == "Once");
  CHECK(parse_completion_request(parse_body(R"({"prompt": ["Once"]})"), {}).prompt == "Once");
  const CompletionRequest ids =
      parse_completion_request(parse_body(R"({"prompt": [1, 2, 3], "max_tokens": 4})"), {});
  CHECK_FALSE(ids.prompt);
  CHECK(ids.prompt_tokens == std::vector<int32_t>{1, 2, 3});
  CHECK(ids.generation.max_tokens == 4u);
  CHECK(completion_refusal("{}") == "400 prompt invalid_value");
  CHECK(completion_refusal(R"({"prompt": ""})") == "400 prompt invalid_value");
  CHECK(completion_refusal(R"({"prompt": ["a", "b"]})") == "400 prompt invalid_value");
  CHECK(completion_refusal(R"({"prompt": [1, -2]})") == "400 prompt invalid_value");
  CHECK(completion_refusal(R"({"prompt": "a", "n": 3})") == "400 n unsupported_value");
}

}  // namespace
}  // namespace rotary::serve
