#include "cli/serve/openai_request.h"

#include <cmath>
#include <limits>

#include "base/error.h"
#include "cli/serve/api_error.h"

namespace rotary::serve {

namespace {

constexpr int kMaxDepth = 64;           // JSON nesting a request may use
constexpr size_t kMaxStopStrings = 16;  // OpenAI allows 4; llama.cpp any number

// The field `name` of `o`, or nullptr when it is absent or null.
const Json* find(const Json& o, const char* name) {
  const auto it = o.find(name);
  return it == o.end() || it->is_null() ? nullptr : &*it;
}

std::optional<double> number(const Json& o, const char* name, double lo, double hi) {
  const Json* v = find(o, name);
  if (!v) return std::nullopt;
  if (!v->is_number() || !(v->get<double>() >= lo && v->get<double>() <= hi)) {
    char range[96];
    std::snprintf(range, sizeof range, "must be a number from %g to %g", lo, hi);
    throw invalid_field(name, range);
  }
  return v->get<double>();
}

std::optional<int64_t> integer(const Json& o, const char* name, int64_t lo, int64_t hi) {
  const Json* v = find(o, name);
  if (!v) return std::nullopt;
  // Unsigned above INT64_MAX is out of every range asked for here.
  const bool fits =
      v->is_number_integer() &&
      (!v->is_number_unsigned() || v->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX));
  if (!fits || v->get<int64_t>() < lo || v->get<int64_t>() > hi)
    throw invalid_field(
        name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v->get<int64_t>();
}

std::optional<bool> boolean(const Json& o, const char* name) {
  const Json* v = find(o, name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) throw invalid_field(name, "must be true or false");
  return v->get<bool>();
}

ApiError unsupported(const std::string& param, const std::string& what) {
  return ApiError(400, "'" + param + "' " + what, "invalid_request_error", "unsupported_value",
                  param);
}

void parse_stop(const Json& o, std::vector<std::string>& out) {
  const Json* v = find(o, "stop");
  if (!v) return;
  if (v->is_string()) {
    if (!v->get<std::string>().empty()) out.push_back(v->get<std::string>());
    return;
  }
  if (!v->is_array() || v->size() > kMaxStopStrings)
    throw invalid_field("stop", "must be a string or an array of at most " +
                                    std::to_string(kMaxStopStrings) + " strings");
  for (const Json& s : *v) {
    if (!s.is_string()) throw invalid_field("stop", "must be a string or an array of strings");
    if (!s.get<std::string>().empty()) out.push_back(s.get<std::string>());
  }
}

// The fields both endpoints share.
GenerationRequest parse_generation(const Json& o, const SamplingParams& defaults,
                                   const char* max_name) {
  if (!o.is_object())
    throw ApiError(400, "the body must be a JSON object", "invalid_request_error", "invalid_json");
  GenerationRequest g;
  g.sampling = defaults;
  SamplingParams& s = g.sampling;
  if (auto v = number(o, "temperature", 0, 2)) s.temperature = static_cast<float>(*v);
  if (auto v = number(o, "top_p", 0, 1)) {
    if (*v <= 0) throw invalid_field("top_p", "must be above 0 (1 turns it off)");
    s.top_p = static_cast<float>(*v);
  }
  if (auto v = integer(o, "top_k", 0, std::numeric_limits<int32_t>::max()))
    s.top_k = static_cast<int32_t>(*v);
  if (auto v = number(o, "min_p", 0, 1)) {
    if (*v >= 1) throw invalid_field("min_p", "must be below 1 (0 turns it off)");
    s.min_p = static_cast<float>(*v);
  }
  if (auto v = number(o, "presence_penalty", -2, 2)) s.presence_penalty = static_cast<float>(*v);
  if (auto v = number(o, "frequency_penalty", -2, 2)) s.frequency_penalty = static_cast<float>(*v);
  if (auto v = number(o, "repeat_penalty", 0, 100)) {
    if (*v <= 0) throw invalid_field("repeat_penalty", "must be above 0 (1 turns it off)");
    s.repeat_penalty = static_cast<float>(*v);
  }
  // llama.cpp's -1 is "random": the server's choice stays.
  if (auto v = integer(o, "seed", std::numeric_limits<int64_t>::min(),
                       std::numeric_limits<int64_t>::max());
      v && *v != -1)
    s.seed = static_cast<uint64_t>(*v);
  for (const char* name : {"max_tokens", max_name}) {
    if (auto v = integer(o, name, 1, std::numeric_limits<uint32_t>::max()))
      g.max_tokens = static_cast<uint32_t>(*v);
  }
  if (auto v =
          integer(o, "n", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
      v && *v != 1)
    throw unsupported(
        "n",
        "must be 1: rotary serves one answer per request (send the request again for another)");
  parse_stop(o, g.stop);
  g.stream = boolean(o, "stream").value_or(false);
  if (const Json* so = find(o, "stream_options")) {
    if (!so->is_object()) throw invalid_field("stream_options", "must be an object");
    g.include_usage = boolean(*so, "include_usage").value_or(false);
  }
  g.ignore_eos = boolean(o, "ignore_eos").value_or(false);
  if (const Json* v = find(o, "logprobs"); v && !(v->is_boolean() && !v->get<bool>()) &&
                                           !(v->is_number_integer() && v->get<int64_t>() == 0))
    throw unsupported("logprobs", "is not supported by rotary serve");
  if (find(o, "top_logprobs"))
    throw unsupported("top_logprobs", "is not supported by rotary serve");
  if (const Json* v = find(o, "logit_bias"); v && !(v->is_object() && v->empty()))
    throw unsupported("logit_bias", "is not supported by rotary serve");
  if (const Json* v = find(o, "response_format")) {
    const Json* type = v->is_object() ? find(*v, "type") : nullptr;
    if (!type || *type != "text")
      throw unsupported("response_format",
                        "must be {\"type\": \"text\"}: rotary serve has no constrained output");
  }
  return g;
}

// A message's content as the template takes it: a string, or null.
void check_content(const Json& m, size_t i) {
  const std::string where = "messages[" + std::to_string(i) + "].content";
  const Json* c = find(m, "content");
  if (!c || c->is_string()) return;
  if (!c->is_array()) throw invalid_field(where, "must be a string or an array of text parts");
  for (const Json& part : *c) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
        !part["text"].is_string())
      throw unsupported(
          where,
          "may only hold text parts ({\"type\": \"text\", \"text\": ...}): rotary serve has "
          "no image or audio input");
  }
}

Json parse_messages(const Json& o) {
  const Json* v = find(o, "messages");
  if (!v || !v->is_array() || v->empty())
    throw invalid_field("messages", "must be a non-empty array of messages");
  Json messages = Json::array();
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& m = (*v)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) throw invalid_field(where, "must be an object with a role and content");
    const Json* role = find(m, "role");
    if (!role || !role->is_string()) throw invalid_field(where + ".role", "must be a string");
    const std::string r = role->get<std::string>();
    if (r != "system" && r != "developer" && r != "user" && r != "assistant" && r != "tool")
      throw invalid_field(where + ".role",
                          "must be system, developer, user, assistant or tool, not '" + r + "'");
    check_content(m, i);
    if (const Json* calls = find(m, "tool_calls"); calls && !calls->is_array())
      throw invalid_field(where + ".tool_calls", "must be an array");
    Json copy = m;
    if (r == "developer") copy["role"] = "system";  // OpenAI's newer name for the system message
    messages.push_back(std::move(copy));
  }
  return messages;
}

// The tools, and whether the answer's tool calls are parsed (tool_choice other than "none").
void parse_tools(const Json& o, ChatRequest& r) {
  r.tools = Json::array();
  if (const Json* v = find(o, "tools")) {
    if (!v->is_array())
      throw invalid_field("tools",
                          "must be an array of {\"type\": \"function\", \"function\": {...}}");
    for (size_t i = 0; i < v->size(); ++i) {
      const Json& t = (*v)[i];
      const std::string where = "tools[" + std::to_string(i) + "]";
      if (!t.is_object() || t.value("type", "") != "function" || !t.contains("function") ||
          !t["function"].is_object())
        throw invalid_field(where, "must be {\"type\": \"function\", \"function\": {...}}");
      const Json& f = t["function"];
      if (!f.contains("name") || !f["name"].is_string() || f["name"].get<std::string>().empty())
        throw invalid_field(where + ".function.name", "must be a non-empty string");
      if (const Json* p = find(f, "parameters"); p && !p->is_object())
        throw invalid_field(where + ".function.parameters", "must be a JSON Schema object");
    }
    r.tools = *v;
  }
  std::string choice = "auto";
  if (const Json* c = find(o, "tool_choice")) {
    if (c->is_string()) {
      choice = c->get<std::string>();
      if (choice != "none" && choice != "auto" && choice != "required")
        throw invalid_field("tool_choice",
                            "must be none, auto, required or {\"type\": \"function\", ...}");
    } else if (c->is_object() && c->value("type", "") == "function" && c->contains("function") &&
               (*c)["function"].is_object() && (*c)["function"].value("name", "") != "") {
      // A named function: the template sees only that tool.
      const std::string name = (*c)["function"]["name"];
      Json only = Json::array();
      for (const Json& t : r.tools)
        if (t["function"]["name"] == name) only.push_back(t);
      if (only.empty())
        throw invalid_field("tool_choice",
                            "names the function '" + name + "', which is not in tools");
      r.tools = only;
    } else {
      throw invalid_field("tool_choice",
                          "must be none, auto, required or {\"type\": \"function\", ...}");
    }
  }
  if (choice == "none") r.tools = Json::array();
  r.parse_tool_calls = !r.tools.empty();
}

}  // namespace

Json parse_body(std::string_view body) {
  try {
    return parse_json(body, "the body", kMaxDepth);
  } catch (const Error& e) {
    throw ApiError(400, e.what(), "invalid_request_error", "invalid_json");
  }
}

ChatRequest parse_chat_request(const Json& body, const SamplingParams& defaults,
                               const Json& default_kwargs) {
  ChatRequest r;
  r.generation = parse_generation(body, defaults, "max_completion_tokens");
  r.messages = parse_messages(body);
  parse_tools(body, r);
  r.kwargs = default_kwargs.is_object() ? default_kwargs : Json::object();
  if (const Json* k = find(body, "chat_template_kwargs")) {
    if (!k->is_object()) throw invalid_field("chat_template_kwargs", "must be an object");
    for (const auto& [key, value] : k->items()) r.kwargs[key] = value;
  }
  return r;
}

CompletionRequest parse_completion_request(const Json& body, const SamplingParams& defaults) {
  CompletionRequest r;
  r.generation = parse_generation(body, defaults, "max_tokens");
  const Json* p = find(body, "prompt");
  const char* shape = "must be a string, an array of one string, or an array of token ids";
  if (!p) throw invalid_field("prompt", shape);
  if (p->is_array() && p->size() == 1 && (*p)[0].is_string()) p = &(*p)[0];
  if (p->is_string()) {
    if (p->get<std::string>().empty()) throw invalid_field("prompt", "is empty");
    r.prompt = p->get<std::string>();
  } else if (p->is_array() && !p->empty()) {
    for (const Json& t : *p) {
      if (!t.is_number_integer() || t.get<int64_t>() < 0 ||
          t.get<int64_t>() > std::numeric_limits<int32_t>::max())
        throw invalid_field("prompt", shape);
      r.prompt_tokens.push_back(t.get<int32_t>());
    }
  } else {
    throw invalid_field("prompt", shape);
  }
  if (const Json* e = find(body, "echo"); e && !(e->is_boolean() && !e->get<bool>()))
    throw unsupported("echo", "is not supported by rotary serve");
  if (const Json* s = find(body, "suffix"); s && !(s->is_string() && s->get<std::string>().empty()))
    throw unsupported("suffix", "is not supported by rotary serve");
  return r;
}

}  // namespace rotary::serve
