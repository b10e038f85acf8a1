#include "cli/serve/generation_worker.h"

#include <algorithm>
#include <cstdio>

#include "base/error.h"
#include "cli/serve/stop_matcher.h"
#include "loader/tokenizer/stream_decoder.h"
#include "loader/tokenizer/tokenizer.h"

namespace rotary::serve {

std::string GenerationJob::take(bool& finished, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex);
  changed.wait_for(lock, wait, [&] { return done || !text.empty(); });
  std::string out;
  out.swap(text);
  finished = done;
  return out;
}

GenerationWorker::GenerationWorker(Session& session, const Tokenizer& tokenizer, size_t capacity)
    : session_(session), tokenizer_(tokenizer), capacity_(capacity), thread_([this] { loop(); }) {}

GenerationWorker::~GenerationWorker() {
  shutdown();
}

bool GenerationWorker::submit(std::shared_ptr<GenerationJob> job) {
  std::lock_guard lock(mutex_);
  // Requests whose clients left give their places up at once.
  std::erase_if(queue_, [](const std::shared_ptr<GenerationJob>& waiting) {
    if (!waiting->cancelled) return false;
    std::lock_guard job_lock(waiting->mutex);
    waiting->done = true;
    waiting->changed.notify_all();
    return true;
  });
  if (stopping_ || queue_.size() >= capacity_) return false;
  queue_.push_back(std::move(job));
  wake_.notify_one();
  return true;
}

void GenerationWorker::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void GenerationWorker::loop() {
  for (;;) {
    std::shared_ptr<GenerationJob> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        for (auto& waiting : queue_) {
          std::lock_guard job_lock(waiting->mutex);
          waiting->error =
              ApiError(503, "the server is shutting down", "server_error", "shutting_down");
          waiting->done = true;
          waiting->changed.notify_all();
        }
        queue_.clear();
        return;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      serve(*job);
    } catch (const std::exception& e) {
      // The session's state is unknown after a failed step: start the next request afresh.
      std::fprintf(stderr, "rotary serve: request failed: %s\n", e.what());
      session_.reset();
      std::lock_guard lock(job->mutex);
      job->error = ApiError(500, std::string("generation failed: ") + e.what(), "server_error",
                            "generation_failed");
    }
    std::lock_guard lock(job->mutex);
    job->done = true;
    job->changed.notify_all();
  }
}

uint32_t GenerationWorker::reuse_prefix(const std::vector<int32_t>& prompt) {
  const std::vector<int32_t>& held = session_.tokens();
  uint32_t keep = static_cast<uint32_t>(
      std::mismatch(held.begin(), held.end(), prompt.begin(), prompt.end()).first - held.begin());
  // At least one token is evaluated: its logits choose the first answer token.
  keep = std::min<uint32_t>(keep, static_cast<uint32_t>(prompt.size()) - 1);
  if (keep < session_.position()) {
    if (session_.can_rewind()) {
      session_.rewind(keep);
    } else {
      session_.reset();
      keep = 0;
    }
  }
  return keep;
}

void GenerationWorker::serve(GenerationJob& job) {
  if (job.cancelled) return;
  const uint32_t keep = reuse_prefix(job.prompt);
  session_.set_sampling(job.request.sampling);
  StreamDecoder decoder(tokenizer_);
  StopMatcher stops(job.request.stop);
  auto emit = [&](const std::string& text) {
    if (text.empty()) return;
    std::lock_guard lock(job.mutex);
    job.text += text;
    job.changed.notify_all();
  };
  GenerateOptions go;
  go.max_tokens = job.max_tokens;
  go.stop_at_end_of_generation = !job.request.ignore_eos;
  go.on_token = [&](int32_t token) {
    emit(stops.push(decoder.push(token)));
    return !stops.stopped() && !job.cancelled && !stopping_;
  };
  const RunStats before = session_.stats();
  const std::span<const int32_t> feed(job.prompt.data() + keep, job.prompt.size() - keep);
  const std::vector<int32_t> out = session_.generate(feed, go);
  emit(stops.push(decoder.flush()));
  emit(stops.flush());
  const RunStats s = session_.stats().since(before);

  const bool ended =
      !out.empty() && go.stop_at_end_of_generation && tokenizer_.is_end_of_generation(out.back());
  std::lock_guard lock(job.mutex);
  job.finish_reason =
      !ended && !stops.stopped() && out.size() == job.max_tokens ? "length" : "stop";
  job.usage = Usage{static_cast<uint32_t>(job.prompt.size()),
                    keep,
                    static_cast<uint32_t>(out.size()),
                    s.prompt_seconds,
                    s.generate_seconds,
                    s.model.residency.hit_rate()};
  std::fprintf(stderr, "rotary serve: request %llu: %zu prompt tokens (%u cached) | %s | %s%s\n",
               static_cast<unsigned long long>(++served_), job.prompt.size(), keep,
               s.line().c_str(), job.finish_reason.c_str(),
               job.cancelled ? " (client gone)"
               : stopping_   ? " (shutting down)"
                             : "");
}

}  // namespace rotary::serve
