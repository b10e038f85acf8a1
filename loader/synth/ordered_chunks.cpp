#include "loader/synth/ordered_chunks.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace rotary::synth {

namespace {

constexpr size_t kEmpty = SIZE_MAX;

class Ring {
 public:
  explicit Ring(size_t slots) : buffers_(slots), ready_(slots, kEmpty) {}

  // Worker: the next job to produce, or false when there is none or the run failed. Waits while
  // the ring is full.
  bool take(size_t n_jobs, size_t& job) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock,
             [&] { return failed_ || next_ >= n_jobs || next_ < consumed_ + buffers_.size(); });
    if (failed_ || next_ >= n_jobs) return false;
    job = next_++;
    return true;
  }
  std::vector<std::byte>& buffer(size_t job) { return buffers_[job % buffers_.size()]; }
  void produced(size_t job) {
    std::lock_guard lock(mutex_);
    ready_[job % buffers_.size()] = job;
    cv_.notify_all();
  }
  // Consumer: waits until `job` is produced; false when the run failed.
  bool wait_ready(size_t job) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return failed_ || ready_[job % buffers_.size()] == job; });
    return !failed_;
  }
  void consumed(size_t job) {
    std::lock_guard lock(mutex_);
    ready_[job % buffers_.size()] = kEmpty;
    consumed_ = job + 1;
    cv_.notify_all();
  }
  void fail(std::exception_ptr e) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = e;
    failed_ = true;
    cv_.notify_all();
  }
  std::exception_ptr error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::vector<std::byte>> buffers_;
  std::vector<size_t> ready_;  // per slot: the job it holds, or kEmpty
  size_t next_ = 0;
  size_t consumed_ = 0;
  bool failed_ = false;
  std::exception_ptr error_;
};

}  // namespace

void run_ordered_chunks(
    size_t n_jobs, const std::function<size_t(size_t job)>& job_bytes,
    const std::function<void(size_t job, std::span<std::byte> out)>& produce,
    const std::function<void(size_t job, std::span<const std::byte> bytes)>& consume,
    const OrderedChunksOptions& options) {
  if (options.threads == 0) {
    std::vector<std::byte> buffer;
    for (size_t job = 0; job < n_jobs; ++job) {
      buffer.resize(job_bytes(job));
      produce(job, buffer);
      consume(job, buffer);
    }
    return;
  }
  Ring ring(std::max<size_t>(options.in_flight, options.threads));
  auto work = [&] {
    try {
      size_t job;
      while (ring.take(n_jobs, job)) {
        auto& buffer = ring.buffer(job);
        buffer.resize(job_bytes(job));
        produce(job, buffer);
        ring.produced(job);
      }
    } catch (...) {
      ring.fail(std::current_exception());
    }
  };
  std::vector<std::thread> workers;
  for (unsigned i = 0; i < options.threads; ++i) workers.emplace_back(work);
  try {
    for (size_t job = 0; job < n_jobs; ++job) {
      if (!ring.wait_ready(job)) break;
      consume(job, ring.buffer(job));
      ring.consumed(job);
    }
  } catch (...) {
    ring.fail(std::current_exception());
  }
  for (auto& w : workers) w.join();
  if (auto e = ring.error()) std::rethrow_exception(e);
}

}  // namespace rotary::synth
