#pragma once
// OpenAI response bodies and server-sent events: chat.completion, chat.completion.chunk,
// text_completion, errors. Every answer carries `usage` and rotary's `timings` (llama-server's
// object: prompt and decode counts, milliseconds and tok/s, the cached prefix; plus the expert
// hit rate). Text is written as UTF-8 with malformed bytes replaced (an answer cut inside a
// character), never an exception.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"

#include "cli/serve/api_error.h"
#include "cli/serve/output_parser.h"

namespace rotary::serve {

// What one request cost.
struct Usage {
  uint32_t prompt_tokens = 0;      // the whole prompt
  uint32_t cached_tokens = 0;      // of which the session already held
  uint32_t completion_tokens = 0;  // generated
  double prompt_seconds = 0;       // evaluating prompt_tokens - cached_tokens
  double decode_seconds = 0;
  double expert_hit_rate = 0;  // routed-expert uses already in VRAM, this request
};

// Identifies one response: "chatcmpl-..." or "cmpl-...", the creation time, the model's name.
struct ResponseId {
  std::string id;
  int64_t created = 0;
  std::string model;
};

Json usage_json(const Usage& u);
Json timings_json(const Usage& u);

// `finish_reason`: "stop", "length" or "tool_calls".
Json chat_completion(const ResponseId& r, const std::string& reasoning, const std::string& content,
                     const std::vector<ToolCall>& calls, const std::string& finish_reason,
                     const Usage& u);
// One streamed chunk with `delta`; a null finish_reason for all but the last.
Json chat_chunk(const ResponseId& r, Json delta, const char* finish_reason);
// The deltas of streamed text: reasoning then content; none for an empty delta.
std::vector<Json> chat_text_deltas(const OutputDelta& d);
// The tool calls as one delta (OpenAI streams them as index, id, type, name, arguments).
Json tool_calls_delta(const ResponseId& r, const std::vector<ToolCall>& calls);

Json text_completion(const ResponseId& r, const std::string& text, const std::string& finish_reason,
                     const Usage& u);
Json text_chunk(const ResponseId& r, const std::string& text, const char* finish_reason);

// A usage-only chunk (stream_options.include_usage): no choices.
Json usage_chunk(const ResponseId& r, const char* object, const Usage& u);

Json error_json(const ApiError& e);

// One server-sent event: "data: JSON\n\n".
std::string sse_event(const Json& v);
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

}  // namespace rotary::serve
