// POST /v1/chat/completions and /v1/completions: parse, render, tokenise and queue on the HTTP
// thread; then wait for the answer, or stream it as server-sent events as the worker makes it.
#include <httplib.h>

#include "cli/serve/chat_prompt.h"
#include "cli/serve/connection_watch.h"
#include "cli/serve/http_server.h"
#include "cli/serve/openai_response.h"

namespace rotary::serve {

namespace {

// Counts a response being written, for a shutdown that lets it end.
struct ActiveResponse {
  explicit ActiveResponse(std::shared_ptr<std::atomic<int>> count) : n(std::move(count)) { ++*n; }
  ~ActiveResponse() { --*n; }
  ActiveResponse(const ActiveResponse&) = delete;
  ActiveResponse& operator=(const ActiveResponse&) = delete;
  std::shared_ptr<std::atomic<int>> n;
};

// One event in two writes: over a connection the client has closed, the first write draws the
// reset and the second fails, so a hang-up is noticed at the token it happens.
bool write_event(httplib::DataSink& sink, std::string_view event) {
  return sink.write(event.data(), event.size() - 1) &&
         sink.write(event.data() + event.size() - 1, 1);
}

// How often a waiting handler looks whether its client is still there: well under a token.
constexpr std::chrono::milliseconds kWatchInterval{10};

ConnectionWatch watch(const httplib::Request& req) {
  return ConnectionWatch(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
}

// Waits for text or the end of the job; false when the client hung up meanwhile (the job is
// then cancelled).
bool next_text(GenerationJob& job, const ConnectionWatch& client, std::string& text,
               bool& finished) {
  for (;;) {
    text = job.take(finished, kWatchInterval);
    if (finished || !text.empty()) return true;
    if (client.closed()) {
      job.cancelled = true;
      return false;
    }
  }
}

// What a streamed response keeps between the provider's calls.
struct Stream {
  std::shared_ptr<GenerationJob> job;
  ConnectionWatch client;
  ResponseId id;
  std::unique_ptr<ActiveResponse> active;
  bool started = false;
  // Chat only:
  std::optional<OutputParser> parser;
  Json tools;
};

// The last chunk of an answer (its finish reason, with usage and timings), and the usage-only
// chunk a client asked for with stream_options.include_usage.
void end_events(const Stream& s, Json last, const char* object, std::vector<std::string>& events) {
  const GenerationJob& job = *s.job;
  last["usage"] = usage_json(job.usage);
  last["timings"] = timings_json(job.usage);
  events.push_back(sse_event(last));
  if (job.request.include_usage) events.push_back(sse_event(usage_chunk(s.id, object, job.usage)));
}

// The events for a piece of generated text (and, when `finished`, the end of the answer).
std::vector<std::string> chat_events(Stream& s, const std::string& text, bool finished) {
  std::vector<std::string> events;
  for (Json& d : chat_text_deltas(s.parser->push(text)))
    events.push_back(sse_event(chat_chunk(s.id, std::move(d), nullptr)));
  if (!finished) return events;
  GenerationJob& job = *s.job;
  if (job.error) {
    events.push_back(sse_event(error_json(*job.error)));
  } else {
    std::vector<ToolCall> calls;
    for (Json& d : chat_text_deltas(s.parser->finish(s.tools, calls)))
      events.push_back(sse_event(chat_chunk(s.id, std::move(d), nullptr)));
    if (!calls.empty())
      events.push_back(sse_event(chat_chunk(s.id, tool_calls_delta(s.id, calls), nullptr)));
    end_events(s, chat_chunk(s.id, Json::object(),
                             calls.empty() ? job.finish_reason.c_str() : "tool_calls"),
               "chat.completion.chunk", events);
  }
  events.emplace_back(kSseDone);
  return events;
}

std::vector<std::string> text_events(Stream& s, const std::string& text, bool finished) {
  std::vector<std::string> events;
  if (!text.empty()) events.push_back(sse_event(text_chunk(s.id, text, nullptr)));
  if (!finished) return events;
  GenerationJob& job = *s.job;
  if (job.error) {
    events.push_back(sse_event(error_json(*job.error)));
  } else {
    end_events(s, text_chunk(s.id, "", job.finish_reason.c_str()), "text_completion", events);
  }
  events.emplace_back(kSseDone);
  return events;
}

void stream(httplib::Response& res, std::shared_ptr<Stream> s) {
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [s](size_t, httplib::DataSink& sink) {
        std::vector<std::string> events;
        bool finished = false;
        if (!s->started) {
          // The role at once: the client sees the answer begin while the request waits its turn.
          s->started = true;
          if (s->parser)
            events.push_back(
                sse_event(chat_chunk(s->id, {{"role", "assistant"}, {"content", ""}}, nullptr)));
        } else {
          std::string text;
          if (!next_text(*s->job, s->client, text, finished)) return false;
          events = s->parser ? chat_events(*s, text, finished) : text_events(*s, text, finished);
        }
        for (const std::string& e : events)
          if (!write_event(sink, e)) {
            s->job->cancelled = true;
            return false;
          }
        if (finished) sink.done();
        return true;
      },
      [s](bool success) {
        if (!success) s->job->cancelled = true;
      });
}

// Waits for the whole answer. A client that hangs up cancels the job; it gets no answer.
std::string wait_text(GenerationJob& job, const ConnectionWatch& client) {
  std::string text, more;
  for (bool finished = false; !finished; text += more)
    if (!next_text(job, client, more, finished))
      throw ApiError(499, "the client closed the connection", "invalid_request_error",
                     "client_closed");
  if (job.error) throw *job.error;
  return text;
}

template <typename Handler>
void answer(httplib::Response& res, Handler&& handler) {
  try {
    handler();
  } catch (const ApiError& e) {
    res.status = e.status;
    res.set_content(dump_json(error_json(e)), "application/json");
  }
}

}  // namespace

void HttpServer::chat(const httplib::Request& req, httplib::Response& res) {
  answer(res, [&] {
    if (!ready_) throw ApiError(503, "the model is loading", "server_error", "loading");
    const ChatRequest r =
        parse_chat_request(parse_body(req.body), request_defaults(), config_.template_kwargs);
    if (!model_->chat_template)
      throw ApiError(400,
                     "this model's chat template cannot be applied: " + model_->template_error +
                         " (/v1/completions takes a raw prompt)",
                     "invalid_request_error", "unsupported_template");
    const std::string prompt =
        render_chat_prompt(*model_->chat_template, r.messages, r.tools, r.kwargs);
    auto job = submit(tokenize_chat_prompt(*model_->tokenizer, prompt), r.generation, "messages");
    const OutputParser::Options parse{prompt_opens_reasoning(prompt), r.parse_tool_calls};
    const ResponseId id = next_id("chatcmpl");
    if (r.generation.stream) {
      stream(res, std::make_shared<Stream>(Stream{job, watch(req), id,
                                                  std::make_unique<ActiveResponse>(active_), false,
                                                  OutputParser(parse), r.tools}));
      return;
    }
    ActiveResponse active(active_);
    const std::string text = wait_text(*job, watch(req));
    OutputParser parser(parse);
    OutputDelta all = parser.push(text);
    std::vector<ToolCall> calls;
    const OutputDelta rest = parser.finish(r.tools, calls);
    all.reasoning += rest.reasoning;
    all.content += rest.content;
    const std::string finish = calls.empty() ? job->finish_reason : "tool_calls";
    res.set_content(
        dump_json(chat_completion(id, all.reasoning, all.content, calls, finish, job->usage)),
        "application/json");
  });
}

void HttpServer::completion(const httplib::Request& req, httplib::Response& res) {
  answer(res, [&] {
    if (!ready_) throw ApiError(503, "the model is loading", "server_error", "loading");
    CompletionRequest r = parse_completion_request(parse_body(req.body), request_defaults());
    std::vector<int32_t> prompt = r.prompt ? model_->tokenizer->encode(*r.prompt) : r.prompt_tokens;
    for (int32_t t : prompt)
      if (static_cast<size_t>(t) >= model_->tokenizer->vocab_size())
        throw invalid_field(
            "prompt", "holds the token id " + std::to_string(t) + ", outside the vocabulary (" +
                          std::to_string(model_->tokenizer->vocab_size()) + " tokens)");
    if (prompt.empty()) throw invalid_field("prompt", "has no tokens");
    auto job = submit(std::move(prompt), r.generation, "prompt");
    const ResponseId id = next_id("cmpl");
    if (r.generation.stream) {
      stream(res, std::make_shared<Stream>(Stream{job, watch(req), id,
                                                  std::make_unique<ActiveResponse>(active_), false,
                                                  std::nullopt, Json()}));
      return;
    }
    ActiveResponse active(active_);
    const std::string text = wait_text(*job, watch(req));
    res.set_content(dump_json(text_completion(id, text, job->finish_reason, job->usage)),
                    "application/json");
  });
}

}  // namespace rotary::serve
