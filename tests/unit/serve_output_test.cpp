// `rotary serve`'s answer handling: stop strings over streamed text, <think> blocks into
// reasoning_content, tool calls in Qwen3's and Qwen3.5's forms, and the response and event
// shapes. Streaming a text in any cut must give what the whole text gives.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/serve/openai_response.h"
#include "cli/serve/output_parser.h"
#include "cli/serve/stop_matcher.h"
#include "cli/serve/tool_calls.h"

namespace rotary::serve {
namespace {

// The text released by a matcher fed `pieces`, then flushed.
std::string stopped_text(std::vector<std::string> stops, const std::vector<std::string>& pieces,
                         bool* stopped = nullptr) {
  StopMatcher m(std::move(stops));
  std::string out;
  for (const std::string& p : pieces) out += m.push(p);
  out += m.flush();
  if (stopped) *stopped = m.stopped();
  return out;
}

TEST_CASE("serve: stop strings end the text before them, across pieces") {
  bool stopped = false;
  CHECK(stopped_text({"END"}, {"hello E", "N", "D more"}, &stopped) == "hello ");
  CHECK(stopped);
  CHECK(stopped_text({"END"}, {"hello EN", "d"}, &stopped) == "hello ENd");  // not a stop: released
  CHECK_FALSE(stopped);
  CHECK(stopped_text({"xyz", "b"}, {"aaxy", "zb"}) == "aa");  // the earliest wins
  CHECK(stopped_text({"\n\n"}, {"one\n", "\ntwo"}) == "one");
  CHECK(stopped_text({}, {"a", "b"}) == "ab");
  // Text that cannot start a stop string is released at once.
  StopMatcher m({"END"});
  CHECK(m.push("abc") == "abc");
  CHECK(m.push("xE") == "x");
  CHECK(m.push("Q") == "EQ");
}

TEST_CASE("serve: Qwen3's JSON tool calls") {
  const ToolCallSplit s = extract_tool_calls(
      "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", "
      "\"days\": 2}}\n"
      "</tool_call>\n<tool_call>\n{\"name\": \"now\", \"arguments\": \"{\\\"tz\\\": "
      "\\\"UTC\\\"}\"}\n</tool_call>",
      Json::array());
  REQUIRE(s.calls.size() == 2);
  CHECK(s.calls[0].name == "get_weather");
  CHECK(Json::parse(s.calls[0].arguments) == Json{{"city", "Paris"}, {"days", 2}});
  CHECK(s.calls[1].name == "now");
  CHECK(Json::parse(s.calls[1].arguments) == Json{{"tz", "UTC"}});
  CHECK(s.text == "Let me look.\n\n");
}

TEST_CASE("serve: Qwen3.5's <function=...> tool calls, typed by the tools' schemas") {
  const Json tools =
      Json::parse(R"([{"type": "function", "function": {"name": "search", "parameters": {
      "type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer"},
      "exact": {"type": "boolean"}, "code": {"type": "string"}}}}}])");
  const ToolCallSplit s = extract_tool_calls(
      "<tool_call>\n<function=search>\n<parameter=query>\nrotary\nengine\n</"
      "parameter>\n<parameter=limit>\n5\n"
      "</parameter>\n<parameter=exact>\ntrue\n</parameter>\n<parameter=code>\n42\n</parameter>\n"
      "<parameter=extra>\n7\n</parameter>\n</function>\n</tool_call>",
      tools);
  REQUIRE(s.calls.size() == 1);
  CHECK(s.calls[0].name == "search");
  CHECK(Json::parse(s.calls[0].arguments) == Json{{"query", "rotary\nengine"},
                                                  {"limit", 5},
                                                  {"exact", true},
                                                  {"code", "42"},
                                                  {"extra", "7"}});
  CHECK(s.text.empty());
}

TEST_CASE("serve: broken or cut tool calls stay text") {
  const std::string cut = "<tool_call>\n{\"name\": \"a\", \"argum";
  CHECK(extract_tool_calls(cut, Json::array()).calls.empty());
  CHECK(extract_tool_calls(cut, Json::array()).text == cut);
  const std::string bad = "<tool_call>{\"nam\": 1}</tool_call> after";
  CHECK(extract_tool_calls(bad, Json::array()).calls.empty());
  CHECK(extract_tool_calls(bad, Json::array()).text == bad);
  const std::string bad_xml = "<tool_call><function=f><parameter=x>1</function></tool_call>";
  CHECK(extract_tool_calls(bad_xml, Json::array()).calls.empty());
}

struct Parsed {
  std::string reasoning, content;
  std::vector<ToolCall> calls;
};

Parsed parse(const std::string& text, OutputParser::Options o, size_t piece) {
  OutputParser p(o);
  Parsed out;
  for (size_t i = 0; i < text.size(); i += piece) {
    const OutputDelta d = p.push(text.substr(i, piece));
    out.reasoning += d.reasoning;
    out.content += d.content;
  }
  const OutputDelta d = p.finish(Json::array(), out.calls);
  out.reasoning += d.reasoning;
  out.content += d.content;
  return out;
}

// Every cut of the text gives what the whole gives.
Parsed parse_all_ways(const std::string& text, OutputParser::Options o) {
  const Parsed whole = parse(text, o, text.size() + 1);
  for (size_t piece = 1; piece <= text.size(); ++piece) {
    CAPTURE(piece);
    const Parsed p = parse(text, o, piece);
    CHECK(p.reasoning == whole.reasoning);
    CHECK(p.content == whole.content);
    CHECK(p.calls.size() == whole.calls.size());
  }
  return whole;
}

TEST_CASE("serve: <think> goes to reasoning_content, in any cut of the stream") {
  Parsed p = parse_all_ways("<think>\nLet me see.\n</think>\n\nThe answer is 4.", {});
  CHECK(p.reasoning == "Let me see.");
  CHECK(p.content == "The answer is 4.");
  // The prompt opened the block (Qwen3.5's generation prompt).
  p = parse_all_ways("Hmm.\n</think>\n\nFour.", {.in_reasoning = true});
  CHECK(p.reasoning == "Hmm.");
  CHECK(p.content == "Four.");
  // No block: all content, "<think>" later in the text is content.
  p = parse_all_ways("Plain <think> text", {});
  CHECK(p.reasoning.empty());
  CHECK(p.content == "Plain <think> text");
  // Cut by the length limit inside the reasoning.
  p = parse_all_ways("<think>\nstill going  \n", {});
  CHECK(p.reasoning == "still going");
  CHECK(p.content.empty());
}

TEST_CASE("serve: tool calls are held back and parsed at the end; without tools they are text") {
  const std::string text =
      "<think>\nneed weather\n</think>\n\nChecking.\n<tool_call>\n{\"name\": \"w\", \"arguments\": "
      "{}}\n</tool_call>";
  Parsed p = parse_all_ways(text, {.tool_calls = true});
  CHECK(p.reasoning == "need weather");
  CHECK(p.content == "Checking.\n");
  REQUIRE(p.calls.size() == 1);
  CHECK(p.calls[0].name == "w");
  CHECK(p.calls[0].arguments == "{}");
  p = parse_all_ways(text, {.tool_calls = false});
  CHECK(p.calls.empty());
  CHECK(p.content == "Checking.\n<tool_call>\n{\"name\": \"w\", \"arguments\": {}}\n</tool_call>");
  // A near miss is released as text.
  p = parse_all_ways("a <tool_cal b", {.tool_calls = true});
  CHECK(p.content == "a <tool_cal b");
}

TEST_CASE("serve: where the prompt leaves the model thinking") {
  CHECK(prompt_opens_reasoning("<|im_start|>assistant\n<think>\n"));
  CHECK_FALSE(prompt_opens_reasoning("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
  CHECK_FALSE(prompt_opens_reasoning("<|im_start|>assistant\n"));
  CHECK_FALSE(prompt_opens_reasoning("<think>\nold\n</think>\n\nx<|im_start|>assistant\n"));
}

TEST_CASE("serve: responses carry usage and timings; events end with [DONE]") {
  const ResponseId id{"chatcmpl-abc", 1700000000, "m.gguf"};
  const Usage u{.prompt_tokens = 10,
                .cached_tokens = 4,
                .completion_tokens = 5,
                .prompt_seconds = 0.5,
                .decode_seconds = 0.25,
                .expert_hit_rate = 0.75};
  const Json c = chat_completion(id, "why", "", {ToolCall{"f", "{\"a\":1}"}}, "tool_calls", u);
  CHECK(c["object"] == "chat.completion");
  CHECK(c["model"] == "m.gguf");
  const Json& m = c["choices"][0]["message"];
  CHECK(m["content"].is_null());
  CHECK(m["reasoning_content"] == "why");
  CHECK(m["tool_calls"][0] == Json{{"id", "call_abc_0"},
                                   {"type", "function"},
                                   {"function", {{"name", "f"}, {"arguments", "{\"a\":1}"}}}});
  CHECK(c["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(c["usage"] == Json{{"prompt_tokens", 10},
                           {"completion_tokens", 5},
                           {"total_tokens", 15},
                           {"prompt_tokens_details", {{"cached_tokens", 4}}}});
  const Json& t = c["timings"];
  CHECK(t["cache_n"] == 4);
  CHECK(t["prompt_n"] == 6);
  CHECK(t["prompt_per_second"].get<double>() == doctest::Approx(12.0));
  CHECK(t["predicted_per_second"].get<double>() == doctest::Approx(20.0));
  CHECK(t["predicted_ms"].get<double>() == doctest::Approx(250.0));
  CHECK(t["expert_hit_rate"].get<double>() == doctest::Approx(0.75));

  const Json chunk = chat_chunk(id, {{"content", "hi"}}, nullptr);
  CHECK(chunk["object"] == "chat.completion.chunk");
  CHECK(chunk["choices"][0]["delta"]["content"] == "hi");
  CHECK(chunk["choices"][0]["finish_reason"].is_null());
  CHECK(sse_event(Json{{"a", 1}}) == "data: {\"a\":1}\n\n");
  CHECK(kSseDone == "data: [DONE]\n\n");
  // An answer cut inside a UTF-8 character is written, with U+FFFD.
  CHECK(dump_json(Json("ab\xE2\x82")) == "\"ab\xEF\xBF\xBD\"");
  const Json e =
      error_json(ApiError(400, "'top_p' bad", "invalid_request_error", "invalid_value", "top_p"));
  CHECK(e == Json{{"error",
                   {{"message", "'top_p' bad"},
                    {"type", "invalid_request_error"},
                    {"param", "top_p"},
                    {"code", "invalid_value"}}}});
}

}  // namespace
}  // namespace rotary::serve
