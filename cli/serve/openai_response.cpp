#include "cli/serve/openai_response.h"

namespace rotary::serve {

namespace {

Json envelope(const ResponseId& r, const char* object) {
  return Json{{"id", r.id},
              {"object", object},
              {"created", r.created},
              {"model", r.model},
              {"system_fingerprint", "rotary"}};
}

std::string call_id(const ResponseId& r, size_t i) {
  return "call_" + r.id.substr(r.id.find('-') + 1) + "_" + std::to_string(i);
}

Json finish(const char* reason) {
  return reason ? Json(reason) : Json(nullptr);
}

}  // namespace

Json usage_json(const Usage& u) {
  return Json{{"prompt_tokens", u.prompt_tokens},
              {"completion_tokens", u.completion_tokens},
              {"total_tokens", u.prompt_tokens + u.completion_tokens},
              {"prompt_tokens_details", {{"cached_tokens", u.cached_tokens}}}};
}

Json timings_json(const Usage& u) {
  const uint32_t evaluated = u.prompt_tokens - u.cached_tokens;
  auto per_token_ms = [](double s, uint32_t n) { return n ? 1e3 * s / n : 0.0; };
  auto per_second = [](double s, uint32_t n) { return s > 0 ? n / s : 0.0; };
  return Json{{"cache_n", u.cached_tokens},
              {"prompt_n", evaluated},
              {"prompt_ms", 1e3 * u.prompt_seconds},
              {"prompt_per_token_ms", per_token_ms(u.prompt_seconds, evaluated)},
              {"prompt_per_second", per_second(u.prompt_seconds, evaluated)},
              {"predicted_n", u.completion_tokens},
              {"predicted_ms", 1e3 * u.decode_seconds},
              {"predicted_per_token_ms", per_token_ms(u.decode_seconds, u.completion_tokens)},
              {"predicted_per_second", per_second(u.decode_seconds, u.completion_tokens)},
              {"expert_hit_rate", u.expert_hit_rate}};
}

Json tool_calls_delta(const ResponseId& r, const std::vector<ToolCall>& calls) {
  Json list = Json::array();
  for (size_t i = 0; i < calls.size(); ++i)
    list.push_back({{"index", i},
                    {"id", call_id(r, i)},
                    {"type", "function"},
                    {"function", {{"name", calls[i].name}, {"arguments", calls[i].arguments}}}});
  return Json{{"tool_calls", list}};
}

Json chat_completion(const ResponseId& r, const std::string& reasoning, const std::string& content,
                     const std::vector<ToolCall>& calls, const std::string& finish_reason,
                     const Usage& u) {
  Json message{{"role", "assistant"},
               {"content", content.empty() && !calls.empty() ? Json(nullptr) : Json(content)}};
  if (!reasoning.empty()) message["reasoning_content"] = reasoning;
  if (!calls.empty()) {
    message["tool_calls"] = tool_calls_delta(r, calls)["tool_calls"];
    for (Json& c : message["tool_calls"]) c.erase("index");
  }
  Json out = envelope(r, "chat.completion");
  out["choices"] = Json::array({{{"index", 0},
                                 {"message", message},
                                 {"logprobs", nullptr},
                                 {"finish_reason", finish_reason}}});
  out["usage"] = usage_json(u);
  out["timings"] = timings_json(u);
  return out;
}

Json chat_chunk(const ResponseId& r, Json delta, const char* finish_reason) {
  Json out = envelope(r, "chat.completion.chunk");
  out["choices"] = Json::array({{{"index", 0},
                                 {"delta", std::move(delta)},
                                 {"logprobs", nullptr},
                                 {"finish_reason", finish(finish_reason)}}});
  return out;
}

std::vector<Json> chat_text_deltas(const OutputDelta& d) {
  std::vector<Json> out;
  if (!d.reasoning.empty()) out.push_back({{"reasoning_content", d.reasoning}});
  if (!d.content.empty()) out.push_back({{"content", d.content}});
  return out;
}

Json text_completion(const ResponseId& r, const std::string& text, const std::string& finish_reason,
                     const Usage& u) {
  Json out = envelope(r, "text_completion");
  out["choices"] = Json::array(
      {{{"index", 0}, {"text", text}, {"logprobs", nullptr}, {"finish_reason", finish_reason}}});
  out["usage"] = usage_json(u);
  out["timings"] = timings_json(u);
  return out;
}

Json text_chunk(const ResponseId& r, const std::string& text, const char* finish_reason) {
  Json out = envelope(r, "text_completion");
  out["choices"] = Json::array({{{"index", 0},
                                 {"text", text},
                                 {"logprobs", nullptr},
                                 {"finish_reason", finish(finish_reason)}}});
  return out;
}

Json usage_chunk(const ResponseId& r, const char* object, const Usage& u) {
  Json out = envelope(r, object);
  out["choices"] = Json::array();
  out["usage"] = usage_json(u);
  out["timings"] = timings_json(u);
  return out;
}

Json error_json(const ApiError& e) {
  return Json{{"error",
               {{"message", e.what()},
                {"type", e.type},
                {"param", e.param.empty() ? Json(nullptr) : Json(e.param)},
                {"code", e.code}}}};
}

std::string sse_event(const Json& v) {
  return "data: " + dump_json(v) + "\n\n";
}

}  // namespace rotary::serve
