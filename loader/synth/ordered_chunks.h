#pragma once
// Runs chunk jobs on worker threads and hands their bytes to one consumer in job order, with a
// bounded number of chunks in memory: the shape of streaming a model to disk, where generation
// runs on the cores while the writer thread waits on the disk.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace rotary::synth {

struct OrderedChunksOptions {
  unsigned threads = 2;  // worker threads; 0 produces every chunk on the calling thread
  size_t in_flight = 8;  // chunks generated ahead of the consumer (bounds memory)
};

// produce(job, out) fills out (job_bytes(job) bytes) and may run on any worker thread, several
// at once; consume(job, bytes) runs on the calling thread, for jobs 0, 1, 2, ... in order.
// An exception from either stops the workers and is rethrown here.
void run_ordered_chunks(
    size_t n_jobs, const std::function<size_t(size_t job)>& job_bytes,
    const std::function<void(size_t job, std::span<std::byte> out)>& produce,
    const std::function<void(size_t job, std::span<const std::byte> bytes)>& consume,
    const OrderedChunksOptions& options = {});

}  // namespace rotary::synth
