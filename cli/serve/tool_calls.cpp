#include "cli/serve/tool_calls.h"

#include <optional>

namespace rotary::serve {

namespace {

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Qwen3: {"name": ..., "arguments": {...} or "{...}"}.
std::optional<ToolCall> parse_json_call(std::string_view body) {
  const auto v = try_parse_json(body);
  if (!v || !v->is_object() || !v->contains("name") || !(*v)["name"].is_string())
    return std::nullopt;
  ToolCall call{(*v)["name"].get<std::string>(), "{}"};
  if (v->contains("arguments")) {
    const Json& a = (*v)["arguments"];
    if (a.is_object())
      call.arguments = dump_json(a);
    else if (a.is_string() && try_parse_json(a.get<std::string>()).value_or(Json()).is_object())
      call.arguments = a.get<std::string>();
    else if (!a.is_null())
      return std::nullopt;
  }
  return call;
}

// The JSON Schema type of parameter `param` of tool `name`, "" when unknown.
std::string parameter_type(const Json& tools, const std::string& name, const std::string& param) {
  for (const Json& t : tools) {
    const Json& f = t.value("function", Json::object());
    if (f.value("name", "") != name) continue;
    const Json props = f.value("parameters", Json::object()).value("properties", Json::object());
    if (!props.is_object() || !props.contains(param) || !props[param].is_object()) return "";
    const Json& type = props[param].value("type", Json());
    return type.is_string() ? type.get<std::string>() : "";
  }
  return "";
}

// One line break after the opening tag and before the closing one belong to the format.
std::string_view strip_one_newline(std::string_view v) {
  if (v.starts_with("\n")) v.remove_prefix(1);
  if (v.ends_with("\n")) v.remove_suffix(1);
  return v;
}

// Qwen3.5/3.6: <function=NAME><parameter=P>value</parameter>...</function>.
std::optional<ToolCall> parse_xml_call(std::string_view body, const Json& tools) {
  constexpr std::string_view kFunction = "<function=", kParameter = "<parameter=",
                             kParameterEnd = "</parameter>", kFunctionEnd = "</function>";
  if (!body.starts_with(kFunction) || !body.ends_with(kFunctionEnd)) return std::nullopt;
  const size_t name_end = body.find('>');
  const std::string name(trim(body.substr(kFunction.size(), name_end - kFunction.size())));
  if (name.empty()) return std::nullopt;
  std::string_view rest =
      body.substr(name_end + 1, body.size() - kFunctionEnd.size() - name_end - 1);
  Json args = Json::object();
  for (rest = trim(rest); !rest.empty(); rest = trim(rest)) {
    if (!rest.starts_with(kParameter)) return std::nullopt;
    const size_t key_end = rest.find('>');
    const size_t value_end = rest.find(kParameterEnd);
    if (key_end == std::string_view::npos || value_end == std::string_view::npos ||
        value_end < key_end)
      return std::nullopt;
    const std::string key(trim(rest.substr(kParameter.size(), key_end - kParameter.size())));
    const std::string_view value =
        strip_one_newline(rest.substr(key_end + 1, value_end - key_end - 1));
    const std::string type = parameter_type(tools, name, key);
    std::optional<Json> typed;
    if (!type.empty() && type != "string") typed = try_parse_json(value);
    args[key] = typed ? *typed : Json(std::string(value));
    rest.remove_prefix(value_end + kParameterEnd.size());
  }
  return ToolCall{name, dump_json(args)};
}

}  // namespace

ToolCallSplit extract_tool_calls(std::string_view text, const Json& tools) {
  ToolCallSplit out;
  while (!text.empty()) {
    const size_t open = text.find(kToolCallOpen);
    const size_t close = open == std::string_view::npos ? open : text.find(kToolCallClose, open);
    if (close == std::string_view::npos) break;
    out.text.append(text.substr(0, open));
    const std::string_view body =
        trim(text.substr(open + kToolCallOpen.size(), close - open - kToolCallOpen.size()));
    auto call =
        body.starts_with("<function=") ? parse_xml_call(body, tools) : parse_json_call(body);
    if (call)
      out.calls.push_back(std::move(*call));
    else
      out.text.append(text.substr(open, close + kToolCallClose.size() - open));
    text.remove_prefix(close + kToolCallClose.size());
  }
  out.text.append(text);
  return out;
}

}  // namespace rotary::serve
