#pragma once
// OpenAI request bodies, parsed and checked: /v1/chat/completions and /v1/completions. Every
// field rotary does not honour exactly is refused with a 400 naming it (n != 1, logprobs, a
// response_format other than text, logit_bias), never silently ignored; fields that change
// nothing about the tokens (user, metadata, store, ...) are accepted. A null counts as absent.
// Nothing in a request names a file: templates and models are the server's, from its flags.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"

#include "runtime/sampling/sampler.h"

namespace rotary::serve {

// What both endpoints share: sampling, length, stop strings, streaming.
struct GenerationRequest {
  SamplingParams sampling;             // the server's defaults, with the request's fields
  std::optional<uint32_t> max_tokens;  // unset: until the end of the turn or the context
  std::vector<std::string> stop;       // stop strings (not part of the answer)
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool ignore_eos = false;     // llama.cpp's extension
};

struct ChatRequest {
  GenerationRequest generation;
  Json messages;  // checked: an array of {role, content, ...} objects
  Json tools;     // an array (possibly empty) of {"type": "function", "function": {...}}
  Json kwargs;    // chat_template_kwargs over the server's defaults: an object
  bool parse_tool_calls = false;  // tools given and tool_choice is not "none"
};

struct CompletionRequest {
  GenerationRequest generation;
  std::optional<std::string> prompt;   // text (tokenised with BOS as `rotary run -p` does)
  std::vector<int32_t> prompt_tokens;  // or token ids
};

// Parses JSON with a nesting limit (deep nesting is refused, not recursed into). Throws
// ApiError 400 "invalid_json".
Json parse_body(std::string_view body);

// `defaults`: the server's sampling flags (the seed already chosen for this request).
ChatRequest parse_chat_request(const Json& body, const SamplingParams& defaults,
                               const Json& default_kwargs);
CompletionRequest parse_completion_request(const Json& body, const SamplingParams& defaults);

}  // namespace rotary::serve
