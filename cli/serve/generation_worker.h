#pragma once
// The one thread that owns the model's Session: requests wait in a bounded queue and are served
// in arrival order. Each request's prompt is matched against the tokens the session holds and
// only the rest is evaluated (the longest common token prefix stays; a model with recurrent
// state, which cannot rewind, starts over unless the prompt extends what it holds). Text flows
// back to the HTTP thread as it is generated, stop strings already cut; a request whose client
// went away, and every request at shutdown, stops after the current token.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/serve/api_error.h"
#include "cli/serve/openai_request.h"
#include "cli/serve/openai_response.h"
#include "runtime/session.h"

namespace rotary::serve {

// One request's generation: filled by the HTTP thread, answered by the worker.
struct GenerationJob {
  std::vector<int32_t> prompt;  // every token of the prompt
  GenerationRequest request;
  uint32_t max_tokens = 0;  // the request's, capped to what the context holds

  std::atomic<bool> cancelled{false};  // the client hung up: stop after the current token

  // Written by the worker under `mutex`.
  std::mutex mutex;
  std::condition_variable changed;
  std::string text;  // generated text not yet taken by the HTTP thread
  bool done = false;
  std::string finish_reason;  // "stop" or "length" (the HTTP thread may make it "tool_calls")
  Usage usage;
  std::optional<ApiError> error;

  // HTTP side: waits (up to `wait`) until there is text or the job is done; moves the text out.
  std::string take(bool& finished, std::chrono::milliseconds wait);
};

class GenerationWorker {
 public:
  // `session` and `tokenizer` must outlive the worker. `capacity`: requests that may wait.
  GenerationWorker(Session& session, const Tokenizer& tokenizer, size_t capacity);
  ~GenerationWorker();

  // False when the queue is full (the job is untouched).
  bool submit(std::shared_ptr<GenerationJob> job);
  // Stops the current generation after its token, fails the waiting requests (503) and joins.
  void shutdown();

 private:
  void loop();
  void serve(GenerationJob& job);
  // Rewinds or resets the session so that it holds a prefix of `prompt`; returns its length.
  uint32_t reuse_prefix(const std::vector<int32_t>& prompt);

  Session& session_;
  const Tokenizer& tokenizer_;
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<GenerationJob>> queue_;
  std::atomic<bool> stopping_{false};
  uint64_t served_ = 0;
  std::thread thread_;
};

}  // namespace rotary::serve
